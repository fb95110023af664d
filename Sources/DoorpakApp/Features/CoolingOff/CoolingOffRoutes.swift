import Foundation
import Hummingbird

/// The cooling-off pages: register, calendar and occupancy in one overview; dwelling forms; the
/// placement request (from a person); the placement page with its steps.
struct CoolingOffRoutes {
    let store: CoolingOffStore
    let catalog: CatalogStore
    let views: Views

    static let calendarDays = 28

    func add(to router: Router<AppRequestContext>) {
        router.get("/cooling-off", use: overview)
        router.get("/cooling-off/dwellings/new", use: newDwelling)
        router.post("/cooling-off/dwellings", use: createDwelling)
        router.get("/cooling-off/dwellings/:id/edit", use: editDwelling)
        router.post("/cooling-off/dwellings/:id", use: updateDwelling)
        router.get("/persons/:pseudonym/placements/new", use: requestForm)
        router.post("/persons/:pseudonym/placements", use: request)
        router.get("/cooling-off/placements/:id", use: show)
        router.post("/cooling-off/placements/:id/:step", use: step)
    }

    private func presenter(_ context: AppRequestContext) async throws -> CoolingOffPresenter {
        CoolingOffPresenter(catalog: try await catalog.catalog(), locale: views.locales[context.language],
                            language: context.language, cipher: store.persons.cipher)
    }

    // MARK: Overview

    func overview(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let today = Date.now
        let dwellings = try await store.dwellings(by: principal, includeInactive: PlacementPolicy(principal: principal).manages)
        let availability = try await store.availability(by: principal, today: today)
        let open = try await store.openPlacements(by: principal)
        let presenter = try await presenter(context)
        let names = try await store.personNames(open, by: principal)
        let rows = open.filter { $0.placement.placementStatus.occupies }.map { presenter.row($0, dwellings: dwellings, names: names, today: today) }
        let requests = open.filter { $0.placement.placementStatus == .requested }.map { presenter.row($0, dwellings: dwellings, names: names, today: today) }
        let overdue = rows.filter { $0["overdue"] != nil }
        var data: [String: Any] = [
            "occupancy": rows,
            "requests": requests,
            "overdueRows": overdue,
            "calendar": presenter.calendar(dwellings.filter(\.active), availability: availability, from: today, days: Self.calendarDays),
            "dwellings": dwellings.map(presenter.dwellingRow),
        ]
        if PlacementPolicy(principal: principal).manages { data["mayManage"] = true }
        if rows.isEmpty { data["noOccupancy"] = true }
        if !requests.isEmpty { data["hasRequests"] = true }
        if !overdue.isEmpty { data["hasOverdue"] = true }
        if dwellings.isEmpty { data["noDwellings"] = true }
        return try views.page("cooling-off/index", title: presenter.locale.text("coolingoff.title"), request: request, context: context, data: data)
    }

    // MARK: Dwellings

    func newDwelling(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard principal.reportScope != .none, PlacementPolicy(principal: principal).manages else { throw AppError.notFound }
        return try await renderDwelling(nil, form: FormFields(pairs: [("capacity", "1"), ("active", "1")]), issues: [], request: request, context: context)
    }

    func createDwelling(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let form = context.form
        return try await FormSubmission.save(request, context) {
            _ = try await store.save(Self.dwellingDraft(form), id: nil, by: principal)
            return "/cooling-off#dwellings-heading"
        } orShow: { issues in try await renderDwelling(nil, form: form, issues: issues, request: request, context: context) }
    }

    func editDwelling(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard PlacementPolicy(principal: principal).manages else { throw AppError.notFound }
        let dwelling = try await store.dwelling(try context.parameters.require("id", as: UUID.self), by: principal)
        let form = FormFields(pairs: [("name", dwelling.name), ("address_label", dwelling.addressLabel), ("capacity", "\(dwelling.capacity)")]
                              + (dwelling.active ? [("active", "1")] : []))
        return try await renderDwelling(dwelling.id, form: form, issues: [], request: request, context: context)
    }

    func updateDwelling(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try context.parameters.require("id", as: UUID.self)
        let form = context.form
        return try await FormSubmission.save(request, context) {
            _ = try await store.save(Self.dwellingDraft(form), id: id, by: principal)
            return "/cooling-off#dwellings-heading"
        } orShow: { issues in try await renderDwelling(id, form: form, issues: issues, request: request, context: context) }
    }

    static func dwellingDraft(_ form: FormFields) -> CoolingOffStore.DwellingDraft {
        .init(name: form.raw("name"), addressLabel: form.raw("address_label"), capacity: form["capacity"], active: form["active"] == "1")
    }

