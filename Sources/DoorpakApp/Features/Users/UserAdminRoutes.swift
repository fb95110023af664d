import Foundation
import Hummingbird

/// Administration of user accounts: list, create with an initial password, edit role, organisation
/// and assignments, deactivate and reactivate.
struct UserAdminRoutes {
    let store: UserStore
    let locations: LocationStore
    let organisations: OrganisationStore
    let teams: TeamStore
    /// Sign-in security on a user's page (password reset, two-factor reset, unlock).
    let security: AccountAdminRoutes
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/users", use: list)
        group.get("/users/new", use: newForm)
        group.post("/users", use: create)
        group.get("/users/:id", use: editForm)
        group.post("/users/:id", use: update)
        group.post("/users/:id/deactivate", use: deactivate)
        group.post("/users/:id/activate", use: activate)
        security.add(to: group)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        async let users = store.all()
        let organisationNames = try await Dictionary(uniqueKeysWithValues: organisations.all().map { ($0.id!, $0.name) })
        let rows: [[AdminPages.Cell]] = try await users.map { user in
            [.link(user.name, href: "/admin/users/\(user.id!.uuidString)"), .text(user.email),
             .text(locale.text("roles.\(user.role)")),
             .text(user.organisationID.flatMap { organisationNames[$0] } ?? "—"),
             .tag(AdminPages.activeLabel(user.active, locale))]
        }
        return try pages.list(request, context: context, heading: locale.text("admin.users.title"),
                              columns: [.init(label: locale.text("admin.fields.name")), .init(label: locale.text("admin.fields.email")),
                                        .init(label: locale.text("admin.fields.role")), .init(label: locale.text("admin.fields.organisation")),
                                        .init(label: locale.text("admin.fields.status"))],
                              rows: rows, newHref: "/admin/users/new", newLabel: locale.text("admin.users.new"))
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await render(request, context: context, user: nil, values: FormFields(), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            let user = try await store.create(draft(context.form), by: principal)
            return "/admin/users/\(user.id!.uuidString)?saved=1"
        } orShow: { issues in
            try await render(request, context: context, user: nil, values: context.form, issues: issues)
        }
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let user = try await store.find(AdminPages.id(context))
        let assignments = try await store.assignments(of: user.id!)
        let pairs = [("name", user.name), ("role", user.role), ("organisation", user.organisationID?.uuidString ?? ""),
                     ("team_lead", user.teamLeadID?.uuidString ?? ""), ("team", user.teamID?.uuidString ?? "")]
            + assignments.districtIDs.map { ("districts", $0.uuidString) }
            + assignments.locationIDs.map { ("locations", $0.uuidString) }
        return try await render(request, context: context, user: user, values: FormFields(pairs: pairs), issues: [])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let user = try await store.find(AdminPages.id(context))
        return try await FormSubmission.save(request, context) {
            try await store.update(user.id!, draft(context.form), by: principal)
            return "/admin/users/\(user.id!.uuidString)?saved=1"
        } orShow: { issues in
            try await render(request, context: context, user: user, values: context.form, issues: issues)
        }
    }

    func deactivate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try AdminPages.id(context)
        try await store.setActive(id, false, by: context.principal())
        return .redirect(to: "/admin/users/\(id.uuidString)?saved=1")
    }

    func activate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try AdminPages.id(context)
        try await store.setActive(id, true, by: context.principal())
        return .redirect(to: "/admin/users/\(id.uuidString)?saved=1")
    }

    private func draft(_ form: FormFields) -> UserDraft {
        UserDraft(email: form["email"], name: form["name"], role: form["role"], organisation: form["organisation"],
                  districts: form.all("districts"), locations: form.all("locations"), password: form.raw("password"),
                  teamLead: form["team_lead"], team: form["team"])
    }

    private func render(_ request: Request, context: AppRequestContext, user: User?, values: FormFields,
                        issues: [FieldIssue]) async throws -> HTML {
        let principal = try context.principal()
        let locale = pages.views.locales[context.language]
        async let districts = locations.districts()
        async let sites = locations.locations()
        async let organisations = self.organisations.all()
        let chosenOrganisation = values["organisation"]
        let organisationList = try await organisations
        let organisationOptions = organisationList.filter { $0.active || $0.id?.uuidString == chosenOrganisation }
            .map { ($0.id!.uuidString, $0.name) }
        let organisationNames = Dictionary(uniqueKeysWithValues: organisationList.map { ($0.id!, $0.name) })
        let teamOptions = try await teams.all().filter { $0.active || $0.id?.uuidString == values["team"] }
            .map { ($0.id!.uuidString, "\(organisationNames[$0.organisationID] ?? "—") – \($0.name)") }
        var fields: [AdminField] = []
        if let user {
            fields.append(AdminField("email", label: locale.text("admin.fields.email"), .readOnly(user.email)))
        } else {
            fields.append(AdminField("email", label: locale.text("admin.fields.email"), hint: locale.text("admin.users.email_hint"),
                                     required: true, .text(type: "email", maxLength: UserDraft.maxEmailLength)))
        }
        fields.append(AdminField("name", label: locale.text("admin.fields.name"), required: true, .text()))
        if user == nil {
            fields.append(AdminField("password", label: locale.text("admin.fields.password"),
                                     hint: locale.text("admin.users.password_hint", ["min": "\(Passwords.minimumLength)"]),
                                     required: true, .text(type: "password", maxLength: UserDraft.maxPasswordBytes)))
        }
        fields += [
            AdminField("role", label: locale.text("admin.fields.role"), hint: locale.text("admin.users.role_hint"), required: true,
                       .select([(value: "", label: locale.text("form.choose"))] + Role.allCases.map { ($0.rawValue, locale.text("roles.\($0.rawValue)")) })),
            AdminField("organisation", label: locale.text("admin.fields.organisation"), hint: locale.text("admin.users.organisation_hint"),
                       .select([(value: "", label: locale.text("admin.users.no_organisation"))] + organisationOptions)),
            AdminField("team_lead", label: locale.text("admin.fields.team_lead"), hint: locale.text("admin.users.team_lead_hint"),
                       .select([(value: "", label: locale.text("admin.users.no_team_lead"))]
                               + (try await store.all()).filter { $0.active && $0.id != user?.id }.map { ($0.id!.uuidString, $0.name) })),
            AdminField("team", label: locale.text("admin.fields.team"), hint: locale.text("admin.users.team_hint"),
                       .select([(value: "", label: locale.text("admin.users.no_team"))] + teamOptions)),
            AdminField("districts", label: locale.text("admin.fields.districts"), hint: locale.text("admin.users.districts_hint"),
                       .checkboxes(try await districts.map { ($0.id!.uuidString, $0.name) })),
            AdminField("locations", label: locale.text("admin.fields.locations"), hint: locale.text("admin.users.locations_hint"),
                       .checkboxes(try await sites.map { ($0.id!.uuidString, $0.name) })),
        ]
        let form = AdminForm(fields: fields, values: values, issues: issues, locale: locale)
        var actions: [AdminPages.Action] = []
        var intro: String?
        if let user {
            let base = "/admin/users/\(user.id!.uuidString)"
            intro = locale.text("admin.users.state", ["state": AdminPages.activeLabel(user.active, locale)])
            if !user.active {
                actions.append(.init(id: "activate", label: locale.text("admin.users.activate"), action: base + "/activate"))
            } else if user.id != principal.userID {
                actions.append(.init(id: "deactivate", label: locale.text("admin.users.deactivate"), action: base + "/deactivate",
                                     hint: locale.text("admin.users.deactivate_hint")))
            } else {
                intro = (intro ?? "") + " " + locale.text("admin.users.self_hint")
            }
            // Sign-in security: password reset, two-factor reset, unlock (Features/Accounts).
            let security = try await security.actions(for: user, locale: locale)
            actions += user.id == principal.userID ? [] : security.actions
            intro = (intro ?? "") + " " + security.state
        }
        return try pages.form(request, context: context, heading: user.map { locale.text("admin.users.edit", ["name": $0.name]) } ?? locale.text("admin.users.new"),
                              form: form, action: user.map { "/admin/users/\($0.id!.uuidString)" } ?? "/admin/users",
                              submit: locale.text("form.save"), back: ("/admin/users", locale.text("admin.users.title")),
                              intro: intro, actions: actions)
    }
}
