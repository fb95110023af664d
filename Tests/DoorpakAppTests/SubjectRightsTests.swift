import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct SubjectRightsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The pure rules: every holder is named; nothing holds → allowed.
    @Test func erasureRefusalsNameEveryReason() {
        let schedule = RetentionSchedule.defaults
        #expect(ErasureRules.refusals(.init(), schedule: schedule, now: Self.now).isEmpty)
        var facts = ErasureRules.Facts()
        facts.cases = [("CS-1", .analysis), ("CS-2", .closed)]
        facts.reports = [.init(reference: "R-open", status: .inProgress, updatedAt: Self.now),
                         .init(reference: "R-recent", status: .closed, updatedAt: Self.now.addingTimeInterval(-86_400)),
                         .init(reference: "R-old", status: .closed, updatedAt: Self.now.addingTimeInterval(-731 * 86_400)),
                         .init(reference: "R-resolved-old", status: .resolved, updatedAt: Self.now.addingTimeInterval(-800 * 86_400))]
        facts.placements = [.ended, .active, .cancelled]
        let refusals = ErasureRules.refusals(facts, schedule: schedule, now: Self.now)
        #expect(refusals == [.openCase(reference: "CS-1"), .closedCase(reference: "CS-2"), .openReport(reference: "R-open"),
                             .reportRetained(reference: "R-recent", until: Self.now.addingTimeInterval(729 * 86_400)),
                             .placementOpen(status: "active")])
        // Only old closed reports and finished placements: allowed.
        let allowed = ErasureRules.Facts(cases: [], reports: [facts.reports[2], facts.reports[3]], placements: [.ended, .rejected])
        #expect(ErasureRules.refusals(allowed, schedule: schedule, now: Self.now).isEmpty)
        // A longer period set by an administrator holds the old report again.
        var longer = schedule
        longer.days[.closedReports] = 1000
        #expect(ErasureRules.refusals(allowed, schedule: longer, now: Self.now).map(\.code) == ["report_retained"])
    }

    /// Export page and JSON: decrypted fields, the linked report with its description, the access
    /// log including the police's read; the export itself is logged with the request's reference.
    /// Erasure of a person with an open report is refused with the reason shown.
    @Test(arguments: TestDatabase.available)
    func exportContentsAuditAndRefusal(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), officer = Browser(client)
            try await police.signIn(.police)
            try await officer.signIn(.privacyOfficer)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", PersonRoutesTests.person)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            #expect(try await police.get("/persons/\(pseudonym)").status == .ok)

            #expect(try await officer.get("/privacy").status == .ok)
            let noReason = try await officer.get("/privacy?pseudonym=\(pseudonym)&reason=")
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains(#"id="reason-error""#))
            let go = try await officer.get("/privacy?pseudonym=\(pseudonym.lowercased())&reason=AVG-verzoek+2026-014")
            #expect(go.status == .seeOther)
            let page = try await officer.get(try #require(go.headers[.location]))
            #expect(page.status == .ok)
            for text in ["Fictief Persoon-Één", "2001-03-04", "06-99887766", "B-214", world.reportNorth, "AVG-verzoek 2026-014",
                         #"id="access-table""#, #"id="refusal-list""#] {
                #expect(page.text.contains(text), "export page lacks \(text)")
            }
            #expect(!page.text.contains(#"id="erase-form""#))
            let description = try await world.withDatabase { db in try await Report.query(on: db.db()).filter(\.$reference == world.reportNorth).first()!.description }
            #expect(page.text.contains(description.prefix(30)))

            // The JSON: the same content (via the store and the DTO the API encodes), and the API's refusals for tokens.
            let export = try await world.withDatabase { db in
                let principal = try await Principal.load(userID: world.users[.privacyOfficer]!, via: .session, on: db.db())!
                return try await SubjectRightsStore(database: db, cipher: try FieldCipher(world.config.keys)).export(pseudonym: pseudonym, reason: "AVG-verzoek 2026-015", by: principal)
            }
            let json = String(decoding: try JSONEncoder().encode(SubjectExportDTO(export)), as: UTF8.self)
            for text in ["Fictief Persoon-Één", "06-99887766", world.reportNorth, "causing_concern", "\"erasureRefusals\":[\"open_report\"]", "AVG-verzoek 2026-014"] {
                #expect(json.contains(text), "JSON lacks \(text)")
            }
            #expect(export.accesses.contains { $0.role == "partner" && $0.action == "read" })
            // No API route: not even a privacy officer's token exports (a token cannot sign in again).
            let token = try await world.token(for: .privacyOfficer)
            #expect(try await APIClient(client: client, token: token).get("/api/v1/privacy/persons/\(pseudonym)/export?reason=AVG-verzoek+1").status == .notFound)

            // Erasure refused: the reason is shown, nothing destroyed, the refusal logged.
            let refused = try await officer.post("/privacy/persons/\(pseudonym)/erase", [("reason", "AVG-verzoek 2026-014")])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains(#"id="erasure-refused""#))
            #expect(refused.text.contains(world.reportNorth))
            #expect(try await police.get("/persons/\(pseudonym)").text.contains("Fictief Persoon-Één"))

            try await world.withDatabase { db in
                let purposes = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "person").filter(\.$recordID == pseudonym).all().compactMap(\.purpose)
                #expect(purposes.contains("art. 15 export: AVG-verzoek 2026-014"))
                #expect(purposes.contains { $0.hasPrefix("art. 17 erasure refused (open_report)") && $0.hasSuffix("AVG-verzoek 2026-014") })
                #expect(try await DestructionRecord.query(on: db.db()).filter(\.$method == "erasure").count() == 0)
            }

            // Everyone but privacy officers and administrators: 404.
            for persona in [TestWorld.Persona.police, .coordinatorNorth, .staffNorth, .ggd, .analyst] {
                let other = Browser(client)
                try await other.signIn(persona)
                #expect(try await other.get("/privacy").status == .notFound)
                #expect(try await other.get("/privacy/persons/\(pseudonym)/export?reason=AVG-verzoek+1").status == .notFound)
                #expect(try await other.post("/privacy/persons/\(pseudonym)/erase", [("reason", "AVG-verzoek 1")]).status == .notFound)
            }
        }
    }

    /// A person whose only link has ended may be erased: the sealed fields are destroyed, the
    /// links removed, a destruction record written and the erasure logged; the police no longer find the name.
    @Test(arguments: TestDatabase.available)
    func erasureDestroysFieldsAndWritesARecord(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), admin = Browser(client)
            try await police.signIn(.police)
            try await admin.signIn(.admin)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", PersonRoutesTests.person)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            #expect(try await police.post("/reports/\(world.reportNorth)/persons/\(pseudonym)/unlink", []).status == .seeOther)

            let page = try await admin.get("/privacy/persons/\(pseudonym)/export?reason=AVG-verzoek+2026-020")
            #expect(page.text.contains(#"id="erase-form""#))
            let short = try await admin.post("/privacy/persons/\(pseudonym)/erase", [("reason", "x")])
            #expect(short.status == .unprocessableContent)
            let erased = try await admin.post("/privacy/persons/\(pseudonym)/erase", [("reason", "AVG-verzoek 2026-020")])
            #expect(erased.status == .seeOther)
            #expect(erased.headers[.location] == "/privacy?erased=\(pseudonym)")
            #expect(try await admin.get("/privacy?erased=\(pseudonym)").text.contains(#"id="erased-notice""#))

            try await world.withDatabase { db in
                let record = try #require(try await PersonRecord.query(on: db.db()).filter(\.$pseudonym == pseudonym).first())
                let cipher = try FieldCipher(world.config.keys)
                #expect(try cipher.open(record.nameSealed) == SubjectRights.tombstone)
                #expect(record.birthDateSealed == nil && record.birthDateIndex == nil && record.contactSealed == nil)
                #expect(record.unit == nil && record.residentSince == nil && record.languages.isEmpty)
                #expect(try await PersonReportLink.query(on: db.db()).filter(\.$personID == record.id!).count() == 0)
                let destruction = try await DestructionRecord.query(on: db.db()).filter(\.$method == "erasure").all()
                #expect(destruction.count == 1 && destruction.first?.recordType == "persons" && destruction.first?.count == 1)
                let entries = try await AuditEntry.query(on: db.db()).filter(\.$action == "destroyed").all()
                #expect(entries.contains { $0.recordType == "person" && $0.recordID == pseudonym && $0.purpose == "art. 17 erasure: AVG-verzoek 2026-020" })
                #expect(entries.contains { $0.recordType == "destruction_record" && $0.recordID == destruction.first?.id?.uuidString })
            }
            // The blind index no longer finds the name.
            let search = try await admin.post("/persons/search", [("name", "Fictief Persoon-Één"), ("reason", "controle na wissing")])
            #expect(!search.text.contains(pseudonym))
            // The export still works and shows no data.
            let after = try await admin.get("/privacy/persons/\(pseudonym)/export?reason=AVG-verzoek+2026-020")
            #expect(after.status == .ok)
            #expect(!after.text.contains("06-99887766") && !after.text.contains("Fictief Persoon"))
        }
    }

    /// The JSON file from the export page: a download (attachment, no-store) with the same content,
    /// needing a recent sign-in like the page, logged as a JSON download; 404 for anyone else.
    @Test(arguments: TestDatabase.available)
    func jsonExportDownloadsFromTheBrowserSession(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), officer = Browser(client)
            try await police.signIn(.police)
            try await officer.signIn(.privacyOfficer)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", PersonRoutesTests.person)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            let page = try await officer.get("/privacy/persons/\(pseudonym)/export?reason=AVG-verzoek+2026-031")
            let href = "/privacy/persons/\(pseudonym)/export.json?reason=AVG%2Dverzoek%202026%2D031"
            #expect(page.text.contains(#"id="export-json""#) && page.text.contains(href))
            let file = try await officer.get("/privacy/persons/\(pseudonym)/export.json?reason=AVG-verzoek+2026-031")
            #expect(file.status == .ok)
            #expect(file.headers[.contentType]?.hasPrefix("application/json") == true)
            let disposition = try #require(file.headers[.contentDisposition])
            #expect(disposition.hasPrefix("attachment; filename=\"art15-\(pseudonym)-") && disposition.hasSuffix(".json\""))
            #expect(file.headers[.cacheControl] == "no-store")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: file.body)) as? [String: Any])
            let person = try #require(object["person"] as? [String: Any])
            #expect(person["name"] as? String == "Fictief Persoon-Één" && person["contact"] as? String == "06-99887766")
            #expect((object["reports"] as? [[String: Any]])?.first?["reference"] as? String == world.reportNorth)
            #expect(object["erasureRefusals"] as? [String] == ["open_report"])
            #expect(try await officer.get("/privacy/persons/\(pseudonym)/export.json?reason=x").status == .unprocessableContent)
            try await world.withDatabase { db in
                let purposes = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "person").filter(\.$recordID == pseudonym).all().compactMap(\.purpose)
                #expect(purposes.contains("art. 15 export (JSON download): AVG-verzoek 2026-031"))
            }
            // A sign-in older than the window: to /reauth first, then back to the file.
            try await AuthFlowTests.editSession(officer, in: world) { $0.verifiedAt = Date.now.addingTimeInterval(-6 * 60) }
            let path = "/privacy/persons/\(pseudonym)/export.json?reason=AVG-verzoek+2026-031"
            let stale = try await officer.get(path)
            #expect(stale.status == .seeOther)
            #expect(stale.headers[.location] == "/reauth?next=" + path.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            // Everyone else: not found.
            #expect(try await police.get(path).status == .notFound)
        }
    }

    /// Correction (art. 16): a change needs a reason (422 beside the field, what was typed kept);
    /// each changed field keeps its old and new value sealed, with who, when and why; the
    /// correction is logged; the privacy officer sees the trail on the export page and in the JSON;
    /// the API's PATCH needs the reason too; key rotation re-encrypts the trail; erasure destroys it.
    @Test(arguments: TestDatabase.available)
    func correctionsKeepATrail(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), officer = Browser(client)
            try await police.signIn(.police)
            try await officer.signIn(.privacyOfficer)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", PersonRoutesTests.person)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            #expect(try await police.get("/persons/\(pseudonym)/edit").text.contains(#"id="reason""#))
            var fields = PersonRoutesTests.person.filter { $0.0 != "role" && $0.0 != "contact" && $0.0 != "name" }
            fields += [("name", "Fictief Persoon-Een"), ("contact", "06-12121212")]
            let noReason = try await police.post("/persons/\(pseudonym)", fields)
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains(#"id="reason-error""#) && noReason.text.contains("06-12121212"))
            // Saving without a change needs no reason and writes no trail (languages in another order are no change).
            let same = PersonRoutesTests.person.filter { $0.0 != "role" && $0.0 != "languages" } + [("languages", "nl"), ("languages", "ar")]
            #expect(try await police.post("/persons/\(pseudonym)", same).status == .seeOther)
            let saved = try await police.post("/persons/\(pseudonym)", fields + [("reason", "Naam gecontroleerd met ID-bewijs")])
            #expect(saved.status == .seeOther)
            let cipher = try FieldCipher(world.config.keys)
            try await world.withDatabase { db in
                let person = try #require(try await PersonRecord.query(on: db.db()).filter(\.$pseudonym == pseudonym).first())
                let rows = try await PersonCorrection.query(on: db.db()).filter(\.$personID == person.id!).all()
                #expect(Set(rows.map(\.field)) == ["name", "contact"])
                let name = try #require(rows.first { $0.field == "name" })
                #expect(name.oldSealed?.hasPrefix("dp1.") == true && !(name.oldSealed ?? "").contains("Fictief"))
                #expect(try name.oldSealed.map(cipher.open) == "Fictief Persoon-Één")
                #expect(try name.newSealed.map(cipher.open) == "Fictief Persoon-Een")
                #expect(name.reason == "Naam gecontroleerd met ID-bewijs" && name.userID == world.users[.police]!)
                let purposes = try await AuditEntry.query(on: db.db()).filter(\.$recordID == pseudonym).filter(\.$action == "update").all().compactMap(\.purpose)
                #expect(purposes.contains("art. 16 correction (name, contact): Naam gecontroleerd met ID-bewijs"))
            }
            // The API: a change without a reason is 422 on `reason`; with one it is kept.
            let api = APIClient(client: client, token: try await world.token(for: .police))
            let missing = try await api.patch("/api/v1/persons/\(pseudonym)", ["unit": "C-7"])
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.invalidParams() == ["reason"])
            #expect(try await api.patch("/api/v1/persons/\(pseudonym)", ["unit": "C-7", "reason": "Verhuisd binnen het complex"]).status == .ok)

            // The privacy officer sees the trail on the page and in the JSON.
            let page = try await officer.get("/privacy/persons/\(pseudonym)/export?reason=AVG-verzoek+2026-040")
            #expect(page.text.contains(#"id="corrections-table""#))
            for text in ["Fictief Persoon-Één", "Fictief Persoon-Een", "06-99887766", "Naam gecontroleerd met ID-bewijs", "B-214", "C-7",
                         "Verhuisd binnen het complex"] {
                #expect(page.text.contains(text), "export page lacks \(text)")
            }
            let file = try await officer.get("/privacy/persons/\(pseudonym)/export.json?reason=AVG-verzoek+2026-040")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: file.body)) as? [String: Any])
            let corrections = try #require(object["corrections"] as? [[String: Any]])
            #expect(corrections.count == 3)
            #expect(corrections.contains { $0["field"] as? String == "contact" && $0["old"] as? String == "06-99887766"
                && $0["new"] as? String == "06-12121212" && $0["reason"] as? String == "Naam gecontroleerd met ID-bewijs" })

            try await world.withDatabase { db in
                // Key rotation covers the trail.
                #expect(EncryptedColumns.all.contains { $0.table == PersonCorrection.schema })
                let rotated = try Keyring(json: Data(TestDatabase.testKeys.utf8)).addingKey()
                _ = try await KeyRotation(cipher: FieldCipher(keyring: rotated), database: db).reencrypt()
                let rows = try await PersonCorrection.query(on: db.db()).all()
                #expect(rows.allSatisfy { ($0.oldSealed ?? "dp1.\(rotated.current).").hasPrefix("dp1.\(rotated.current).")
                    && ($0.newSealed ?? "dp1.\(rotated.current).").hasPrefix("dp1.\(rotated.current).") })
                #expect(try rows.compactMap(\.oldSealed).map { try FieldCipher(keyring: rotated).open($0) }.contains("06-99887766"))
                // Erasure destroys the trail with the data.
                let person = try #require(try await PersonRecord.query(on: db.db()).filter(\.$pseudonym == pseudonym).first())
                try await PersonReportLink.query(on: db.db()).filter(\.$personID == person.id!).delete()
                let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
                let outcome = try await SubjectRightsStore(database: db, cipher: FieldCipher(keyring: rotated))
                    .erase(pseudonym: pseudonym, reason: "AVG-verzoek 2026-041", by: admin)
                #expect(outcome == .erased)
                #expect(try await PersonCorrection.query(on: db.db()).filter(\.$personID == person.id!).count() == 0)
            }
        }
    }

    /// The privacy officer's way in: a "Privacy" item in the navigation, and a search by name
    /// (POST, reason required) over every person, logged with the request's reference, leading to the export.
    @Test(arguments: TestDatabase.available)
    func privacyOfficersFindThePersonByName(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), officer = Browser(client)
            try await police.signIn(.police)
            try await officer.signIn(.privacyOfficer)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", PersonRoutesTests.person)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            let index = try await officer.get("/privacy")
            #expect(index.text.contains(#"href="/privacy""#) && index.text.contains(#"id="privacy-search-form""#))
            #expect(!(try await police.get("/reports").text.contains(#"href="/privacy""#)))
            let noReason = try await officer.post("/privacy/search", [("name", "Fictief Persoon-Één"), ("search_reason", "")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains(#"id="search_reason-error""#) && noReason.text.contains("Fictief Persoon-Één"))
            let noName = try await officer.post("/privacy/search", [("name", " "), ("search_reason", "AVG-verzoek 2026-050")])
            #expect(noName.status == .unprocessableContent && noName.text.contains(#"id="name-error""#))
            let found = try await officer.post("/privacy/search", [("name", "fictief persoon-een"), ("birth_date", "2001-03-04"),
                                                                   ("search_reason", "AVG-verzoek 2026-050")])
            #expect(found.status == .ok)
            #expect(found.text.contains(#"href="/privacy/persons/\#(pseudonym)/export?reason=AVG%2Dverzoek%202026%2D050""#))
            let none = try await officer.post("/privacy/search", [("name", "Niemand Bekend"), ("search_reason", "AVG-verzoek 2026-050")])
            #expect(none.text.contains(#"id="privacy-no-results""#))
            #expect(try await police.post("/privacy/search", [("name", "Fictief Persoon-Één"), ("search_reason", "AVG-verzoek 2026-050")]).status == .notFound)
            try await world.withDatabase { db in
                let searches = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "person_search")
                    .filter(\.$userID == world.users[.privacyOfficer]!).all()
                #expect(searches.count == 2 && searches.allSatisfy { $0.purpose == "AVG-verzoek 2026-050" })
                let reads = try await AuditEntry.query(on: db.db()).filter(\.$recordID == pseudonym).filter(\.$userID == world.users[.privacyOfficer]!).all()
                #expect(reads.map(\.purpose) == ["AVG-verzoek 2026-050"])
            }
        }
    }
}
