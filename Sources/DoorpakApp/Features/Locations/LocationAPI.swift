import Foundation
import Hummingbird

/// Read-only API over the catalog: districts, locations with their places, categories and
/// organisations. None of it is personal; any signed-in user may read it, as on the web.
struct LocationAPI {
    let catalog: CatalogStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/districts", use: districts)
        api.get("/locations", use: locations)
        api.get("/locations/:id", use: location)
        api.get("/categories", use: categories)
        api.get("/organisations", use: organisations)
    }

    private func catalog(_ context: AppRequestContext) async throws -> Catalog {
        _ = try context.principal()
        return try await catalog.catalog()
    }

    func districts(_ request: Request, context: AppRequestContext) async throws -> Response {
        try APIBody.response(ItemsDTO(items: try await catalog(context).districts.map(DistrictDTO.init)))
    }

    func locations(_ request: Request, context: AppRequestContext) async throws -> Response {
        try APIBody.response(ItemsDTO(items: try await catalog(context).locations.map(LocationDTO.init)))
    }

    func location(_ request: Request, context: AppRequestContext) async throws -> Response {
        let catalog = try await catalog(context)
        guard let id = UUID(uuidString: try context.parameters.require("id")), let location = catalog.location(id) else {
            throw AppError.notFound
        }
        return try APIBody.response(LocationDetailDTO(location, places: catalog.places(of: id)))
    }

    func categories(_ request: Request, context: AppRequestContext) async throws -> Response {
        try APIBody.response(ItemsDTO(items: try await catalog(context).categories.map(CategoryDTO.init)))
    }

    func organisations(_ request: Request, context: AppRequestContext) async throws -> Response {
        try APIBody.response(ItemsDTO(items: try await catalog(context).organisations.map(OrganisationDTO.init)))
    }
}

/// Every list the API returns is an object with `items`, so that it can grow (paging) without breaking clients.
struct ItemsDTO<Item: Encodable>: Encodable {
    let items: [Item]
}

struct DistrictDTO: Encodable {
    var id: String
    var name: String
    init(_ district: District) { id = district.id!.api; name = district.name }
}

struct LocationDTO: Encodable {
    var id: String
    var name: String
    var districtId: String
    @Nullable var corporationId: String?
    var units: Int
    @Nullable var openedOn: String?
    @Nullable var plannedClosingOn: String?
    var active: Bool

    init(_ location: Location) {
        id = location.id!.api
        name = location.name
        districtId = location.districtID.api
        corporationId = location.corporationID.api
        units = location.units
        openedOn = location.openedOn.map(Formats.isoDay)
        plannedClosingOn = location.plannedClosingOn.map(Formats.isoDay)
        active = location.active
    }
}

/// A location with the places on it where something can happen.
struct LocationDetailDTO: Encodable {
    let location: LocationDTO
    let places: [PlaceDTO]

    init(_ location: Location, places: [Place]) {
        self.location = LocationDTO(location)
        self.places = places.map(PlaceDTO.init)
    }

    enum CodingKeys: String, CodingKey { case places }

    func encode(to encoder: any Encoder) throws {
        try location.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(places, forKey: .places)
    }
}

struct PlaceDTO: Encodable {
    var id: String
    var name: String
    var kind: String
    init(_ place: Place) { id = place.id!.api; name = place.name; kind = place.kind }
}

struct CategoryDTO: Encodable {
    var id: String
    var code: String
    var nameNl: String
    var nameEn: String
    var defaultUrgency: String
    var defaultOrganisationKind: String
    var active: Bool

    init(_ category: Category) {
        id = category.id!.api
        code = category.code
        nameNl = category.nameNL
        nameEn = category.nameEN
        defaultUrgency = category.urgency.code
        defaultOrganisationKind = category.defaultOrganisationKind
        active = category.active
    }
}

struct OrganisationDTO: Encodable {
    var id: String
    var name: String
    var kind: String
    var active: Bool
    init(_ organisation: Organisation) {
        id = organisation.id!.api
        name = organisation.name
        kind = organisation.kind
        active = organisation.active
    }
}
