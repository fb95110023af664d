import Foundation

/// Turns reports into what templates and the API show: names instead of ids, labels in the
/// user's language, dates in Amsterdam time.
struct ReportPresenter {
    let catalog: Catalog
    let names: [UUID: String]
    let locale: LocaleTexts
    let language: Language
    /// Routing rules by id, to name the rule that routed a report.
    var rules: [UUID: RoutingRule] = [:]
    /// For marking deadlines due soon or overdue.
    var calendar = WorkingDayCalendar()
    /// The report's actions and hand-overs by id, to describe their steps in the timeline.
    var actions: [UUID: Action] = [:]
    var handovers: [UUID: Handover] = [:]
    var now = Date.now

    func row(_ report: Report) -> [String: Any] {
        var values: [String: Any] = [
            "reference": report.reference,
            "href": "/reports/\(report.reference)",
            "kind": locale.text("kinds.\(report.kind)"),
            "category": catalog.category(report.categoryID)?.name(language) ?? "",
            "location": catalog.location(report.locationID)?.name ?? "",
            "occurred": Formats.dateTime(report.occurredAt, language),
            "urgency": locale.text("urgency.\(report.reportUrgency.code)"),
            "urgencyCode": report.reportUrgency.code,
            "status": locale.text("status.\(report.status)"),
            "statusCode": report.status,
            "organisation": catalog.organisation(report.organisationID)?.name ?? locale.text("reports.unassigned"),
            "owner": report.ownerID.flatMap { names[$0] } ?? locale.text("reports.no_owner"),
        ]
        // Optional values are left out rather than set to nil: Mustache would print "nil".
        if let place = catalog.place(report.placeID) { values["place"] = place.name }
        let deadlines = ReportDeadlines(report, now: now, calendar: calendar)
        if let due = report.resolveDueAt { values["resolveDue"] = deadline(due, deadlines.resolve) }
        return values
    }

    /// Adds a running deadline's warning ("bijna verlopen", "te laat") and its code to a row; on time adds nothing.
    func markDeadline(_ state: DeadlineState, in values: inout [String: Any]) {
        guard state == .dueSoon || state == .overdue else { return }
        values["state"] = locale.text("deadline.\(state.rawValue)")
        values["stateCode"] = state.rawValue
    }

    /// A deadline as text, with its state as text too (not colour alone) while it runs.
    private func deadline(_ due: Date, _ state: DeadlineState) -> [String: Any] {
        var values: [String: Any] = ["at": Formats.dateTime(due, language), "stateCode": state.rawValue]
        if state == .dueSoon || state == .overdue { values["state"] = locale.text("deadline.\(state.rawValue)") }
        return values
    }

    func detail(_ report: Report) -> [String: Any] {
        var values = row(report)
        values["description"] = report.description
        values["district"] = catalog.district(report.districtID)?.name ?? ""
        values["reporter"] = names[report.reporterID] ?? ""
        if let source = report.source { values["source"] = locale.text("sources.\(source)") }
        values["created"] = Formats.dateTime(report.createdAt, language)
        values["updated"] = Formats.dateTime(report.updatedAt, language)
        let deadlines = ReportDeadlines(report, now: now, calendar: calendar)
        if let due = report.acknowledgeDueAt { values["acknowledgeDue"] = deadline(due, deadlines.acknowledge) }
        if let id = report.routingRuleID, let rule = rules[id] {
            values["routedBy"] = RoutingRules.label(rule, catalog: catalog, locale: locale, language: language)
        }
        return values
    }

    func note(_ note: ReportNote) -> [String: Any] {
        ["author": names[note.authorID] ?? "", "at": Formats.dateTime(note.createdAt, language), "body": note.body]
    }

    func event(_ event: ReportEvent) -> [String: Any] {
        let field = ReportField(rawValue: event.field) ?? .created
        var values: [String: Any] = [
            "at": Formats.dateTime(event.at, language),
            "actor": event.actorID.flatMap { names[$0] } ?? locale.text("history.system"),
            "what": locale.text(field == .routed ? "routing.history_routed" : "history.\(field.rawValue)"),
            "from": value(field, event.fromValue),
            "to": value(field, event.toValue),
            "hasChange": [.status, .urgency, .owner, .organisation].contains(field),
            "kind": field.rawValue,
        ]
        let item = event.fromValue.flatMap(UUID.init(uuidString:))
        switch field {
        case .routed: values["detail"] = value(field, event.toValue)
        case .handover:
            values["what"] = locale.text("followthrough.timeline.handover_\(event.toValue ?? "requested")")
            if let handover = item.flatMap({ handovers[$0] }) { values["detail"] = handoverTarget(handover) }
        case .action:
            values["what"] = locale.text("followthrough.timeline.action_\(event.toValue ?? "open")")
            if let action = item.flatMap({ actions[$0] }) { values["detail"] = action.title }
        case .escalated:
            let level = locale.text("followthrough.level.\(event.toValue ?? "none")")
            if let action = item.flatMap({ actions[$0] }) {
                values["what"] = locale.text("followthrough.timeline.action_escalated")
                values["detail"] = "\(action.title) → \(level)"
            } else if item.flatMap({ handovers[$0] }) != nil {
                values["what"] = locale.text("followthrough.timeline.handover_escalated")
                values["detail"] = level
            } else {
                values["what"] = locale.text("followthrough.timeline.escalated")
                values["detail"] = level
            }
        case .decision:
            values["what"] = locale.text("followthrough.timeline.decision")
            values["detail"] = locale.text("followthrough.level.\(event.fromValue ?? "breakthrough")")
        default: break
        }
        if let reason = event.reason { values["reason"] = reason }
        return values
    }

    /// "GGD" or "GGD – Anna de Vries": where a hand-over goes.
    func handoverTarget(_ handover: Handover) -> String {
        let organisation = catalog.organisation(handover.toOrganisationID)?.name ?? "—"
        return handover.toUserID.flatMap { names[$0] }.map { "\(organisation) – \($0)" } ?? organisation
    }

    private func value(_ field: ReportField, _ raw: String?) -> String {
        guard let raw else { return "—" }
        switch field {
        case .status, .created: return locale.text("status.\(raw)")
        case .urgency: return locale.text("urgency.\(raw)")
        case .owner: return UUID(uuidString: raw).flatMap { names[$0] } ?? "—"
        case .organisation: return catalog.organisation(UUID(uuidString: raw))?.name ?? "—"
        case .note, .handover, .action, .escalated, .decision, .attachment: return ""
        case .routed:
            return UUID(uuidString: raw).flatMap { rules[$0] }.map {
                RoutingRules.label($0, catalog: catalog, locale: locale, language: language)
            } ?? "—"
        }
    }

    /// Every user id a page of reports, notes and events mentions.
    static func userIDs(reports: [Report], notes: [ReportNote] = [], events: [ReportEvent] = [],
                        actions: [Action] = [], handovers: [Handover] = []) -> [UUID?] {
        reports.flatMap { [$0.ownerID, $0.reporterID] } + notes.map(\.authorID)
            + actions.flatMap { [$0.assigneeID, $0.createdBy, $0.closedBy] }
            + handovers.flatMap { [$0.toUserID, $0.fromUserID, $0.answeredBy] }
            + events.flatMap { [$0.actorID] + ($0.field == ReportField.owner.rawValue ? [$0.fromValue, $0.toValue].map { $0.flatMap(UUID.init(uuidString:)) } : []) }
    }
}
