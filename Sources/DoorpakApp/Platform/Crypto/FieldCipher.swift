import Crypto
import Foundation
import Synchronization

/// Where a sealed value lives: bound into its additional data (`FieldCipher.seal(_:in:)`).
struct SealSlot: Sendable, Hashable {
    let table: String
    let column: String
    let rowID: UUID
}

/// Encrypts single values for storage (AES-256-GCM) and makes blind indexes for finding them.
///
/// The whole API:
/// - `seal(_:)` turns text into `dp1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`;
/// - `open(_:)` reverses it with whichever key sealed it, and throws `CipherError.tampered` when a
///   single bit was changed;
/// - `seal(_:in:)` / `open(_:in:)`: the same, bound to a table, column and row id (`dp2.…`), so a
///   sealed value copied to another row does not open (special-category text of cases);
/// - `blindIndex(_:)` / `blindIndexes(_:)`: keyed hashes (HMAC-SHA256 under a key derived from each
///   data key) so an exact value can be found without storing it in clear.
///
/// A value sealed with an older key keeps opening while that key is in the keyring, so a rotation
/// can re-encrypt in the background. With a key file, a key id this process does not know makes it
/// reread the file (another process rotated), and the current key is picked up within a minute.
final class FieldCipher: Sendable {
    private let source: KeySource
    private struct State { var keyring: Keyring?; var checked: Date; var modified: Date? }
    private let state: Mutex<State>

    static let prefix = "dp1"
    /// Values bound to their table, column and row (`seal(_:in:)`).
    static let boundPrefix = "dp2"

    /// Loads the keys; throws `KeyringError` when none are configured or they cannot be read.
    init(_ source: KeySource) throws {
        self.source = source
        state = Mutex(State(keyring: try source.load(), checked: .now, modified: source.modified))
    }

    init(keyring: Keyring) {
        source = .unconfigured
        state = Mutex(State(keyring: keyring, checked: .now, modified: nil))
    }

    private init(unavailable: Void) {
        source = .unconfigured
        state = Mutex(State(keyring: nil, checked: .now, modified: nil))
    }

    /// A cipher without keys: every use throws. What route-only builds (tests listing routes) get.
    static let unavailable = FieldCipher(unavailable: ())

    // MARK: Sealing

    func seal(_ plaintext: String) throws -> String {
        try seal(plaintext, slot: nil)
    }

    func open(_ sealed: String) throws -> String {
        try open(sealed, slot: nil)
    }

    /// Seals a value bound to its place: `dp2.<key id>.<…>`, with the table, column and row id in
    /// the additional data, so the value opens only there (moved to another row, column or table,
    /// it fails as `CipherError.tampered`).
    func seal(_ plaintext: String, in slot: SealSlot) throws -> String {
        try seal(plaintext, slot: slot)
    }

    /// Opens a value sealed with `seal(_:in:)` for the same slot.
    func open(_ sealed: String, in slot: SealSlot) throws -> String {
        try open(sealed, slot: slot)
    }

