import Crypto
import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

@Suite struct CryptoTests {
    static func keyring() throws -> Keyring { try Keyring(json: Data(TestDatabase.testKeys.utf8)) }

    @Test func roundTripAndFreshNonces() throws {
        let cipher = FieldCipher(keyring: try Self.keyring())
        let text = "Amira Testpersoon-Bakr, 06-12345678 ✓"
        let first = try cipher.seal(text), second = try cipher.seal(text)
        #expect(first != second)
        #expect(first.hasPrefix("dp1.k2."))
        #expect(!first.contains("Amira"))
        #expect(try cipher.open(first) == text)
        #expect(try cipher.open(second) == text)
        #expect(try cipher.open(try cipher.seal("")) == "")
    }

    @Test func tamperingIsDetected() throws {
        let cipher = FieldCipher(keyring: try Self.keyring())
        let sealed = try cipher.seal("Geboren 2001-02-03")
        var bytes = FieldCipher.data(base64url: String(sealed.split(separator: ".")[2]))!
        bytes[bytes.count / 2] ^= 0x01
        let flipped = "dp1.k2." + FieldCipher.base64url(bytes)
        #expect(throws: CipherError.tampered) { try cipher.open(flipped) }
        // Claiming another key of the keyring fails authentication too.
        let relabelled = sealed.replacingOccurrences(of: "dp1.k2.", with: "dp1.k1.")
        #expect(throws: CipherError.tampered) { try cipher.open(relabelled) }
        #expect(throws: CipherError.unknownKey("k9")) { try cipher.open(sealed.replacingOccurrences(of: "dp1.k2.", with: "dp1.k9.")) }
        #expect(throws: CipherError.malformed) { try cipher.open("Amira") }
        #expect(throws: KeyringError.self) { try FieldCipher.unavailable.seal("x") }
    }

    @Test func blindIndexesMatchNormalisedNamesUnderEveryKey() throws {
        let cipher = FieldCipher(keyring: try Self.keyring())
        let a = try cipher.blindIndex(PersonName.normalise("Ámina  el-Idrissi"))
        let b = try cipher.blindIndex(PersonName.normalise("amina el idrissi"))
        #expect(a == b)
        #expect(a.hasPrefix("k2."))
        #expect(try cipher.blindIndexes(PersonName.normalise("AMINA EL IDRISSI")).contains(a))
        #expect(try cipher.blindIndexes("amina el idrissi").count == 2)
        #expect(try cipher.blindIndex("amina el idriss") != a)
    }

    @Test func keyFileIsCreatedOnlyWhenAllowedAndOwnerReadable() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doorpak-tests/keys-\(UUID()).json").path
        #expect(throws: KeyringError.self) { try KeySource.file(path: path, createIfMissing: false).load() }
        #expect(throws: KeyringError.self) { try FieldCipher(.unconfigured) }
        let created = try KeySource.file(path: path, createIfMissing: true).load()
        #expect(created.current == "k1")
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try KeySource.file(path: path, createIfMissing: false).load() == created)
        #expect(throws: KeyringError.self) { try KeySource.environment(#"{"current":"k1","keys":{"k1":"c2hvcnQ="}}"#).load() }
    }

    /// Persons sealed under k1; the keyring gains k2; old values still open before re-encryption,
    /// and afterwards every sealed column and blind index is under k2, search still works, and a
    /// second run has nothing left to do.
    @Test(arguments: TestDatabase.available)
    func rotationReencryptsEverything(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let old = try Keyring(json: Data(#"{"current":"k1","keys":{"k1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}"#.utf8))
        let rotated = old.addingKey()
        #expect(rotated.current == "k2")
        try await world.withDatabase { db in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: admin)
            let before = PersonStore(database: db, cipher: FieldCipher(keyring: old))
            for index in 0..<7 {
                _ = try await before.link(PersonDraft(name: "Testpersoon Nummer\(index)", birthDate: "2001-02-0\(index + 1)",
                                                      contact: "06-000000\(index)"),
                                          role: "affected", to: report, by: admin)
            }
            let after = PersonStore(database: db, cipher: FieldCipher(keyring: rotated))
            // Before re-encryption: the new keyring opens the old values and finds them.
            let found = try await after.search(name: "testpersoon nummer3", birthDate: nil, reason: "rotation test", by: admin)
            #expect(found.map(\.name) == ["Testpersoon Nummer3"])

            var rotation = KeyRotation(cipher: FieldCipher(keyring: rotated), database: db)
            rotation.batchSize = 3
            let outcome = try await rotation.reencrypt()
            #expect(outcome == KeyRotation.Outcome(rewritten: 7, failed: 0))
            let rows = try await PersonRecord.query(on: db.db()).all()
            #expect(rows.count == 7)
            #expect(rows.allSatisfy { $0.nameSealed.hasPrefix("dp1.k2.") && $0.birthDateSealed!.hasPrefix("dp1.k2.")
                && $0.contactSealed!.hasPrefix("dp1.k2.") && $0.nameIndex.hasPrefix("k2.") && $0.birthDateIndex!.hasPrefix("k2.") })
            // Search with only the new key still finds by name and date of birth.
            let onlyNew = try Keyring(current: "k2", keys: ["k2": rotated.keys["k2"]!])
            let newOnly = PersonStore(database: db, cipher: FieldCipher(keyring: onlyNew))
            let again = try await newOnly.search(name: "Testpersoon Nummer5", birthDate: "2001-02-06", reason: "rotation test", by: admin)
            #expect(again.first?.contact == "06-0000005")
            #expect(try await rotation.reencrypt() == KeyRotation.Outcome(rewritten: 0, failed: 0))
            let logged = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "encrypted_table").count()
            #expect(logged == 3)
        }
    }

    /// The command: a key file is created on first rotation, and a second rotation adds k2 and
    /// re-encrypts rows sealed under k1.
    @Test func rotateCommandWritesTheKeyFile() async throws {
        let world = try await TestWorld.make(.sqlite)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("doorpak-tests/keys-\(UUID()).json").path
        var config = world.config
        config.keys = .file(path: path, createIfMissing: false)
        let first = try await Commands.rotateKeys(config)
        #expect(first.contains("Key k1 is now current"))
        let cipher = try FieldCipher(config.keys)
        try await world.withDatabase { db in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: admin)
            _ = try await PersonStore(database: db, cipher: cipher).link(PersonDraft(name: "Rotatie Test"), role: "witness", to: report, by: admin)
        }
        let second = try await Commands.rotateKeys(config)
        #expect(second.contains("Key k2 is now current"))
        #expect(second.contains("Re-encrypted 1 rows"))
        // A process started before the rotation rereads the file for the new key id.
        try await world.withDatabase { db in
            let row = try #require(try await PersonRecord.query(on: db.db()).first())
            #expect(row.nameSealed.hasPrefix("dp1.k2."))
            #expect(try cipher.open(row.nameSealed) == "Rotatie Test")
        }
        #expect(try await Commands.reencryptKeys(config) == "Re-encrypted 0 rows.")
    }
}
