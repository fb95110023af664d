import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct ReportRoutesTests {
    @Test(arguments: TestDatabase.available)
    func registerWithErrorsKeepsInputThenSucceeds(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.staffNorth)
            #expect(try await browser.get("/reports/new").status == .ok)
            let fields = [("kind", "signal"), ("category", world.categoryConfused.uuidString), ("location", world.locationNorth.uuidString),
                          ("place", world.placeNorth.uuidString), ("occurred_date", "2026-11-01"), ("occurred_time", "23:15"),
                          ("urgency", ""), ("source", "phone")]
            let failed = try await browser.post("/reports", fields + [("description", "   ")])
            #expect(failed.status == .unprocessableContent)
            #expect(failed.text.contains(#"id="description-error""#))
            #expect(failed.text.contains(#"value="2026-11-01""#))
            #expect(failed.text.contains(#"value="phone" selected"#))
            let created = try await browser.post("/reports", fields + [("description", "Buurvrouw durft niet meer naar de wasruimte")])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/reports/DP-"))
            let detail = try await browser.get(location)
            #expect(detail.status == .ok)
            #expect(detail.text.contains("Buurvrouw durft niet meer naar de wasruimte"))
            #expect(detail.text.contains("Blok A"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func statusLifecycleAndNotes(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let path = "/reports/\(world.reportNorth)"
            #expect(try await browser.post(path + "/status", [("status", "in_progress")]).status == .seeOther)
            #expect(try await browser.post(path + "/status", [("status", "new")]).status == .conflict)
            #expect(try await browser.post(path + "/status", [("status", "resolved")]).status == .seeOther)
            let noReason = try await browser.post(path + "/status", [("status", "in_progress"), ("reason", "")])
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.text.contains(#"id="reason-error""#))
            #expect(try await browser.post(path + "/status", [("status", "in_progress"), ("reason", "Opnieuw overlast")]).status == .seeOther)
            #expect(try await browser.post(path + "/notes", [("body", "Wijkagent is langs geweest")]).status == .seeOther)
            #expect(try await browser.post(path + "/notes", [("body", "")]).status == .unprocessableContent)
            let page = try await browser.get(path)
            #expect(page.text.contains("Wijkagent is langs geweest"))
            #expect(page.text.contains("Opnieuw overlast"))
            #expect(page.text.contains(#"id="report-status">In behandeling"#))
            let events = try await world.withDatabase { db in
                try await ReportEvent.query(on: db.db()).filter(\.$field == "status").count()
            }
            #expect(events == 3)
        }
    }

    @Test(arguments: TestDatabase.available)
    func worklistFiltersAndScope(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.coordinatorNorth)
            let list = try await browser.get("/reports")
            #expect(list.text.contains(world.reportNorth))
            #expect(!list.text.contains(world.reportSouth))
            let signals = try await browser.get("/reports?kind=signal")
            #expect(!signals.text.contains(world.reportNorth))
            let search = try await browser.get("/reports?q=vechtpartij")
            #expect(search.text.contains(world.reportNorth))
            let byReference = try await browser.get("/reports?q=\(world.reportNorth.lowercased())")
            #expect(byReference.text.contains(world.reportNorth))
            #expect(try await browser.get("/reports/\(world.reportSouth)").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func cursorPagesVisitEveryReportOnce(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
            let store = ReportStore(database: db)
            for index in 0..<9 {
                var draft = TestWorld.draft(category: world.categoryViolence, location: world.locationSouth, text: "Melding \(index)")
                draft.occurredAt = Date.now.addingTimeInterval(-Double(index % 3) * 3600 - 7200)  // equal times on purpose
                _ = try await store.create(draft, by: admin)
            }
            for sort in ReportSort.allCases {
                var filter = ReportFilter()
                filter.sort = sort
                var seen: [String] = []
                var cursor: ReportCursor?
                repeat {
                    let page = try await store.list(filter, after: cursor, limit: 2, by: admin)
                    seen += page.reports.map(\.reference)
                    cursor = page.next
                } while cursor != nil
                #expect(seen.count == 11, "\(sort)")
                #expect(Set(seen).count == 11, "\(sort)")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func reportsFollowTheirLocationToAnotherDistrict(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
            let coordinator = try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db.db())!
            _ = try await ReportStore(database: db).find(reference: world.reportNorth, by: coordinator)
            let draft = LocationDraft(name: "Startblok Noord", district: world.districtSouth.uuidString,
                                      corporation: world.corporation.uuidString, units: "300")
            try await LocationStore(database: db).updateLocation(world.locationNorth, draft, by: admin)
            await #expect(throws: AppError.self) { try await ReportStore(database: db).find(reference: world.reportNorth, by: coordinator) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func statusCountsMatchTheScopedList(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let store = ReportStore(database: db)
            let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
            let extra = try await store.create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth, text: "Ruzie"), by: admin)
            try await store.changeStatus(extra, to: .inProgress, reason: nil, by: admin)
            for persona in [TestWorld.Persona.admin, .coordinatorNorth, .police, .ggd] {
                let principal = try await Principal.load(userID: world.users[persona]!, via: .session, on: db.db())!
                let counts = try await store.statusCounts(ReportFilter(), by: principal)
                let listed = try await store.list(ReportFilter(), after: nil, limit: 100, by: principal).reports
                for status in ReportStatus.allCases {
                    #expect(counts[status] == listed.filter { $0.reportStatus == status }.count, "\(persona) \(status)")
                }
            }
        }
        #expect(ReportRoutes.count(1234, .nl) == "1.234")
        #expect(ReportRoutes.count(1234, .en) == "1,234")
        #expect(ReportRoutes.count(ReportStore.countCap + 1, .nl) == "10.000+")
    }

    @Test(arguments: TestDatabase.available)
    func analystSeesNoRecords(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.analyst)
            #expect(try await browser.get("/reports").status == .notFound)
            #expect(try await browser.get("/reports/\(world.reportNorth)").status == .notFound)
            #expect(try await browser.post("/reports/\(world.reportNorth)/notes", [("body", "x")]).status == .notFound)
        }
    }
}

