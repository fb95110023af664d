import Foundation
import Hummingbird

/// Administration of locations and the places on each site.
struct LocationAdminRoutes {
    let store: LocationStore
    let organisations: OrganisationStore
    let reports: ReportStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/locations", use: list)
        group.get("/locations/new", use: newForm)
        group.post("/locations", use: create)
        group.get("/locations/:id", use: editForm)
        group.post("/locations/:id", use: update)
        group.get("/locations/:id/places", use: places)
        group.get("/locations/:id/places/new", use: newPlaceForm)
        group.post("/locations/:id/places", use: createPlace)
        group.get("/locations/:id/places/:place", use: editPlaceForm)
        group.post("/locations/:id/places/:place", use: updatePlace)
        group.post("/locations/:id/places/:place/remove", use: removePlace)
    }

    // MARK: Locations

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        async let locations = store.locations()
        async let districts = store.districts()
        async let organisations = self.organisations.all()
        let districtNames = try await Dictionary(uniqueKeysWithValues: districts.map { ($0.id!, $0.name) })
        let organisationNames = try await Dictionary(uniqueKeysWithValues: organisations.map { ($0.id!, $0.name) })
        let rows: [[AdminPages.Cell]] = try await locations.map { location in
            let id = location.id!.uuidString
            return [.link(location.name, href: "/admin/locations/\(id)"),
                    .text(districtNames[location.districtID] ?? ""),
                    .text(location.corporationID.flatMap { organisationNames[$0] } ?? "—"),
                    .number(location.units),
                    .link(locale.text("admin.places.title"), href: "/admin/locations/\(id)/places"),
                    .tag(AdminPages.activeLabel(location.active, locale))]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.locations.title"),
                              columns: [.init(label: locale.text("admin.fields.name")), .init(label: locale.text("admin.fields.district")),
                                        .init(label: locale.text("admin.fields.corporation")),
                                        .init(label: locale.text("admin.fields.units"), numeric: true),
                                        .init(label: locale.text("admin.places.title")), .init(label: locale.text("admin.fields.status"))],
                              rows: rows, newHref: "/admin/locations/new", newLabel: locale.text("admin.locations.new"))
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await render(request, context: context, id: nil, values: FormFields(pairs: [("active", "on")]), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            let location = try await store.createLocation(draft(context.form), by: principal)
            return "/admin/locations/\(location.id!.uuidString)?saved=1"
        } orShow: { issues in
            try await render(request, context: context, id: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let location = try await store.location(AdminPages.id(context))
        var pairs = [("name", location.name), ("district", location.districtID.uuidString),
                     ("corporation", location.corporationID?.uuidString ?? ""), ("units", "\(location.units)"),
                     ("opened_on", location.openedOn.map(Formats.isoDay) ?? ""),
                     ("planned_closing_on", location.plannedClosingOn.map(Formats.isoDay) ?? "")]
        if location.active { pairs.append(("active", "on")) }
        return try await render(request, context: context, id: location.id, values: FormFields(pairs: pairs), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try AdminPages.id(context)
        return try await FormSubmission.save(request, context) {
            try await store.updateLocation(id, draft(context.form), by: principal)
            return "/admin/locations?saved=1"
        } orShow: { issues in
            try await render(request, context: context, id: id, values: context.form, issues: issues)
        }
    }

    private func draft(_ form: FormFields) -> LocationDraft {
        LocationDraft(name: form["name"], district: form["district"], corporation: form["corporation"], units: form["units"],
                      openedOn: form["opened_on"], plannedClosingOn: form["planned_closing_on"], active: form["active"] != nil)
    }

    private func render(_ request: Request, context: AppRequestContext, id: UUID?, values: FormFields,
                        issues: [FieldIssue]) async throws -> HTML {
        var existing: Location?
        if let id { existing = try await store.location(id) }  // an unknown id stays "not found", also after a failed post
        let locale = pages.views.locales[context.language]
        async let districts = store.districts()
        async let organisations = self.organisations.all()
        let choose = (value: "", label: locale.text("form.choose"))
        let current = values["corporation"]
        let corporations = try await organisations.filter {
            $0.organisationKind == .housingCorporation && ($0.active || $0.id?.uuidString == current)
        }
        let fields = [
            AdminField("name", label: locale.text("admin.fields.name"), required: true, .text()),
            AdminField("district", label: locale.text("admin.fields.district"), required: true,
                       .select([choose] + (try await districts).map { ($0.id!.uuidString, $0.name) })),
            AdminField("corporation", label: locale.text("admin.fields.corporation"), hint: locale.text("admin.locations.corporation_hint"),
                       .select([(value: "", label: locale.text("admin.locations.no_corporation"))] + corporations.map { ($0.id!.uuidString, $0.name) })),
            AdminField("units", label: locale.text("admin.fields.units"),
                       hint: locale.text("admin.locations.units_hint", ["min": "\(LocationDraft.unitRange.lowerBound)", "max": "\(LocationDraft.unitRange.upperBound)"]),
                       required: true, .number(min: LocationDraft.unitRange.lowerBound, max: LocationDraft.unitRange.upperBound)),
            AdminField("opened_on", label: locale.text("admin.fields.opened_on"), .date),
            AdminField("planned_closing_on", label: locale.text("admin.fields.planned_closing_on"), .date),
            AdminField("active", label: locale.text("admin.locations.active_label"), hint: locale.text("admin.locations.active_hint"), .checkbox),
        ]
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        let heading = existing.map { locale.text("admin.locations.edit", ["name": $0.name]) } ?? locale.text("admin.locations.new")
        var links: [(id: String, href: String, label: String)] = []
        if let id {
            links = [("places-link", "/admin/locations/\(id.uuidString)/places", locale.text("admin.places.manage")),
                     ("public-link", "/locations/\(id.uuidString)", locale.text("admin.locations.view_page"))]
        }
        return try pages.form(request, context: context, heading: heading, form: form,
                              action: id.map { "/admin/locations/\($0.uuidString)" } ?? "/admin/locations",
                              submit: locale.text("form.save"), back: ("/admin/locations", locale.text("admin.locations.title")),
                              links: links)
    }

    // MARK: Places

    func places(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await renderPlaces(request, context: context)
    }

    private func renderPlaces(_ request: Request, context: AppRequestContext, problem: String? = nil,
                              status: HTTPResponse.Status = .ok) async throws -> HTML {
        let location = try await store.location(AdminPages.id(context))
        let id = location.id!.uuidString
        let locale = pages.views.locales[context.language]
        async let places = store.places(of: location.id!)
        async let usage = reports.countsByPlace(at: location.id!)
        let used = try await usage
        let rows: [[AdminPages.Cell]] = try await places.map { place in
            let base = "/admin/locations/\(id)/places/\(place.id!.uuidString)"
            let count = used[place.id!] ?? 0
            return [.link(place.name, href: base), .text(locale.text("locations.place_kinds.\(place.kind)")), .number(place.position),
                    .number(count),
                    count == 0 ? .button(locale.text("admin.places.remove"), action: base + "/remove", hidden: place.name)
                               : .text(locale.text("admin.places.in_use"))]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.places.heading", ["location": location.name]),
                              columns: [.init(label: locale.text("admin.fields.name")), .init(label: locale.text("admin.fields.kind")),
                                        .init(label: locale.text("admin.fields.position"), numeric: true),
                                        .init(label: locale.text("admin.places.reports"), numeric: true),
                                        .init(label: locale.text("admin.actions"), hidden: true)],
                              rows: rows, newHref: "/admin/locations/\(id)/places/new", newLabel: locale.text("admin.places.new"),
                              parents: [("/admin/locations", locale.text("admin.locations.title")), ("/admin/locations/\(id)", location.name)], intro: locale.text("admin.places.intro"),
                              problem: problem, status: status)
    }

    func newPlaceForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await renderPlace(request, context: context, place: nil, values: FormFields(), issues: [])
    }

    func createPlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let location = try AdminPages.id(context)
        return try await FormSubmission.save(request, context) {
            _ = try await store.addPlace(to: location, placeDraft(context.form), by: principal)
            return "/admin/locations/\(location.uuidString)/places?saved=1"
        } orShow: { issues in
            try await renderPlace(request, context: context, place: nil, values: context.form, issues: issues)
        }
    }

    func editPlaceForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let place = try await store.place(AdminPages.id(context, "place"), of: AdminPages.id(context))
        let values = FormFields(pairs: [("name", place.name), ("kind", place.kind), ("position", "\(place.position)")])
        return try await renderPlace(request, context: context, place: place.id, values: values, issues: [])
    }

    func updatePlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let location = try AdminPages.id(context)
        let place = try AdminPages.id(context, "place")
        return try await FormSubmission.save(request, context) {
            try await store.updatePlace(place, of: location, placeDraft(context.form), by: principal)
            return "/admin/locations/\(location.uuidString)/places?saved=1"
        } orShow: { issues in
            try await renderPlace(request, context: context, place: place, values: context.form, issues: issues)
        }
    }

    func removePlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let location = try AdminPages.id(context)
        do {
            try await store.removePlace(AdminPages.id(context, "place"), of: location, by: principal)
            return .redirect(to: "/admin/locations/\(location.uuidString)/places?saved=1")
        } catch AppError.conflict {
            let locale = pages.views.locales[context.language]
            return try await renderPlaces(request, context: context, problem: locale.text("admin_errors.place_in_use"), status: .conflict)
                .response(from: request, context: context)
        }
    }

    private func placeDraft(_ form: FormFields) -> PlaceDraft {
        PlaceDraft(name: form["name"], kind: form["kind"], position: form["position"])
    }

    private func renderPlace(_ request: Request, context: AppRequestContext, place: UUID?, values: FormFields,
                             issues: [FieldIssue]) async throws -> HTML {
        let location = try await store.location(AdminPages.id(context))
        if let place { _ = try await store.place(place, of: location.id!) }
        let locale = pages.views.locales[context.language]
        let base = "/admin/locations/\(location.id!.uuidString)/places"
        let kinds = [(value: "", label: locale.text("form.choose"))]
            + PlaceKind.allCases.map { ($0.rawValue, locale.text("locations.place_kinds.\($0.rawValue)")) }
        let fields = [
            AdminField("name", label: locale.text("admin.fields.name"), hint: locale.text("admin.places.name_hint"), required: true, .text()),
            AdminField("kind", label: locale.text("admin.fields.kind"), required: true, .select(kinds)),
            AdminField("position", label: locale.text("admin.fields.position"), hint: locale.text("admin.places.position_hint"),
                       .number(min: PlaceDraft.positionRange.lowerBound, max: PlaceDraft.positionRange.upperBound)),
        ]
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        let heading = locale.text(place == nil ? "admin.places.new_at" : "admin.places.edit_at", ["location": location.name])
        return try pages.form(request, context: context, heading: heading, form: form,
                              action: place.map { "\(base)/\($0.uuidString)" } ?? base, submit: locale.text("form.save"),
                              back: (base, locale.text("admin.places.heading", ["location": location.name])))
    }
}
