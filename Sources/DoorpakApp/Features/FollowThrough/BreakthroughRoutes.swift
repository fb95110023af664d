import Foundation
import Hummingbird

/// The breakthrough meeting ("doorbraakoverleg"): the agenda of items escalated to it (and, below,
/// those gone on to the board), and per item the decision with the actions it agrees.
struct BreakthroughRoutes {
    let store: EscalationStore
    let subjects: AgendaSubjects
    let actions: ActionStore
    let catalog: CatalogStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/breakthrough", use: agenda)
        router.get("/breakthrough/:id", use: item)
        router.post("/breakthrough/:id", use: decide)
    }

    func agenda(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        async let meeting = store.agenda(.breakthrough, by: principal)
        async let board = store.agenda(.board, by: principal)
        let catalog = try await self.catalog.catalog()
        let locale = views.locales[context.language]
        let row = { (escalation: Escalation) -> [String: Any] in
            ["href": "/breakthrough/\(escalation.id!.uuidString)", "reference": escalation.subjectReference,
             "item": locale.text("breakthrough.item_\(escalation.itemKind)"),
             "district": catalog.district(escalation.districtID)?.name ?? "—",
             "deadline": Formats.dateTime(escalation.deadline, context.language), "since": Formats.dateTime(escalation.at, context.language)]
        }
        let items = try await meeting.map(row), boardItems = try await board.map(row)
        let data: [String: Any] = ["items": items, "hasItems": !items.isEmpty, "boardItems": boardItems, "hasBoardItems": !boardItems.isEmpty]
        return try views.page("breakthrough/agenda", title: locale.text("breakthrough.title"), request: request, context: context, data: data)
    }

    func item(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await render(request, context, issues: [], form: FormFields())
    }

    func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let escalation = try await store.agendaItem(try Self.id(context), by: principal)
        let subject = try await subjects.find(escalation, by: principal)
        let form = context.form
        let rows = ActionForm.drafts(form)
        return try await FormSubmission.save(request, context) {
            // Each action row is checked on its own so that its errors land beside its own fields.
            var issues: [FieldIssue] = []
            for (index, draft) in rows {
                do { _ = try await actions.check(draft, by: principal, now: .now) } catch AppError.invalid(let found) {
                    issues += found.map { FieldIssue(ActionForm.rowPrefix(index) + $0.name, $0.code) }
                }
            }
            guard issues.isEmpty else { throw AppError.invalid(issues) }
            try await store.decide(escalation, decision: form.raw("decision"), actions: rows.map(\.draft), subject: subject.action, by: principal)
            return "/breakthrough?decided=\(escalation.subjectReference)"
        } orShow: { issues in
            try await render(request, context, issues: issues, form: form)
        }
    }

    private func render(_ request: Request, _ context: AppRequestContext, issues: [FieldIssue], form: FormFields) async throws -> HTML {
        let principal = try context.principal()
        let escalation = try await store.agendaItem(try Self.id(context), by: principal)
        let subject = try await subjects.find(escalation, by: principal)
        let catalog = try await self.catalog.catalog()
        let history = try await store.escalations(of: subject.action.kind, id: subject.action.id).filter { $0.itemID == escalation.itemID }
        let names = try await self.catalog.names([subject.action.ownerID])
        let locale = views.locales[context.language]
        let presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: context.language)
        var subjectData: [String: Any] = [:]
        switch subject {
        case .report(let report): subjectData["report"] = presenter.row(report)
        case .caseFile(let file):
            subjectData["caseFile"] = ["reference": file.reference, "href": "/cases/\(file.reference)",
                                       "phase": locale.text("cases.phases.\(file.phase)"), "director": names[file.directorID] ?? "—",
                                       "district": catalog.district(file.districtID)?.name ?? "—"]
        }
        let errors = ViewHelpers.errors(issues, locale)
        let rows = ActionViews(presenter: presenter, people: try await self.catalog.people()).rows(form: form, errors: errors)
        let data: [String: Any] = [
            "escalation": ["id": escalation.id!.uuidString, "item": locale.text("breakthrough.item_\(escalation.itemKind)"),
                           "deadline": Formats.dateTime(escalation.deadline, context.language)],
            "ladder": history.reversed().map { ["level": locale.text("followthrough.level.\($0.escalationLevel.code)"),
                                                "at": Formats.dateTime($0.at, context.language)] },
            "decision": form.raw("decision"),
            "errors": errors,
            "actionRows": rows,
        ].merging(subjectData) { current, _ in current }
        return try views.page("breakthrough/item", title: (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + escalation.subjectReference,
                              request: request, context: context, data: data, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    static func id(_ context: AppRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        return id
    }
}
