import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Mijn werk: each user sees what waits for them (owned reports, hand-overs to answer, actions),
/// the team lead their team's, the coordinator their districts'; in the page and the API alike.
@Suite struct WorkTests {
    @Test(arguments: TestDatabase.available)
    func inboxesPerUserTeamAndDistrict(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let db = database.db()
            let load = { (persona: TestWorld.Persona) in try await Principal.load(userID: world.users[persona]!, via: .session, on: db)! }
            let (admin, police, ggd, staff, coordinator) = try await (load(.admin), load(.police), load(.ggd), load(.staffNorth), load(.coordinatorNorth))
            let reports = ReportStore(database: database)
            let north = try await reports.find(reference: world.reportNorth, by: admin)
            try await reports.pickUp(north, by: police)
            _ = try await HandoverStore(database: database).request(.init(organisation: world.ggd.uuidString, reason: "Zorg nodig"),
                                                                     for: north, by: police)
            _ = try await ActionStore(database: database).add(
                ActionDraft(title: "Bewoner bellen", organisation: world.corporation.uuidString, assignee: world.users[.staffNorth]!.uuidString,
                            dueOn: Formats.isoDay(.now)), to: ActionSubject(north), by: police)
            try await User.query(on: db).filter(\.$id == world.users[.staffNorth]!).set(\.$teamLeadID, to: world.users[.coordinatorNorth]!).update()

            let work = WorkStore(database: database)
            let mine = try await work.inbox(.mine, by: police)
            #expect(mine.reports.map(\.reference) == [world.reportNorth], "the police own the report they picked up")
            #expect(mine.handovers.isEmpty && mine.actions.isEmpty)
            let ggdInbox = try await work.inbox(.mine, by: ggd)
            #expect(ggdInbox.handovers.map(\.subjectReference) == [world.reportNorth], "the GGD is asked to answer")
            let staffInbox = try await work.inbox(.mine, by: staff)
            #expect(staffInbox.actions.map(\.title) == ["Bewoner bellen"])
            #expect(try await work.count(for: staff) == 1)
            #expect(try await work.views(for: staff) == [.mine])
            #expect(try await work.views(for: coordinator) == [.mine, .team, .district])
            let team = try await work.inbox(.team, by: coordinator)
            #expect(team.actions.map(\.title) == ["Bewoner bellen"], "the team lead sees the team's actions")
            let district = try await work.inbox(.district, by: coordinator)
            #expect(district.handovers.count == 1 && district.actions.count == 1)
            await #expect(throws: AppError.self) { try await work.inbox(.district, by: police) }
            await #expect(throws: AppError.self) { try await work.inbox(.team, by: staff) }
        }
        try await world.withAPI(as: .ggd) { api in
            let response = try await api.request(.get, "/api/v1/work")
            #expect(response.status == .ok)
            try OpenAPI.check(response, "GET", "/work")
            let handovers = try response.object()["handovers"] as? [[String: Any]]
            #expect(handovers?.first?["reference"] as? String == world.reportNorth)
            let refused = try await api.request(.get, "/api/v1/work?view=district")
            #expect(refused.status == .notFound)
            let unknown = try await api.request(.get, "/api/v1/work?view=everything")
            #expect(unknown.status == .unprocessableContent)
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.staffNorth)
            let page = try await browser.get("/work")
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("Bewoner bellen"))
            #expect(try await browser.get("/work/team").status == .notFound)
        }
    }
}
