import Foundation
import Hummingbird

/// `GET /api/v1/me`: who the API client acts as, and the scope that follows.
struct AccountAPI {
    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/me", use: me)
    }

    func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        try APIBody.response(MeDTO(context.principal()))
    }
}

/// The signed-in user as the API shows them.
struct MeDTO: Encodable {
    var id: String
    var name: String
    var email: String
    var role: String
    @Nullable var organisationId: String?
    var districtIds: [String]
    var locationIds: [String]

    init(_ principal: Principal) {
        id = principal.userID.api
        name = principal.name
        email = principal.email
        role = principal.role.rawValue
        organisationId = principal.organisationID.api
        districtIds = principal.districtIDs.map(\.api)
        locationIds = principal.locationIDs.map(\.api)
    }
}
