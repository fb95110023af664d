import FluentKit
import Foundation

/// What the report generator needs to know about an installation: sites with their places and
/// staff, categories, organisations and who works where. Loaded from the database, so the seeder
/// and the benchmark generate against exactly the rows that are there.
struct DemoWorld: Sendable {
    struct Site: Sendable {
        let location: Location
        let places: [Place]
        let placePhrases: [String]
        /// Location staff assigned to the site, and their organisations.
        let staff: [UUID]
        /// Coordinators whose districts include the site.
        let coordinators: [UUID]
        /// How restless the site is (1 = average) and its bad spells, from `DemoData` when known.
        let climate: Double
        let badMonthsAgo: [Int]
    }

    let catalog: Catalog
    let sites: [Site]
    /// Active categories in their display order.
    let categories: [Category]
    /// Organisation of each user.
    let organisationOf: [UUID: UUID]
    /// Users with the partner role, per organisation.
    let partnersByOrganisation: [UUID: [UUID]]
    /// Users who may own a report (anyone but analysts), per organisation.
    let ownersByOrganisation: [UUID: [UUID]]
    /// A last-resort reporter: an administrator, else any user.
    let fallbackReporter: UUID

    static func load(on db: any Database) async throws -> DemoWorld {
        let catalog = try await Catalog.load(on: db)
        let users = try await User.query(on: db).filter(\.$active == true).sort(\.$email).all()
        let userLocations = try await UserLocation.query(on: db).all()
        let userDistricts = try await UserDistrict.query(on: db).all()
        guard let fallback = (users.first { $0.userRole == .administrator } ?? users.first)?.id else {
            throw AppError.conflict("The demo generator needs at least one user.")
        }
        let byID = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user) } })
        var organisationOf: [UUID: UUID] = [:]
        var partners: [UUID: [UUID]] = [:]
        var owners: [UUID: [UUID]] = [:]
        for user in users {
            guard let id = user.id, let organisation = user.organisationID else { continue }
            organisationOf[id] = organisation
            if user.userRole == .partner { partners[organisation, default: []].append(id) }
            if user.userRole != .analyst { owners[organisation, default: []].append(id) }
        }
        let sites = catalog.locations.filter(\.active).map { location -> Site in
            let id = location.id!
            let places = catalog.places(of: id)
            let staff = userLocations
                .filter { $0.locationID == id && byID[$0.userID]?.userRole == .locationStaff }
                .map(\.userID).sorted { $0.uuidString < $1.uuidString }
            let coordinators = userDistricts
                .filter { $0.districtID == location.districtID && byID[$0.userID]?.userRole == .coordinator }
                .map(\.userID).sorted { $0.uuidString < $1.uuidString }
            let spec = DemoData.location(named: location.name)
            return Site(location: location, places: places, placePhrases: places.map { DemoData.phrase(forPlace: $0.name) },
                        staff: staff, coordinators: coordinators, climate: spec?.climate ?? 1,
                        badMonthsAgo: spec?.badMonthsAgo ?? [])
        }
        guard !sites.isEmpty else { throw AppError.conflict("The demo generator needs at least one active location.") }
        let categories = catalog.categories.filter(\.active)
        guard !categories.isEmpty else { throw AppError.conflict("The demo generator needs at least one category.") }
        return DemoWorld(catalog: catalog, sites: sites, categories: categories, organisationOf: organisationOf,
                         partnersByOrganisation: partners, ownersByOrganisation: owners, fallbackReporter: fallback)
    }
}