@Suite struct WebSecurityTests {
    @Test(arguments: TestDatabase.available)
    func signInOutAndThrottling(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            #expect(try await browser.get("/reports").headers[.location]?.hasPrefix("/login?next=") == true)
            let wrong = try await browser.post("/login", [("email", TestWorld.Persona.police.email), ("password", "nope")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains(#"value="police@test.example""#))
            for _ in 0..<4 { try await browser.post("/login", [("email", TestWorld.Persona.police.email), ("password", "nope")]) }
            let throttled = try await browser.post("/login", [("email", TestWorld.Persona.police.email), ("password", TestWorld.password)])
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] != nil)
            try await browser.signIn(.ggd)
            #expect(try await browser.get("/reports").status == .ok)
            #expect(try await browser.post("/logout", []).status == .seeOther)
            #expect(try await browser.get("/reports").status == .seeOther)
        }
    }

    @Test(arguments: TestDatabase.available)
    func formsWithoutTheCSRFTokenAreRefused(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let response = try await browser.post("/reports/\(world.reportNorth)/notes", [("body", "x")], csrf: false)
            #expect(response.status == .forbidden)
            let notes = try await world.withDatabase { try await ReportNote.query(on: $0.db()).count() }
            #expect(notes == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func securityHeadersAndCookieFlags(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.secureCookies = true
        try await buildApplication(config).test(.router) { client in
            for uri in ["/login", "/reports", "/nope", "/health"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "\(uri)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                #expect(response.headers[.strictTransportSecurity] != nil, "\(uri)")
            }
            let login = try await client.execute(uri: "/login", method: .get)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.hasPrefix("__Host-dp_csrf="))
            #expect(cookie.contains("Secure") && cookie.contains("HttpOnly"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func sessionsLiveInTheDatabaseAcrossInstances(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let cookie = try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.ggd)
            return browser.cookieHeader
        }
        try await buildApplication(world.config).test(.router) { client in
            let response = try await client.execute(uri: "/reports", method: .get, headers: [.cookie: cookie])
            #expect(response.status == .ok)
        }
    }
}
