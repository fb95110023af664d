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

    /// The catalog as read through `CatalogStore`, for code that already holds a transaction.
    static func load(on db: any Database) async throws -> Catalog { try await CatalogStore.catalog(on: db) }

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
        try await CatalogStore.names(ids, on: db)
    }
}
