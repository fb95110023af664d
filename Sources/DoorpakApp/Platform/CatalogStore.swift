import FluentKit
import Foundation

/// The door to the reference data every screen reads to show names instead of ids: the catalog
/// (districts, locations, places, categories, organisations) and staff names.
struct CatalogStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) { self.database = database }

    func catalog() async throws -> Catalog { try await Self.catalog(on: database.db()) }

    func names(_ ids: some Sequence<UUID?>) async throws -> [UUID: String] { try await Self.names(ids, on: database.db()) }

    /// Everyone who can own work, grouped by organisation, for the "person" selects.
    func people() async throws -> [(organisation: UUID, id: UUID, name: String)] {
        try await User.query(on: database.db()).filter(\.$active == true).filter(\.$organisationID != nil)
            .filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue)).sort(\.$name).all()
            .compactMap { user in user.organisationID.map { ($0, user.id!, user.name) } }
    }

    static func catalog(on db: any Database) async throws -> Catalog {
        async let districts = District.query(on: db).sort(\.$name).all()
        async let locations = Location.query(on: db).sort(\.$name).all()
        async let places = Place.query(on: db).sort(\.$position).all()
        async let categories = Category.query(on: db).sort(\.$position).all()
        async let organisations = Organisation.query(on: db).sort(\.$name).all()
        return try await Catalog(districts: districts, locations: locations, places: places,
                                 categories: categories, organisations: organisations)
    }

    static func names(_ ids: some Sequence<UUID?>, on db: any Database) async throws -> [UUID: String] {
        let unique = Array(Set(ids.compactMap { $0 }))
        guard !unique.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ unique).all()
        return Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, user.name) } })
    }
}