    private func renderDwelling(_ id: UUID?, form: FormFields, issues: [FieldIssue], request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = views.locales[context.language]
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = [
            "action": id.map { "/cooling-off/dwellings/\($0.uuidString)" } ?? "/cooling-off/dwellings",
            "name": form.raw("name"), "address_label": form.raw("address_label"), "capacity": form.raw("capacity"),
            "active": form["active"] == "1", "errors": errors,
            "errorSummary": CoolingOffPresenter.summary(errors, locale),
        ]
        if !errors.isEmpty { data["hasErrors"] = true }
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text(id == nil ? "coolingoff.new_dwelling" : "coolingoff.edit_dwelling")
        data["heading"] = locale.text(id == nil ? "coolingoff.new_dwelling" : "coolingoff.edit_dwelling")
        return try views.page("cooling-off/dwelling", title: title, request: request, context: context, data: data,
                              status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: Request

    func requestForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        _ = try await store.persons.record(pseudonym: pseudonym, by: principal)
        let today = Date.now
        let form = FormFields(pairs: [("from", Formats.isoDay(today)), ("through", Formats.isoDay(PlacementDays.adding(14, to: today)))])
        return try await renderRequest(pseudonym.uppercased(), form: form, issues: [], request: request, context: context)
    }

    func request(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        _ = try await store.persons.record(pseudonym: pseudonym, by: principal)
        let form = context.form
        return try await FormSubmission.save(request, context) {
            let draft = CoolingOffStore.RequestDraft(reason: form.raw("reason"), from: form["from"], through: form["through"],
                                                     guidanceOrganisation: form["guidance_organisation"], dwelling: form["dwelling"])
            return "/cooling-off/placements/\(try await store.request(draft, for: pseudonym, by: principal).id!.uuidString)"
        } orShow: { issues in try await renderRequest(pseudonym.uppercased(), form: form, issues: issues, request: request, context: context) }
    }

    /// The request form; `action`/`cancelHref` differ when it is requested from a case (`CaseRoutes`).
    func renderRequest(_ pseudonym: String, form: FormFields, issues: [FieldIssue], request: Request,
                       context: AppRequestContext, action: String? = nil, cancelHref: String? = nil) async throws -> HTML {
        let principal = try context.principal()
        let presenter = try await presenter(context)
        let locale = presenter.locale
        let errors = ViewHelpers.errors(issues, locale)
        let dwellings = try await store.dwellings(by: principal)
        var data: [String: Any] = [
            "pseudonym": pseudonym, "action": action ?? "/persons/\(pseudonym)/placements", "cancelHref": cancelHref ?? "/persons/\(pseudonym)",
            "reason": form.raw("reason"), "from": form.raw("from"), "through": form.raw("through"),
            "organisations": ViewHelpers.options([("", locale.text("form.choose"))]
                + presenter.catalog.organisations.filter(\.active).map { ($0.id!.uuidString, $0.name) }, selected: form["guidance_organisation"] ?? ""),
            "dwellings": ViewHelpers.options([("", locale.text("coolingoff.no_preference"))] + dwellings.map { ($0.id!.uuidString, $0.name) },
                                             selected: form["dwelling"] ?? ""),
            "errors": errors, "errorSummary": CoolingOffPresenter.summary(errors, locale),
        ]
        if !errors.isEmpty { data["hasErrors"] = true }
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("coolingoff.request_title")
        return try views.page("cooling-off/request", title: title, request: request, context: context, data: data,
                              status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: One placement

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let visible = try await store.placement(try context.parameters.require("id", as: UUID.self), by: context.principal())
        return try await renderPlacement(visible, issues: [], form: FormFields(), request: request, context: context)
    }

    func step(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let visible = try await store.placement(try context.parameters.require("id", as: UUID.self), by: principal)
        guard let step = PlacementStep(rawValue: try context.parameters.require("step")), step != .request else { throw AppError.notFound }
        let form = context.form
        let draft = CoolingOffStore.StepDraft(dwelling: form["dwelling"], day: form["day"], reason: form.raw("reason"), outcome: form["outcome"])
        do {
            try await store.perform(step, on: visible.placement, with: draft, by: principal)
        } catch AppError.invalid(let issues) {
            return try await renderPlacement(visible, issues: issues.map { FieldIssue("\(step.rawValue)_\($0.name)", $0.code) }, form: form,
                                             status: .unprocessableContent, request: request, context: context).response(from: request, context: context)
        } catch AppError.conflict {
            return try await renderPlacement(visible, issues: [FieldIssue("step", "not_allowed")], form: form,
                                             status: .conflict, request: request, context: context).response(from: request, context: context)
        }
        return .redirect(to: "/cooling-off/placements/\(visible.placement.id!.uuidString)")
    }

    private func renderPlacement(_ visible: CoolingOffStore.Visible, issues: [FieldIssue], form: FormFields, status: HTTPResponse.Status = .ok,
                                 request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let presenter = try await presenter(context)
        let dwellings = try await store.dwellings(by: principal, includeInactive: true)
        let names = try await store.personNames([visible], by: principal)
        let history = try await store.history(of: visible.placement)
        let users = try await catalog.names(history.map { Optional($0.actorID) })
        var data = presenter.detail(visible, dwellings: dwellings, names: names, history: history, users: users, principal: principal, today: .now)
        data["errors"] = ViewHelpers.errors(issues, presenter.locale)
        for key in ["reason", "day", "outcome", "dwelling"] { data["form_\(key)"] = form.raw(key) }
        return try views.page("cooling-off/placement", title: presenter.locale.text("coolingoff.placement_title"), request: request,
                              context: context, data: data, status: status)
    }
}
