import Foundation
import Hummingbird

/// Administration of teams within organisations: list, create, edit name, organisation, lead and
/// active state. Who works from a team is set on the user's page; which reports it receives, on a
/// routing rule.
struct TeamAdminRoutes {
    let store: TeamStore
    let organisations: OrganisationStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/teams", use: list)
        group.get("/teams/new", use: newForm)
        group.post("/teams", use: create)
        group.get("/teams/:id", use: editForm)
        group.post("/teams/:id", use: update)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        async let teams = store.all()
        async let counts = store.memberCounts()
        let names = try await Dictionary(uniqueKeysWithValues: organisations.all().map { ($0.id!, $0.name) })
        let members = try await counts
        let rows: [[AdminPages.Cell]] = try await teams.map { team in
            [.link(team.name, href: "/admin/teams/\(team.id!.uuidString)"),
             .text(names[team.organisationID] ?? "—"),
             .text(String(members[team.id!] ?? 0)),
             .tag(AdminPages.activeLabel(team.active, locale))]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.teams.title"),
                              columns: [.init(label: locale.text("admin.fields.name")), .init(label: locale.text("admin.fields.organisation")),
                                        .init(label: locale.text("admin.teams.members")), .init(label: locale.text("admin.fields.status"))],
                              rows: rows, newHref: "/admin/teams/new", newLabel: locale.text("admin.teams.new"))
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await render(request, context: context, id: nil, values: FormFields(pairs: [("active", "on")]), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            _ = try await store.create(draft(context.form), by: principal)
            return "/admin/teams?saved=1"
        } orShow: { issues in
            try await render(request, context: context, id: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let team = try await store.find(AdminPages.id(context))
        var pairs = [("name", team.name), ("organisation", team.organisationID.uuidString), ("lead", team.leadID?.uuidString ?? "")]
        if team.active { pairs.append(("active", "on")) }
        return try await render(request, context: context, id: team.id, values: FormFields(pairs: pairs), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try AdminPages.id(context)
        return try await FormSubmission.save(request, context) {
            try await store.update(id, draft(context.form), by: principal)
            return "/admin/teams?saved=1"
        } orShow: { issues in
            try await render(request, context: context, id: id, values: context.form, issues: issues)
        }
    }

    private func draft(_ form: FormFields) -> TeamDraft {
        TeamDraft(name: form["name"], organisation: form["organisation"], lead: form["lead"], active: form["active"] != nil)
    }

    private func render(_ request: Request, context: AppRequestContext, id: UUID?, values: FormFields, issues: [FieldIssue]) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        let all = try await organisations.all()
        let chosen = values["organisation"]
        var fields = [
            AdminField("name", label: locale.text("admin.fields.name"), hint: locale.text("admin.teams.name_hint"), required: true, .text(maxLength: 100)),
            AdminField("organisation", label: locale.text("admin.fields.organisation"), required: true,
                       .select([(value: "", label: locale.text("form.choose"))]
                               + all.filter { $0.active || $0.id?.uuidString == chosen }.map { ($0.id!.uuidString, $0.name) })),
        ]
        // The lead is one of the organisation's own people (chosen after the organisation is saved).
        if let organisation = chosen.flatMap(UUID.init(uuidString:)) {
            let members = try await organisations.members(of: organisation).filter(\.active)
            fields.append(AdminField("lead", label: locale.text("admin.teams.lead"), hint: locale.text("admin.teams.lead_hint"),
                                     .select([(value: "", label: locale.text("admin.teams.no_lead"))] + members.map { ($0.id!.uuidString, $0.name) })))
        }
        fields.append(AdminField("active", label: locale.text("admin.teams.active_label"), .checkbox))
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        return try pages.form(request, context: context, heading: locale.text(id == nil ? "admin.teams.new" : "admin.teams.edit"),
                              form: form, action: id.map { "/admin/teams/\($0.uuidString)" } ?? "/admin/teams",
                              submit: locale.text("form.save"), back: ("/admin/teams", locale.text("admin.teams.title")))
    }
}
