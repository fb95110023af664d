import Foundation

/// What the report page shows and offers for follow-through: picking up, the hand-over (pending,
/// past, the request form) and the actions with their forms. Forms that fail keep what was typed.
struct FollowThroughPanel {
    let report: Report
    let actions: [Action]
    let handovers: [Handover]
    let principal: Principal
    let presenter: ReportPresenter
    let errors: [String: String]
    let form: FormFields
    /// Reads the people for the "person" selects.
    let catalog: CatalogStore
    /// The report's policy and whether this user reads its content: who does not, sees the
    /// follow-through's facts but no forms to pass the report on or ask others to act on it.
    let policy: ReportPolicy
    let readsContent: Bool

    private var locale: LocaleTexts { presenter.locale }
    private var language: Language { presenter.language }

    func data() async throws -> [String: Any] {
        let views = ActionViews(presenter: presenter, people: try await catalog.people())
        var data: [String: Any] = [:]
        data["canPickUp"] = policy.mayPickUp && (report.ownerID != principal.userID || report.reportStatus == .new)
        if report.escalationLevel > 0 {
            data["escalationLevel"] = locale.text("followthrough.level.\(EscalationLevel(rawValue: report.escalationLevel)?.code ?? "none")")
        }
        if let pending = handovers.first(where: { $0.handoverStatus.isPending }) {
            data["pendingHandover"] = pendingHandover(pending)
        }
        let past = handovers.filter { !$0.handoverStatus.isPending }.map(pastHandover)
        if !past.isEmpty { data["pastHandovers"] = past; data["hasPastHandovers"] = true }
        let handing = form.pairs.contains { $0.0 == "handover_reason" }
        if policy.mayAskHandover && readsContent && !handovers.contains(where: { $0.handoverStatus.isPending }) {
            data["handoverForm"] = [
                "organisations": ViewHelpers.options([("", locale.text("form.choose"))] + presenter.catalog.organisations.filter(\.active).map { ($0.id!.uuidString, $0.name) },
                                                     selected: handing ? form.raw("handover_organisation") : ""),
                "people": views.peopleGroups(selected: handing ? form.raw("handover_person") : ""),
                "reason": form.raw("handover_reason"),
            ] as [String: Any]
        }
        // The hand-over panel: for who reads the report's content (its reasons are content), and
        // only when there is something to show or ask.
        data["showHandover"] = readsContent && (data["pendingHandover"] != nil || data["pastHandovers"] != nil || data["handoverForm"] != nil)
        let base = "/reports/\(report.reference)"
        data["actions"] = actions.map {
            views.row($0, subject: ActionSubject(report), base: base, principal: principal, form: form, errors: errors)
        }
        data["hasActions"] = !actions.isEmpty
        if policy.mayAddAction(readsContent: readsContent) {
            var fields = views.fields(prefix: ActionForm.single, form: form, errors: errors, defaultOrganisation: principal.organisationID)
            fields["base"] = base
            data["actionForm"] = fields
        }
        let openActions = actions.filter { $0.actionStatus.isOpen }.count
        if openActions > 0 {
            data["openActionCount"] = openActions
            if policy.mayCloseOpenActions { data["canCloseActions"] = true }
        }
        if let page = errors["page"] { data["pageError"] = page }
        return data
    }

    private func pendingHandover(_ handover: Handover) -> [String: Any] {
        let answering = form.pairs.contains { $0.0 == "answer_reason" }
        var values: [String: Any] = [
            "id": handover.id!.uuidString,
            "target": presenter.handoverTarget(handover),
            "from": presenter.names[handover.fromUserID] ?? "—",
            "reason": handover.reason,
            "requestedAt": Formats.dateTime(handover.requestedAt, language),
            "answerDue": Formats.dateTime(handover.answerDueAt, language),
            "answerReason": answering ? form.raw("answer_reason") : "",
        ]
        let state = DeadlineState.of(handover.answerDueAt, now: presenter.now, calendar: presenter.calendar)
        presenter.markDeadline(state, in: &values)
        if handover.escalationLevel > 0 {
            values["escalation"] = locale.text("followthrough.level.\(EscalationLevel(rawValue: handover.escalationLevel)?.code ?? "none")")
        }
        let check = { (answer: HandoverRules.Answer) in
            HandoverRules.check(answer, status: .requested, toUser: handover.toUserID, toOrganisation: handover.toOrganisationID,
                                fromUser: handover.fromUserID, reason: "x", by: principal) == .allowed
        }
        if check(.accept) { values["canAnswer"] = true }
        if check(.withdraw) { values["canWithdraw"] = true }
        return values
    }

    private func pastHandover(_ handover: Handover) -> [String: Any] {
        var values: [String: Any] = [
            "target": presenter.handoverTarget(handover),
            "status": locale.text("followthrough.handover_status.\(handover.status)"),
            "statusCode": handover.status,
            "requestedAt": Formats.dateTime(handover.requestedAt, language),
        ]
        if let reason = handover.answerReason { values["answerReason"] = reason }
        if let by = handover.answeredBy.flatMap({ presenter.names[$0] }) { values["answeredBy"] = by }
        return values
    }
}
