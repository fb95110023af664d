import Foundation
import Hummingbird

/// Administration of partner organisations: list, create, edit name, kind and active state.
struct OrganisationAdminRoutes {
    let store: OrganisationStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/organisations", use: list)
        group.get("/organisations/new", use: newForm)
        group.post("/organisations", use: create)
        group.get("/organisations/:id", use: editForm)
        group.post("/organisations/:id", use: update)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        let rows: [[AdminPages.Cell]] = try await store.all().map { organisation in
            [.link(organisation.name, href: "/admin/organisations/\(organisation.id!.uuidString)"),
             .text(Self.kindLabel(organisation.kind, locale)),
             .tag(AdminPages.activeLabel(organisation.active, locale))]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.organisations.title"),
                              columns: [.init(label: locale.text("admin.fields.name")), .init(label: locale.text("admin.fields.kind")),
                                        .init(label: locale.text("admin.fields.status"))],
                              rows: rows, newHref: "/admin/organisations/new", newLabel: locale.text("admin.organisations.new"))
    }

    static func kindLabel(_ kind: String, _ locale: LocaleTexts) -> String { locale.text("admin.organisation_kinds.\(kind)") }

    static func kindOptions(_ locale: LocaleTexts) -> [(value: String, label: String)] {
        OrganisationKind.allCases.map { ($0.rawValue, kindLabel($0.rawValue, locale)) }
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await render(request, context: context, id: nil, values: FormFields(pairs: [("active", "on")]), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            _ = try await store.create(draft(context.form), by: principal)
            return "/admin/organisations?saved=1"
        } orShow: { issues in
            try await render(request, context: context, id: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let organisation = try await store.find(AdminPages.id(context))
        var pairs = [("name", organisation.name), ("kind", organisation.kind), ("manager", organisation.managerID?.uuidString ?? "")]
        if organisation.active { pairs.append(("active", "on")) }
        return try await render(request, context: context, id: organisation.id, values: FormFields(pairs: pairs), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try AdminPages.id(context)
        return try await FormSubmission.save(request, context) {
            try await store.update(id, draft(context.form), by: principal)
            return "/admin/organisations?saved=1"
        } orShow: { issues in
            try await render(request, context: context, id: id, values: context.form, issues: issues)
        }
    }

    private func draft(_ form: FormFields) -> OrganisationDraft {
        OrganisationDraft(name: form["name"], kind: form["kind"], active: form["active"] != nil, manager: form["manager"])
    }

    private func render(_ request: Request, context: AppRequestContext, id: UUID?, values: FormFields, issues: [FieldIssue]) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        var fields = [
            AdminField("name", label: locale.text("admin.fields.name"), required: true, .text()),
            AdminField("kind", label: locale.text("admin.fields.kind"), required: true,
                       .select([(value: "", label: locale.text("form.choose"))] + Self.kindOptions(locale))),
            AdminField("active", label: locale.text("admin.organisations.active_label"),
                       hint: locale.text("admin.organisations.active_hint"), .checkbox),
        ]
        if let id {
            // The manager is one of the organisation's own people: the escalation ladder's second rung.
            let members = try await store.members(of: id)
            fields.append(AdminField("manager", label: locale.text("admin.fields.manager"), hint: locale.text("admin.organisations.manager_hint"),
                                     .select([(value: "", label: locale.text("admin.organisations.no_manager"))] + members.map { ($0.id!.uuidString, $0.name) })))
        }
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        return try pages.form(request, context: context, heading: locale.text(id == nil ? "admin.organisations.new" : "admin.organisations.edit"),
                              form: form, action: id.map { "/admin/organisations/\($0.uuidString)" } ?? "/admin/organisations",
                              submit: locale.text("form.save"), back: ("/admin/organisations", locale.text("admin.organisations.title")))
    }
}
