import Foundation
import Hummingbird

/// Administration of districts ("stadsdelen"): list, create, rename.
struct DistrictAdminRoutes {
    let store: LocationStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/districts", use: list)
        group.get("/districts/new", use: newForm)
        group.post("/districts", use: create)
        group.get("/districts/:id", use: editForm)
        group.post("/districts/:id", use: update)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        async let districts = store.districts()
        async let locations = store.locations()
        let perDistrict = try await Dictionary(grouping: locations, by: \.districtID).mapValues(\.count)
        let rows: [[AdminPages.Cell]] = try await districts.map { district in
            [.link(district.name, href: "/admin/districts/\(district.id!.uuidString)"), .number(perDistrict[district.id!] ?? 0)]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.districts.title"),
                              columns: [.init(label: locale.text("admin.fields.name")),
                                        .init(label: locale.text("admin.districts.location_count"), numeric: true)],
                              rows: rows, newHref: "/admin/districts/new", newLabel: locale.text("admin.districts.new"))
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try render(request, context: context, id: nil, values: FormFields(), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            _ = try await store.createDistrict(DistrictDraft(name: context.form["name"]), by: principal)
            return "/admin/districts?saved=1"
        } orShow: { issues in
            try render(request, context: context, id: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let district = try await store.district(AdminPages.id(context))
        return try render(request, context: context, id: district.id, values: FormFields(pairs: [("name", district.name)]), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try AdminPages.id(context)
        return try await FormSubmission.save(request, context) {
            try await store.renameDistrict(id, DistrictDraft(name: context.form["name"]), by: principal)
            return "/admin/districts?saved=1"
        } orShow: { issues in
            try render(request, context: context, id: id, values: context.form, issues: issues)
        }
    }

    private func render(_ request: Request, context: AppRequestContext, id: UUID?, values: FormFields, issues: [FieldIssue]) throws -> HTML {
        let locale = pages.views.locales[context.language]
        let form = AdminForm(fields: [AdminField("name", label: locale.text("admin.fields.name"), required: true, .text())],
                             values: values, issues: issues, locale: locale)
        let heading = locale.text(id == nil ? "admin.districts.new" : "admin.districts.edit")
        return try pages.form(request, context: context, heading: heading, form: form,
                              action: id.map { "/admin/districts/\($0.uuidString)" } ?? "/admin/districts",
                              submit: locale.text("form.save"), back: ("/admin/districts", locale.text("admin.districts.title")))
    }
}
