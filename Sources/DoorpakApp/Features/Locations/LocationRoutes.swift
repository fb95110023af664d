import Foundation
import Hummingbird

/// The list of locations and a page per location. Locations are configuration data and counts
/// are not personal, so every signed-in role sees them; the open reports listed on a location's
/// page are only those within the user's own scope, and analysts see counts only.
struct LocationRoutes {
    let store: LocationStore
    let reports: ReportStore
    let catalog: CatalogStore
    let views: Views

    /// The period of the per-category chart.
    static let chartDays = 90

    func add(to router: Router<AppRequestContext>) {
        router.get("/locations", use: list)
        router.get("/locations/:id", use: show)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        _ = try context.principal()
        let locale = views.locales[context.language]
        let chosen = request.uri.queryParameters.get("district").flatMap { UUID(uuidString: $0) }
        async let locations = store.locations(district: chosen)
        async let openCounts = reports.openCountsByLocation()
        let catalog = try await self.catalog.catalog()
        let counts = try await openCounts
        let rows: [[String: Any]] = try await locations.map { location in
            [
                "href": "/locations/\(location.id!.uuidString)",
                "name": location.name,
                "district": catalog.district(location.districtID)?.name ?? "",
                "corporation": catalog.organisation(location.corporationID)?.name ?? "—",
                "units": location.units,
                "open": counts[location.id!] ?? 0,
                "inactive": !location.active,
            ]
        }
        let any = (value: "", label: locale.text("filter.any"))
        return try views.page("locations/list", title: locale.text("locations.title"), request: request, context: context, data: [
            "rows": rows,
            "empty": rows.isEmpty,
            "districts": ViewHelpers.options([any] + catalog.districts.map { ($0.id!.uuidString, $0.name) }, selected: chosen?.uuidString ?? ""),
            "filtered": chosen != nil,
        ])
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let location = try await store.location(id)
        let locale = views.locales[context.language]
        let language = context.language
        let since = Date.now.addingTimeInterval(-Double(Self.chartDays) * 86_400)
        async let places = store.places(of: id)
        async let categoryCounts = reports.categoryCounts(at: id, since: since)
        async let openCounts = reports.openCountsByLocation()
        async let visible = reports.openReports(at: id, by: principal)
        let catalog = try await self.catalog.catalog()
        let counts = try await categoryCounts
        let bars = catalog.categories.compactMap { category -> BarChart.Bar? in
            guard let count = counts[category.id!], count > 0 else { return nil }
            return BarChart.Bar(label: category.name(language), value: count)
        } + Self.unknownCategories(counts, catalog: catalog, locale: locale)
        let chart = BarChart(id: "category-chart", title: locale.text("locations.chart_title", ["days": "\(Self.chartDays)", "location": location.name]),
                             summary: locale.text("locations.chart_summary", ["days": "\(Self.chartDays)"]), bars: bars)
        let openReports = try await visible
        let names = try await self.catalog.names(ReportPresenter.userIDs(reports: openReports ?? []))
        let presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: language)
        let openTotal = try await openCounts[id] ?? 0
        var data: [String: Any] = [
            "name": location.name,
            "inactive": !location.active,
            "district": catalog.district(location.districtID)?.name ?? "",
            "districtHref": ViewHelpers.url("/locations", [("district", location.districtID.uuidString)]),
            "corporation": catalog.organisation(location.corporationID)?.name ?? locale.text("locations.unknown"),
            "units": location.units,
            "opened": location.openedOn.map { Formats.date($0, language) } ?? locale.text("locations.unknown"),
            "closing": location.plannedClosingOn.map { Formats.date($0, language) } ?? locale.text("locations.unknown"),
            "places": try await places.map { ["name": $0.name, "kind": locale.text("locations.place_kinds.\($0.kind)")] },
            "hasPlaces": try await !places.isEmpty,
            "hasChart": !bars.isEmpty,
            "chart": chart.svg(),
            "chartRows": bars.map { ["label": $0.label, "value": $0.value] },
            "chartIntro": locale.text("locations.chart_intro", ["days": "\(Self.chartDays)", "total": "\(bars.map(\.value).reduce(0, +))"]),
            "chartNone": locale.text("locations.chart_none", ["days": "\(Self.chartDays)"]),
            "openTotal": openTotal,
            "mayReadRecords": openReports != nil,
            "isAdministrator": principal.isAdministrator,
            "editHref": "/admin/locations/\(id.uuidString)",
        ]
        if let openReports {
            data["reports"] = openReports.map { report in
                var row = presenter.row(report)
                row["place"] = AdminPages.orNull(catalog.place(report.placeID)?.name)
                return row
            }
            data["hasReports"] = !openReports.isEmpty
            data["hiddenText"] = locale.text("locations.hidden", ["count": "\(max(0, openTotal - openReports.count))"])
            // Administrators see everything; for anyone else the difference is outside their scope.
            data["someHidden"] = principal.reportScope != .all && openTotal > openReports.count
            data["worklistHref"] = ViewHelpers.url("/reports", [("location", id.uuidString)])
        }
        return try views.page("locations/show", title: location.name, request: request, context: context, data: data)
    }

    /// Counts for categories no longer in the catalog (should not happen, but a count is never dropped).
    private static func unknownCategories(_ counts: [UUID: Int], catalog: Catalog, locale: LocaleTexts) -> [BarChart.Bar] {
        let unknown = counts.filter { catalog.category($0.key) == nil }.values.reduce(0, +)
        return unknown > 0 ? [BarChart.Bar(label: locale.text("locations.unknown"), value: unknown)] : []
    }
}
