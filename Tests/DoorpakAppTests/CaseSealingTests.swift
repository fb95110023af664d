import FluentKit
import Foundation
import SQLKit
import Testing
@testable import DoorpakApp

/// Special-category text of cases at rest (issue 11): opening and closing reasons and history
/// reasons (including action results and factor codes) are sealed bound to their row, opened only
/// through `CaseStore`, re-sealed by key rotation, and text written before sealing is sealed at start-up.
@Suite struct CaseSealingTests {
    @Test(arguments: TestDatabase.available)
    func reasonsAreSealedToTheirRow(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let (path, _) = try await CaseAPITests.openCase(api, world: world)
            let police = api[.police]
            #expect(try await police.request(.put, path + "/factors", body: #"{"present":["trauma_indications"]}"#).status == .ok)
            let action = try await police.post(path + "/actions", ["title": "Huisbezoek", "organisationId": CaseAPITests.id(world.police),
                                                                   "dueOn": Formats.isoDay(.now.addingTimeInterval(86_400))])
            let actionID = try #require(try action.object()["id"] as? String)
            #expect(try await police.post(path + "/actions/\(actionID)/complete", ["result": "Bewoner sprak over nachtmerries"]).status == .ok)
            #expect(try await police.request(.patch, path, body: #"{"phase":"closed","outcome":"stabilised","reason":"Rust teruggekeerd"}"#).status == .ok)
            // The director reads everything as it was typed.
            let file = try await police.get(path).object()
            #expect(file["openingReason"] as? String == "Zorg geweigerd" && file["closingReason"] as? String == "Rust teruggekeerd")
            let reasons = try await police.get(path + "/history").items().compactMap { $0["reason"] as? String }
            #expect(reasons.contains("Bewoner sprak over nachtmerries") && reasons.contains("trauma_indications") && reasons.contains("Rust teruggekeerd"))
            let second = try await police.post("/api/v1/cases", ["personPseudonyms": [try #require(file["personPseudonyms"] as? [String]).first!],
                                                                 "reason": "Tweede casus"])
            #expect(second.status == .created)
        }
        try await world.withDatabase { db in
            let sql = db.sql()
            // In the database: sealed values only, none of the text.
            let rows = try await sql.raw("SELECT opening_reason, closing_reason FROM cases").all()
            let events = try await sql.raw("SELECT reason FROM case_events WHERE reason IS NOT NULL").all()
                + sql.raw("SELECT result AS reason FROM actions WHERE result IS NOT NULL AND subject_kind = 'case'").all()
            let stored = try rows.flatMap { [try $0.decode(column: "opening_reason", as: String.self), try $0.decode(column: "closing_reason", as: String?.self)] }
                .compactMap { $0 } + events.map { try $0.decode(column: "reason", as: String.self) }
            #expect(stored.count >= 7)
            #expect(stored.allSatisfy { $0.hasPrefix("dp2.") }, "\(stored)")
            #expect(!stored.contains { $0.contains("Zorg") || $0.contains("nachtmerries") || $0.contains("trauma") })

            // A sealed reason moved to another case's row does not open there.
            let store = CaseStore(database: db, persons: PersonStore(database: db, cipher: try FieldCipher(world.config.keys)))
            let files = try await CaseFile.query(on: db.db()).sort(\.$reference).all()
            try #require(files.count == 2)
            let first = files[0], second = files[1]
            #expect(try store.reasons(of: second).opening == "Tweede casus")
            try await sql.update(CaseFile.schema).set("opening_reason", to: first.openingReason).where("id", .equal, second.id!).run()
            let moved = try #require(try await CaseFile.find(second.id!, on: db.db()))
            #expect(throws: CipherError.self) { try store.reasons(of: moved) }

            // Text from before sealing is sealed at start-up; then it opens as it was.
            try await sql.update(CaseFile.schema).set("opening_reason", to: "Geschreven voor de verzegeling").where("id", .equal, second.id!).run()
            let cipher = try FieldCipher(world.config.keys)
            let outcome = try await KeyRotation(cipher: cipher, database: db).sealWrittenBeforeSealing()
            #expect(outcome.rewritten == 1 && outcome.failed == 0)
            let resealed = try #require(try await CaseFile.find(second.id!, on: db.db()))
            let opened = try store.reasons(of: resealed).opening
            #expect(resealed.openingReason.hasPrefix("dp2.") && opened == "Geschreven voor de verzegeling")
            let again = try await KeyRotation(cipher: cipher, database: db).sealWrittenBeforeSealing()
            #expect(again == KeyRotation.Outcome())

            // Key rotation re-seals them under the new key, still bound to their rows.
            let rotated = try world.config.keys.load().addingKey()
            let rotation = try await KeyRotation(cipher: FieldCipher(keyring: rotated), database: db).reencrypt([CaseFile.encrypted, CaseEvent.encrypted, Action.encryptedForCases])
            #expect(rotation.failed == 0 && rotation.rewritten >= 5)
            let onlyNew = CaseStore(database: db, persons: PersonStore(database: db, cipher: FieldCipher(keyring: try Keyring(current: rotated.current,
                                                                                                                               keys: [rotated.current: rotated.keys[rotated.current]!]))))
            let after = try #require(try await CaseFile.find(first.id!, on: db.db()))
            #expect(try onlyNew.reasons(of: after).closing == "Rust teruggekeerd")
            let results = try await onlyNew.actions(of: after, access: .director).compactMap(\.result)
            #expect(results == ["Bewoner sprak over nachtmerries"])
        }
    }
}
