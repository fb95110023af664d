import Crypto
import Foundation

/// The data keys: every key by its id, and which one seals new values. Old keys stay until
/// `doorpak keys rotate` has re-encrypted everything they sealed.
///
/// Stored as JSON, in a key file or in `DOORPAK_DATA_KEYS`:
/// `{"current": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "…"}}`.
struct Keyring: Sendable, Equatable {
    let current: String
    let keys: [String: SymmetricKey]

    init(current: String, keys: [String: SymmetricKey]) throws {
        guard keys[current] != nil else { throw KeyringError.invalid("the current key '\(current)' is not in the keyring") }
        for id in keys.keys where !Self.isValidID(id) {
            throw KeyringError.invalid("key ids are letters and digits only")
        }
        self.current = current
        self.keys = keys
    }

    /// A keyring with one new random key.
    static func generate() -> Keyring {
        // Force-try: "k1" is a valid id and the key is present.
        try! Keyring(current: "k1", keys: ["k1": SymmetricKey(size: .bits256)])
    }

    /// This keyring plus a new random key that becomes the current one.
    func addingKey() -> Keyring {
        let numbers = keys.keys.compactMap { Int($0.dropFirst()) }
        var next = (numbers.max() ?? 0) + 1
        while keys["k\(next)"] != nil { next += 1 }
        var all = keys
        all["k\(next)"] = SymmetricKey(size: .bits256)
        return try! Keyring(current: "k\(next)", keys: all)
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 16 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    // MARK: JSON

    private struct Stored: Codable {
        let current: String
        let keys: [String: String]
    }

    init(json: Data) throws {
        guard let stored = try? JSONDecoder().decode(Stored.self, from: json) else {
            throw KeyringError.invalid("expected {\"current\": \"<id>\", \"keys\": {\"<id>\": \"<base64 key>\"}}")
        }
        var keys: [String: SymmetricKey] = [:]
        for (id, encoded) in stored.keys {
            guard let bytes = Data(base64Encoded: encoded), bytes.count == 32 else {
                throw KeyringError.invalid("key '\(id)' is not 32 bytes of base64")
            }
            keys[id] = SymmetricKey(data: bytes)
        }
        try self.init(current: stored.current, keys: keys)
    }

    func json() -> Data {
        let keys = self.keys.mapValues { key in key.withUnsafeBytes { Data($0).base64EncodedString() } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try! encoder.encode(Stored(current: current, keys: keys))
    }

    static func == (lhs: Keyring, rhs: Keyring) -> Bool {
        lhs.current == rhs.current && lhs.keys.keys.sorted() == rhs.keys.keys.sorted()
            && lhs.keys.allSatisfy { id, key in rhs.keys[id] == key }
    }
}

enum KeyringError: Error, CustomStringConvertible, Equatable {
    /// No key is configured where one is required (production start without a key).
    case missing(String)
    case invalid(String)

    var description: String {
        switch self {
        case .missing(let message): "No data key: \(message)"
        case .invalid(let message): "The data keys cannot be read: \(message)"
        }
    }
}
