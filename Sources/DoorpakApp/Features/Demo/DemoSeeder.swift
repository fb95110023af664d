import FluentKit
import Foundation
import SQLKit

/// Fills an empty database with realistic synthetic demo data: the invented city of `DemoData`
/// (districts, sites and their places, partner organisations, staff accounts) and about two years
/// of reports up to now, with history and notes. Deterministic: the same seeds give the same data
/// (relative to the moment of seeding). Prints nothing.
struct DemoSeeder: Sendable {
    let database: AppDatabase
    let passwords: Passwords
    /// Field encryption for the demo persons; without it no persons are seeded.
    var cipher: FieldCipher? = nil

    /// The password of every demo account.
    static let password = DemoData.password

    /// The seed of the base data's ids and of the demo reports.
    static let baseSeed: UInt64 = 0xD00B_9A4B_2026
    static let reportSeed: UInt64 = 0x5EED_0F_2026

    /// Seeds only when there are no users yet; returns whether it seeded.
    @discardableResult
    func seedIfEmpty() async throws -> Bool {
        let db = database.db()
        guard try await User.query(on: db).count() == 0 else { return false }
        let now = Date.now.wholeSeconds
        try await seedBase()
        try await seedReports(count: DemoData.reportCount, now: now)
        try await RoutingStore(database: database).seedDefaults(now: now)
        try await FollowThroughDemo(database: database).seed(now: now)
        if let cipher { try await PersonDemo(database: database, cipher: cipher).seed(now: now) }
        if let cipher { try await CaseDemo(database: database, cipher: cipher).seed(now: now) }
        if let cipher { try await CaseMeetingDemo(database: database, cipher: cipher).seed(now: now) }
        // A team within the GGD, for the team administration (no rule sends it reports yet).
        if let ggd = try await Organisation.query(on: database.db()).filter(\.$kind == OrganisationKind.publicHealth.rawValue).first() {
            try await Team(organisationID: ggd.id!, name: "Wijkteam Noord", createdAt: now.wholeSeconds).create(on: database.db())
        }
        // Seeding notified people in the app (escalations, case members, meetings, queues); the seeded
        // past is not news to e-mail anyone about.
        try await OutboxMessage.query(on: database.db()).delete()
        return true
    }

    /// Districts, organisations, locations with places, and the demo accounts, in one transaction.
    /// The password is hashed once and shared by every demo account, so seeding stays quick.
    func seedBase() async throws {
        let hash = try await passwords.hash(DemoData.password)
        var random = DemoRandom(seed: Self.baseSeed)
        let calendar = Formats.calendar

        let districts = DemoData.districts.map { District(id: random.uuid(), name: $0) }
        let districtID = Dictionary(uniqueKeysWithValues: districts.map { ($0.name, $0.id!) })

        let organisations = DemoData.organisations.map { Organisation(id: random.uuid(), name: $0.name, kind: $0.kind) }
        let organisationID = Dictionary(uniqueKeysWithValues: zip(DemoData.organisations.map(\.key), organisations.map { $0.id! }))

        var places: [Place] = []
        let locations = DemoData.locations.map { spec -> Location in
            // Noon, as the admin pages store days: a `date` column keeps the same day in every time zone.
            let opened = calendar.date(from: DateComponents(year: spec.opened.year, month: spec.opened.month, day: 1, hour: 12))
            let closing = opened.flatMap { calendar.date(byAdding: .year, value: 10, to: $0) }
            let location = Location(id: random.uuid(), name: spec.name, districtID: districtID[spec.district]!,
                                    corporationID: organisationID[spec.corporation], units: spec.units,
                                    openedOn: opened, plannedClosingOn: closing)
            for (position, place) in DemoData.places(units: spec.units).enumerated() {
                places.append(Place(id: random.uuid(), locationID: location.id!, name: place.name, kind: place.kind,
                                    position: position + 1))
            }
            return location
        }
        let locationID = Dictionary(uniqueKeysWithValues: locations.map { ($0.name, $0.id!) })

        var userDistricts: [UserDistrict] = []
        var userLocations: [UserLocation] = []
        let users = DemoData.users.map { spec -> User in
            let user = User(id: random.uuid(), email: spec.email, name: spec.name, passwordHash: hash, role: spec.role,
                            organisationID: organisationID[spec.organisation])
            for district in spec.districts {
                let link = UserDistrict(userID: user.id!, districtID: districtID[district]!)
                link.id = random.uuid()
                userDistricts.append(link)
            }
            for location in spec.locations {
                let link = UserLocation(userID: user.id!, locationID: locationID[location]!)
                link.id = random.uuid()
                userLocations.append(link)
            }
            return user
        }

        let allPlaces = places, districtLinks = userDistricts, locationLinks = userLocations
        try await database.db().transaction { tx in
            try await districts.create(on: tx)
            try await organisations.create(on: tx)
            try await locations.create(on: tx)
            try await allPlaces.create(on: tx)
            try await users.create(on: tx)
            try await districtLinks.create(on: tx)
            try await locationLinks.create(on: tx)
        }
    }

    /// About two years of reports up to `now`, with their history and notes, continuing the
    /// reference counters; one transaction.
    func seedReports(count: Int, now: Date) async throws {
        let db = database.db()
        let world = try await DemoWorld.load(on: db)
        let counters = try await DemoBulk.counters(on: db)
        let generator = DemoReportGenerator(world: world, now: now, days: DemoData.historyDays)
        let plans = generator.plan(count: count, seed: Self.reportSeed, continuing: counters)
        let batch = generator.materialise(plans, history: true)
        let last = DemoReportGenerator.counters(after: plans, continuing: counters)
        try await db.transaction { tx in
            let sql = tx.sql
            try await DemoBulk.insert(batch.reports, on: sql)
            try await DemoBulk.insert(batch.events, on: sql)
            try await DemoBulk.insert(batch.notes, on: sql)
            try await DemoBulk.setCounters(last, on: sql)
        }
    }
}
