import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// A case's action reaches whoever must do it without opening the case to them: the housing
/// corporation's location staff, asked to act on a case they take no part in, see the action and the
/// case's reference on the action's own page (linked from Mijn werk), complete it there (a missing
/// result is refused beside the field), and still get 404 for the case and for other actions.
@Suite struct CaseAssignedActionTests {
    @Test(arguments: TestDatabase.available)
    func theDoerOutsideTheCaseSeesAndClosesOnlyTheAction(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let due = Formats.isoDay(Date.now.addingTimeInterval(7 * 86_400))
        let (reference, ours, theirs) = try await world.withDatabase { db -> (String, UUID, UUID) in
            let s = try await CasePlanTests.setting(world, db)
            let ours = try await s.store.addAction(ActionDraft(title: "Slot van de voordeur vervangen", organisation: world.corporation.uuidString, dueOn: due),
                                                   goal: nil, to: s.file, access: .director, by: s.police)
            let theirs = try await s.store.addAction(ActionDraft(title: "Intake bij de GGZ plannen", organisation: world.ggd.uuidString, dueOn: due),
                                                     goal: nil, to: s.file, access: .director, by: s.police)
            return (s.file.reference, ours.id!, theirs.id!)
        }
        try await buildApplication(world.config).test(.router) { client in
            let staff = Browser(client)
            try await staff.signIn(.staffNorth)
            // Mijn werk links to the action's own page; the case stays closed to them.
            let work = try await staff.get("/work")
            #expect(work.text.contains("/cases/\(reference)/actions/\(ours.uuidString)"))
            #expect(try await staff.get("/cases/\(reference)").status == .notFound)
            let page = try await staff.get("/cases/\(reference)/actions/\(ours.uuidString)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Slot van de voordeur vervangen") && page.text.contains(reference))
            #expect(!page.text.contains("Herhaalde incidenten") && !page.text.contains("Intake bij de GGZ"))
            #expect(try await staff.get("/cases/\(reference)/actions/\(theirs.uuidString)").status == .notFound)

            // Completing needs a result: refused beside the field, then done.
            let refused = try await staff.post("/cases/\(reference)/actions/\(ours.uuidString)/complete", [("result", " ")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("action_\(ours.uuidString)_result-error"))
            let done = try await staff.post("/cases/\(reference)/actions/\(ours.uuidString)/complete", [("result", "Slot vervangen op dinsdag")])
            #expect(done.status == .seeOther)
            #expect(try await staff.post("/cases/\(reference)/actions/\(theirs.uuidString)/cancel", [("cancel_reason", "Niet van ons")]).status == .notFound)

            // Those who read the case go to the action on the case page.
            let police = Browser(client)
            try await police.signIn(.police)
            let forPolice = try await police.get("/cases/\(reference)/actions/\(ours.uuidString)")
            #expect(forPolice.status == .seeOther)
            #expect(forPolice.headers[.location] == "/cases/\(reference)#action-\(ours.uuidString)")
            // The district coordinator, whom escalation notices reach, goes to the case's facts.
            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            let forCoordinator = try await coordinator.get("/cases/\(reference)/actions/\(ours.uuidString)")
            #expect(forCoordinator.status == .seeOther && forCoordinator.headers[.location] == "/cases/\(reference)#action-\(ours.uuidString)")
        }
        try await world.withDatabase { db in
            let action = try #require(try await Action.find(ours, on: db.db()))
            // A case action's result is sealed at rest (`CaseSealing`); the case's store opens it.
            #expect(action.actionStatus == .done && action.result?.hasPrefix("dp2.") == true)
            try CaseStore(database: db, persons: PersonStore(database: db, cipher: try FieldCipher(world.config.keys))).open(action)
            #expect(action.result == "Slot vervangen op dinsdag")
            #expect(try await CaseEvent.query(on: db.db()).filter(\.$kind == "action").filter(\.$fromValue == ours.uuidString).count() == 2)
            #expect(try await Action.find(theirs, on: db.db())?.actionStatus == .open)
        }
    }

