import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Repeat concern (issue 12): "five signals in six weeks" from three organisations make exactly one
/// "consider a case" item for the district coordinator; the notices go to the right people with the
/// pseudonym and a link only; the coordinator opens a case from it or dismisses it with a reason;
/// everyone else gets 404.
@Suite struct ConcernTests {
    static let name = "Mohammed Tesfay"
    static let birthDate = "2001-03-04"

    struct Story: Sendable {
        let pseudonym: String
        let reports: [String]
        let item: UUID
        let policeManager: UUID
        let corporationManager: UUID
        let southCoordinatorToken: String
    }

    static func principal(_ world: TestWorld, _ persona: TestWorld.Persona, on db: any Database) async throws -> Principal {
        try #require(try await Principal.load(userID: world.users[persona]!, via: .session, on: db))
    }

    /// A report registered by `persona` at the northern site `daysAgo` days ago (violence: routed to the police).
    static func report(_ world: TestWorld, by persona: TestWorld.Persona, daysAgo: Double, category: UUID? = nil,
                       database: AppDatabase) async throws -> Report {
        let at = Date.now.addingTimeInterval(-daysAgo * 86_400).wholeSeconds
        var draft = TestWorld.draft(category: category ?? world.categoryViolence, location: world.locationNorth, text: "Signaal \(daysAgo)")
        draft.occurredAt = at
        return try await ReportStore(database: database).create(draft, by: principal(world, persona, on: database.db()), now: at.addingTimeInterval(600))
    }

