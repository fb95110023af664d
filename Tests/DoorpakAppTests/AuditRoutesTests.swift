import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// The audit page and `GET /api/v1/audit`: who may see them, the filters, paging, and that
/// looking at the log is logged.
@Suite struct AuditRoutesTests {
    /// Reads of both reports by two personas, so that the filters have something to tell apart.
    static func someReads(_ world: TestWorld) async throws {
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client)
            try await police.signIn(.police)
            #expect(try await police.get("/reports/\(world.reportNorth)").status == .ok)
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            #expect(try await ggd.get("/reports/\(world.reportSouth)").status == .ok)
            #expect(try await ggd.get("/reports/\(world.reportSouth)").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func onlyPrivacyOfficersAndAdministratorsSeeTheLog(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            for persona in TestWorld.Persona.allCases {
                let browser = Browser(client)
                try await browser.signIn(persona)
                let allowed = persona == .privacyOfficer || persona == .admin
                #expect(try await browser.get("/audit").status == (allowed ? .ok : .notFound), "\(persona)")
                let nav = try await browser.get("/account").text
                #expect(nav.contains(#"href="/audit""#) == allowed, "\(persona)")
                let api = APIClient(client: client, token: try await world.token(for: persona))
                #expect(try await api.get("/api/v1/audit").status == (allowed ? .ok : .notFound), "\(persona) API")
            }
            #expect(try await Browser(client).get("/audit").headers[.location]?.hasPrefix("/login") == true)
            #expect(try await APIClient(client: client, token: nil).get("/api/v1/audit").status == .unauthorized)
            // The privacy officer reads no records.
            let officer = Browser(client)
            try await officer.signIn(.privacyOfficer)
            #expect(try await officer.get("/reports").status == .notFound)
            #expect(try await officer.get("/reports/\(world.reportNorth)").status == .notFound)
            #expect(!(try await officer.get("/audit").text.contains(#"href="/reports""#)))
        }
    }

    @Test(arguments: TestDatabase.available)
    func whoLookedAtThisRecord(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.someReads(world)
        try await buildApplication(world.config).test(.router) { client in
            let officer = Browser(client)
            try await officer.signIn(.privacyOfficer)
            let page = try await officer.get("/audit?recordType=report&recordId=\(world.reportSouth.lowercased())")
            #expect(page.status == .ok)
            let text = page.text
            let table = text.components(separatedBy: "<table").last ?? ""
            #expect(text.contains("Wie heeft melding \(world.reportSouth.lowercased()) ingezien"))
            #expect(table.contains("Ggd"), "the reader's name is shown")
            #expect(!table.contains("Police"), "another report's reader is not listed")
            #expect(table.components(separatedBy: "<td>ingezien</td>").count - 1 == 2)
            #expect(table.contains("aangemaakt"), "the registration is listed too")
        }
    }

    @Test(arguments: TestDatabase.available)
    func filtersByUserActionAndPeriod(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.someReads(world)
        let police = world.users[.police]!.uuidString.lowercased()
        try await world.withAPI(as: .privacyOfficer) { api in
            let byID = try await api.get("/api/v1/audit?user=\(police)").items()
            #expect(!byID.isEmpty)
            #expect(byID.allSatisfy { $0["userId"] as? String == police })
            #expect(byID.contains { $0["recordId"] as? String == world.reportNorth && $0["action"] as? String == "read" })
            #expect(byID.first?["userName"] as? String == "Police")
            let byEmail = try await api.get("/api/v1/audit?email=POLICE@test.example").items()
            #expect(byEmail.map { $0["seq"] as? Int } == byID.map { $0["seq"] as? Int })
            #expect(try await api.get("/api/v1/audit?user=nobody@test.example").items().isEmpty)

            let reads = try await api.get("/api/v1/audit?action=read&recordType=report").items()
            #expect(reads.count == 3)
            #expect(reads.allSatisfy { $0["action"] as? String == "read" && $0["recordType"] as? String == "report" })

            let today = Formats.isoDay(.now)
            #expect(try await api.get("/api/v1/audit?from=\(today)&to=\(today)&action=read&recordType=report").items().count == 3)
            #expect(try await api.get("/api/v1/audit?to=2020-01-01").items().isEmpty)
            let bad = try await api.get("/api/v1/audit?action=peek&from=yesterday&limit=0")
            #expect(bad.status == .badRequest)
            #expect(Set(try bad.invalidParams()) == ["action", "from", "limit"])
            #expect(try await api.get("/api/v1/audit?cursor=nonsense").status == .badRequest)
        }
        try await buildApplication(world.config).test(.router) { client in
            let officer = Browser(client)
            try await officer.signIn(.privacyOfficer)
            let page = try await officer.get("/audit?user=\(police)&action=read")
            #expect(page.status == .ok)
            #expect(page.text.contains(world.reportNorth) && !page.text.contains(world.reportSouth))
            #expect(page.text.contains("Toegangslogboek van Police"))
            let invalid = try await officer.get("/audit?from=31-02-2026")
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.text.contains("error-summary"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func pagesNewestFirstWithACursor(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            for index in 0..<7 { try await Audit.record(.update, "place", "p\(index)", by: nil, on: db.db()) }
        }
        try await world.withAPI(as: .admin) { api in
            var seen: [Int] = []
            var path: String? = "/api/v1/audit?recordType=place&limit=3"
            while let current = path {
                let response = try await api.get(current)
                #expect(response.status == .ok)
                let object = try response.object()
                seen += try response.items().compactMap { $0["seq"] as? Int }
                path = (object["next"] as? String).map { "/api/v1/audit?recordType=place&limit=3&cursor=\($0)" }
                if path != nil { #expect(response.headers[HTTPField.Name("Link")!]?.contains("rel=\"next\"") == true) }
            }
            #expect(seen.count == 7)
            #expect(seen == seen.sorted(by: >))
        }
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let first = try await admin.get("/audit?recordType=place")
            #expect(first.status == .ok)
            #expect(!first.text.contains("id=\"next-page\""))
        }
    }

    @Test(arguments: TestDatabase.available)
    func lookingAtTheLogIsLogged(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let officer = Browser(client)
            try await officer.signIn(.privacyOfficer)
            #expect(try await officer.get("/audit?recordType=report&recordId=\(world.reportNorth)").status == .ok)
            #expect(try await officer.get("/audit?user=\(world.users[.police]!.uuidString)").status == .ok)
        }
        try await world.withDatabase { db in
            let looks = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "audit_log").sort(\.$seq).all()
            #expect(looks.map(\.recordID) == ["report:\(world.reportNorth)", "user:\(world.users[.police]!.uuidString.lowercased())"])
            #expect(looks.allSatisfy { $0.userID == world.users[.privacyOfficer] && $0.role == "privacy_officer" && $0.action == "read" })
            #expect(try await AuditChain.verify(on: db.db()) == .ok(count: try await AuditEntry.query(on: db.db()).count()))
        }
    }

    @Test(arguments: TestDatabase.available)
    func theRoleCanBeGivenInTheUserForm(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let form = try await admin.get("/admin/users/new")
            #expect(form.text.contains(#"value="privacy_officer""#))
            #expect(form.text.contains("privacyfunctionaris"))
        }
    }
}
