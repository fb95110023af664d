import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Break-the-glass: emergency access to a report outside scope, after a reason and a recent
/// sign-in, for a limited time, logged, notified and reviewed by the privacy officer.
@Suite struct BreakGlassTests {
    static let reason = "Bewoner in acute nood, wijkteam vraagt om context"

    static func grants(_ world: TestWorld) async throws -> [BreakGlassGrant] {
        try await world.withDatabase { try await BreakGlassGrant.query(on: $0.db()).all() }
    }

    @Test(arguments: TestDatabase.available)
    func outOfScopeIsNotFoundAndTheOfferDoesNotTellWhetherItExists(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let outside = try await browser.get("/reports/\(world.reportSouth)")
            #expect(outside.status == .notFound)
            #expect(outside.text.contains(#"href="/break-glass/reports/\#(world.reportSouth)""#))
            #expect(!outside.text.contains("Verwarde bewoner"))
            // A reference that does not exist answers exactly alike.
            let missing = try await browser.get("/reports/DP-2099-999999")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains(#"href="/break-glass/reports/DP-2099-999999""#))
            #expect(try await browser.get("/break-glass/reports/\(world.reportSouth)").status == .ok)
            #expect(try await browser.get("/break-glass/reports/DP-2099-999999").status == .ok)
            #expect(try await browser.get("/break-glass/reports/not-a-reference").status == .notFound)
            // Analysts and privacy officers have no record access: no offer, no form.
            let analyst = Browser(client)
            try await analyst.signIn(.analyst)
            #expect(!(try await analyst.get("/reports/\(world.reportSouth)").text.contains("/break-glass/")))
            #expect(try await analyst.get("/break-glass/reports/\(world.reportSouth)").status == .notFound)
            #expect(try await analyst.post("/break-glass/reports/\(world.reportSouth)", [("reason", Self.reason)]).status == .notFound)
        }
        #expect(try await Self.grants(world).isEmpty)
    }

