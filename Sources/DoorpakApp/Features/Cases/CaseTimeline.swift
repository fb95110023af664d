import Foundation

/// The case's one chronology ("Tijdlijn"): case events, linked reports, actions, placements, notes,
/// escalations and meetings merged newest first. Pure: the caller gathers what the user may see
/// (readable notes, reports in scope) and this type decides what of it each entry shows.
/// Content (note bodies, results, reasons, factor details) only for `readsContent`; a report the
/// user may not read shows only its reference.
struct CaseTimeline: Sendable {
    enum Kind: String, Sendable { case caseEvent = "case", report, action, placement, note, escalation, meeting }

    /// A piece of an entry's label: plain text, or a locale key the presenter translates.
    enum Part: Equatable, Sendable {
        case text(String)
        case key(String)
    }

    struct Entry: Equatable, Sendable {
        let at: Date
        let kind: Kind
        /// Locale key of what happened.
        let what: String
        var parts: [Part] = []
        /// Content: only ever set for users who read the case's content.
        var detail: String?
        var actorID: UUID?
        var href: String?
        /// The row's write order (`WriteSequence`): case events, report history, placement steps,
        /// notes, actions and escalations; `nil` for meetings (a planned time, not a write) and for
        /// rows written before their table had one.
        var seq: Int64?
        /// Insertion order: same-second entries without a write order keep their own order.
        var sequence = 0
    }

    /// A report linked to the case: `report` and `events` only when the user may read it.
    struct LinkedReport: Sendable {
        let reference: String
        let createdAt: Date
        let readable: Bool
        var kind: String = ""
        var events: [ReportEvent] = []
    }

    /// A placement of the case's persons with its steps.
    struct Placement: Sendable {
        let id: UUID
        let pseudonym: String
        let reason: String
        let events: [CoolingOffEvent]
    }

    let readsContent: Bool
    /// A member whose consent was withdrawn sees no entry from this moment on, of any kind.
    let cutoff: Date?
    private(set) var entries: [Entry] = []

    init(readsContent: Bool, cutoff: Date? = nil) {
        self.readsContent = readsContent
        self.cutoff = cutoff
    }

    /// Newest first. Within one second by write order (entries with a `seq` in the order they were
    /// written, after those without one), then insertion order: a total order, so the same rows
    /// always give the same timeline.
    var sorted: [Entry] {
        entries.sorted { a, b in
            if a.at != b.at { return a.at > b.at }
            if (a.seq ?? 0) != (b.seq ?? 0) { return (a.seq ?? 0) > (b.seq ?? 0) }
            return a.sequence > b.sequence
        }
    }

    mutating func append(_ entry: Entry) {
        if let cutoff, entry.at >= cutoff { return }
        var entry = entry
        entry.sequence = entries.count
        if !readsContent { entry.detail = nil }
        entries.append(entry)
    }

    /// Case history. Notes and actions come from their own rows for content readers (with body,
    /// title and result), so their history rows are left out; the coordinator sees that a note
    /// was added, never what it says. Factor changes name the factor only for content readers.
    mutating func add(events: [CaseEvent]) {
        // Factors saved together (same moment, same person) are one entry naming the factors now
        // present and those no longer present; a first "absent" is not news and is left out.
        var factorEntries: [String: Int] = [:]
        for event in events {
            if let cutoff, event.at >= cutoff { continue }
            if event.kind == "factor" {
                let key = "\(event.at.timeIntervalSince1970)|\(event.actorID)"
                let index = factorEntries[key] ?? entries.count
                if factorEntries[key] == nil {
                    factorEntries[key] = index
                    append(Entry(at: event.at, kind: .caseEvent, what: "cases.timeline.factors", actorID: event.actorID, seq: event.seq))
                }
                guard readsContent, let code = event.reason else { continue }
                if event.toValue == "present" {
                    entries[index].parts.append(.key("cases.factor_codes.\(code)"))
                } else if event.fromValue == "present" {
                    entries[index].parts += [.key("cases.factor_codes.\(code)"), .key("cases.timeline.factor_no_longer")]
                }
                continue
            }
            // Actions and placements have their own entries, from their own rows.
            if event.kind == "action" || event.kind == "placement_requested" || (readsContent && ["note", "sensitive_note"].contains(event.kind)) { continue }
            var entry = Entry(at: event.at, kind: .caseEvent, what: "cases.events.\(event.kind)", actorID: event.actorID, seq: event.seq)
            switch event.kind {
            case "report_linked", "person_added": entry.parts = event.toValue.map { [.text($0)] } ?? []
            case "goal_added": entry.parts = event.toValue.map { [.key("cases.domains.\($0)")] } ?? []
            case "goal_closed":
                entry.parts = [event.fromValue.map { .key("cases.domains.\($0)") }, event.toValue.map { .key("cases.goal_statuses.\($0)") }]
                    .compactMap { $0 }
            case "phase", "reopened": entry.parts = event.toValue.map { [.key("cases.phases.\($0)")] } ?? []
            case "closed": entry.parts = event.toValue.map { [.key("cases.outcomes.\($0)")] } ?? []
            default: break
            }
            if ["phase", "closed", "reopened", "director_proposed", "director_declined", "director_claimed", "decision"].contains(event.kind) { entry.detail = event.reason }
            append(entry)
        }
    }

