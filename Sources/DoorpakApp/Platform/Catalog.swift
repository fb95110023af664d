import FluentKit
import Foundation

/// The configuration data every screen needs to show names instead of ids: districts, locations,
/// places, categories and organisations. Small tables, none of it personal; loaded per request.
struct Catalog: Sendable {
    let districts: [District]
    let locations: [Location]
    let places: [Place]
    let categories: [Category]
    let organisations: [Organisation]

    static func load(on db: any Database) async throws -> Catalog {
        async let districts = District.query(on: db).sort(\.$name).all()
        async let locations = Location.query(on: db).sort(\.$name).all()
        async let places = Place.query(on: db).sort(\.$position).all()
        async let categories = Category.query(on: db).sort(\.$position).all()
        async let organisations = Organisation.query(on: db).sort(\.$name).all()
        return try await Catalog(districts: districts, locations: locations, places: places,
                                 categories: categories, organisations: organisations)
    }

    func district(_ id: UUID?) -> District? { districts.first { $0.id == id } }
    func location(_ id: UUID?) -> Location? { locations.first { $0.id == id } }
    func place(_ id: UUID?) -> Place? { places.first { $0.id == id } }
    func category(_ id: UUID?) -> Category? { categories.first { $0.id == id } }
    func organisation(_ id: UUID?) -> Organisation? { organisations.first { $0.id == id } }
    func places(of locationID: UUID?) -> [Place] { places.filter { $0.locationID == locationID } }
}

/// Staff names by id, for owners, reporters and note authors.
enum UserNames {
    static func load(_ ids: some Sequence<UUID?>, on db: any Database) async throws -> [UUID: String] {
        let unique = Array(Set(ids.compactMap { $0 }))
        guard !unique.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ unique).all()
        return Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user.name) } })
    }
}
