import FluentKit
import Foundation

/// A district of the city ("stadsdeel").
final class District: Model, @unchecked Sendable {
    static let schema = "districts"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String

    init() {}
    init(id: UUID? = nil, name: String) { self.id = id; self.name = name }
}

/// A temporary new-build housing site where young status holders and young Dutch people live together.
final class Location: Model, @unchecked Sendable {
    static let schema = "locations"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "district_id") var districtID: UUID
    @OptionalField(key: "corporation_id") var corporationID: UUID?
    @Field(key: "units") var units: Int
    @OptionalField(key: "opened_on") var openedOn: Date?
    @OptionalField(key: "planned_closing_on") var plannedClosingOn: Date?
    @Field(key: "active") var active: Bool

    init() {}
    init(id: UUID? = nil, name: String, districtID: UUID, corporationID: UUID?, units: Int,
         openedOn: Date?, plannedClosingOn: Date?, active: Bool = true) {
        self.id = id
        self.name = name
        self.districtID = districtID
        self.corporationID = corporationID
        self.units = units
        self.openedOn = openedOn
        self.plannedClosingOn = plannedClosingOn
        self.active = active
    }
}

/// A place on a site where something can happen: a building, a floor, an entrance, a shared space.
final class Place: Model, @unchecked Sendable {
    static let schema = "places"
    @ID(key: .id) var id: UUID?
    @Field(key: "location_id") var locationID: UUID
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "position") var position: Int

    init() {}
    init(id: UUID? = nil, locationID: UUID, name: String, kind: PlaceKind, position: Int) {
        self.id = id
        self.locationID = locationID
        self.name = name
        self.kind = kind.rawValue
        self.position = position
    }
}

enum PlaceKind: String, Codable, CaseIterable, Sendable {
    case building, floor, entrance, sharedSpace = "shared_space", outdoor, other
}

struct CreateDistrictsAndLocations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(District.schema)
            .id()
            .field("name", .string, .required)
            .unique(on: "name")
            .create()
        try await database.schema(Location.schema)
            .id()
            .field("name", .string, .required)
            .field("district_id", .uuid, .required, .references(District.schema, "id"))
            .field("corporation_id", .uuid, .references(Organisation.schema, "id"))
            .field("units", .int, .required)
            .field("opened_on", .date)
            .field("planned_closing_on", .date)
            .field("active", .bool, .required)
            .unique(on: "name")
            .create()
        try await database.schema(Place.schema)
            .id()
            .field("location_id", .uuid, .required, .references(Location.schema, "id"))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("position", .int, .required)
            .unique(on: "location_id", "name")
            .create()
    }
    func revert(on database: any Database) async throws {
        try await database.schema(Place.schema).delete()
        try await database.schema(Location.schema).delete()
        try await database.schema(District.schema).delete()
    }
}
