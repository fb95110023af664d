import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Nothing falls between chairs (issue 12): a report routed to an organisation lands in its intake
/// queue, in the Mijn werk of everyone there who may pick it up, and is told to those who want it;
/// teams receive what routing rules send them; lists are sorted and paged by the database.
@Suite struct QueueTests {
    static func load(_ world: TestWorld, _ persona: TestWorld.Persona, on db: any Database) async throws -> Principal {
        try await Principal.load(userID: world.users[persona]!, via: .session, on: db)!
    }

    static func knife(_ world: TestWorld, urgency: String = "critical") -> ReportDraft {
        var draft = TestWorld.draft(category: world.categoryConfused, location: world.locationNorth,
                                    text: "Bewoner verward in de gang, dreigt met een mes")
        draft.urgency = urgency
        return draft
    }

    @Test(arguments: TestDatabase.available)
    func theKnifeReportReachesTheGGDQueueAndItsPeople(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let reference = try await world.withDatabase { database in
            let db = database.db()
            let (staff, ggd, police, coordinator) = try await (Self.load(world, .staffNorth, on: db), Self.load(world, .ggd, on: db),
                                                                Self.load(world, .police, on: db), Self.load(world, .coordinatorNorth, on: db))
            let reports = ReportStore(database: database)
            let report = try await reports.create(Self.knife(world), by: staff)
            #expect(report.organisationID == world.ggd, "confused behaviour routes to the GGD")
            #expect(report.ownerID == nil)

            let work = WorkStore(database: database)
            let inbox = try await work.inbox(.mine, by: ggd)
            #expect(inbox.queue.map(\.reference).contains(report.reference), "in the GGD's queue")
            #expect(inbox.reasons[report.id!] == .organisationQueue)
            let count = try await work.count(for: ggd)
            #expect(count == inbox.queue.count + inbox.reports.count + inbox.handovers.count + inbox.actions.count)
            let policeInbox = try await work.inbox(.mine, by: police)
            #expect(!policeInbox.queue.map(\.reference).contains(report.reference), "not in another organisation's queue")
            let district = try await work.inbox(.district, by: coordinator)
            #expect(district.queue.map(\.reference).contains(report.reference), "the coordinator sees reports nobody owns")
            #expect(district.reasons[report.id!] == .withoutOwner)

            // Told at once: the GGD's member gets a notice and an e-mail with the reference only.
            let notices = try await Notification.query(on: db).filter(\.$reference == report.reference).all()
            #expect(notices.map(\.recipientID) == [world.users[.ggd]!], "only the GGD is told; not the reporter, not the police")
            #expect(notices.first?.kind == NotificationKind.queued.rawValue)
            let mails = try await OutboxMessage.query(on: db).filter(\.$recipient == TestWorld.Persona.ggd.email).all()
            #expect(mails.contains { $0.subject.contains(report.reference) })
            #expect(!mails.contains { $0.body.contains("mes") || $0.body.contains("verward") }, "never the content")

            // Picked up: it leaves the queue and becomes the GGD member's own.
            try await reports.pickUp(report, by: ggd)
            let after = try await work.inbox(.mine, by: ggd)
            #expect(!after.queue.map(\.reference).contains(report.reference))
            #expect(after.reports.map(\.reference).contains(report.reference))
            #expect(after.reasons[report.id!] == .owner)
            return report.reference
        }

        // The API says the same, with the reason per item.
        try await world.withAPI(as: .coordinatorNorth) { api in
            let response = try await api.request(.get, "/api/v1/work?view=district")
            #expect(response.status == .ok)
            try OpenAPI.check(response, "GET", "/work")
            let unknown = try await api.request(.get, "/api/v1/work?section=queue&cursor=bogus")
            #expect(unknown.status == .unprocessableContent)
            let orphan = try await api.request(.get, "/api/v1/work?cursor=abc")
            #expect(orphan.status == .unprocessableContent)
        }
        _ = reference
    }

