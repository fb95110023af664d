import Foundation
import Hummingbird

/// Administration of routing rules: list (most specific first), create, edit, deactivate and
/// reactivate. The last active fallback rule can be edited but stays a fallback and stays active.
struct RoutingAdminRoutes {
    let store: RoutingStore
    let catalog: CatalogStore
    let teams: TeamStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/routing-rules", use: list)
        group.get("/routing-rules/new", use: newForm)
        group.post("/routing-rules", use: create)
        group.get("/routing-rules/:id", use: editForm)
        group.post("/routing-rules/:id", use: update)
        group.post("/routing-rules/:id/deactivate", use: deactivate)
        group.post("/routing-rules/:id/activate", use: activate)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await renderList(request, context: context, problem: nil)
    }

    private func renderList(_ request: Request, context: AppRequestContext, problem: String?,
                            status: HTTPResponse.Status = .ok) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        let language = context.language
        let catalog = try await self.catalog.catalog()
        let teamNames = Dictionary(uniqueKeysWithValues: try await teams.all().map { ($0.id!, $0.name) })
        let rows: [[AdminPages.Cell]] = try await store.rules().map { rule in
            let scope = rule.locationID.map { catalog.location($0)?.name ?? "—" }
                ?? rule.districtID.map { locale.text("routing.scope_district", ["name": catalog.district($0)?.name ?? "—"]) }
                ?? locale.text("routing.anywhere")
            let category = rule.isFallback ? locale.text("routing.fallback")
                : rule.categoryID.map { catalog.category($0)?.name(language) ?? "—" } ?? locale.text("routing.any_category")
            return [.link(category, href: "/admin/routing-rules/\(rule.id!.uuidString)"),
                    .text(scope),
                    .text(rule.ruleUrgency.map { locale.text("urgency.\($0.code)") } ?? locale.text("routing.any_urgency")),
                    .text([catalog.organisation(rule.organisationID)?.name ?? "—", rule.teamID.flatMap { teamNames[$0] }]
                        .compactMap { $0 }.joined(separator: " – ")),
                    .number(rule.acknowledgeDays),
                    .number(rule.resolveDays),
                    .tag(AdminPages.activeLabel(rule.active, locale))]
        }
        return try pages.list(request, context: context, heading: locale.text("routing.title"),
                              columns: [.init(label: locale.text("routing.fields.category")),
                                        .init(label: locale.text("routing.fields.location")),
                                        .init(label: locale.text("routing.fields.urgency")),
                                        .init(label: locale.text("routing.fields.organisation")),
                                        .init(label: locale.text("routing.fields.acknowledge_days"), numeric: true),
                                        .init(label: locale.text("routing.fields.resolve_days"), numeric: true),
                                        .init(label: locale.text("routing.fields.status"))],
                              rows: rows, newHref: "/admin/routing-rules/new", newLabel: locale.text("routing.new"),
                              intro: locale.text("routing.intro"), problem: problem, status: status)
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await render(request, context: context, rule: nil,
                         values: FormFields(pairs: [("acknowledge_days", "1"), ("resolve_days", "10")]), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            _ = try await store.create(draft(context.form), by: principal)
            return "/admin/routing-rules?saved=1"
        } orShow: { issues in
            try await render(request, context: context, rule: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let rule = try await store.find(AdminPages.id(context))
        let pairs = [("category", rule.categoryID?.uuidString ?? ""), ("district", rule.districtID?.uuidString ?? ""),
                     ("location", rule.locationID?.uuidString ?? ""), ("urgency", rule.ruleUrgency?.code ?? ""),
                     ("organisation", rule.organisationID.uuidString), ("acknowledge_days", "\(rule.acknowledgeDays)"),
                     ("resolve_days", "\(rule.resolveDays)"), ("team", rule.teamID?.uuidString ?? "")]
        return try await render(request, context: context, rule: rule, values: FormFields(pairs: pairs), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let rule = try await store.find(AdminPages.id(context))
        return try await FormSubmission.save(request, context) {
            try await store.update(rule.id!, draft(context.form), by: principal)
            return "/admin/routing-rules/\(rule.id!.uuidString)?saved=1"
        } orShow: { issues in
            try await render(request, context: context, rule: rule, values: context.form, issues: issues)
        }
    }

    func deactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try AdminPages.id(context)
        do {
            try await store.setActive(id, false, by: context.principal())
        } catch AppError.conflict {
            let locale = pages.views.locales[context.language]
            return try await renderList(request, context: context, problem: locale.text("routing.last_fallback_problem"),
                                        status: .conflict).response(from: request, context: context)
        }
        return .redirect(to: "/admin/routing-rules/\(id.uuidString)?saved=1")
    }

    func activate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try AdminPages.id(context)
        try await store.setActive(id, true, by: context.principal())
        return .redirect(to: "/admin/routing-rules/\(id.uuidString)?saved=1")
    }

    private func draft(_ form: FormFields) -> RoutingRuleDraft {
        RoutingRuleDraft(category: form["category"], district: form["district"], location: form["location"], urgency: form["urgency"],
                         organisation: form["organisation"], acknowledgeDays: form["acknowledge_days"], resolveDays: form["resolve_days"],
                         team: form["team"])
    }

    private func render(_ request: Request, context: AppRequestContext, rule: RoutingRule?, values: FormFields,
                        issues: [FieldIssue]) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        let language = context.language
        let catalog = try await self.catalog.catalog()
        let chosen = values["organisation"]
        let range = RoutingRuleDraft.dayRange
        let teams = try await self.teams.all().filter { $0.active || $0.id?.uuidString == values["team"] }
        let fields = [
            AdminField("category", label: locale.text("routing.fields.category"), hint: locale.text("routing.category_hint"),
                       .select([(value: "", label: locale.text("routing.any_category"))]
                               + catalog.categories.map { ($0.id!.uuidString, $0.name(language)) })),
            AdminField("district", label: locale.text("routing.fields.district"), hint: locale.text("routing.district_hint"),
                       .select([(value: "", label: locale.text("routing.anywhere"))] + catalog.districts.map { ($0.id!.uuidString, $0.name) })),
            AdminField("location", label: locale.text("routing.fields.location"), hint: locale.text("routing.location_hint"),
                       .select([(value: "", label: locale.text("routing.anywhere"))] + catalog.locations.map { location in
                           (location.id!.uuidString, "\(location.name) (\(catalog.district(location.districtID)?.name ?? "—"))")
                       })),
            AdminField("urgency", label: locale.text("routing.fields.urgency"), hint: locale.text("routing.urgency_hint"),
                       .select([(value: "", label: locale.text("routing.any_urgency"))]
                               + Urgency.allCases.map { ($0.code, locale.text("urgency.\($0.code)")) })),
            AdminField("organisation", label: locale.text("routing.fields.organisation"), required: true,
                       .select([(value: "", label: locale.text("form.choose"))]
                               + catalog.organisations.filter { $0.active || $0.id?.uuidString == chosen }.map { ($0.id!.uuidString, $0.name) })),
            AdminField("team", label: locale.text("routing.fields.team"), hint: locale.text("routing.team_hint"),
                       .select([(value: "", label: locale.text("routing.whole_organisation"))] + teams.map { team in
                           (team.id!.uuidString, "\(catalog.organisation(team.organisationID)?.name ?? "—") – \(team.name)")
                       })),
            AdminField("acknowledge_days", label: locale.text("routing.fields.acknowledge_days"), hint: locale.text("routing.days_hint"),
                       required: true, .number(min: range.lowerBound, max: range.upperBound)),
            AdminField("resolve_days", label: locale.text("routing.fields.resolve_days"), hint: locale.text("routing.days_hint"),
                       required: true, .number(min: range.lowerBound, max: range.upperBound)),
        ]
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        var actions: [AdminPages.Action] = []
        var intro = locale.text("routing.intro")
        if let rule {
            let base = "/admin/routing-rules/\(rule.id!.uuidString)"
            intro = locale.text("routing.state", ["state": AdminPages.activeLabel(rule.active, locale)]) + " " + intro
            if rule.isFallback && rule.active { intro += " " + locale.text("routing.last_fallback") }
            if rule.active {
                actions.append(.init(id: "deactivate", label: locale.text("routing.deactivate"), action: base + "/deactivate",
                                     hint: locale.text("routing.deactivate_hint")))
            } else {
                actions.append(.init(id: "activate", label: locale.text("routing.activate"), action: base + "/activate"))
            }
        }
        return try pages.form(request, context: context, heading: locale.text(rule == nil ? "routing.new" : "routing.edit"),
                              form: form, action: rule.map { "/admin/routing-rules/\($0.id!.uuidString)" } ?? "/admin/routing-rules",
                              submit: locale.text("form.save"), back: ("/admin/routing-rules", locale.text("routing.title")),
                              intro: intro, actions: actions)
    }
}
