import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct CoolingOffTests {
    // MARK: Rules

    @Test func stepsFollowTheTable() {
        #expect(PlacementStep.approve.next(from: .requested) == .approved)
        #expect(PlacementStep.start.next(from: .requested) == nil)
        #expect(PlacementStep.extend.next(from: .active) == .active)
        #expect(PlacementStep.end.next(from: .approved) == nil)
        #expect(PlacementStep.end.next(from: .active) == .ended)
        #expect(PlacementStep.cancel.next(from: .active) == nil)
        // Every state that is open has a way out.
        for status in PlacementStatus.allCases where status.isOpen {
            #expect(PlacementStep.allCases.contains { $0.next(from: status).map { !$0.isOpen } ?? false }, "\(status) has no exit")
        }
    }

    static func placement(_ status: PlacementStatus, dwelling: UUID, from: String, through: String, started: String? = nil) -> CoolingOffPlacement {
        let placement = CoolingOffPlacement()
        placement.status = status.rawValue
        placement.dwellingID = dwelling
        placement.proposedStart = PlacementDays.parse(from)!
        placement.proposedEnd = PlacementDays.parse(through)!
        placement.plannedEnd = PlacementDays.parse(through)!
        placement.startedOn = started.flatMap(PlacementDays.parse)
        return placement
    }

    @Test func availabilityCountsApprovedAndActiveStaysAndOverdueOnesUntilToday() {
        let dwelling = UUID()
        let today = PlacementDays.parse("2026-12-10")!
        let stays = [
            Self.placement(.approved, dwelling: dwelling, from: "2026-12-12", through: "2026-12-20"),
            Self.placement(.active, dwelling: dwelling, from: "2026-12-01", through: "2026-12-05", started: "2026-12-02"),
            Self.placement(.requested, dwelling: dwelling, from: "2026-12-01", through: "2026-12-31"),
            Self.placement(.ended, dwelling: dwelling, from: "2026-11-01", through: "2026-12-31"),
        ].compactMap { Availability.stay(of: $0, today: today) }
        let availability = Availability(stays: stays)
        #expect(availability.taken(dwelling, on: PlacementDays.parse("2026-12-01")!) == 0)
        #expect(availability.taken(dwelling, on: PlacementDays.parse("2026-12-02")!) == 1)
        // The overdue stay still occupies today, not tomorrow.
        #expect(availability.taken(dwelling, on: today) == 1)
        #expect(availability.taken(dwelling, on: PlacementDays.parse("2026-12-11")!) == 0)
        #expect(availability.taken(dwelling, on: PlacementDays.parse("2026-12-20")!) == 1)
        #expect(!availability.fits(dwelling, capacity: 1, from: PlacementDays.parse("2026-12-18")!, through: PlacementDays.parse("2026-12-25")!))
        #expect(availability.fits(dwelling, capacity: 2, from: PlacementDays.parse("2026-12-18")!, through: PlacementDays.parse("2026-12-25")!))
        #expect(availability.fits(dwelling, capacity: 1, from: PlacementDays.parse("2026-12-21")!, through: PlacementDays.parse("2026-12-25")!))
        let overdue = Self.placement(.active, dwelling: dwelling, from: "2026-12-01", through: "2026-12-05", started: "2026-12-02")
        #expect(PlacementWarning.isOverdue(overdue, today: today))
        #expect(!PlacementWarning.isOverdue(overdue, today: PlacementDays.parse("2026-12-05")!))
    }

    // MARK: Routes

    /// A dwelling registered, a request from a person's page, approval by the coordinator with a
    /// capacity check, start, extension with a reason, the overdue warning, and the end with an
    /// outcome; the occupancy view shows the name to those who may see the person and the
    /// pseudonym to the coordinator who may not.
    @Test(arguments: TestDatabase.available)
    func placementFromRequestToEnd(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client), police = Browser(client), coordinator = Browser(client), ggd = Browser(client), analyst = Browser(client)
            try await admin.signIn(.admin)
            try await police.signIn(.police)
            try await coordinator.signIn(.coordinatorNorth)
            try await ggd.signIn(.ggd)
            try await analyst.signIn(.analyst)
            #expect(try await police.get("/cooling-off/dwellings/new").status == .notFound)
            #expect(try await analyst.get("/cooling-off").status == .notFound)
            let bad = try await admin.post("/cooling-off/dwellings", [("name", ""), ("address_label", "Ergens 1"), ("capacity", "0")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains(#"id="name-error""#) && bad.text.contains(#"id="capacity-error""#) && bad.text.contains(#"value="Ergens 1""#))
            #expect(try await admin.post("/cooling-off/dwellings", [("name", "Woning Linde"), ("address_label", "Lindelaan 4"),
                                                                    ("capacity", "1"), ("active", "1")]).status == .seeOther)
            let dwelling = try await world.withDatabase { try await CoolingOffDwelling.query(on: $0.db()).first()!.id! }

            // The police links a person (in the GGD's and the coordinator-south's blind spot) and asks for a placement.
            let linked = try await police.post("/reports/\(world.reportSouth)/persons", [("role", "causing_concern"), ("name", "Fictief Afkoel")])
            #expect(linked.status == .notFound)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", [("role", "causing_concern"), ("name", "Fictief Afkoel")])
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            let path = "/persons/\(pseudonym)/placements"
            #expect(try await ggd.get(path + "/new").status == .notFound)
            #expect(try await police.get(path + "/new").status == .ok)
            let incomplete = try await police.post(path, [("reason", ""), ("from", "2026-12-10"), ("through", "2026-12-01")])
            #expect(incomplete.status == .unprocessableContent)
            #expect(incomplete.text.contains(#"id="reason-error""#) && incomplete.text.contains(#"id="through-error""#)
                    && incomplete.text.contains(#"id="guidance_organisation-error""#))
            let today = Date.now
            let from = Formats.isoDay(today), through = Formats.isoDay(PlacementDays.adding(7, to: today))
            let requested = try await police.post(path, [("reason", "Escalatie na bedreiging buren"), ("from", from), ("through", through),
                                                         ("guidance_organisation", world.ggd.uuidString)])
            #expect(requested.status == .seeOther)
            let placementPath = try #require(requested.headers[.location])

            // The GGD, which cannot see the person, does not see the placement either.
            #expect(try await ggd.get(placementPath).status == .notFound)
            // The police (requester) cannot approve: that step does not exist for them.
            #expect(try await police.post(placementPath + "/approve", [("dwelling", dwelling.uuidString)]).status == .notFound)
            // An administrator's overview shows the pseudonym, not the name (no need to know by role);
            // the request awaits a decision.
            let overview = try await admin.get("/cooling-off")
            #expect(!overview.text.contains("Fictief Afkoel"))
            #expect(overview.text.contains(#"id="requests""#))
            #expect(try await admin.post(placementPath + "/approve", [("dwelling", dwelling.uuidString)]).status == .seeOther)

            // A second request for the same days does not fit the one-place dwelling.
            let second = try await police.post(path, [("reason", "Tweede aanvraag"), ("from", from), ("through", through),
                                                      ("guidance_organisation", world.ggd.uuidString)])
            let full = try await admin.post(try #require(second.headers[.location]) + "/approve", [("dwelling", dwelling.uuidString)])
            #expect(full.status == .unprocessableContent)
            #expect(full.text.contains(#"id="approve-dwelling-error""#))

            #expect(try await police.post(placementPath + "/start", [("day", from)]).status == .seeOther)
            #expect(try await police.post(placementPath + "/end", [("day", from)]).status == .unprocessableContent)
            let noReason = try await police.post(placementPath + "/extend", [("day", Formats.isoDay(PlacementDays.adding(10, to: today)))])
            #expect(noReason.text.contains(#"id="extend-reason-error""#))
            #expect(try await police.post(placementPath + "/extend", [("day", Formats.isoDay(PlacementDays.adding(10, to: today))),
                                                                     ("reason", "Terugkeer nog niet veilig")]).status == .seeOther)
            let calendar = try await police.get("/cooling-off")
            #expect(calendar.text.contains(#"id="availability""#))
            #expect(calendar.text.contains("vol"))
            #expect(calendar.text.contains("Fictief Afkoel"))
            // The stay passes its planned end: the warning shows.
            try await world.withDatabase { db in
                let placement = try await CoolingOffPlacement.query(on: db.db()).filter(\.$status == "active").first()!
                placement.plannedEnd = PlacementDays.adding(-1, to: today)
                try await placement.update(on: db.db())
            }
            #expect(try await police.get(placementPath).text.contains(#"id="overdue-warning""#))
            #expect(try await police.get("/cooling-off").text.contains(#"id="overdue-warning""#))
            #expect(try await police.post(placementPath + "/end", [("day", from), ("outcome", "returned_to_location")]).status == .seeOther)
            let ended = try await police.get(placementPath)
            #expect(ended.text.contains("terug naar de locatie"))
            #expect(!ended.text.contains(#"id="overdue-warning""#))
            // The request's reason shows once (history entries without a reason do not borrow it).
            #expect(ended.text.components(separatedBy: "Escalatie na bedreiging buren").count == 3)
            #expect(try await police.post(placementPath + "/extend", [("day", "2031-01-01"), ("reason", "x")]).status == .conflict)
            // Once the person is out of the police's sight, the requester still follows the placement, by pseudonym only.
            #expect(try await police.post("/reports/\(world.reportNorth)/persons/\(pseudonym)/unlink", []).status == .seeOther)
            let anonymous = try await police.get(placementPath)
            #expect(anonymous.status == .ok)
            #expect(anonymous.text.contains(pseudonym))
            #expect(!anonymous.text.contains("Fictief Afkoel"))
            try await world.withDatabase { db in
                let kinds = try await CoolingOffEvent.query(on: db.db()).sort(\.$at).all().map(\.kind)
                #expect(kinds.filter { $0 != "request" } == ["approve", "start", "extend", "end"])
            }
        }
    }
}