    /// Five reports over six weeks by site staff (the corporation), the police and the GGD, each
    /// linked by its registrar to the same person (name and date of birth match exactly).
    static func fiveSignals(_ world: TestWorld) async throws -> Story {
        try await world.withDatabase { database in
            let db = database.db()
            let hash = try await Passwords(cost: 4).hash(TestWorld.password)
            let policeManager = User(email: "pm@test.example", name: "Politie manager", passwordHash: hash, role: .partner, organisationID: world.police)
            let corporationManager = User(email: "cm@test.example", name: "Woonstad manager", passwordHash: hash, role: .partner,
                                          organisationID: world.corporation)
            let south = User(email: "coordinator-south@test.example", name: "Coordinator Zuid", passwordHash: hash, role: .coordinator,
                             organisationID: nil)
            for user in [policeManager, corporationManager, south] { try await user.create(on: db) }
            try await UserDistrict(userID: south.id!, districtID: world.districtSouth).create(on: db)
            try await Organisation.query(on: db).filter(\.$id == world.police).set(\.$managerID, to: policeManager.id!).update()
            try await Organisation.query(on: db).filter(\.$id == world.corporation).set(\.$managerID, to: corporationManager.id!).update()
            // The GGD joins the open item at the third signal: its manager (the GGD persona, who registered and linked it) is told then.
            try await Organisation.query(on: db).filter(\.$id == world.ggd).set(\.$managerID, to: world.users[.ggd]!).update()
            let southPrincipal = try #require(try await Principal.load(userID: south.id!, via: .token, on: db))
            let token = try await TestWorld.accounts(database).createToken(named: "south", for: southPrincipal)

            let persons = PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
            var references: [String] = []
            var pseudonym = ""
            for (index, (persona, daysAgo)) in [(TestWorld.Persona.staffNorth, 42.0), (.police, 35), (.ggd, 21), (.staffNorth, 10), (.police, 2)].enumerated() {
                let report = try await report(world, by: persona, daysAgo: daysAgo, database: database)
                if index == 0 {
                    // The police persona owns the first report (it is routed to the police): an owner hears of the concern.
                    try await Report.query(on: db).filter(\.$id == report.id!).set(\.$ownerID, to: world.users[.police]!).update()
                }
                references.append(report.reference)
                let outcome = try await persons.link(PersonDraft(name: name, birthDate: birthDate), role: "causing_concern", to: report,
                                                     by: principal(world, persona, on: db), now: report.occurredAt.addingTimeInterval(3600))
                if index > 0 { #expect(outcome.matched && outcome.pseudonym == pseudonym) }
                pseudonym = outcome.pseudonym
            }
            let items = try await ConcernItem.query(on: db).all()
            #expect(items.count == 1, "exactly one item for five signals")
            let item = try #require(items.first)
            return Story(pseudonym: pseudonym, reports: references, item: item.id!, policeManager: policeManager.id!,
                         corporationManager: corporationManager.id!, southCoordinatorToken: token)
        }
    }

    @Test(arguments: TestDatabase.available)
    func fiveSignalsInSixWeeks(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let story = try await Self.fiveSignals(world)
        let id = story.item.uuidString.lowercased()

        try await world.withDatabase { database in
            let db = database.db()
            let item = try #require(try await ConcernItem.find(story.item, on: db))
            #expect(item.concernStatus == .open)
            #expect(item.districtID == world.districtNorth)
            #expect(Set(item.organisations) == [world.corporation, world.police, world.ggd])
            #expect(item.reports.count == 5)
            // Raised by the second organisation, at the second link.
            #expect(item.trigger == "organisations")

            // Notices: the coordinator (to the item), the owner of a linked report and the police's
            // manager, who both see the person (to the person); not the corporation's manager, who
            // cannot see the person, and nobody else. Reference and link only.
            let notices = try await Notification.query(on: db).filter(\.$kind == NotificationKind.repeatConcern.rawValue).all()
            let recipients = notices.map(\.recipientID)
            #expect(Set(recipients) == [world.users[.coordinatorNorth]!, world.users[.police]!, story.policeManager, world.users[.ggd]!])
            #expect(recipients.count == 4, "one notice each, the GGD's when it joined the open item")
            #expect(!recipients.contains(story.corporationManager))
            for notice in notices {
                #expect(notice.reference == story.pseudonym)
                let expected = notice.recipientID == world.users[.coordinatorNorth]! ? "/concerns/\(id)" : "/persons/\(story.pseudonym)"
                #expect(notice.link == expected)
            }
            let outbox = try await OutboxMessage.query(on: db).all()
            for message in outbox { #expect(!"\(message.subject) \(message.body)".contains("Tesfay")) }
            let allText = notices.map { "\($0.reference) \($0.link)" }.joined()
            #expect(!allText.contains("Tesfay") && !allText.contains("Mohammed"))
        }

        try await buildApplication(world.config).test(.router) { client in
            // The page: the coordinator of the district; everyone else 404.
            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            let page = try await coordinator.get("/concerns/\(id)")
            #expect(page.status == .ok)
            #expect(page.text.contains(story.pseudonym))
            for reference in story.reports { #expect(page.text.contains(reference)) }
            #expect(!page.text.contains("Tesfay"), "no name on the page")
            for persona in [TestWorld.Persona.police, .ggd, .staffNorth, .admin] {
                let other = Browser(client)
                try await other.signIn(persona)
                let response = try await other.get("/concerns/\(id)")
                #expect(response.status == .notFound, "\(persona)")
            }
            let south = APIClient(client: client, token: story.southCoordinatorToken)
            let southRead = try await south.get("/api/v1/concerns/\(id)")
            #expect(southRead.status == .notFound)
            try OpenAPI.check(southRead, "GET", "/concerns/{id}")
            let southList = try await south.get("/api/v1/concerns")
            #expect(try southList.items().isEmpty)
            let checked1 = try await south.post("/api/v1/concerns/\(id)/dismiss", ["reason": "Niet mijn stadsdeel"]).status
            #expect(checked1 == .notFound)

            // The coordinator's list, the navigation count and "Mijn werk".
            let api = APIClient(client: client, token: try await world.token(for: .coordinatorNorth))
            let list = try await api.get("/api/v1/concerns")
            try OpenAPI.check(list, "GET", "/concerns")
            #expect(try list.items().map { $0["pseudonym"] as? String } == [story.pseudonym])
            let work = try await coordinator.get("/work")
            #expect(work.text.contains("/concerns/\(id)"))
            // The same item, once, in the API's Mijn werk; on no other page of it.
            let workAPI = try await api.get("/api/v1/work")
            try OpenAPI.check(workAPI, "GET", "/work")
            let concerns = try #require(try workAPI.object()["concerns"] as? [[String: Any]])
            #expect(concerns.map { $0["id"] as? String } == [id])
            #expect(concerns.first?["organisationCount"] as? Int == 3)
            let district = try await api.get("/api/v1/work?view=district")
            #expect((try district.object()["concerns"] as? [Any])?.isEmpty == true)
            let read = try await api.get("/api/v1/concerns/\(id)")
            try OpenAPI.check(read, "GET", "/concerns/{id}")
            let body = try read.object()
            #expect((body["reports"] as? [[String: Any]])?.count == 5)
            #expect(body["hiddenReportCount"] as? Int == 0)

            // Dismissing needs a reason: the form again with the error beside the field and what was typed kept; 422 naming `reason`.
            let tooLong = String(repeating: "x", count: 2001)
            let refused = try await coordinator.post("/concerns/\(id)/dismiss", [("reason", tooLong)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("id=\"reason-error\""))
            #expect(refused.text.contains(tooLong))
            let empty = try await coordinator.post("/concerns/\(id)/dismiss", [("reason", "  ")])
            #expect(empty.status == .unprocessableContent)
            let apiEmpty = try await api.post("/api/v1/concerns/\(id)/dismiss", [:])
            #expect(apiEmpty.status == .unprocessableContent)
            try OpenAPI.check(apiEmpty, "POST", "/concerns/{id}/dismiss")
            #expect(try apiEmpty.invalidParams() == ["reason"])

            // Opening a case: one click; the coordinator directs it; the linked reports come along.
            let opened = try await coordinator.post("/concerns/\(id)/open-case", [])
            #expect(opened.status == .seeOther)
            let location = try #require(opened.headers[.location])
            #expect(location.hasPrefix("/cases/CS-"))
            let again = try await api.post("/api/v1/concerns/\(id)/open-case", [:])
            #expect(again.status == .conflict)
            try OpenAPI.check(again, "POST", "/concerns/{id}/open-case")
            let decided = try await coordinator.get("/concerns/\(id)")
            #expect(decided.text.contains(String(location.dropFirst("/cases/".count))))
            #expect(!decided.text.contains("id=\"concern-dismiss\""), "a decided item has no forms")
            // The case says why it was opened, in words, without the item's internal id.
            let casePage = try await coordinator.get(location)
            #expect(casePage.text.contains("5 meldingen van 3 organisaties over deze persoon"))
            #expect(!casePage.text.contains(id))
        }

        try await world.withDatabase { database in
            let db = database.db()
            let item = try #require(try await ConcernItem.find(story.item, on: db))
            #expect(item.concernStatus == .openedAsCase)
            #expect(item.decidedBy == world.users[.coordinatorNorth]!)
            let caseID = try #require(item.caseID)
            let file = try #require(try await CaseFile.find(caseID, on: db))
            #expect(file.directorID == world.users[.coordinatorNorth]!)
            let linked = try await CaseReport.query(on: db).filter(\.$caseID == file.id!).all().map(\.reportID)
            let expected = try await Report.query(on: db).filter(\.$reference ~~ story.reports).all().compactMap(\.id)
            #expect(Set(linked) == Set(expected))
            let people = try await CasePerson.query(on: db).filter(\.$caseID == file.id!).all().map(\.personID)
            #expect(people == [item.personID])
            // A further link while the case is open raises nothing.
            let report = try await Self.report(world, by: .ggd, daysAgo: 1, database: database)
            _ = try await PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
                .link(PersonDraft(name: Self.name, birthDate: Self.birthDate), role: "affected", to: report, by: Self.principal(world, .ggd, on: db))
            let checked2 = try await ConcernItem.query(on: db).count()
            #expect(checked2 == 1)
        }
    }

    /// Opening through the API; dismissing through the API with a reason (sealed at rest); after a
    /// dismissal a further link by the same organisations raises nothing, a new organisation does.
    @Test(arguments: TestDatabase.available)
    func openAndDismissThroughTheAPIAndRaiseAgain(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (first, second) = try await world.withDatabase { database in
            let db = database.db()
            let persons = PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
            var ids: [UUID] = []
            for name in ["Abd al-Rahman Haile", "Yohannes Tesfai"] {
                for (persona, days) in [(TestWorld.Persona.police, 5.0), (.ggd, 3)] {
                    let report = try await Self.report(world, by: persona, daysAgo: days, database: database)
                    _ = try await persons.link(PersonDraft(name: name, birthDate: "1999-01-02"), role: "affected", to: report,
                                               by: Self.principal(world, persona, on: db))
                }
                ids.append(try #require(try await ConcernItem.query(on: db).sort(\.$raisedAt, .descending).all().first { !ids.contains($0.id!) }?.id))
            }
            return (ids[0].uuidString.lowercased(), ids[1].uuidString.lowercased())
        }
        let reason = "Bekend bij de wijkagent; geen casus nodig"
        try await CaseAPITests.withClients(world) { api in
            let coordinator = api[.coordinatorNorth]
            let opened = try await coordinator.post("/api/v1/concerns/\(first)/open-case", [:])
            #expect(opened.status == .created)
            try OpenAPI.check(opened, "POST", "/concerns/{id}/open-case")
            #expect(opened.headers[.location]?.hasPrefix("/api/v1/cases/CS-") == true)
            let body = try opened.object()
            #expect(body["status"] as? String == "opened_as_case")
            #expect((body["caseReference"] as? String)?.hasPrefix("CS-") == true)
            let checked3 = try await api[.police].post("/api/v1/concerns/\(second)/dismiss", ["reason": reason]).status
            #expect(checked3 == .notFound)
            let dismissed = try await coordinator.post("/api/v1/concerns/\(second)/dismiss", ["reason": reason])
            #expect(dismissed.status == .ok)
            try OpenAPI.check(dismissed, "POST", "/concerns/{id}/dismiss")
            #expect(try dismissed.object()["dismissalReason"] as? String == reason)
            #expect(try dismissed.object()["status"] as? String == "dismissed")
        }
        try await world.withDatabase { database in
            let db = database.db()
            let item = try #require(try await ConcernItem.find(UUID(uuidString: second)!, on: db))
            let stored = try #require(item.dismissalReason)
            #expect(stored != reason && stored.hasPrefix(FieldCipher.boundPrefix + "."), "the reason is sealed at rest")
            let persons = PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
            // The same organisations again: nothing new.
            let third = try await Self.report(world, by: .police, daysAgo: 1, database: database)
            _ = try await persons.link(PersonDraft(name: "Yohannes Tesfai", birthDate: "1999-01-02"), role: "affected", to: third,
                                       by: Self.principal(world, .police, on: db))
            let checked4 = try await ConcernItem.query(on: db).filter(\.$personID == item.personID).count()
            #expect(checked4 == 1)
            // A new organisation (the site staff's corporation) joins: raised again.
            let fourth = try await Self.report(world, by: .staffNorth, daysAgo: 0.5, database: database)
            _ = try await persons.link(PersonDraft(name: "Yohannes Tesfai", birthDate: "1999-01-02"), role: "affected", to: fourth,
                                       by: Self.principal(world, .staffNorth, on: db))
            let items = try await ConcernItem.query(on: db).filter(\.$personID == item.personID).all()
            #expect(items.count == 2)
            #expect(items.filter { $0.concernStatus == .open }.count == 1)
        }
    }

    /// N reports within M days from one organisation: not with the default 3 in 30 for two reports;
    /// with the setting changed to 2 in 7 (as `serve --repeat-concern-reports 2 --repeat-concern-days 7`
    /// sets it), the same two reports raise an item.
    @Test(arguments: TestDatabase.available)
    func frequencyRuleFollowsTheConfiguration(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.repeatConcern = RepeatConcernSetting(reports: 2, days: 7)
        let references = try await world.withDatabase { database in
            [try await Self.report(world, by: .police, daysAgo: 6, database: database).reference,
             try await Self.report(world, by: .police, daysAgo: 3, database: database).reference,
             try await Self.report(world, by: .police, daysAgo: 2, database: database).reference,
             try await Self.report(world, by: .police, daysAgo: 1, database: database).reference]
        }
        let token = try await world.token(for: .police)
        // Default settings: two reports from one organisation are not a repeat concern.
        try await buildApplication(world.config).test(.router) { client in
            let police = APIClient(client: client, token: token)
            for reference in references.prefix(2) {
                let checked5 = try await police.post("/api/v1/reports/\(reference)/persons", ["role": "affected", "name": "Tesfay Haile", "birthDate": "1998-05-06"]).status
                #expect(checked5 == .created)
            }
        }
        let checked6 = try await world.withDatabase { try await ConcernItem.query(on: $0.db()).count() }
        #expect(checked6 == 0)
        try await buildApplication(config).test(.router) { client in
            let police = APIClient(client: client, token: token)
            for reference in references.suffix(2) {
                let checked7 = try await police.post("/api/v1/reports/\(reference)/persons", ["role": "affected", "name": "Semhar Kidane", "birthDate": "1997-02-03"]).status
                #expect(checked7 == .created)
            }
        }
        let items = try await world.withDatabase { try await ConcernItem.query(on: $0.db()).all() }
        #expect(items.count == 1)
        #expect(items.first?.trigger == "frequency")
        #expect(items.first?.reports.count == 2)
    }
}
