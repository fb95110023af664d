import Foundation
import Hummingbird

/// Case meeting pages: the list (upcoming and past), planning a meeting, the meeting with its
/// agenda, recording an item's outcome, and the printable agenda.
struct CaseMeetingRoutes {
    let store: CaseMeetingStore
    let catalog: CatalogStore
    let views: Views
    /// Decision rows on the outcome form (action rows: `ActionForm.rows`); rows left empty are ignored.
    static let decisionRows = 3

    func add(to router: Router<AppRequestContext>) {
        router.get("/meetings", use: list)
        router.get("/meetings/new", use: newForm)
        router.post("/meetings", use: create)
        router.get("/meetings/:id", use: show)
        router.post("/meetings/:id", use: update)
        router.get("/meetings/:id/agenda", use: printable)
        router.post("/meetings/:id/agenda", use: addCase)
        router.get("/meetings/:id/items/:item", use: itemForm)
        router.post("/meetings/:id/items/:item", use: record)
        router.post("/meetings/:id/items/:item/remove", use: removeCase)
    }

    func locale(_ context: AppRequestContext) -> LocaleTexts { views.locales[context.language] }

    static func id(_ context: AppRequestContext, _ name: String = "id") throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require(name)) else { throw AppError.notFound }
        return id
    }

    func presenter(_ context: AppRequestContext, users: [UUID?]) async throws -> CaseMeetingPresenter {
        CaseMeetingPresenter(catalog: try await catalog.catalog(), names: try await catalog.names(users),
                             locale: locale(context), language: context.language)
    }

    // MARK: List and planning

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let cursor = request.uri.queryParameters.get("past").flatMap(CaseMeetingCursor.init(encoded:))
        let overview = try await store.overview(by: principal, pastAfter: cursor)
        let all = overview.upcoming + overview.past
        let counts = try await store.itemCounts(all), invited = try await store.invited(all)
        let presenter = try await presenter(context, users: all.map(\.organiserID))
        let rows = { (meetings: [CaseMeeting]) in meetings.map { presenter.row($0, items: counts[$0.id!] ?? 0, invited: invited[$0.id!] ?? []) } }
        var data: [String: Any] = ["upcoming": rows(overview.upcoming), "past": rows(overview.past)]
        if overview.upcoming.isEmpty { data["noUpcoming"] = true }
        if overview.past.isEmpty { data["noPast"] = true }
        if let next = overview.pastNext { data["olderHref"] = ViewHelpers.url("/meetings", [("past", next.encoded)]) + "#past-heading" }
        if cursor != nil { data["newestHref"] = "/meetings#past-heading" }
        if overview.pastNext != nil || cursor != nil { data["pager"] = true }
        if try await store.mayPlan(principal) { data["mayPlan"] = true }
        return try views.page("casemeetings/list", title: locale(context).text("casemeetings.title"), request: request, context: context, data: data)
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        guard try await store.mayPlan(context.principal()) else { throw AppError.notFound }
        return try await renderNew(FormFields(), issues: [], request: request, context: context)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard try await store.mayPlan(principal) else { throw AppError.notFound }
        let form = context.form
        return try await FormSubmission.save(request, context) {
            let meeting = try await store.plan(Self.draft(form), by: principal)
            return CaseMeetingPresenter.href(meeting.id!)
        } orShow: { issues in try await renderNew(form, issues: issues, request: request, context: context) }
    }

    static func draft(_ form: FormFields, status: Bool = false) -> CaseMeetingDraft {
        CaseMeetingDraft(day: form.raw("day"), time: form.raw("time"), place: form.raw("place"), organisations: form.all("organisations"),
                         status: status ? form["status"] : nil)
    }

    private func renderNew(_ form: FormFields, issues: [FieldIssue], request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = locale(context)
        let details = try await detailsForm(form, issues: issues, context: context)
        var data: [String: Any] = ["form": details, "action": "/meetings"]
        data["hasErrors"] = details["hasErrors"]
        data["errorSummary"] = details["errorSummary"]
        let title = (issues.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("casemeetings.new")
        return try views.page("casemeetings/new", title: title, request: request, context: context, data: data,
                              status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    /// The fields of the details form (new meeting, and the organiser's change form), with errors.
    private func detailsForm(_ form: FormFields, issues: [FieldIssue], context: AppRequestContext) async throws -> [String: Any] {
        let locale = locale(context)
        let catalog = try await self.catalog.catalog()
        let errors = ViewHelpers.errors(issues, locale)
        let chosen = Set(form.all("organisations"))
        var data: [String: Any] = [
            "day": form.raw("day"), "time": form.raw("time"), "place": form.raw("place"), "errors": errors,
            "organisationChoices": catalog.organisations.filter(\.active).map { ["value": $0.id!.uuidString, "label": $0.name, "checked": chosen.contains($0.id!.uuidString)] },
        ]
        if !errors.isEmpty {
            data["hasErrors"] = true
            data["errorSummary"] = ["day", "time", "place", "organisations", "status"].compactMap { name in
                errors[name].map { ["field": name, "label": locale.text("casemeetings.fields.\(name)"), "message": $0] }
            }
        }
        return data
    }

    // MARK: One meeting

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let agenda = try await store.agenda(try Self.id(context), by: context.principal())
        return try await render(agenda, request: request, context: context)
    }

    private func render(_ agenda: CaseMeetingStore.Agenda, issues: [FieldIssue] = [], form: FormFields? = nil, status: HTTPResponse.Status = .ok,
                        template: String = "casemeetings/show", request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = locale(context)
        let users = [agenda.meeting.organiserID] + agenda.entries.flatMap { [$0.item.recordedBy] + $0.actions.map(\.assigneeID) }
        let presenter = try await presenter(context, users: users)
        let persons = try await store.pseudonyms(of: agenda.entries)
        var data: [String: Any] = [
            "meeting": presenter.facts(agenda),
            "items": agenda.entries.enumerated().map { presenter.entry($1, number: $0 + 1, agenda: agenda, persons: persons) },
        ]
        if agenda.entries.isEmpty { data["noItems"] = true }
        if agenda.mayOrganise {
            data["mayOrganise"] = true
            let meeting = agenda.meeting
            // The change form starts from the meeting as it is, or from what was typed.
            let typed = form.flatMap { $0.raw("day").isEmpty && $0.raw("time").isEmpty ? nil : $0 }
            let fields = typed ?? FormFields(pairs: [("day", Formats.isoDay(meeting.plannedAt)), ("time", Formats.isoTime(meeting.plannedAt)),
                                                    ("place", meeting.place ?? "")] + agenda.invited.map { ("organisations", $0.uuidString) })
            let details = try await detailsForm(fields, issues: issues, context: context)
            data["form"] = details
            data["errors"] = details["errors"]
            data["hasErrors"] = details["hasErrors"]
            data["errorSummary"] = (details["errorSummary"] as? [[String: String]] ?? [])
                + (ViewHelpers.errors(issues, locale)["case"].map { [["field": "case", "label": locale.text("casemeetings.fields.case"), "message": $0]] } ?? [])
            if issues.contains(where: { $0.name == "case" }) { data["hasErrors"] = true }
            if meeting.meetingStatus.agendaOpen { data["agendaOpen"] = true; data["caseReference"] = form?.raw("case") ?? "" }
            data["statusChoices"] = ([meeting.meetingStatus] + meeting.meetingStatus.next).map {
                ["value": $0.rawValue, "label": locale.text("casemeetings.status.\($0.rawValue)"), "selected": $0 == meeting.meetingStatus]
            }
        }
        let title = (issues.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("casemeetings.meeting") + " " + presenter.when(agenda.meeting)
        return try views.page(template, title: title, request: request, context: context, data: data, status: status)
    }

    /// Runs an organiser's change and shows the meeting again, errors beside the fields.
    private func change(_ request: Request, _ context: AppRequestContext,
                        _ work: (CaseMeetingStore.Agenda, Principal) async throws -> Void) async throws -> Response {
        let principal = try context.principal()
        let agenda = try await store.agenda(try Self.id(context), by: principal)
        guard agenda.mayOrganise else { throw AppError.notFound }
        do {
            try await work(agenda, principal)
        } catch AppError.invalid(let issues) {
            return try await render(agenda, issues: issues, form: context.form, status: .unprocessableContent, request: request, context: context)
                .response(from: request, context: context)
        }
        return .redirect(to: CaseMeetingPresenter.href(agenda.meeting.id!))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context) { agenda, principal in
            var draft = Self.draft(context.form, status: true)
            // A held or cancelled meeting keeps its details (its form has the status only).
            let details = context.form.pairs.contains { $0.0 == "day" }
            if !details || !agenda.meeting.meetingStatus.agendaOpen { draft = CaseMeetingDraft(status: draft.status) }
            try await store.change(agenda, draft, by: principal)
        }
    }

    func addCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context) { agenda, principal in
            try await store.addToAgenda(agenda, reference: context.form["case"], by: principal)
        }
    }

    func removeCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context) { agenda, principal in
            try await store.removeFromAgenda(agenda, itemID: try Self.id(context, "item"), by: principal)
        }
    }

    func printable(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let agenda = try await store.agenda(try Self.id(context), by: context.principal())
        return try await render(agenda, template: "casemeetings/agenda", request: request, context: context)
    }
}
