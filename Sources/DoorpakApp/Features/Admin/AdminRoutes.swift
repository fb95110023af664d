import Foundation
import Hummingbird

/// Configuration pages under `/admin`: districts, locations and their places, organisations,
/// categories and users. Administrators only; for everyone else every `/admin` route answers
/// 404, so the pages do not even reveal that they exist.
struct AdminRoutes {
    let stores: Stores
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        let group = router.group("/admin").add(middleware: AdministratorsOnly())
        let pages = AdminPages(views: views)
        let locations = stores.locations
        let organisations = stores.organisations
        let categories = stores.categories
        let users = stores.users
        group.get("", use: { request, context in
            try await index(request, context: context, locations: locations, organisations: organisations,
                            categories: categories, users: users)
        })
        DistrictAdminRoutes(store: locations, pages: pages).add(to: group)
        LocationAdminRoutes(store: locations, organisations: organisations, reports: stores.reports,
                            pages: pages).add(to: group)
        OrganisationAdminRoutes(store: organisations, pages: pages).add(to: group)
        TeamAdminRoutes(store: stores.teams, organisations: organisations, pages: pages).add(to: group)
        CategoryAdminRoutes(store: categories, pages: pages).add(to: group)
        let security = AccountAdminRoutes(users: users, passwordStore: stores.passwords, twoFactor: stores.twoFactor,
                                          lockouts: stores.lockouts, audit: stores.audit, pages: pages)
        UserAdminRoutes(store: users, locations: locations, organisations: organisations, teams: stores.teams, security: security, pages: pages).add(to: group)
        RoutingAdminRoutes(store: stores.routing, catalog: stores.catalog, teams: stores.teams, pages: pages).add(to: group)
        ClosureDayAdminRoutes(store: stores.routing, pages: pages).add(to: group)
        EscalationAdminRoutes(store: stores.escalation, views: views).add(to: group)
    }

    func index(_ request: Request, context: AppRequestContext, locations: LocationStore, organisations: OrganisationStore,
               categories: CategoryStore, users: UserStore) async throws -> HTML {
        let locale = views.locales[context.language]
        async let districtCount = locations.districts().count
        async let locationCount = locations.locations().count
        async let organisationCount = organisations.all().count
        async let categoryCount = categories.all().count
        async let userCount = users.all().count
        async let teamCount = stores.teams.all().count
        let counts = try await [("districts", districtCount), ("locations", locationCount), ("organisations", organisationCount),
                                ("teams", teamCount), ("categories", categoryCount), ("users", userCount)]
        var sections: [[String: Any]] = counts.map { key, count in
            ["key": key, "href": "/admin/\(key)", "label": locale.text("admin.\(key).title"),
             "hint": locale.text("admin.\(key).hint"), "count": count]
        }
        let routing = stores.routing
        async let ruleCount = routing.rules().count
        async let closureCount = routing.closureDays().count
        for (key, texts, count) in try await [("routing-rules", "routing", ruleCount), ("closure-days", "closure_days", closureCount),
                                              ("escalation", "escalation_admin", Urgency.allCases.count)] {
            sections.append(["key": key, "href": "/admin/\(key)", "label": locale.text("\(texts).title"),
                             "hint": locale.text("\(texts).hint"), "count": count])
        }
        return try views.page("admin/index", title: locale.text("admin.title"), request: request, context: context,
                              data: ["sections": sections])
    }
}

/// Lets administrators through; anyone else signed in gets 404, anyone signed out the login page.
struct AdministratorsOnly: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard try context.principal().isAdministrator else { throw AppError.notFound }
        return try await next(request, context)
    }
}