    @Test(arguments: TestDatabase.available)
    func queueNoticesFollowEachMembersChoice(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let db = database.db()
            let staff = try await Self.load(world, .staffNorth, on: db)
            let reports = ReportStore(database: database)
            // A normal report: in the queue, but by default nobody is disturbed for it.
            let normal = try await reports.create(Self.knife(world, urgency: "normal"), by: staff)
            let quiet = try await Notification.query(on: db).filter(\.$reference == normal.reference).count()
            #expect(quiet == 0)
            let ggd = try await Self.load(world, .ggd, on: db)
            let inbox = try await WorkStore(database: database).inbox(.mine, by: ggd)
            #expect(inbox.queue.map(\.reference).contains(normal.reference))
            // Who wants everything hears of every report; who wants nothing, not even a critical one.
            let setting = NotificationSetting(userID: world.users[.ggd]!, mail: .daily, language: .nl)
            setting.queue = QueuePreference.all.rawValue
            try await setting.create(on: db)
            let second = try await reports.create(Self.knife(world, urgency: "normal"), by: staff)
            let told = try await Notification.query(on: db).filter(\.$reference == second.reference).all()
            #expect(told.count == 1 && told.first?.mailedAt == nil, "a normal report waits for the daily digest")
            let critical = try await reports.create(Self.knife(world), by: staff)
            let urgent = try await Notification.query(on: db).filter(\.$reference == critical.reference).all()
            #expect(urgent.count == 1 && urgent.first?.mailedAt != nil, "a critical one is mailed at once, digest or not")
            setting.queue = QueuePreference.none.rawValue
            try await setting.update(on: db)
            let third = try await reports.create(Self.knife(world), by: staff)
            let none = try await Notification.query(on: db).filter(\.$reference == third.reference).count()
            #expect(none == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func handOverRequestsToAnOrganisationFollowTheQueueChoice(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let db = database.db()
            let (staff, ggd) = try await (Self.load(world, .staffNorth, on: db), Self.load(world, .ggd, on: db))
            let reports = ReportStore(database: database), handovers = HandoverStore(database: database)
            let told = { (reference: String) in
                try await Notification.query(on: db).filter(\.$reference == reference)
                    .filter(\.$kind == NotificationKind.handOverRequested.rawValue).all()
            }
            // Normal urgency, asked of the police as a whole: it waits in their Mijn werk, nobody is disturbed by default.
            let normal = try await reports.create(Self.knife(world, urgency: "normal"), by: staff)
            try await reports.pickUp(normal, by: ggd)
            _ = try await handovers.request(.init(organisation: world.police.uuidString, reason: "Politiezaak"), for: normal, by: ggd)
            #expect(try await told(normal.reference).isEmpty)
            let police = try await Self.load(world, .police, on: db)
            #expect(try await WorkStore(database: database).inbox(.mine, by: police).handovers.map(\.subjectReference) == [normal.reference])
            // High urgency: the police's members are told, mailed at once.
            let high = try await reports.create(Self.knife(world, urgency: "high"), by: staff)
            try await reports.pickUp(high, by: ggd)
            _ = try await handovers.request(.init(organisation: world.police.uuidString, reason: "Politiezaak"), for: high, by: ggd)
            let urgent = try await told(high.reference)
            #expect(urgent.map(\.recipientID) == [world.users[.police]!] && urgent.first?.mailedAt != nil)
            // A named person is always told, whatever the urgency.
            let named = try await reports.create(Self.knife(world, urgency: "normal"), by: staff)
            try await reports.pickUp(named, by: ggd)
            _ = try await handovers.request(.init(organisation: world.police.uuidString, person: world.users[.police]!.uuidString,
                                                  reason: "Voor jou"), for: named, by: ggd)
            #expect(try await told(named.reference).map(\.recipientID) == [world.users[.police]!])
        }
    }

    @Test(arguments: TestDatabase.available)
    func routingRulesMayNameATeam(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let db = database.db()
            let team = Team(organisationID: world.ggd, name: "Wijkteam Noord", createdAt: .now)
            try await team.create(on: db)
            let member = User(email: "nurse@test.example", name: "Verpleegkundige", passwordHash: "x", role: .partner, organisationID: world.ggd)
            member.teamID = team.id
            try await member.create(on: db)
            try await RoutingRule(categoryID: world.categoryConfused, districtID: world.districtNorth, organisationID: world.ggd,
                                  acknowledgeDays: 1, resolveDays: 5, createdAt: .now).create(on: db)
            let rule = try await RoutingRule.query(on: db).filter(\.$districtID == world.districtNorth).first()!
            rule.teamID = team.id
            try await rule.update(on: db)

            let staff = try await Self.load(world, .staffNorth, on: db)
            let report = try await ReportStore(database: database).create(Self.knife(world), by: staff)
            #expect(report.teamID == team.id)
            let work = WorkStore(database: database)
            let nurse = try await Principal.load(userID: member.id!, via: .session, on: db)!
            let nurseInbox = try await work.inbox(.mine, by: nurse)
            #expect(nurseInbox.queue.map(\.reference).contains(report.reference), "the team's member sees the team's queue")
            #expect(nurseInbox.reasons[report.id!] == .teamQueue)
            #expect(nurseInbox.queue.allSatisfy { $0.teamID == nil || $0.teamID == team.id }, "beside the organisation's own")
            let outside = try await work.inbox(.mine, by: Self.load(world, .ggd, on: db))
            #expect(!outside.queue.map(\.reference).contains(report.reference), "another GGD member outside the team does not see it")
            let told = try await Notification.query(on: db).filter(\.$reference == report.reference).all().map(\.recipientID)
            #expect(told == [member.id!], "only the team is told")

            // The team's lead has a team view with the team's queue.
            team.leadID = world.users[.ggd]
            try await team.update(on: db)
            let lead = try await Self.load(world, .ggd, on: db)
            let views = try await work.views(for: lead)
            #expect(views.contains(.team))
            let teamView = try await work.inbox(.team, by: lead)
            #expect(teamView.queue.map(\.reference) == [report.reference])
        }
        // The administrator's list of rules names the team beside the organisation.
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let list = try await admin.get("/admin/routing-rules")
            #expect(list.text.contains(" – Wijkteam Noord"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func listsAreSortedAndPagedByTheDatabase(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let db = database.db()
            let staff = try await Self.load(world, .staffNorth, on: db)
            let ggd = try await Self.load(world, .ggd, on: db)
            let reports = ReportStore(database: database)
            for index in 0..<(WorkStore.pageSize + 6) {
                _ = try await reports.create(Self.knife(world, urgency: index % 3 == 0 ? "high" : "low"), by: staff)
            }
            let work = WorkStore(database: database)
            let first = try await work.inbox(.mine, by: ggd)
            #expect(first.queue.count == WorkStore.pageSize)
            let cursor = try #require(first.next[.queue])
            let second = try await work.inbox(.mine, by: ggd, section: .queue, after: cursor)
            let all = first.queue + second.queue
            #expect(Set(all.map(\.id)).count == all.count, "no report twice")
            let total = try await Report.query(on: db).filter(\.$organisationID == world.ggd).filter(\.$ownerID == nil).count()
            #expect(all.count == total, "every unowned report of the GGD, none dropped")
            let keys = all.map { (-$0.urgency, $0.createdAt.timeIntervalSince1970) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 <= $1 }, "most urgent, then oldest first")
            #expect(second.next[.queue] == nil)
            let count = try await work.count(for: ggd)
            #expect(count == total)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theWorklistFiltersWhatWaits(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .coordinatorNorth) { api in
            let unowned = try await api.request(.get, "/api/v1/reports?needs=unowned")
            #expect(unowned.status == .ok)
            try OpenAPI.check(unowned, "GET", "/reports")
            let items = try unowned.object()["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["reference"] as? String } == [world.reportNorth])
            let handover = try await api.request(.get, "/api/v1/reports?needs=handover")
            #expect((try handover.object()["items"] as? [[String: Any]])?.isEmpty == true)
            let wrong = try await api.request(.get, "/api/v1/reports?needs=everything")
            #expect(wrong.status == .badRequest, "like every other worklist filter that does not parse")
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            let landing = try await browser.post("/login", [("email", TestWorld.Persona.coordinatorNorth.email), ("password", TestWorld.password)])
            #expect(landing.headers[.location] == "/work", "a coordinator starts in Mijn werk")
            let page = try await browser.get("/work")
            #expect(page.status == .ok)
            #expect(page.text.contains(world.reportNorth) == false, "the coordinator's own view has no unowned report of the police")
            let district = try await browser.get("/work/district")
            #expect(district.text.contains(world.reportNorth))
            #expect(district.text.contains("Nog geen eigenaar"))
            let filtered = try await browser.get("/reports?needs=unowned")
            #expect(filtered.status == .ok && filtered.text.contains(world.reportNorth))
        }
    }

    @Test(arguments: TestDatabase.available)
    func administratorsKeepTeamsWithinTheirOrganisation(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let empty = try await browser.post("/admin/teams", [("name", ""), ("organisation", world.ggd.uuidString)])
            #expect(empty.status == .unprocessableContent && empty.text.contains("Vul dit veld in."))
            let saved = try await browser.post("/admin/teams", [("name", "Wijkteam Noord"), ("organisation", world.ggd.uuidString), ("active", "on")])
            #expect(saved.status == .seeOther)
            let twice = try await browser.post("/admin/teams", [("name", "Wijkteam Noord"), ("organisation", world.ggd.uuidString)])
            #expect(twice.status == .unprocessableContent, "a name is unique within the organisation")
            let list = try await browser.get("/admin/teams")
            #expect(list.text.contains("Wijkteam Noord"))
        }
        try await world.withDatabase { database in
            let db = database.db()
            let admin = try await Self.load(world, .admin, on: db)
            let team = try #require(try await Team.query(on: db).first())
            // A lead, a member or a routing rule of another organisation is refused by field.
            await #expect(throws: AppError.self) {
                try await TeamStore(database: database).update(team.id!, TeamDraft(name: team.name, organisation: world.ggd.uuidString,
                                                                                    lead: world.users[.police]!.uuidString), by: admin)
            }
            let rule = RoutingRuleDraft(category: world.categoryConfused.uuidString, district: nil, location: nil, urgency: nil,
                                        organisation: world.police.uuidString, acknowledgeDays: "1", resolveDays: "3", team: team.id!.uuidString)
            do {
                _ = try await RoutingStore(database: database).create(rule, by: admin)
                Issue.record("a rule naming another organisation's team was saved")
            } catch AppError.invalid(let issues) {
                #expect(issues == [FieldIssue("team", "other_organisation")])
            }
        }
    }
}
