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
    /// Action rows on the decision form; rows left without a title are ignored.
    static let actionRows = 3

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
        let drafts = (0..<Self.actionRows).compactMap { index -> ActionDraft? in
            let title = form.raw("action_\(index)_title")
            guard !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return ActionDraft(title: title, organisation: form["action_\(index)_organisation"], assignee: form["action_\(index)_assignee"],
                               dueOn: form["action_\(index)_due_on"])
        }
        return try await FormSubmission.save(request, context) {
            // Each action row is checked on its own so that its errors land beside its own fields.
            var issues: [FieldIssue] = []
            var row = 0
            for index in 0..<Self.actionRows where !form.raw("action_\(index)_title").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                do { _ = try await actions.check(drafts[row], by: principal, now: .now) } catch AppError.invalid(let found) {
                    issues += found.map { FieldIssue("action_\(index)_\($0.name)", $0.code) }
                }
                row += 1
            }
            guard issues.isEmpty else { throw AppError.invalid(issues) }
            try await store.decide(escalation, decision: form.raw("decision"), actions: drafts, subject: subject.action, by: principal)
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
        let people = try await self.catalog.people()
        let organisations = catalog.organisations.filter(\.active)
        let rows: [[String: Any]] = (0..<Self.actionRows).map { index in
            let prefix = "action_\(index)_"
            var row: [String: Any] = [
                "index": index, "number": index + 1, "prefix": prefix,
                "title": form.raw(prefix + "title"), "dueOn": form.raw(prefix + "due_on"),
                "organisations": ViewHelpers.options([("", locale.text("form.choose"))] + organisations.map { ($0.id!.uuidString, $0.name) },
                                                     selected: form.raw(prefix + "organisation")),
                "people": organisations.compactMap { organisation -> [String: Any]? in
                    let members = people.filter { $0.organisation == organisation.id }
                    guard !members.isEmpty else { return nil }
                    return ["label": organisation.name, "people": ViewHelpers.options(members.map { ($0.id.uuidString, $0.name) }, selected: form.raw(prefix + "assignee"))]
                },
            ]
            for field in ["title", "organisation", "assignee", "due_on"] {
                if let error = errors[prefix + field] { row["error_\(field)"] = error; row["invalid"] = true }
            }
            return row
        }
        let data: [String: Any] = [
            "escalation": ["id": escalation.id!.uuidString, "item": locale.text("breakthrough.item_\(escalation.itemKind)"),
                           "deadline": Formats.dateTime(escalation.deadline, context.language)],
            "ladder": history.reversed().map { ["level": locale.text("followthrough.level.\($0.escalationLevel.code)"),
                                                "at": Formats.dateTime($0.at, context.language)] },
            "decision": form.raw("decision"),
            "errors": errors,
            "rows": rows,
        ].merging(subjectData) { current, _ in current }
        return try views.page("breakthrough/item", title: (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + escalation.subjectReference,
                              request: request, context: context, data: data, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    static func id(_ context: AppRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        return id
    }
}
