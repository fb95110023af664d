import Foundation
import Hummingbird

/// Administration of report categories: list, create, edit names, defaults and active state.
struct CategoryAdminRoutes {
    let store: CategoryStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/categories", use: list)
        group.get("/categories/new", use: newForm)
        group.post("/categories", use: create)
        group.get("/categories/:id", use: editForm)
        group.post("/categories/:id", use: update)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        let language = context.language
        let rows: [[AdminPages.Cell]] = try await store.all().map { category in
            [.link(category.name(language), href: "/admin/categories/\(category.id!.uuidString)"),
             .text(category.code),
             .text(locale.text("urgency.\(category.urgency.code)")),
             .text(OrganisationAdminRoutes.kindLabel(category.defaultOrganisationKind, locale)),
             .tag(AdminPages.activeLabel(category.active, locale))]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.categories.title"),
                              columns: [.init(label: locale.text("admin.fields.name")), .init(label: locale.text("admin.fields.code")),
                                        .init(label: locale.text("admin.fields.default_urgency")),
                                        .init(label: locale.text("admin.fields.default_organisation_kind")),
                                        .init(label: locale.text("admin.fields.status"))],
                              rows: rows, newHref: "/admin/categories/new", newLabel: locale.text("admin.categories.new"))
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try render(request, context: context, category: nil,
                   values: FormFields(pairs: [("default_urgency", Urgency.normal.code), ("active", "on")]), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            _ = try await store.create(draft(context.form), by: principal)
            return "/admin/categories?saved=1"
        } orShow: { issues in
            try render(request, context: context, category: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let category = try await store.find(AdminPages.id(context))
        var pairs = [("name_nl", category.nameNL), ("name_en", category.nameEN), ("default_urgency", category.urgency.code),
                     ("default_organisation_kind", category.defaultOrganisationKind)]
        if category.active { pairs.append(("active", "on")) }
        if try await store.isSensitive(category.id!) { pairs.append(("sensitive", "on")) }
        return try render(request, context: context, category: category, values: FormFields(pairs: pairs), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let category = try await store.find(AdminPages.id(context))
        return try await FormSubmission.save(request, context) {
            try await store.update(category.id!, draft(context.form), by: principal)
            return "/admin/categories?saved=1"
        } orShow: { issues in
            try render(request, context: context, category: category, values: context.form, issues: issues)
        }
    }

    private func draft(_ form: FormFields) -> CategoryDraft {
        CategoryDraft(code: form["code"], nameNL: form["name_nl"], nameEN: form["name_en"], urgency: form["default_urgency"],
                      organisationKind: form["default_organisation_kind"], active: form["active"] != nil,
                      sensitive: form["sensitive"] != nil)
    }

    private func render(_ request: Request, context: AppRequestContext, category: Category?, values: FormFields,
                        issues: [FieldIssue]) throws -> HTML {
        let locale = pages.views.locales[context.language]
        let code: AdminField
        if let category {
            code = AdminField("code", label: locale.text("admin.fields.code"), hint: locale.text("admin.categories.code_fixed"),
                              .readOnly(category.code))
        } else {
            code = AdminField("code", label: locale.text("admin.fields.code"), hint: locale.text("admin.categories.code_hint"),
                              required: true, .text(maxLength: CategoryDraft.maxCodeLength))
        }
        let fields = [
            code,
            AdminField("name_nl", label: locale.text("admin.fields.name_nl"), required: true, .text()),
            AdminField("name_en", label: locale.text("admin.fields.name_en"), required: true, .text()),
            AdminField("default_urgency", label: locale.text("admin.fields.default_urgency"), required: true,
                       .select(Urgency.allCases.map { ($0.code, locale.text("urgency.\($0.code)")) })),
            AdminField("default_organisation_kind", label: locale.text("admin.fields.default_organisation_kind"),
                       hint: locale.text("admin.categories.kind_hint"), required: true,
                       .select([(value: "", label: locale.text("form.choose"))] + OrganisationAdminRoutes.kindOptions(locale))),
            AdminField("active", label: locale.text("admin.categories.active_label"), hint: locale.text("admin.categories.active_hint"), .checkbox),
            AdminField("sensitive", label: locale.text("admin.categories.sensitive_label"), hint: locale.text("admin.categories.sensitive_hint"), .checkbox),
        ]
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        return try pages.form(request, context: context, heading: locale.text(category == nil ? "admin.categories.new" : "admin.categories.edit"),
                              form: form, action: category.map { "/admin/categories/\($0.id!.uuidString)" } ?? "/admin/categories",
                              submit: locale.text("form.save"), back: ("/admin/categories", locale.text("admin.categories.title")))
    }
}
