import Foundation
import Hummingbird

/// Read-only API over the routing rules: configuration, not personal data; any signed-in user may read it.
struct RoutingAPI {
    let store: RoutingStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/routing-rules", use: list)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.principal()
        return try APIBody.response(ItemsDTO(items: try await store.rules().map(RoutingRuleDTO.init)))
    }
}

struct RoutingRuleDTO: Encodable {
    var id: String
    @Nullable var categoryId: String?
    @Nullable var districtId: String?
    @Nullable var locationId: String?
    @Nullable var urgency: String?
    var organisationId: String
    /// The team of the organisation whose queue receives the reports; `null`: the whole organisation.
    @Nullable var teamId: String?
    var acknowledgeDays: Int
    var resolveDays: Int
    var active: Bool
    var fallback: Bool

    init(_ rule: RoutingRule) {
        id = rule.id!.api
        categoryId = rule.categoryID.api
        districtId = rule.districtID.api
        locationId = rule.locationID.api
        urgency = rule.ruleUrgency?.code
        organisationId = rule.organisationID.api
        teamId = rule.teamID.api
        acknowledgeDays = rule.acknowledgeDays
        resolveDays = rule.resolveDays
        active = rule.active
        fallback = rule.isFallback
    }
}
