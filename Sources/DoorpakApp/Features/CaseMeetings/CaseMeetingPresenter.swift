import Foundation

/// Template data for meetings, their agenda items and the case page's "Casusoverleg" section.
/// An item's reference and content appear only as far as `Entry.view` allows.
struct CaseMeetingPresenter {
    let catalog: Catalog
    let names: [UUID: String]
    let locale: LocaleTexts
    let language: Language

    static func href(_ id: UUID) -> String { "/meetings/\(id.uuidString.lowercased())" }

    func when(_ meeting: CaseMeeting) -> String { Formats.dateTime(meeting.plannedAt, language) }

    func organisations(_ ids: [UUID]) -> String {
        ids.compactMap { id in catalog.organisations.first { $0.id == id }?.name }.sorted().joined(separator: ", ")
    }

    /// One line of the meetings list.
    func row(_ meeting: CaseMeeting, items: Int, invited: [UUID]) -> [String: Any] {
        var row: [String: Any] = ["href": Self.href(meeting.id!), "reference": meeting.reference, "when": when(meeting), "status": locale.text("casemeetings.status.\(meeting.status)"),
                                  "organiser": names[meeting.organiserID] ?? "–", "items": items, "organisations": organisations(invited)]
        if let place = meeting.place { row["place"] = place }
        return row
    }

    /// The meeting's facts, the same for every viewer who may see it.
    func facts(_ agenda: CaseMeetingStore.Agenda) -> [String: Any] {
        let meeting = agenda.meeting
        var facts: [String: Any] = ["id": meeting.id!.uuidString.lowercased(), "reference": meeting.reference, "href": Self.href(meeting.id!), "when": when(meeting),
                                    "status": locale.text("casemeetings.status.\(meeting.status)"), "statusCode": meeting.status,
                                    "organiser": names[meeting.organiserID] ?? "–", "organisations": organisations(agenda.invited),
                                    "itemCount": agenda.entries.count]
        if let place = meeting.place { facts["place"] = place }
        return facts
    }

    /// One agenda item: "a case you have no access to", the reference only, or everything.
    func entry(_ entry: CaseMeetingStore.Entry, number: Int, agenda: CaseMeetingStore.Agenda, persons: [UUID: [String]]) -> [String: Any] {
        let meetingHref = Self.href(agenda.meeting.id!)
        let itemID = entry.item.id!.uuidString.lowercased()
        var row: [String: Any] = ["number": number, "anchor": "item-\(itemID)"]
        switch entry.view {
        case .hidden:
            row["noAccess"] = true
        case .referenceOnly, .content:
            row["reference"] = entry.file.reference
            row["caseHref"] = "/cases/\(entry.file.reference)"
            row["phase"] = locale.text("cases.phases.\(entry.file.phase)")
        }
        if entry.view == .referenceOnly { row["referenceOnly"] = true }
        if entry.view == .content {
            row["content"] = true
            if let pseudonyms = persons[entry.file.id!], !pseudonyms.isEmpty { row["persons"] = pseudonyms.joined(separator: ", ") }
            if let minutes = entry.minutes { row["minutes"] = minutes }
            if !entry.decisions.isEmpty { row["hasDecisions"] = true; row["decisions"] = entry.decisions }
            if !entry.actions.isEmpty { row["hasActions"] = true; row["actions"] = entry.actions.map(action) }
        }
        if let at = entry.item.recordedAt {
            row["recorded"] = true
            row["recordedAt"] = Formats.dateTime(at, language)
            if let by = entry.item.recordedBy { row["recordedBy"] = names[by] ?? "–" }
        } else if entry.mayRecord && agenda.meeting.meetingStatus.takesOutcome {
            row["recordHref"] = "\(meetingHref)/items/\(itemID)"
        }
        if agenda.mayOrganise && agenda.meeting.meetingStatus.agendaOpen && !entry.item.isRecorded {
            row["removeAction"] = "\(meetingHref)/items/\(itemID)/remove"
        }
        return row
    }

    func action(_ action: Action) -> [String: Any] {
        var row: [String: Any] = ["title": action.title, "due": Formats.date(ActionDraft.endOfDay(action.dueOn) ?? action.createdAt, language),
                                  "organisation": catalog.organisations.first { $0.id == action.organisationID }?.name ?? "–",
                                  "status": locale.text("casemeetings.action_status.\(action.status)")]
        if let assignee = action.assigneeID { row["assignee"] = names[assignee] ?? "–" }
        return row
    }

    /// The case page's section: the meetings the case was on (`casemeetings/_case_section`).
    static func caseSection(_ entries: [CaseMeetingStore.TimelineEntry], locale: LocaleTexts, language: Language) -> [String: Any] {
        guard !entries.isEmpty else { return ["noCaseMeetings": true] }
        return ["hasCaseMeetings": true, "caseMeetings": entries.reversed().map { entry -> [String: Any] in
            var row: [String: Any] = ["meetingWhen": Formats.dateTime(entry.plannedAt, language),
                                      "meetingStatus": locale.text("casemeetings.status.\(entry.status.rawValue)"), "decisionsCount": entry.decisionsCount,
                                      "decisionsLabel": locale.text(entry.decisionsCount == 1 ? "casemeetings.case_section_decision" : "casemeetings.case_section_decisions")]
            if let href = entry.href { row["meetingHref"] = href }
            if entry.minutesReadable { row["minutesReadable"] = true }
            else if entry.discussed { row["minutesHidden"] = true }
            return row
        }]
    }
}
