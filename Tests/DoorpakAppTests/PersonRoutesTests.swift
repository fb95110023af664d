import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct PersonRoutesTests {
    static let person = [("role", "causing_concern"), ("name", "Fictief Persoon-Één"), ("birth_date", "2001-03-04"),
                         ("contact", "06-99887766"), ("unit", "B-214"), ("resident_since", "2024-05-01"),
                         ("languages", "ar"), ("languages", "nl"), ("other_languages", "ur"), ("interpreter_needed", "1")]

    /// Linking from the report page: errors in place, then a new person whose page shows the
    /// name while the report page shows only the pseudonym; both reads are logged.
    @Test(arguments: TestDatabase.available)
    func linkFromReportShowAndEdit(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let reportPath = "/reports/\(world.reportNorth)"
            #expect(try await browser.get(reportPath + "/persons/new").status == .ok)
            let failed = try await browser.post(reportPath + "/persons", [("role", ""), ("name", " "), ("birth_date", "2001-13-40"), ("unit", "X1")])
            #expect(failed.status == .unprocessableContent)
            #expect(failed.text.contains(#"id="role-error""#))
            #expect(failed.text.contains(#"id="name-error""#))
            #expect(failed.text.contains(#"id="birth_date-error""#))
            #expect(failed.text.contains(#"value="X1""#))
            let created = try await browser.post(reportPath + "/persons", Self.person + [("location", world.locationNorth.uuidString)])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            #expect(location.hasSuffix("?linked=new"))
            let pseudonym = String(location.dropFirst("/persons/".count).prefix(9))
            #expect(Pseudonym.isValid(pseudonym))
            let page = try await browser.get("/persons/\(pseudonym)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Fictief Persoon-Één"))
            #expect(page.text.contains("06-99887766"))
            #expect(page.text.contains("Startblok Noord, B-214"))
            #expect(page.text.contains(world.reportNorth))
            let report = try await browser.get(reportPath)
            #expect(report.text.contains(pseudonym))
            #expect(!report.text.contains("Fictief Persoon"))
            // Edit with an error, then save.
            let bad = try await browser.post("/persons/\(pseudonym)", [("name", "Fictief Persoon-Één"), ("resident_since", "gisteren")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains(#"id="resident_since-error""#))
            #expect(try await browser.post("/persons/\(pseudonym)", [("name", "Fictief Persoon-Één"), ("contact", "06-11111111"),
                                                                  ("reason", "Nieuw telefoonnummer doorgegeven")]).status == .seeOther)
            #expect(try await browser.get("/persons/\(pseudonym)").text.contains("06-11111111"))
            try await world.withDatabase { db in
                let reads = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "person").filter(\.$recordID == pseudonym)
                    .filter(\.$action == "read").count()
                #expect(reads >= 2)
            }
            // Unlinking takes the person out of the police's sight.
            #expect(try await browser.post(reportPath + "/persons/\(pseudonym)/unlink", []).status == .seeOther)
            #expect(try await browser.get("/persons/\(pseudonym)").status == .notFound)
        }
    }

    /// Scope follows the linked reports; search needs a reason and is logged with it; the same
    /// name and date of birth from another organisation's report match the known person, who then
    /// shows the other organisation under "who else is involved" (organisation and contact only).
    @Test(arguments: TestDatabase.available)
    func scopeSearchMatchAndWhoElse(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), ggd = Browser(client), analyst = Browser(client)
            try await police.signIn(.police)
            try await ggd.signIn(.ggd)
            try await analyst.signIn(.analyst)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", Self.person)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            #expect(try await ggd.get("/persons/\(pseudonym)").status == .notFound)
            #expect(try await analyst.get("/persons/\(pseudonym)").status == .notFound)
            #expect(try await analyst.get("/persons").status == .notFound)

            let noReason = try await ggd.post("/persons/search", [("name", "fictief persoon een"), ("reason", "")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains(#"id="reason-error""#))
            let outside = try await ggd.post("/persons/search", [("name", "fictief persoon een"), ("reason", "Casus voorbereiden")])
            #expect(outside.status == .ok)
            #expect(outside.text.contains(#"id="no-results""#))
            let inside = try await police.post("/persons/search", [("name", "FICTIEF persoon-een"), ("birth_date", "2001-03-04"),
                                                                   ("reason", "Melding afhandelen")])
            #expect(inside.text.contains(pseudonym))

            // The GGD links the same person to its own report: matched, not duplicated.
            let matched = try await ggd.post("/reports/\(world.reportSouth)/persons",
                                             [("role", "affected"), ("name", "fictief persoon een"), ("birth_date", "2001-03-04")])
            #expect(matched.headers[.location] == "/persons/\(pseudonym)?linked=matched")
            let ggdView = try await ggd.get("/persons/\(pseudonym)")
            #expect(ggdView.status == .ok)
            #expect(ggdView.text.contains("Politie"))
            #expect(!ggdView.text.contains(world.reportNorth))
            #expect(!ggdView.text.contains("Vechtpartij"))
            let policeView = try await police.get("/persons/\(pseudonym)")
            #expect(policeView.text.contains("GGD"))
            #expect(!policeView.text.contains(world.reportSouth))
            try await world.withDatabase { db in
                #expect(try await PersonRecord.query(on: db.db()).count() == 1)
                let searches = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "person_search").all()
                #expect(searches.compactMap(\.purpose).sorted() == ["Casus voorbereiden", "Melding afhandelen"])
            }
        }
    }

    /// The database file holds neither the name nor the date of birth in clear.
    @Test func databaseFileHoldsNoClearText() async throws {
        let world = try await TestWorld.make(.sqlite)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let created = try await browser.post("/reports/\(world.reportNorth)/persons",
                                                 [("role", "witness"), ("name", "Zyxwvut Klaresmond"), ("birth_date", "1999-08-17"),
                                                  ("contact", "klaresmond@example.org")])
            #expect(created.status == .seeOther)
        }
        guard case .sqlite(let path?) = world.config.database else { throw TestFailure("not a file database") }
        var bytes = Data()
        for suffix in ["", "-wal", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
        }
        #expect(bytes.count > 10_000)
        for secret in ["Zyxwvut", "Klaresmond", "klaresmond", "1999-08-17", "17-08-1999", "klaresmond@example.org"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "found \(secret) in the database file")
        }
        // The same bytes do contain what is not encrypted (the test would notice a wrong path).
        #expect(bytes.range(of: Data(world.reportNorth.utf8)) != nil)
    }

    @Test(arguments: TestDatabase.available)
    func api(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let ggdToken = try await world.token(for: .ggd)
        try await world.withAPI(as: .police) { api in
            let base = "/api/v1/reports/\(world.reportNorth)/persons"
            let invalid = try await api.post(base, ["role": "boss", "name": ""])
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(try invalid.invalidParams()) == ["role", "name"])
            let created = try await api.post(base, ["role": "affected", "name": "Api Fictief", "birthDate": "2002-02-02",
                                                    "languages": ["ti"], "interpreterNeeded": true])
            #expect(created.status == .created)
            let pseudonym = try #require(try created.object()["pseudonym"] as? String)
            #expect(try created.object()["matched"] as? Bool == false)
            let person = try await api.get("/api/v1/persons/\(pseudonym)")
            #expect(try person.object()["name"] as? String == "Api Fictief")
            #expect(try person.object()["contact"] is NSNull)
            let patched = try await api.patch("/api/v1/persons/\(pseudonym)", ["contact": "06-1234", "unit": "C-3", "reason": "Gegevens gecontroleerd"])
            #expect(patched.status == .ok)
            #expect(try patched.object()["contact"] as? String == "06-1234")
            #expect(try patched.object()["birthDate"] as? String == "2002-02-02")
            #expect(try await api.get(base).items().map { $0["pseudonym"] as? String } == [pseudonym])
            let noReason = try await api.post("/api/v1/persons/search", ["name": "api fictief"])
            #expect(try noReason.invalidParams() == ["reason"])
            let search = try await api.post("/api/v1/persons/search", ["name": "api fictief", "reason": "API-test"])
            #expect(try search.items().count == 1)
            let other = APIClient(client: api.client, token: ggdToken)
            #expect(try await other.get("/api/v1/persons/\(pseudonym)").status == .notFound)
            #expect(try await api.get("/api/v1/persons/\(pseudonym)/involvements").status == .ok)
        }
    }
}