    /// Asked to take over the direction without a part in the case: told so (reference and link only),
    /// shown the case's facts, opening reason and the hand-over's reason, and able to accept.
    @Test(arguments: TestDatabase.available)
    func theOneAskedToDirectSeesTheFactsAndAccepts(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let reference = try await world.withDatabase { db -> String in
            let s = try await CasePlanTests.setting(world, db)
            try await s.store.addNote("Alleen voor de casus", sensitive: false, readers: [], to: s.file, access: .director, by: s.police)
            try await s.store.proposeDirector(s.file, access: .director, userID: world.users[.staffNorth]!, reason: "Woonbegeleiding neemt het over",
                                              by: s.police)
            let notice = try #require(try await Notification.query(on: db.db()).filter(\.$recipientID == world.users[.staffNorth]!)
                .filter(\.$kind == NotificationKind.caseDirectorRequested.rawValue).first())
            #expect(notice.reference == s.file.reference && notice.link == "/cases/\(s.file.reference)")
            return s.file.reference
        }
        try await buildApplication(world.config).test(.router) { client in
            let staff = Browser(client)
            try await staff.signIn(.staffNorth)
            let page = try await staff.get("/cases/\(reference)")
            #expect(page.status == .ok)
            #expect(page.text.contains("accept-form") && page.text.contains("Herhaalde incidenten") && page.text.contains("Woonbegeleiding neemt het over"))
            #expect(!page.text.contains("Alleen voor de casus"))
            let other = Browser(client)
            try await other.signIn(.ggd)
            #expect(try await other.post("/cases/\(reference)/director/accept", []).status == .notFound)
            #expect(try await staff.post("/cases/\(reference)/director/accept", []).status == .seeOther)
            let after = try await staff.get("/cases/\(reference)")
            #expect(after.status == .ok && after.text.contains("Alleen voor de casus"))
        }
    }

    /// The case list shows each case with the user's part in it; the district coordinator sees the
    /// district's cases (facts only); someone without a part sees none.
    @Test(arguments: TestDatabase.available)
    func theCaseListShowsEachCaseWithTheUsersPart(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let reference = try await world.withDatabase { try await CasePlanTests.setting(world, $0).file.reference }
        try await buildApplication(world.config).test(.router) { client in
            for (persona, part) in [(TestWorld.Persona.police, "regiehouder"), (.ggd, "lid"), (.coordinatorNorth, "stadsdeel (alleen kerngegevens)"), (.admin, "beheerder")] {
                let browser = Browser(client)
                try await browser.signIn(persona)
                let page = try await browser.get("/cases")
                #expect(page.status == .ok)
                #expect(page.text.contains(">\(reference)</a></td>") && page.text.contains("<td>\(part)</td>"), "\(persona)")
            }
            let staff = Browser(client)
            try await staff.signIn(.staffNorth)
            let none = try await staff.get("/cases")
            #expect(none.text.contains("no-cases") && !none.text.contains(reference))
        }
    }

    /// The director ends a member's part: from then on the member reaches the case no longer; a
    /// member cannot end anyone's; the API answers the member with `endedAt`.
    @Test(arguments: TestDatabase.available)
    func anEndedMemberReachesTheCaseNoLonger(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (reference, memberID) = try await world.withDatabase { db -> (String, UUID) in
            let s = try await CasePlanTests.setting(world, db)
            let member = try #require(try await s.store.members(of: s.file).first { $0.userID == s.ggd.userID })
            return (s.file.reference, member.id!)
        }
        let token = try await world.token(for: .police)
        try await buildApplication(world.config).test(.router) { client in
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            #expect(try await ggd.get("/cases/\(reference)").status == .ok)
            #expect(try await ggd.post("/cases/\(reference)/members/\(memberID.uuidString)/end", []).status == .notFound)
            let police = Browser(client)
            try await police.signIn(.police)
            #expect(try await police.post("/cases/\(reference)/members/\(memberID.uuidString)/end", []).status == .seeOther)
            #expect(try await police.get("/cases/\(reference)").text.contains("lidmaatschap beëindigd op"))
            #expect(try await ggd.get("/cases/\(reference)").status == .notFound)
            let list = try await ggd.get("/cases").text
            #expect(!list.contains(reference))
            let api = try await APIClient(client: client, token: token).post("/api/v1/cases/\(reference)/members/\(memberID.uuidString)/end", [:])
            #expect(api.status == .ok)
            let body = try api.object()
            #expect(body["endedAt"] is String)
        }
        try await world.withDatabase { db in
            let ended = try await CaseEvent.query(on: db.db()).filter(\.$kind == "member_ended").count()
            #expect(ended == 1)
        }
    }
}