    @Test(arguments: TestDatabase.available)
    func aGrantNeedsAReasonAndARecentSignIn(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let path = "/break-glass/reports/\(world.reportSouth)"
            let empty = try await browser.post(path, [("reason", "  ")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains(#"id="reason-error""#))
            let short = try await browser.post(path, [("reason", "nood")])
            #expect(short.status == .unprocessableContent)
            #expect(short.text.contains(">nood</textarea>"))
            #expect(try await browser.post(path, [("reason", "Acute nood\u{7}bij de voordeur")]).status == .unprocessableContent)
            // A sign-in older than the window: back to /reauth first, nothing granted.
            try await AuthFlowTests.editSession(browser, in: world) { $0.verifiedAt = Date.now.addingTimeInterval(-6 * 60) }
            let reauth = "/reauth?next=" + path.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(try await browser.get(path).headers[.location] == reauth)
            let stale = try await browser.post(path, [("reason", Self.reason)])
            #expect(stale.headers[.location] == reauth)
            #expect(try await Self.grants(world).isEmpty)
            #expect(try await browser.post("/reauth", [("password", TestWorld.password), ("next", path)]).headers[.location] == path)
            #expect(try await browser.post(path, [("reason", Self.reason)]).headers[.location] == "/reports/\(world.reportSouth)")
        }
        #expect(try await Self.grants(world).count == 1)
        // API tokens never break the glass: there is no API route for it, and a token's principal has no session.
    }

    @Test(arguments: TestDatabase.available)
    func afterAGrantTheReportOpensIsLoggedAndTheManagerIsNotified(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        // The southern report has no owner; its responsible organisation (GGD) has a manager.
        try await world.withDatabase { database in
            try await Organisation.query(on: database.db()).filter(\.$id == world.ggd).set(\.$managerID, to: world.users[.ggd]!).update()
            try await Report.query(on: database.db()).filter(\.$reference == world.reportSouth).set(\.$ownerID, to: nil)
                .set(\.$organisationID, to: world.ggd).update()
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let granted = try await browser.post("/break-glass/reports/\(world.reportSouth.lowercased())", [("reason", Self.reason)])
            #expect(granted.status == .seeOther)
            #expect(granted.headers[.location] == "/reports/\(world.reportSouth)")
            let page = try await browser.get("/reports/\(world.reportSouth)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Verwarde bewoner in de gang"))
            // The worklist stays the user's own scope.
            #expect(!(try await browser.get("/reports").text.contains(world.reportSouth)))
            // Other users gain nothing.
            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            #expect(try await coordinator.get("/reports/\(world.reportSouth)").status == .notFound)
        }
        let grant = try #require(try await Self.grants(world).first)
        #expect(grant.userID == world.users[.police]!)
        #expect(grant.recordID == world.reportSouth)
        #expect(grant.reason == Self.reason)
        #expect(grant.expiresAt.timeIntervalSince(grant.grantedAt) == BreakGlassStore.duration)
        let (breakGlass, reads, notices) = try await world.withDatabase { database in
            let db = database.db()
            return (try await AuditEntry.query(on: db).filter(\.$action == "break_glass").all(),
                    try await AuditEntry.query(on: db).filter(\.$action == "read").filter(\.$recordID == world.reportSouth)
                        .filter(\.$userID == world.users[.police]!).all(),
                    try await Notification.query(on: db).filter(\.$kind == NotificationKind.breakGlassUsed.rawValue).all())
        }
        #expect(breakGlass.count == 1)
        #expect(breakGlass.first?.purpose == Self.reason)
        #expect(breakGlass.first?.recordID == world.reportSouth)
        #expect(reads.count == 1)
        #expect(reads.first?.purpose == "break-glass: \(grant.id!.uuidString.lowercased())")
        #expect(notices.map(\.recipientID) == [world.users[.ggd]!])
    }

    @Test(arguments: TestDatabase.available)
    func aGrantExpiresAndTheOwnerIsNotified(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let db = database.db()
            try await Report.query(on: db).filter(\.$reference == world.reportSouth).set(\.$ownerID, to: world.users[.ggd]!).update()
            let police = try #require(try await Principal.load(userID: world.users[.police]!, via: .session, on: db))
            let start = Date.now
            let grants = BreakGlassStore(database: database, now: { start })
            try await grants.grantReport(reference: world.reportSouth, reason: Self.reason, by: police)
            #expect(try await ReportStore(database: database, now: { start.addingTimeInterval(59 * 60) })
                .find(reference: world.reportSouth, by: police).reference == world.reportSouth)
            await #expect(throws: AppError.self) {
                try await ReportStore(database: database, now: { start.addingTimeInterval(BreakGlassStore.duration + 1) })
                    .find(reference: world.reportSouth, by: police)
            }
            let notices = try await Notification.query(on: db).filter(\.$kind == NotificationKind.breakGlassUsed.rawValue).all()
            #expect(notices.map(\.recipientID) == [world.users[.ggd]!])
            // A reference that does not exist: "not found" after the reason, the attempt logged, nothing granted.
            await #expect(throws: AppError.self) {
                try await grants.grantReport(reference: "DP-2099-999999", reason: Self.reason, by: police)
            }
            #expect(try await AuditEntry.query(on: db).filter(\.$action == "break_glass").filter(\.$recordID == "DP-2099-999999").count() == 1)
            #expect(try await BreakGlassGrant.query(on: db).count() == 1)
        }
        // Through the web, with the grant moved into the past: not found again.
        try await world.withDatabase { database in
            try await BreakGlassGrant.query(on: database.db()).set(\.$expiresAt, to: Date.now.addingTimeInterval(-1).wholeSeconds).update()
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            #expect(try await browser.get("/reports/\(world.reportSouth)").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func thePrivacyOfficerSeesAndReviewsGrantsAndOthersDoNot(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client)
            try await police.signIn(.police)
            #expect(try await police.post("/break-glass/reports/\(world.reportSouth)", [("reason", Self.reason)]).status == .seeOther)
            for persona in [TestWorld.Persona.police, .ggd, .coordinatorNorth, .staffNorth, .analyst] {
                let other = Browser(client)
                try await other.signIn(persona)
                #expect(try await other.get("/audit/break-glass").status == .notFound, "\(persona)")
            }
            let officer = Browser(client)
            try await officer.signIn(.privacyOfficer)
            let page = try await officer.get("/audit/break-glass")
            #expect(page.status == .ok)
            #expect(page.text.contains(Self.reason))
            #expect(page.text.contains(world.reportSouth))
            #expect(page.text.contains("Police"))
            let grant = try #require(try await Self.grants(world).first)
            let id = grant.id!.uuidString.lowercased()
            #expect(try await police.post("/audit/break-glass/\(id)/review", [("note", "")]).status == .notFound)
            let tooLong = try await officer.post("/audit/break-glass/\(id)/review", [("note", String(repeating: "x", count: 1001))])
            #expect(tooLong.status == .unprocessableContent)
            #expect(tooLong.text.contains(#"id="note-\#(id)-error""#))
            #expect(try await officer.post("/audit/break-glass/\(id)/review", [("note", "Gezien\u{7}")]).status == .unprocessableContent)
            #expect(try await officer.post("/audit/break-glass/\(id)/review", [("note", "Gezien\u{0}")]).status.code >= 400)
            let reviewed = try await officer.post("/audit/break-glass/\(id)/review", [("note", "Terecht: acute nood bevestigd")])
            #expect(reviewed.headers[.location] == "/audit/break-glass#grant-\(id)")
            let after = try await officer.get("/audit/break-glass")
            #expect(after.text.contains("Terecht: acute nood bevestigd"))
            #expect(!after.text.contains(#"id="review-form-\#(id)""#))
            #expect(try await officer.post("/audit/break-glass/\(id)/review", [("note", "")]).status == .conflict)
        }
        let stored = try #require(try await Self.grants(world).first)
        #expect(stored.reviewedBy == world.users[.privacyOfficer]!)
        #expect(stored.reviewNote == "Terecht: acute nood bevestigd")
    }

    @Test(arguments: TestDatabase.available)
    func theReviewListThroughTheAPI(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let police = try #require(try await Principal.load(userID: world.users[.police]!, via: .session, on: database.db()))
            try await BreakGlassStore(database: database).grantReport(reference: world.reportSouth, reason: Self.reason, by: police)
        }
        let officer = try await world.token(for: .privacyOfficer)
        let partner = try await world.token(for: .police)
        try await buildApplication(world.config).test(.router) { client in
            #expect(try await APIClient(client: client, token: partner).get("/api/v1/break-glass").status == .notFound)
            let api = APIClient(client: client, token: officer)
            let list = try await api.get("/api/v1/break-glass")
            #expect(list.status == .ok)
            let item = try #require(try list.items().first)
            #expect(item["recordId"] as? String == world.reportSouth)
            #expect(item["reason"] as? String == Self.reason)
            #expect(item["active"] as? Bool == true)
            #expect(item["reviewedAt"] is NSNull)
            let id = try #require(item["id"] as? String)
            #expect(try await APIClient(client: client, token: partner).post("/api/v1/break-glass/\(id)/review", [:]).status == .notFound)
            let reviewed = try await api.post("/api/v1/break-glass/\(id)/review", ["note": "Gezien"])
            #expect(reviewed.status == .ok)
            #expect(try reviewed.object()["reviewNote"] as? String == "Gezien")
            #expect(try await api.post("/api/v1/break-glass/\(id)/review", [:]).status == .conflict)
            #expect(try await api.post("/api/v1/break-glass/\(UUID().uuidString)/review", [:]).status == .notFound)
        }
    }
}
