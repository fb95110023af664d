import Foundation
import Hummingbird

/// Recording an agenda item's outcome: the form with minutes, decision rows and action rows, and
/// its submission (errors beside the row they belong to, everything typed kept).
extension CaseMeetingRoutes {
    func itemForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (agenda, entry) = try await recordable(context)
        guard !entry.item.isRecorded else { return .redirect(to: CaseMeetingPresenter.href(agenda.meeting.id!) + "#item-\(entry.item.id!.uuidString.lowercased())") }
        return try await renderItem(agenda, entry, form: FormFields(), issues: [], request: request, context: context).response(from: request, context: context)
    }

    func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let (agenda, entry) = try await recordable(context)
        let form = context.form
        return try await FormSubmission.save(request, context) {
            try await store.record(Self.outcome(form), item: entry.item.id!, of: agenda, by: principal)
            return CaseMeetingPresenter.href(agenda.meeting.id!) + "#item-\(entry.item.id!.uuidString.lowercased())"
        } orShow: { issues in
            try await renderItem(agenda, entry, form: form, issues: Self.formIssues(issues, form), request: request, context: context)
        }
    }

    /// The meeting and one item the user may record; not found otherwise.
    private func recordable(_ context: AppRequestContext) async throws -> (CaseMeetingStore.Agenda, CaseMeetingStore.Entry) {
        let agenda = try await store.agenda(try Self.id(context), by: context.principal())
        let itemID = try Self.id(context, "item")
        guard let entry = agenda.entries.first(where: { $0.item.id == itemID }), entry.mayRecord else { throw AppError.notFound }
        guard agenda.meeting.meetingStatus.takesOutcome else { throw AppError.conflict("A cancelled meeting has no outcome.") }
        return (agenda, entry)
    }

    /// The filled-in rows of the form, in order: decision rows and action rows left empty are skipped.
    static func outcome(_ form: FormFields) -> CaseMeetingStore.Outcome {
        let decisions = (0..<decisionRows).map { form.raw("decision_\($0)") }.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let actions = ActionForm.drafts(form).map(\.draft)
        return .init(minutes: form.raw("minutes"), decisions: decisions, actions: actions)
    }

    /// The store numbers decisions and actions among the filled rows; the form shows them at their own row.
    static func formIssues(_ issues: [FieldIssue], _ form: FormFields) -> [FieldIssue] {
        let decisionRows = (0..<decisionRows).filter { !form.raw("decision_\($0)").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let actionRows = ActionForm.filledRows(form)
        return issues.map { issue in
            let parts = issue.name.split(separator: "_", maxSplits: 2).map(String.init)
            if parts.count >= 2, let index = Int(parts[1]) {
                if parts[0] == "decision", index < decisionRows.count { return FieldIssue("decision_\(decisionRows[index])", issue.code) }
                if parts[0] == "action", index < actionRows.count, parts.count == 3 { return FieldIssue("action_\(actionRows[index])_\(parts[2])", issue.code) }
            }
            return issue
        }
    }

    private func renderItem(_ agenda: CaseMeetingStore.Agenda, _ entry: CaseMeetingStore.Entry, form: FormFields, issues: [FieldIssue],
                            request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = locale(context)
        let presenter = try await presenter(context, users: [agenda.meeting.organiserID])
        let errors = ViewHelpers.errors(issues, locale)
        let number = (agenda.entries.firstIndex { $0.item.id == entry.item.id } ?? 0) + 1
        let actionRows = ActionViews(presenter: ReportPresenter(catalog: presenter.catalog, names: [:], locale: locale, language: context.language),
                                     people: try await catalog.people()).rows(form: form, errors: errors)
        let decisionRows: [[String: Any]] = (0..<Self.decisionRows).map { index in
            var row: [String: Any] = ["name": "decision_\(index)", "number": index + 1, "value": form.raw("decision_\(index)")]
            if let error = errors["decision_\(index)"] { row["error"] = error }
            return row
        }
        var item = presenter.entry(entry, number: number, agenda: agenda, persons: try await store.pseudonyms(of: [entry]))
        item["id"] = entry.item.id!.uuidString.lowercased()
        var data: [String: Any] = ["meeting": presenter.facts(agenda), "item": item, "minutesValue": form.raw("minutes"), "errors": errors,
                                   "decisionRows": decisionRows, "actionRows": actionRows]
        if !errors.isEmpty {
            data["hasErrors"] = true
            data["errorSummary"] = issues.map { issue -> [String: String] in
                let label = issue.name.hasPrefix("action_") ? locale.text("casemeetings.action") : issue.name.hasPrefix("decision_")
                    ? locale.text("casemeetings.decision") : locale.text("casemeetings.fields.minutes")
                return ["field": issue.name == "decisions" ? "decision_0" : issue.name, "label": label, "message": errors[issue.name] ?? ""]
            }
        }
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("casemeetings.record_title")
        return try views.page("casemeetings/item", title: title, request: request, context: context, data: data,
                              status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
