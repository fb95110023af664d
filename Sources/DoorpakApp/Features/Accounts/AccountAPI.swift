import Foundation
import Hummingbird

/// `GET /api/v1/me`: who the API client acts as, and the scope that follows; `GET /api/v1/me/security`:
/// the state of their sign-in security. Changing it (password, two-factor, tokens) is a sensitive
/// action that API tokens cannot do: it needs a fresh sign-in on the web (see `requireRecentAuthentication`).
struct AccountAPI {
    let accounts: AccountStore
    let twoFactor: TwoFactorStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/me", use: me)
        api.get("/me/security", use: security)
    }

    func security(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let status = try await twoFactor.status(of: principal.userID)
        guard let user = try await accounts.user(principal.userID) else { throw AppError.notFound }
        return try APIBody.response(SecurityDTO(twoFactorEnabled: status.enabled, twoFactorEnabledAt: status.enabledAt.map(APIDates.write),
                                                recoveryCodesLeft: status.recoveryCodesLeft,
                                                passwordChangedAt: user.passwordChangedAt.map(APIDates.write)))
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

/// The sign-in security of the API client's user. Never holds a secret.
struct SecurityDTO: Encodable {
    var twoFactorEnabled: Bool
    @Nullable var twoFactorEnabledAt: String?
    var recoveryCodesLeft: Int
    @Nullable var passwordChangedAt: String?
}
