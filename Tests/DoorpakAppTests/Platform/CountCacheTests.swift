import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// The navigation counts, the worklist's status counts and a lead's team are cached per instance
/// under the `counts` version (`AddCountCacheVersion`). A cached number must never outlive a
/// change: a write through another instance (here: another connection pool on the same database),
/// even a plain SQL statement, shows in the next count.
@Suite struct CountCacheTests {
    @Test func aValueServesOnlyTheVersionItWasComputedUnder() async throws {
        let cache = VersionedCache<String, Int>(watching: "counts", capacity: 2)
        var computed = 0
        #expect(try await cache.value("a", version: 3) { computed += 1; return 7 } == 7)
        #expect(try await cache.value("a", version: 3) { computed += 1; return 8 } == 7)
        #expect(computed == 1)
        #expect(try await cache.value("a", version: 4) { computed += 1; return 9 } == 9)
        // Computed under an older version than the cache holds: returned, not kept.
        #expect(try await cache.value("b", version: 3) { 1 } == 1)
        #expect(cache.value("b", version: 3) == nil)
        // Without a version row nothing is kept.
        #expect(try await cache.value("c", version: nil) { 2 } == 2)
        #expect(cache.value("c", version: 4) == nil)
        for key in ["d", "e", "f"] { cache.store(0, for: key, version: 4) }
        #expect(cache.count <= 2)
    }

    @Test(arguments: TestDatabase.available)
    func cachedCountsFollowWritesFromAnyInstance(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { one in
            try await world.withDatabase { other in
                let coordinator = try #require(try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: one.db()))
                let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: other.db()))
                let reports = ReportStore(database: one), work = WorkStore(database: one), notifications = NotificationStore(database: one)

                // Status counts: the second read is served from the cache, and a report registered
                // through the other instance shows in the next one.
                let new = try await reports.statusCounts(ReportFilter(), by: coordinator)[.new] ?? 0
                #expect(try await reports.statusCounts(ReportFilter(), by: coordinator)[.new] == new)
                let created = try await ReportStore(database: other).create(
                    TestWorld.draft(category: world.categoryViolence, location: world.locationNorth, text: "Ruzie in het trappenhuis"), by: admin)
                #expect(try await reports.statusCounts(ReportFilter(), by: coordinator)[.new] == new + 1)
                // A filter of its own is counted (and kept) apart.
                var south = ReportFilter()
                south.districtID = world.districtSouth
                #expect(try await reports.statusCounts(south, by: coordinator)[.new] == 0)

                // The navigation count: a plain statement through the other instance makes the
                // coordinator the owner of the new report.
                let mine = try await work.count(for: coordinator)
                #expect(try await work.count(for: coordinator) == mine)
                try await other.sql().raw("UPDATE reports SET owner_id = \(bind: coordinator.userID) WHERE id = \(bind: created.id!)").run()
                #expect(try await work.count(for: coordinator) == mine + 1)

                // Unread notifications.
                let unread = try await notifications.unreadCount(of: coordinator.userID)
                #expect(try await notifications.unreadCount(of: coordinator.userID) == unread)
                try await Notification(Notice(recipient: coordinator.userID, kind: .assigned, reference: created.reference,
                                              link: "/reports/\(created.reference)"), at: .now).create(on: other.db())
                #expect(try await notifications.unreadCount(of: coordinator.userID) == unread + 1)

                // A lead's team: naming the coordinator someone's team lead gives them the team view.
                #expect(try await work.views(for: coordinator).contains(.team) == false)
                try await other.sql().raw("UPDATE users SET team_lead_id = \(bind: coordinator.userID) WHERE id = \(bind: world.users[.staffNorth]!)").run()
                #expect(try await work.views(for: coordinator).contains(.team))
            }
        }
    }
}