    private func seal(_ plaintext: String, slot: SealSlot?) throws -> String {
        let keyring = try currentKeyring()
        let key = keyring.keys[keyring.current]!
        let prefix = slot == nil ? Self.prefix : Self.boundPrefix
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Self.additionalData(prefix, keyring.current, slot))
        return "\(prefix).\(keyring.current).\(Self.base64url(box.combined!))"
    }

    private func open(_ sealed: String, slot: SealSlot?) throws -> String {
        let prefix = slot == nil ? Self.prefix : Self.boundPrefix
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == prefix, let combined = Self.data(base64url: String(parts[2])) else {
            throw CipherError.malformed
        }
        let id = String(parts[1])
        guard let key = try key(id) else { throw CipherError.unknownKey(id) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key, authenticating: Self.additionalData(prefix, id, slot))
            guard let text = String(data: plain, encoding: .utf8) else { throw CipherError.tampered }
            return text
        } catch let error as CipherError {
            throw error
        } catch {
            throw CipherError.tampered
        }
    }

    /// The id of the key in a sealed value (`nil` when it is not one).
    static func keyID(of sealed: String) -> String? {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && (parts[0] == prefix || parts[0] == boundPrefix) ? String(parts[1]) : nil
    }

    var currentKeyID: String { get throws { try currentKeyring().current } }

    // MARK: Blind indexes

    /// The blind index of a (normalised) value under the current key: store this next to the sealed value.
    func blindIndex(_ value: String) throws -> String {
        let keyring = try currentKeyring()
        return Self.index(value, key: keyring.keys[keyring.current]!, id: keyring.current)
    }

    /// The value's blind index under every key, to search rows whatever key indexed them.
    func blindIndexes(_ value: String) throws -> [String] {
        let keyring = try currentKeyring()
        return keyring.keys.sorted { $0.key < $1.key }.map { Self.index(value, key: $0.value, id: $0.key) }
    }

    private static func index(_ value: String, key: SymmetricKey, id: String) -> String {
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("doorpak blind index v1".utf8), outputByteCount: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: derived)
        return id + "." + Data(mac).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Keys

    private func currentKeyring() throws -> Keyring {
        try state.withLock { state in
            // Notice a rotation by another process: look at the key file at most once a minute.
            if state.checked.timeIntervalSinceNow < -60 {
                state.checked = .now
                let modified = source.modified
                if modified != state.modified, let reloaded = try? source.load() {
                    state.keyring = reloaded
                    state.modified = modified
                }
            }
            guard let keyring = state.keyring else { throw KeyringError.missing("no data keys are loaded") }
            return keyring
        }
    }

    private func key(_ id: String) throws -> SymmetricKey? {
        try state.withLock { state in
            guard let keyring = state.keyring else { throw KeyringError.missing("no data keys are loaded") }
            if let key = keyring.keys[id] { return key }
            // Sealed by a key added after this process started: reread the file once.
            guard case .file = source, let reloaded = try? source.load() else { return nil }
            state.keyring = reloaded
            state.modified = source.modified
            return reloaded.keys[id]
        }
    }

    private static func additionalData(_ prefix: String, _ id: String, _ slot: SealSlot?) -> Data {
        Data(([prefix, id] + (slot.map { [$0.table, $0.column, $0.rowID.uuidString.lowercased()] } ?? [])).joined(separator: ".").utf8)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// Files (attachments): the same keys and AES-256-GCM, on bytes instead of text.
extension FieldCipher {
    /// The header of a sealed file: `DPA1`, then one byte with the key id's length and the key id.
    static let filePrefix = Data("DPA1".utf8)

    /// Seals a file's bytes bound to its id (the additional data names the attachment), so a
    /// sealed file copied or renamed to another attachment's id does not open.
    /// Returns the id of the key that sealed it (kept on the row for a later re-encryption).
    func sealFile(_ plaintext: Data, id: UUID) throws -> (keyID: String, sealed: Data) {
        let keyring = try currentKeyring()
        let keyID = keyring.current
        let box = try AES.GCM.seal(plaintext, using: keyring.keys[keyID]!, authenticating: Self.fileAdditionalData(keyID, id))
        var out = Self.filePrefix
        out.append(UInt8(keyID.utf8.count))
        out.append(Data(keyID.utf8))
        out.append(box.combined!)
        return (keyID, out)
    }

    /// Opens a sealed file for the attachment `id`; `CipherError.tampered` when a bit was changed
    /// or the file belongs to another attachment.
    func openFile(_ sealed: Data, id: UUID) throws -> Data {
        let bytes = [UInt8](sealed)
        let head = Self.filePrefix.count
        guard bytes.count > head + 1, Data(bytes[0..<head]) == Self.filePrefix else { throw CipherError.malformed }
        let length = Int(bytes[head])
        guard length > 0, bytes.count > head + 1 + length,
              let keyID = String(bytes: bytes[(head + 1)..<(head + 1 + length)], encoding: .utf8) else { throw CipherError.malformed }
        guard let key = try key(keyID) else { throw CipherError.unknownKey(keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: Data(bytes[(head + 1 + length)...]))
            return try AES.GCM.open(box, using: key, authenticating: Self.fileAdditionalData(keyID, id))
        } catch {
            throw CipherError.tampered
        }
    }

    private static func fileAdditionalData(_ keyID: String, _ id: UUID) -> Data {
        Data("dpa1.\(keyID).attachments.\(id.uuidString.lowercased())".utf8)
    }
}

enum CipherError: Error, Equatable, CustomStringConvertible {
    /// Not a sealed value at all.
    case malformed
    /// Sealed by a key that is not in the keyring.
    case unknownKey(String)
    /// The value or its key id was altered (authentication failed).
    case tampered

    var description: String {
        switch self {
        case .malformed: "not an encrypted value"
        case .unknownKey(let id): "encrypted with key '\(id)', which is not in the keyring"
        case .tampered: "the encrypted value was altered"
        }
    }
}
