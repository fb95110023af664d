import Foundation

/// The one action form and the one action row, for every subject: a report's and a case's own
/// action form (fields `action_title`, …), the rows of a case meeting's outcome and of a
/// breakthrough decision (`action_0_title`, …), and an existing action with its close forms
/// (`action_<id>_result`, …). Templates: `followthrough/_action_fields` and `followthrough/_action`.
enum ActionForm {
    /// The fields of one new action, as `prefix` + name.
    static let fields = ["title", "organisation", "assignee", "due_on", "goal"]
    /// Prefix of a subject's own form.
    static let single = "action_"
    /// Rows on a multi-action form (meeting outcome, breakthrough decision); empty rows are skipped.
    static let rows = 3

    static func rowPrefix(_ index: Int) -> String { "action_\(index)_" }

    /// What was submitted under `prefix`.
    static func draft(_ form: FormFields, prefix: String = single) -> ActionDraft {
        ActionDraft(title: form.raw(prefix + "title"), organisation: form[prefix + "organisation"],
                    assignee: form[prefix + "assignee"], dueOn: form[prefix + "due_on"])
    }

    /// Store field names → the form's own names (the store reports `title`, `due_on`, …).
    static func rename(prefix: String = single) -> [String: String] {
        Dictionary(uniqueKeysWithValues: fields.map { ($0, prefix + $0) })
    }

    /// Whether the user started a new action under `prefix` (so that a failed save shows it again).
    static func typed(_ form: FormFields, prefix: String = single) -> Bool {
        fields.contains { !form.raw(prefix + $0).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    /// The indexes of the rows the user filled in, in order.
    static func filledRows(_ form: FormFields) -> [Int] {
        (0..<rows).filter { typed(form, prefix: rowPrefix($0)) }
    }

    /// The filled rows' drafts, each with its row index (errors go back to `action_<index>_<field>`).
    static func drafts(_ form: FormFields) -> [(index: Int, draft: ActionDraft)] {
        filledRows(form).map { ($0, draft(form, prefix: rowPrefix($0))) }
    }
}

/// Turns actions and action forms into what the templates show; one per page render.
struct ActionViews {
    let presenter: ReportPresenter
    /// Everyone who may be named on an action, per organisation (`CatalogStore.people()`).
    let people: [(organisation: UUID, id: UUID, name: String)]

    private var locale: LocaleTexts { presenter.locale }

    /// The fields of one new action under `prefix`, with what was typed and their errors.
    /// `goals` (a case's open plan goals) adds the optional goal select.
    func fields(prefix: String, form: FormFields, errors: [String: String], defaultOrganisation: UUID? = nil,
                goals: [(value: String, label: String)]? = nil) -> [String: Any] {
        let typed = ActionForm.typed(form, prefix: prefix)
        let value = { (field: String) in typed ? form.raw(prefix + field) : "" }
        let organisations = presenter.catalog.organisations.filter(\.active)
        var values: [String: Any] = [
            "prefix": prefix, "title": value("title"), "dueOn": value("due_on"), "maxTitle": ActionDraft.maxTitleLength,
            "organisations": ViewHelpers.options([("", locale.text("form.choose"))] + organisations.map { ($0.id!.uuidString, $0.name) },
                                                 selected: typed ? form.raw(prefix + "organisation") : (defaultOrganisation?.uuidString ?? "")),
            "people": peopleGroups(selected: value("assignee")),
        ]
        if let goals {
            values["hasGoals"] = true
            values["goals"] = ViewHelpers.options([("", locale.text("cases.no_goal"))] + goals.map { ($0.value, $0.label) }, selected: value("goal"))
        }
        for field in ActionForm.fields {
            if let error = errors[prefix + field] { values["error_\(field)"] = error; values["invalid"] = true }
        }
        return values
    }

    /// The people of each active organisation, as `<optgroup>`s of a person select (actions, hand-overs).
    func peopleGroups(selected: String) -> [[String: Any]] {
        presenter.catalog.organisations.filter(\.active).compactMap { organisation -> [String: Any]? in
            let members = people.filter { $0.organisation == organisation.id }
            guard !members.isEmpty else { return nil }
            return ["label": organisation.name, "people": ViewHelpers.options(members.map { ($0.id.uuidString, $0.name) }, selected: selected)]
        }
    }

    /// The numbered rows of a multi-action form.
    func rows(form: FormFields, errors: [String: String]) -> [[String: Any]] {
        (0..<ActionForm.rows).map { index in
            var row = fields(prefix: ActionForm.rowPrefix(index), form: form, errors: errors)
            row["number"] = index + 1
            return row
        }
    }

    /// One action with, for whoever may close it, the forms to complete or cancel it. `base` is the
    /// subject's path (`/reports/DP-…`, `/cases/CS-…`) the close forms post under; `showsContent`
    /// gives the result and cancel reason (a case's are content); `goal` the plan goal it serves.
    func row(_ action: Action, subject: ActionSubject, base: String, showsContent: Bool = true, goal: String? = nil,
             principal: Principal, form: FormFields, errors: [String: String]) -> [String: Any] {
        let id = action.id!.uuidString
        let prefix = "action_\(id)_"
        var values: [String: Any] = [
            "id": id, "base": base, "title": action.title,
            "organisation": presenter.catalog.organisation(action.organisationID)?.name ?? "—",
            "due": Formats.date(action.dueAt ?? presenter.now, presenter.language),
            "status": locale.text("followthrough.action_status.\(action.status)"), "statusCode": action.status,
            "resultField": prefix + "result", "cancelField": prefix + "cancel_reason",
        ]
        if let goal { values["goal"] = goal }
        if let assignee = action.assigneeID.flatMap({ presenter.names[$0] }) { values["assignee"] = assignee }
        if showsContent {
            if let result = action.result { values["result"] = result }
            if let reason = action.cancelReason { values["cancelReason"] = reason }
        }
        guard action.actionStatus.isOpen else { return values }
        presenter.markDeadline(DeadlineState.of(action.dueAt, now: presenter.now, calendar: presenter.calendar), in: &values)
        if action.escalationLevel > 0 {
            values["escalation"] = locale.text("followthrough.level.\(EscalationLevel(rawValue: action.escalationLevel)?.code ?? "none")")
        }
        if showsContent, ActionStore.mayClose(action, subject: subject, principal) {
            values["canClose"] = true
            // The close forms post `result` / `cancel_reason`; what was typed returns to the action whose form was refused.
            if errors.keys.contains(where: { $0.hasPrefix(prefix) }) {
                values["resultValue"] = form.raw("result")
                values["cancelValue"] = form.raw("cancel_reason")
            }
            if let error = errors[prefix + "result"] { values["resultError"] = error }
            if let error = errors[prefix + "cancel_reason"] { values["cancelError"] = error }
        }
        return values
    }
}
