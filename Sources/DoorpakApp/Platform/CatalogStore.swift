import FluentKit
import Foundation

/// The door to the reference data every screen reads to show names instead of ids: the catalog
/// (districts, locations, places, categories, organisations) and staff names.
///
/// The catalog is cached per instance and used while the `catalog` version in `cache_versions`
/// stands: one primary-key read per page instead of five table reads. Triggers raise the version
/// in the same transaction as any write to those tables (`CreateCacheVersions`), so an edit made on
/// any instance shows on the next page everywhere. Code inside a transaction reads the tables
/// itself (`Catalog.load(on:)`) and sees its own writes.
struct CatalogStore: Sendable {
    private let database: AppDatabase
    private let userNames = VersionedCache<UUID, String>(watching: "principals")

    init(database: AppDatabase) { self.database = database }

    /// The catalog, shared between requests: its models are read, never changed (a change goes
    /// through the owning feature's store, on rows it reads itself).
    func catalog() async throws -> Catalog {
        let db = database.db()
        // The version is read before the tables, so that a write in between leaves the result under the older version.
        return try await database.caches.catalog.value(0, on: db.sql) { try await Self.catalog(on: db) }
    }

    /// Staff names by id; names read once are kept while the `principals` version stands.
    func names(_ ids: some Sequence<UUID?>) async throws -> [UUID: String] {
        let unique = Set(ids.compactMap { $0 })
        guard !unique.isEmpty else { return [:] }
        let db = database.db()
        guard let version = try await userNames.version(on: db.sql) else { return try await Self.names(unique.map(Optional.some), on: db) }
        var found: [UUID: String] = [:]
        var missing: [UUID] = []
        for id in unique {
            if let name = userNames.value(id, version: version) { found[id] = name } else { missing.append(id) }
        }
        if missing.isEmpty { return found }
        for (id, name) in try await Self.names(missing.map(Optional.some), on: db) {
            userNames.store(name, for: id, version: version)
            found[id] = name
        }
        return found
    }

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
