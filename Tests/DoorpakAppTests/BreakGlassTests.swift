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
        #expect(grant.expiresAt.timeIntervalSince(grant.grantedAt) == AuthPolicy().breakGlassSeconds)
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
                try await ReportStore(database: database, now: { start.addingTimeInterval(AuthPolicy().breakGlassSeconds + 1) })
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

    /// A person linked only to the southern report, living on the northern site (so the northern
    /// coordinator answers for their district), made by the administrator.
    static func southernPerson(_ world: TestWorld, location: UUID? = nil) async throws -> String {
        try await world.withDatabase { database in
            let db = database.db()
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db))
            let report = try await ReportStore(database: database).find(reference: world.reportSouth, by: admin)
            return try await PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
                .link(PersonDraft(name: "Noodtoegang Persoon", contact: "06-55554444", location: (location ?? world.locationNorth).uuidString),
                      role: "affected", to: report, by: admin).pseudonym
        }
    }

    /// A person outside scope: the 404 page offers break-the-glass (for a pseudonym that names
    /// nobody too); after a reason and a recent sign-in the person opens for the grant's time,
    /// the read is logged as break-glass, the grant is listed for review, and the coordinators
    /// of the person's district are notified (no case). Searches never show the person; writes are refused.
    @Test(arguments: TestDatabase.available)
    func aPersonOutsideScopeOpensAfterAReasonReadOnly(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let pseudonym = try await Self.southernPerson(world)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let outside = try await browser.get("/persons/\(pseudonym)")
            #expect(outside.status == .notFound)
            #expect(outside.text.contains(#"href="/break-glass/persons/\#(pseudonym)""#))
            #expect(!outside.text.contains("Noodtoegang Persoon"))
            let missing = try await browser.get("/persons/P-2222-22")
            #expect(missing.text.contains(#"href="/break-glass/persons/P-2222-22""#))
            #expect(try await browser.get("/break-glass/persons/not-a-pseudonym").status == .notFound)
            let form = try await browser.get("/break-glass/persons/\(pseudonym)")
            #expect(form.status == .ok && form.text.contains(#"action="/break-glass/persons/\#(pseudonym)""#))
            #expect(try await browser.post("/break-glass/persons/\(pseudonym)", [("reason", "kort")]).status == .unprocessableContent)
            // Nobody by that pseudonym: not found after the reason, the attempt logged.
            #expect(try await browser.post("/break-glass/persons/P-2222-22", [("reason", Self.reason)]).status == .notFound)
            let granted = try await browser.post("/break-glass/persons/\(pseudonym.lowercased())", [("reason", Self.reason)])
            #expect(granted.headers[.location] == "/persons/\(pseudonym)")
            let page = try await browser.get("/persons/\(pseudonym)")
            #expect(page.status == .ok && page.text.contains("Noodtoegang Persoon"))
            // Searching is no way around scope: the grant opens this one record only.
            let search = try await browser.post("/persons/search", [("name", "Noodtoegang Persoon"), ("reason", "zoeken na noodtoegang")])
            #expect(!search.text.contains(pseudonym))
            // Read-only: the edit is refused with the reason why, on the web and through the API.
            let edit = try await browser.post("/persons/\(pseudonym)", [("name", "Andere Naam"), ("reason", "Naam gecorrigeerd")])
            #expect(edit.status == .forbidden)
            #expect(edit.text.contains("read-only") || edit.text.contains("alleen-lezen"))
            let api = APIClient(client: client, token: try await world.token(for: .police))
            #expect(try await api.get("/api/v1/persons/\(pseudonym)").status == .ok)
            let patched = try await api.patch("/api/v1/persons/\(pseudonym)", ["name": "Andere Naam", "reason": "Naam gecorrigeerd"])
            #expect(patched.status == .forbidden)
            #expect(try patched.object()["type"] as? String == Problem.breakGlassReadOnlyType)
            // Other users gain nothing.
            let staff = Browser(client)
            try await staff.signIn(.staffNorth)
            #expect(try await staff.get("/persons/\(pseudonym)").status == .notFound)
            // Listed for the privacy officer's review.
            let officer = Browser(client)
            try await officer.signIn(.privacyOfficer)
            let review = try await officer.get("/audit/break-glass")
            #expect(review.text.contains(pseudonym) && review.text.contains(Self.reason))
        }
        try await world.withDatabase { database in
            let db = database.db()
            let grant = try #require(try await BreakGlassGrant.query(on: db).filter(\.$recordType == "person").first())
            #expect(grant.recordID == pseudonym && grant.userID == world.users[.police]!)
            #expect(grant.expiresAt.timeIntervalSince(grant.grantedAt) == 3600)
            let person = try #require(try await PersonRecord.query(on: db).filter(\.$pseudonym == pseudonym).first())
            #expect(try FieldCipher(world.config.keys).open(person.nameSealed) == "Noodtoegang Persoon")
            #expect(try await AuditEntry.query(on: db).filter(\.$action == "break_glass").filter(\.$recordType == "person").count() == 2)
            let reads = try await AuditEntry.query(on: db).filter(\.$action == "read").filter(\.$recordID == pseudonym)
                .filter(\.$userID == world.users[.police]!).all()
            #expect(!reads.isEmpty && reads.allSatisfy { $0.purpose == "break-glass: \(grant.id!.uuidString.lowercased())" })
            let notices = try await Notification.query(on: db).filter(\.$kind == NotificationKind.breakGlassUsed.rawValue).all()
            #expect(notices.map(\.recipientID) == [world.users[.coordinatorNorth]!])
            #expect(notices.first?.link == "/persons/\(pseudonym)")
        }
    }

    /// With an open case about the person, its director is told (not the district's coordinators).
    @Test(arguments: TestDatabase.available)
    func thePersonsCaseDirectorIsNotified(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let pseudonym = try await Self.southernPerson(world)
        try await world.withDatabase { database in
            let db = database.db()
            let ggd = try #require(try await Principal.load(userID: world.users[.ggd]!, via: .session, on: db))
            let persons = PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
            _ = try await CaseStore(database: database, persons: persons)
                .open(.init(pseudonyms: [pseudonym], reason: "Zorgen over bewoner", reportReferences: [world.reportSouth]), by: ggd)
            let police = try #require(try await Principal.load(userID: world.users[.police]!, via: .session, on: db))
            let grant = try await BreakGlassStore(database: database).grantPerson(pseudonym: pseudonym, reason: Self.reason, by: police)
            #expect(grant.recordType == "person")
            let notices = try await Notification.query(on: db).filter(\.$kind == NotificationKind.breakGlassUsed.rawValue).all()
            #expect(notices.map(\.recipientID) == [world.users[.ggd]!])
            // The store refuses a change under the grant even outside a web request.
            await #expect(throws: AppError.self) {
                try await persons.update(pseudonym: pseudonym, with: PersonDraft(name: "Andere Naam"), reason: "Naam gecorrigeerd", by: police)
            }
            #expect(try await persons.find(pseudonym: pseudonym, by: police).name == "Noodtoegang Persoon")
            // Expired: the person is out of reach again.
            try await BreakGlassGrant.query(on: db).set(\.$expiresAt, to: Date.now.addingTimeInterval(-1).wholeSeconds).update()
            await #expect(throws: AppError.self) { try await persons.find(pseudonym: pseudonym, by: police) }
        }
    }

    /// A report under a grant can be read, not changed: a note, a status change and an API PATCH
    /// are refused with 403 and the reason; nothing is written.
    @Test(arguments: TestDatabase.available)
    func aReportGrantIsReadOnly(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            #expect(try await browser.post("/break-glass/reports/\(world.reportSouth)", [("reason", Self.reason)]).status == .seeOther)
            #expect(try await browser.get("/reports/\(world.reportSouth)").status == .ok)
            let note = try await browser.post("/reports/\(world.reportSouth)/notes", [("body", "Notitie tijdens noodtoegang")])
            #expect(note.status == .forbidden)
            #expect(note.text.contains("read-only") || note.text.contains("alleen-lezen"))
            #expect(try await browser.post("/reports/\(world.reportSouth)/status", [("status", "in_progress")]).status == .forbidden)
            let api = APIClient(client: client, token: try await world.token(for: .police))
            let patched = try await api.patch("/api/v1/reports/\(world.reportSouth)", ["status": "in_progress"])
            #expect(patched.status == .forbidden)
            #expect(try patched.object()["type"] as? String == Problem.breakGlassReadOnlyType)
            // The user's own reports are unaffected.
            #expect(try await browser.post("/reports/\(world.reportNorth)/notes", [("body", "Gewone notitie")]).status == .seeOther)
        }
        try await world.withDatabase { database in
            let report = try #require(try await Report.query(on: database.db()).filter(\.$reference == world.reportSouth).first())
            #expect(try await ReportNote.query(on: database.db()).filter(\.$reportID == report.id!).count() == 0)
            #expect(report.status == "new")
        }
    }

    /// The grant's duration is a server option: the form says it and the grant lasts it.
    @Test func theDurationIsConfigurable() async throws {
        let world = try await TestWorld.make(.sqlite)
        var config = world.config
        config.auth.breakGlassDuration = .seconds(15 * 60)
        try await buildApplication(config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let form = try await browser.get("/break-glass/reports/\(world.reportSouth)")
            #expect(form.text.contains("15 minuten") || form.text.contains("15 minutes"))
            #expect(try await browser.post("/break-glass/reports/\(world.reportSouth)", [("reason", Self.reason)]).status == .seeOther)
        }
        let grant = try #require(try await Self.grants(world).first)
        #expect(grant.expiresAt.timeIntervalSince(grant.grantedAt) == 15 * 60)
    }
}
