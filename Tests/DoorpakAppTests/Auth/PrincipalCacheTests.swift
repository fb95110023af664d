import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Signed-in principals are cached per instance (`PrincipalCache`) and must never outlive a change:
/// a changed role or district, a deactivated user, a new password take effect on the next request,
/// also when another instance (here: another connection pool on the same database) made the change.
@Suite struct PrincipalCacheTests {
    @Test func anEntryServesOnlyTheVersionItWasLoadedUnder() throws {
        let cache = PrincipalCache(capacity: 2)
        let principal = Principal(userID: UUID(), name: "A", email: "a@x", role: .coordinator, organisationID: nil,
                                  districtIDs: [UUID()], locationIDs: [], via: .session)
        cache.store(.init(principal: principal, credential: "c"), for: principal.userID, version: 5)
        #expect(cache.entry(principal.userID, version: 5)?.principal.districtIDs == principal.districtIDs)
        #expect(cache.entry(principal.userID, version: 6) == nil)
        // A load that read an older version than the cache holds is not kept.
        cache.store(.init(principal: principal, credential: "c"), for: principal.userID, version: 6)
        cache.store(.init(principal: principal, credential: "old"), for: principal.userID, version: 5)
        #expect(cache.entry(principal.userID, version: 6)?.credential == "c")
        #expect(cache.entry(principal.userID, version: 5) == nil)
        // Bounded: past its capacity it starts over.
        for _ in 0..<3 { cache.store(.init(principal: principal, credential: "c"), for: UUID(), version: 6) }
        #expect(cache.count <= 2)
        // The token face of a cached principal.
        #expect(principal.via(.token).via == .token)
        #expect(principal.via(.token).districtIDs == principal.districtIDs)
    }

    @Test(arguments: TestDatabase.available)
    func everyWriteToUsersOrTheirAssignmentsRaisesTheVersion(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let sql = db.sql()
            var last = try #require(try await PrincipalCache.version(on: sql))
            func raised() async throws -> Bool {
                let now = try #require(try await PrincipalCache.version(on: sql))
                defer { last = now }
                return now > last
            }
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            let users = UserStore(database: db, passwords: Passwords(cost: 4))
            var draft = UserDraft(name: "Coordinator North", role: "coordinator")
            draft.districts = [world.districtSouth.uuidString]
            try await users.update(world.users[.coordinatorNorth]!, draft, by: admin)
            #expect(try await raised())
            try await users.setActive(world.users[.analyst]!, false, by: admin)
            #expect(try await raised())
            // Not only through the store: a plain statement on an assignment table raises it too.
            try await sql.raw("DELETE FROM user_locations").run()
            #expect(try await raised())
            try await UserDistrict(userID: world.users[.ggd]!, districtID: world.districtNorth).create(on: db.db())
            #expect(try await raised())
            // Reading does not.
            _ = try await User.query(on: db.db()).all()
            #expect(try await !raised())
        }
    }

    @Test(arguments: TestDatabase.available)
    func aChangedRoleOrDistrictTakesEffectOnTheNextRequest(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let coordinator = world.users[.coordinatorNorth]!
        let token = try await world.token(for: .coordinatorNorth)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.coordinatorNorth)
            let api = APIClient(client: client, token: token)
            for _ in 0..<2 {  // the second request is served from the cache
                #expect(try await browser.get("/reports/\(world.reportNorth)").status == .ok)
                #expect(try await browser.get("/reports/\(world.reportSouth)").status == .notFound)
                #expect(try await api.get("/api/v1/me").object()["districtIds"] as? [String] == [world.districtNorth.api])
            }

            // An administrator (through another instance's stores) moves the coordinator to the south.
            try await world.withDatabase { db in
                let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
                var draft = UserDraft(name: "Coordinator North", role: "coordinator")
                draft.districts = [world.districtSouth.uuidString]
                try await UserStore(database: db, passwords: Passwords(cost: 4)).update(coordinator, draft, by: admin)
            }
            #expect(try await browser.get("/reports/\(world.reportNorth)").status == .notFound)
            #expect(try await browser.get("/reports/\(world.reportSouth)").status == .ok)
            #expect(try await api.get("/api/v1/me").object()["districtIds"] as? [String] == [world.districtSouth.api])

            // Then makes them an analyst: no reports at all.
            try await world.withDatabase { db in
                let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
                try await UserStore(database: db, passwords: Passwords(cost: 4))
                    .update(coordinator, UserDraft(name: "Coordinator North", role: "analyst"), by: admin)
            }
            #expect(try await browser.get("/reports/\(world.reportSouth)").status != .ok)
            #expect(try await api.get("/api/v1/me").object()["role"] as? String == "analyst")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDeactivatedUserOrANewPasswordEndsTheSessionOnTheNextRequest(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), ggd = Browser(client)
            try await police.signIn(.police)
            try await ggd.signIn(.ggd)
            for _ in 0..<2 {
                #expect(try await police.get("/reports").status == .ok)
                #expect(try await ggd.get("/reports").status == .ok)
            }
            try await world.withDatabase { db in
                let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
                try await UserStore(database: db, passwords: Passwords(cost: 4)).setActive(world.users[.police]!, false, by: admin)
                // The password changes underneath the GGD user's session (as a reset by the command line would).
                let ggdUser = try #require(try await User.find(world.users[.ggd]!, on: db.db()))
                ggdUser.passwordHash = try await Passwords(cost: 4).hash("another horse battery")
                try await ggdUser.update(on: db.db())
            }
            for browser in [police, ggd] {
                let refused = try await browser.get("/reports")
                #expect(refused.status == .seeOther || refused.status == .found)
                #expect(refused.headers[.location]?.hasPrefix("/login") == true)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theCachedCatalogShowsAnEditFromAnotherInstanceOnTheNextRead(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let store = CatalogStore(database: db)
            for _ in 0..<2 { #expect(try await store.catalog().district(world.districtNorth)?.name == "Noord") }
            try await world.withDatabase { other in
                let district = try #require(try await District.find(world.districtNorth, on: other.db()))
                district.name = "Noord-West"
                try await district.update(on: other.db())
                try await Place(locationID: world.locationNorth, name: "Blok B", kind: .building, position: 2).create(on: other.db())
            }
            let catalog = try await store.catalog()
            #expect(catalog.district(world.districtNorth)?.name == "Noord-West")
            #expect(catalog.places(of: world.locationNorth).map(\.name) == ["Blok A", "Blok B"])
        }
    }
}
