import Foundation
import Hummingbird

/// Configuration pages under `/admin`: districts, locations and their places, organisations,
/// categories and users. Administrators only; for everyone else every `/admin` route answers
/// 404, so the pages do not even reveal that they exist.
struct AdminRoutes {
    let services: AppServices

    func add(to router: Router<AppRequestContext>) {
        let group = router.group("/admin").add(middleware: AdministratorsOnly())
        let pages = AdminPages(views: services.views)
        let locations = LocationStore(database: services.database)
        let organisations = OrganisationStore(database: services.database)
        let categories = CategoryStore(database: services.database)
        let users = UserStore(database: services.database, passwords: services.passwords)
        group.get("", use: { request, context in
            try await index(request, context: context, locations: locations, organisations: organisations,
                            categories: categories, users: users)
        })
        DistrictAdminRoutes(store: locations, pages: pages).add(to: group)
        LocationAdminRoutes(store: locations, organisations: organisations, reports: ReportStore(database: services.database),
                            pages: pages).add(to: group)
        OrganisationAdminRoutes(store: organisations, pages: pages).add(to: group)
        CategoryAdminRoutes(store: categories, pages: pages).add(to: group)
        UserAdminRoutes(store: users, locations: locations, organisations: organisations, pages: pages).add(to: group)
        let routing = RoutingStore(database: services.database)
        RoutingAdminRoutes(store: routing, pages: pages).add(to: group)
        ClosureDayAdminRoutes(store: routing, pages: pages).add(to: group)
        EscalationAdminRoutes(store: EscalationStore(database: services.database), views: services.views).add(to: group)
    }

    func index(_ request: Request, context: AppRequestContext, locations: LocationStore, organisations: OrganisationStore,
               categories: CategoryStore, users: UserStore) async throws -> HTML {
        let locale = services.views.locales[context.language]
        async let districtCount = locations.districts().count
        async let locationCount = locations.locations().count
        async let organisationCount = organisations.all().count
        async let categoryCount = categories.all().count
        async let userCount = users.all().count
        let counts = try await [("districts", districtCount), ("locations", locationCount), ("organisations", organisationCount),
                                ("categories", categoryCount), ("users", userCount)]
        var sections: [[String: Any]] = counts.map { key, count in
            ["key": key, "href": "/admin/\(key)", "label": locale.text("admin.\(key).title"),
             "hint": locale.text("admin.\(key).hint"), "count": count]
        }
        let routing = RoutingStore(database: services.database)
        async let ruleCount = routing.rules().count
        async let closureCount = routing.closureDays().count
        for (key, texts, count) in try await [("routing-rules", "routing", ruleCount), ("closure-days", "closure_days", closureCount),
                                              ("escalation", "escalation_admin", Urgency.allCases.count)] {
            sections.append(["key": key, "href": "/admin/\(key)", "label": locale.text("\(texts).title"),
                             "hint": locale.text("\(texts).hint"), "count": count])
        }
        return try services.views.page("admin/index", title: locale.text("admin.title"), request: request, context: context,
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