    mutating func add(notes: [(note: CaseNote, body: String)]) {
        for (note, body) in notes {
            append(Entry(at: note.createdAt, kind: .note, what: note.sensitive ? "cases.events.sensitive_note" : "cases.events.note",
                         detail: body, actorID: note.authorID, seq: note.seq))
        }
    }

    /// A readable report shows its registration and its status changes; another only its reference.
    mutating func add(reports: [LinkedReport]) {
        for report in reports {
            guard report.readable else {
                append(Entry(at: report.createdAt, kind: .report, what: "cases.timeline.report_hidden", parts: [.text(report.reference)]))
                continue
            }
            let href = "/reports/\(report.reference)"
            append(Entry(at: report.createdAt, kind: .report, what: "cases.timeline.report_registered",
                         parts: [.text(report.reference)] + (report.kind.isEmpty ? [] : [.key("kinds.\(report.kind)")]), href: href))
            for event in report.events where event.field == ReportField.status.rawValue {
                append(Entry(at: event.at, kind: .report, what: "cases.timeline.report_status",
                             parts: [.text(report.reference)] + (event.toValue.map { [.key("status.\($0)")] } ?? []),
                             detail: event.reason, actorID: event.actorID, href: href, seq: event.seq))
            }
        }
    }

    /// Each action: agreed, and done or cancelled (with the result or reason for content readers).
    mutating func add(actions: [Action]) {
        for action in actions {
            let anchor = "#action-\(action.id!.uuidString)"
            append(Entry(at: action.createdAt, kind: .action, what: "cases.timeline.action_created",
                         parts: [.text(action.title)], actorID: action.createdBy, href: anchor, seq: action.createdSeq))
            if let closed = action.closedAt, !action.actionStatus.isOpen {
                append(Entry(at: closed, kind: .action, what: "cases.timeline.action_\(action.status)", parts: [.text(action.title)],
                             detail: action.result ?? action.cancelReason, actorID: action.closedBy, href: anchor, seq: action.closedSeq))
            }
        }
    }

    /// Rungs the case's actions went up the escalation ladder.
    mutating func add(escalations: [Escalation], actions: [Action]) {
        let titles = Dictionary(actions.compactMap { action in action.id.map { ($0, action.title) } }, uniquingKeysWith: { a, _ in a })
        for escalation in escalations {
            // An unanswered direction proposal climbs too; everything else on a case is an action.
            let proposal = escalation.item == .directionProposal
            let item: Part? = proposal ? .key("cases.events.director_proposed") : titles[escalation.itemID].map { .text($0) }
            append(Entry(at: escalation.at, kind: .escalation, what: "cases.timeline.escalated",
                         parts: [item, .key("followthrough.level.\(escalation.escalationLevel.code)")].compactMap { $0 },
                         detail: escalation.decision, href: proposal ? "#director-heading" : "#action-\(escalation.itemID.uuidString)",
                         seq: escalation.seq))
        }
    }

    /// The case meetings the case was on (`CaseMeetingStore.timelineEntries`): when and the meeting's
    /// status (its decisions are in the meetings section); a link only when the user may open the meeting.
    mutating func add(meetings: [CaseMeetingStore.TimelineEntry]) {
        for meeting in meetings {
            append(Entry(at: meeting.plannedAt, kind: .meeting, what: "cases.timeline.meeting",
                         parts: [.key("casemeetings.status.\(meeting.status.rawValue)")] + (meeting.discussed ? [.key("cases.timeline.meeting_discussed")] : []),
                         href: meeting.href))
        }
    }

    mutating func add(placements: [Placement]) {
        for placement in placements {
            for event in placement.events {
                append(Entry(at: event.at, kind: .placement, what: "coolingoff.steps.\(event.kind)", parts: [.text(placement.pseudonym)],
                             detail: event.reason, actorID: event.actorID, href: "/cooling-off/placements/\(placement.id.uuidString)", seq: event.seq))
            }
        }
    }
}
