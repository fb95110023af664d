import Foundation
import Testing
@testable import DoorpakApp

/// `CaseTimeline` without a database: one chronology, newest first, and what each user sees of it.
@Suite struct CaseTimelineTests {
    static let caseID = UUID(), director = UUID(), base = Date(timeIntervalSince1970: 1_790_000_000)
    static func at(_ minutes: Double) -> Date { base.addingTimeInterval(minutes * 60) }

    static func event(_ kind: String, _ minutes: Double, from: String? = nil, to: String? = nil, reason: String? = nil) -> CaseEvent {
        CaseEvent(caseID: caseID, at: at(minutes), actorID: director, kind: kind, from: from, to: to, reason: reason)
    }

    static func note(_ minutes: Double, sensitive: Bool = false) -> CaseNote {
        let note = CaseNote()
        note.id = UUID()
        note.caseID = caseID
        note.authorID = director
        note.bodySealed = "dp1.x"
        note.sensitive = sensitive
        note.readers = ""
        note.createdAt = at(minutes)
        return note
    }

    static func action(_ title: String, created: Double, closed: Double? = nil, status: ActionStatus = .open, result: String? = nil) -> Action {
        let action = Action()
        action.id = UUID()
        action.subjectKind = ActionSubjectKind.caseFile.rawValue
        action.subjectID = caseID
        action.subjectReference = "CS-2026-000001"
        action.title = title
        action.urgency = Urgency.normal.rawValue
        action.organisationID = UUID()
        action.dueOn = "2026-12-31"
        action.status = status.rawValue
        action.result = status == .done ? result : nil
        action.cancelReason = status == .cancelled ? result : nil
        action.createdBy = director
        action.createdAt = at(created)
        action.closedBy = closed == nil ? nil : director
        action.closedAt = closed.map(at)
        action.escalationLevel = 0
        return action
    }

    static func sample(readsContent: Bool) -> CaseTimeline {
        var timeline = CaseTimeline(readsContent: readsContent)
        timeline.add(events: [
            event("opened", 0), event("note", 5), event("factor", 6, from: nil, to: "present", reason: "debts"),
            event("factor", 6, from: nil, to: "absent", reason: "isolation"), event("factor", 6, from: "present", to: "absent", reason: "care_refusal"),
            event("action", 10, from: UUID().uuidString, to: "open"), event("closed", 60, from: "execution", to: "stabilised", reason: "Rust"),
        ])
        timeline.add(notes: [(note(5), "Gesprek met bewoner")])
        let reportEvent = ReportEvent(reportID: UUID(), at: at(30), actorID: nil, field: .status, from: "new", to: "in_progress", reason: nil)
        let ignored = ReportEvent(reportID: UUID(), at: at(31), actorID: nil, field: .note, from: nil, to: nil, reason: "inhoud")
        timeline.add(reports: [
            .init(reference: "DP-2026-000001", createdAt: at(-10), readable: true, kind: "incident", events: [reportEvent, ignored]),
            .init(reference: "DP-2026-000002", createdAt: at(-5), readable: false),
        ])
        let done = action("Intake plannen", created: 10, closed: 40, status: .done, result: "Intake gedaan")
        timeline.add(actions: [done, action("Budgetcoach", created: 10)])
        let escalation = Escalation()
        escalation.itemKind = EscalationItemKind.action.rawValue
        escalation.itemID = done.id!
        escalation.level = EscalationLevel.teamLead.rawValue
        escalation.at = at(20)
        timeline.add(escalations: [escalation], actions: [done])
        return timeline
    }

    @Test func mergesEverythingNewestFirstKeepingSameSecondOrder() {
        let entries = Self.sample(readsContent: true).sorted
        #expect(entries.map(\.at) == entries.map(\.at).sorted(by: >))
        #expect(entries.first?.what == "cases.events.closed")
        #expect(entries.last?.what == "cases.timeline.report_registered")
        // Two actions agreed in the same minute: the later-added one first.
        let agreed = entries.filter { $0.what == "cases.timeline.action_created" }.map(\.parts)
        #expect(agreed == [[.text("Budgetcoach")], [.text("Intake plannen")]])
        // History rows of notes and actions are replaced by the rows themselves (no duplicates).
        #expect(entries.filter { $0.kind == .note }.count == 1)
        #expect(!entries.contains { $0.kind == .caseEvent && ["cases.events.action", "cases.events.note"].contains($0.what) })
        // A report's notes are not part of the case timeline; its status changes are.
        #expect(entries.filter { $0.kind == .report }.map(\.what) == ["cases.timeline.report_status", "cases.timeline.report_hidden", "cases.timeline.report_registered"])
        #expect(entries.contains { $0.kind == .escalation && $0.parts == [.text("Intake plannen"), .key("followthrough.level.team_lead")] })
    }

    @Test func contentOnlyForContentReaders() {
        let full = Self.sample(readsContent: true).sorted
        #expect(full.first { $0.kind == .note }?.detail == "Gesprek met bewoner")
        #expect(full.first { $0.what == "cases.timeline.action_done" }?.detail == "Intake gedaan")
        // Factors saved together are one entry: what is now present, what no longer is (a first "absent" is no news).
        #expect(full.filter { $0.what == "cases.timeline.factors" }.map(\.parts)
                == [[.key("cases.factor_codes.debts"), .key("cases.factor_codes.care_refusal"), .key("cases.timeline.factor_no_longer")]])
        #expect(full.first { $0.what == "cases.events.closed" }?.detail == "Rust")

        // The coordinator: that a note was added (from the history), never its body; no factor named; no details at all.
        let metadata = Self.sample(readsContent: false).sorted
        #expect(metadata.allSatisfy { $0.detail == nil })
        #expect(metadata.contains { $0.kind == .caseEvent && $0.what == "cases.events.note" })
        #expect(metadata.filter { $0.what == "cases.timeline.factors" }.map(\.parts) == [[]])

        // A report the user may not read: its reference, no link, no status changes.
        for entries in [full, metadata] {
            let hidden = entries.filter { $0.parts.first == .text("DP-2026-000002") }
            #expect(hidden.count == 1 && hidden[0].href == nil && hidden[0].what == "cases.timeline.report_hidden")
        }
    }

    @Test func meetingsWithALinkOnlyWhenTheUserMayOpenThem() {
        var timeline = CaseTimeline(readsContent: false)
        let seen = UUID(), unseen = UUID()
        timeline.add(meetings: [
            .init(meetingID: seen, plannedAt: Self.at(100), status: .held, decisionsCount: 2, discussed: true, minutesReadable: false, meetingVisible: true),
            .init(meetingID: unseen, plannedAt: Self.at(200), status: .planned, decisionsCount: 0, discussed: false, minutesReadable: false, meetingVisible: false),
        ])
        timeline.add(events: [Self.event("opened", 0)])
        let entries = timeline.sorted
        #expect(entries.map(\.kind) == [.meeting, .meeting, .caseEvent])
        #expect(entries[0].href == nil && entries[0].parts == [.key("casemeetings.status.planned")])
        #expect(entries[1].href == "/meetings/\(seen.uuidString.lowercased())")
    }

    @Test func emptyTimeline() {
        #expect(CaseTimeline(readsContent: true).sorted.isEmpty)
    }
}
