import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Routing at intake, deadlines, re-routing with a reason, and the routing administration.
@Suite struct RoutingRoutesTests {
    @Test(arguments: TestDatabase.available)
    func intakeRoutesByTheRulesAndSetsDeadlines(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (report, rule, events) = try await world.withDatabase { db in
            let report = try await Report.query(on: db.db()).filter(\.$reference == world.reportNorth).first()!
            let rule = try await RoutingRule.find(report.routingRuleID, on: db.db())!
            let events = try await ReportEvent.query(on: db.db()).filter(\.$reportID == report.id!).all()
            return (report, rule, events)
        }
        // Violence → police, from the seeded per-category rule (the lazily seeded defaults).
        #expect(report.organisationID == world.police)
        #expect(rule.categoryID == world.categoryViolence && rule.organisationID == world.police)
        let calendar = WorkingDayCalendar()
        #expect(report.acknowledgeDueAt == calendar.adding(workingDays: rule.acknowledgeDays, to: report.createdAt))
        #expect(report.resolveDueAt == calendar.adding(workingDays: rule.resolveDays, to: report.createdAt))
        let routed = try #require(events.first { $0.field == ReportField.routed.rawValue })
        #expect(routed.toValue == rule.id!.uuidString)

        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let detail = try await browser.get("/reports/\(world.reportNorth)")
            #expect(detail.text.contains("Doorgezet volgens regel: Geweld → Politie"))
            #expect(detail.text.contains(#"id="acknowledge-due""#))
            #expect(detail.text.contains(#"id="resolve-due""#))
            #expect(detail.text.contains("bijna verlopen"))
            let list = try await browser.get("/reports")
            #expect(list.text.contains(Formats.dateTime(report.resolveDueAt!, .nl)))
        }
        try await world.withAPI(as: .police) { api in
            let response = try await api.get("/api/v1/reports/\(world.reportNorth)")
            try OpenAPI.check(response, "GET", "/reports/{reference}")
            let object = try response.object()
            #expect(object["routingRuleId"] as? String == rule.id!.uuidString.lowercased())
            // Acknowledging within one working day is due soon from the moment of intake.
            #expect(object["deadlineState"] as? String == "due_soon")
            #expect(object["resolveDueAt"] is String)
            let rules = try await api.get("/api/v1/routing-rules")
            #expect(rules.status == .ok)
            try OpenAPI.check(rules, "GET", "/routing-rules")
            #expect(try rules.items().contains { $0["fallback"] as? Bool == true })
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDistrictRuleWinsOverTheCategoryRule(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let created = try await browser.post("/admin/routing-rules", [
                ("category", world.categoryViolence.uuidString), ("district", world.districtNorth.uuidString), ("location", ""),
                ("urgency", ""), ("organisation", world.ggd.uuidString), ("acknowledge_days", "2"), ("resolve_days", "7")])
            #expect(created.status == .seeOther)
            let north = try await browser.post("/reports", [
                ("kind", "incident"), ("category", world.categoryViolence.uuidString), ("location", world.locationNorth.uuidString),
                ("occurred_date", Formats.isoDay(.now)), ("occurred_time", "00:00"), ("description", "Klap uitgedeeld")])
            let detail = try await browser.get(try #require(north.headers[.location]))
            #expect(detail.text.contains("Doorgezet volgens regel: Geweld → GGD (stadsdeel Noord)"))
            let south = try await browser.post("/reports", [
                ("kind", "incident"), ("category", world.categoryViolence.uuidString), ("location", world.locationSouth.uuidString),
                ("occurred_date", Formats.isoDay(.now)), ("occurred_time", "00:00"), ("description", "Klap uitgedeeld")])
            #expect(try await browser.get(try #require(south.headers[.location])).text.contains("Doorgezet volgens regel: Geweld → Politie"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func reroutingNeedsAReasonOnTheWebAndInTheAPI(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.coordinatorNorth)
            let path = "/reports/\(world.reportNorth)/assignment"
            let refused = try await browser.post(path, [("urgency", "high"), ("organisation", world.ggd.uuidString), ("owner", ""),
                                                        ("assign_reason", "  ")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(#"id="assign-reason-error""#))
            #expect(refused.text.contains(#"<option value="\#(world.ggd.uuidString)" selected>"#))
            #expect(refused.text.contains(#"<option value="high" selected>"#))
            let done = try await browser.post(path, [("urgency", "critical"), ("organisation", world.ggd.uuidString), ("owner", ""),
                                                     ("assign_reason", "Verward gedrag, GGD neemt over")])
            #expect(done.status == .seeOther)
            let detail = try await browser.get("/reports/\(world.reportNorth)")
            #expect(detail.text.contains("Verward gedrag, GGD neemt over"))
        }
        try await world.withAPI(as: .coordinatorNorth) { api in
            let path = "/api/v1/reports/\(world.reportNorth)"
            let refused = try await api.patch(path, ["organisationId": world.police.uuidString])
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.invalidParams() == ["reason"])
            #expect(try await api.get(path).object()["organisationId"] as? String == world.ggd.uuidString.lowercased())
            let done = try await api.patch(path, ["organisationId": world.police.uuidString, "reason": "Toch politiezaak"])
            #expect(done.status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func adminValidationAndTheFallbackCannotGo(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let fallback = try await world.withDatabase { db in try await RoutingRule.query(on: db.db()).all().first { $0.isFallback }!.id! }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            #expect(try await browser.get("/admin/routing-rules").status == .ok)
            #expect(try await browser.get("/admin/routing-rules/new").status == .ok)
            #expect(try await browser.get("/admin").text.contains("/admin/routing-rules"))
            let invalid = try await browser.post("/admin/routing-rules", [
                ("category", ""), ("district", world.districtNorth.uuidString), ("location", world.locationSouth.uuidString),
                ("urgency", ""), ("organisation", ""), ("acknowledge_days", "61"), ("resolve_days", "-1")])
            #expect(invalid.status == .unprocessableContent)
            for field in ["organisation", "acknowledge_days", "resolve_days", "location"] {
                #expect(invalid.text.contains(#"id="\#(field)-error""#), "\(field)")
            }
            #expect(invalid.text.contains(#"value="61""#))

            let base = "/admin/routing-rules/\(fallback.uuidString)"
            #expect(try await browser.post(base + "/deactivate", []).status == .conflict)
            let narrowed = try await browser.post(base, [("category", world.categoryViolence.uuidString), ("district", ""), ("location", ""),
                                                         ("urgency", ""), ("organisation", world.ggd.uuidString),
                                                         ("acknowledge_days", "1"), ("resolve_days", "10")])
            #expect(narrowed.status == .unprocessableContent)
            #expect(narrowed.text.contains(#"id="category-error""#))
            // Changing its organisation and deadlines is fine.
            #expect(try await browser.post(base, [("organisation", world.ggd.uuidString), ("acknowledge_days", "2"),
                                                  ("resolve_days", "12")]).status == .seeOther)
            // With a second fallback, the first may go.
            #expect(try await browser.post("/admin/routing-rules", [("organisation", world.police.uuidString), ("acknowledge_days", "1"),
                                                                    ("resolve_days", "10")]).status == .seeOther)
            #expect(try await browser.post(base + "/deactivate", []).status == .seeOther)
        }
        let rule = try await world.withDatabase { db in try await RoutingRule.find(fallback, on: db.db())! }
        #expect(!rule.active && rule.organisationID == world.ggd && rule.resolveDays == 12)
    }

    @Test(arguments: TestDatabase.available)
    func aClosureDayShiftsTheDeadline(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let wednesday = Formats.parse(day: "2026-05-13", time: "10:00")!  // Ascension is Thursday the 14th
        func register() async throws -> Report {
            try await world.withDatabase { db in
                let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
                let other = try await Category.query(on: db.db()).filter(\.$code == "other").first()!
                var draft = TestWorld.draft(category: other.id!, location: world.locationNorth, text: "Brugdag")
                draft.occurredAt = wednesday.addingTimeInterval(-3600)
                return try await ReportStore(database: db).create(draft, by: admin, now: wednesday)
            }
        }
        let before = try await register()
        #expect(before.acknowledgeDueAt.map { Formats.isoDay($0) } == "2026-05-15")
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let missing = try await browser.post("/admin/closure-days", [("date", ""), ("description", "")])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains(#"id="date-error""#))
            #expect(try await browser.post("/admin/closure-days", [("date", "2026-05-15"), ("description", "Brugdag")]).status == .seeOther)
            #expect(try await browser.post("/admin/closure-days", [("date", "2026-05-15"), ("description", "Nog eens")]).status == .unprocessableContent)
            #expect(try await browser.get("/admin/closure-days").text.contains("Brugdag"))
        }
        let after = try await register()
        #expect(after.acknowledgeDueAt.map { "\(Formats.isoDay($0)) \(Formats.isoTime($0))" } == "2026-05-18 10:00")
    }
}
