import Foundation

/// Where the data keys come from. Production needs one of the first two; nothing falls back to
/// a built-in key.
public enum KeySource: Sendable, Equatable {
    /// A keyring as JSON, from `DOORPAK_DATA_KEYS` (the environment or a secret store).
    case environment(String)
    /// A key file; `createIfMissing` (demo and local development only) writes a new keyring on first start.
    case file(path: String, createIfMissing: Bool)
    /// Nothing configured: starting fails with an explanation.
    case unconfigured

    /// Reads the keyring, creating the key file first when that is allowed.
    func load() throws -> Keyring {
        switch self {
        case .environment(let json):
            return try Keyring(json: Data(json.utf8))
        case .file(let path, let createIfMissing):
            if !FileManager.default.fileExists(atPath: path) {
                guard createIfMissing else {
                    throw KeyringError.missing("the key file \(path) does not exist. Create one with `doorpak keys rotate --key-file \(path)` "
                        + "or set DOORPAK_DATA_KEYS.")
                }
                try Self.write(.generate(), to: path)
            }
            return try Keyring(json: Data(contentsOf: URL(fileURLWithPath: path)))
        case .unconfigured:
            throw KeyringError.missing("set DOORPAK_DATA_KEYS or pass --key-file.")
        }
    }

    /// The key file's modification time, to notice a rotation by another process.
    var modified: Date? {
        guard case .file(let path, _) = self else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Writes a keyring readable by the owner only, replacing the file atomically.
    static func write(_ keyring: Keyring, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: keyring.json(), attributes: [.posixPermissions: 0o600]) else {
            throw KeyringError.invalid("cannot write \(temporary.path)")
        }
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw KeyringError.invalid("cannot replace \(path)")
        }
    }
}
