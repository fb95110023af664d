import FluentKit
import Foundation
import SQLKit

/// Planning, changing and recording case meetings. Each write is one transaction with its audit
/// entry; an item's outcome (minutes, decisions, actions) is written together with the case's
/// history row, or not at all.
extension CaseMeetingStore {
    /// Plans a meeting organised by the user, with an optional first agenda.
    func plan(_ draft: CaseMeetingDraft, agenda references: [String] = [], by principal: Principal, now: Date = .now) async throws -> CaseMeeting {
        guard try await mayPlan(principal) else { throw AppError.notFound }
        let db = database.db()
        let (valid, found) = draft.validate(now: now, partial: false)
        var issues = found
        if let organisations = valid.organisations { issues += try await checkOrganisations(organisations, on: db) }
        var files: [CaseFile] = []
        for reference in references {
            do { files.append(try await agendaCase(reference, by: principal)) } catch AppError.invalid(let found) { issues += found.map { FieldIssue("agenda", $0.code) } }
        }
        guard issues.isEmpty, let plannedAt = valid.plannedAt, let organisations = valid.organisations else { throw AppError.invalid(issues) }
        let meeting = CaseMeeting()
        meeting.id = UUID()
        meeting.plannedAt = plannedAt.wholeSeconds
        meeting.place = valid.place ?? nil
        meeting.organiserID = principal.userID
        meeting.status = CaseMeetingStatus.planned.rawValue
        meeting.createdAt = now.wholeSeconds
        meeting.updatedAt = now.wholeSeconds
        let unique = files.reduce(into: [CaseFile]()) { list, file in if !list.contains(where: { $0.id == file.id }) { list.append(file) } }
        try await db.transaction { tx in
            meeting.reference = try await Self.nextReference(now: now, on: tx)
            try await meeting.create(on: tx)
            for organisation in organisations { try await CaseMeetingInvite(meetingID: meeting.id!, organisationID: organisation).create(on: tx) }
            for (index, file) in unique.enumerated() {
                try await item(for: file, in: meeting, position: index + 1, by: principal, now: now).create(on: tx)
                try await Self.logAgenda(file.reference, meeting, by: principal, on: tx)
            }
            try await Audit.record(.create, "case_meeting", meeting.id!.uuidString, by: principal, on: tx)
            try await FollowThroughNotices.send(.meetingPlanned, about: meeting.reference, link: CaseMeetingPresenter.href(meeting.id!),
                                                to: Self.participants(of: organisations, on: tx), except: principal.userID, on: tx, now: now)
        }
        return meeting
    }

    /// Changes a meeting: its moment, place, invited organisations and status, and (API) its whole agenda.
    /// Only the organiser (or an administrator); only a planned meeting changes, apart from its status.
    func change(_ agenda: Agenda, _ draft: CaseMeetingDraft, agendaReferences: [String]? = nil, by principal: Principal,
                now: Date = .now) async throws {
        guard agenda.mayOrganise else { throw AppError.notFound }
        let meeting = agenda.meeting
        let db = database.db()
        let (valid, found) = draft.validate(now: now, partial: true)
        var issues = found
        if let organisations = valid.organisations { issues += try await checkOrganisations(organisations, on: db) }
        var files: [CaseFile] = []
        for reference in agendaReferences ?? [] {
            do { files.append(try await agendaCase(reference, by: principal)) } catch AppError.invalid(let found) { issues += found.map { FieldIssue("agenda", $0.code) } }
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        let current = meeting.meetingStatus
        let detailsChange = valid.plannedAt != nil || valid.place != nil || valid.organisations != nil || agendaReferences != nil
        if detailsChange && current != .planned { throw AppError.conflict("Only a planned meeting changes.") }
        if let status = valid.status, status != current, !current.next.contains(status) {
            throw AppError.conflict("A meeting cannot go from \(current.rawValue) to \(status.rawValue).")
        }
        // The new agenda: kept items stay (with what was recorded), new cases are added, the rest go.
        let wanted = agendaReferences.map { _ in files.compactMap(\.id) }
        let removed = wanted.map { ids in agenda.entries.filter { !ids.contains($0.file.id!) } } ?? []
        if removed.contains(where: { $0.item.isRecorded }) { throw AppError.conflict("A discussed case stays on the agenda.") }
        // Who hears of it: the newly invited organisations that the meeting is planned, those still
        // invited that it changed (its moment, place or status; not its agenda).
        let moved = valid.plannedAt.map { $0.wholeSeconds != meeting.plannedAt } ?? false
        let replaced = valid.place.map { $0 != meeting.place } ?? false
        let restatused = valid.status.map { $0 != current } ?? false
        let before = Set(agenda.invited), after = Set(valid.organisations ?? agenda.invited)
        let news = MeetingNews(planned: Array(after.subtracting(before)), changed: moved || replaced || restatused ? Array(after.intersection(before)) : [],
                               now: now)
        if let at = valid.plannedAt { meeting.plannedAt = at.wholeSeconds }
        if let place = valid.place { meeting.place = place }
        if let status = valid.status { meeting.status = status.rawValue }
        meeting.updatedAt = now.wholeSeconds
        let present = Set(agenda.entries.map(\.file.id!))
        var seen = Set<UUID>()
        let added = files.filter { !present.contains($0.id!) && seen.insert($0.id!).inserted }
        let start = agenda.entries.map(\.item.position).max() ?? 0
        let newItems = added.enumerated().map { index, file in
            item(for: file, in: meeting, position: start + index + 1, by: principal, now: now)
        }
        do {
            try await saveChange(meeting, organisations: valid.organisations, removed: removed, added: newItems, files: added, news: news,
                                 by: principal, on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.conflict("The agenda changed meanwhile.")
        }
    }

    /// Which invited organisations hear that a meeting was planned for them, or changed.
    struct MeetingNews: Sendable {
        let planned: [UUID]
        let changed: [UUID]
        let now: Date
    }

    /// Who takes part for the invited organisations: their active users with record access.
    static func participants(of organisations: [UUID], on db: any Database) async throws -> [UUID] {
        guard !organisations.isEmpty else { return [] }
        return try await User.query(on: db).filter(\.$organisationID ~~ organisations).filter(\.$active == true)
            .filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue)).all().compactMap(\.id)
    }

    private func saveChange(_ meeting: CaseMeeting, organisations: [UUID]?, removed: [Entry], added newItems: [CaseMeetingItem], files added: [CaseFile],
                            news: MeetingNews, by principal: Principal, on db: any Database) async throws {
        try await db.transaction { tx in
            try await meeting.update(on: tx)
            if let organisations {
                try await CaseMeetingInvite.query(on: tx).filter(\.$meetingID == meeting.id!).delete()
                for organisation in organisations { try await CaseMeetingInvite(meetingID: meeting.id!, organisationID: organisation).create(on: tx) }
            }
            for entry in removed { try await entry.item.delete(on: tx) }
            for item in newItems { try await item.create(on: tx) }
            for file in added { try await Self.logAgenda(file.reference, meeting, by: principal, on: tx) }
            try await Audit.record(.update, "case_meeting", meeting.id!.uuidString, by: principal, on: tx)
            let link = CaseMeetingPresenter.href(meeting.id!)
            try await FollowThroughNotices.send(.meetingPlanned, about: meeting.reference, link: link,
                                                to: Self.participants(of: news.planned, on: tx), except: principal.userID, on: tx, now: news.now)
            try await FollowThroughNotices.send(.meetingChanged, about: meeting.reference, link: link,
                                                to: Self.participants(of: news.changed, on: tx), except: principal.userID, on: tx, now: news.now)
        }
    }

    /// Puts one case on a planned meeting's agenda (the page's form).
    func addToAgenda(_ agenda: Agenda, reference: String?, by principal: Principal, now: Date = .now) async throws {
        guard agenda.mayOrganise else { throw AppError.notFound }
        guard agenda.meeting.meetingStatus.agendaOpen else { throw AppError.conflict("Only a planned meeting's agenda changes.") }
        let file = try await agendaCase(reference ?? "", by: principal)
        if agenda.entries.contains(where: { $0.file.id == file.id }) { throw AppError.invalid([FieldIssue("case", "taken")]) }
        let position = (agenda.entries.map(\.item.position).max() ?? 0) + 1
        let item = item(for: file, in: agenda.meeting, position: position, by: principal, now: now)
        do {
            try await database.db().transaction { tx in
                try await item.create(on: tx)
                try await Self.logAgenda(file.reference, agenda.meeting, by: principal, on: tx)
                try await Audit.record(.update, "case_meeting", agenda.meeting.id!.uuidString, by: principal, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Someone put the same case on the agenda a moment earlier.
            throw AppError.invalid([FieldIssue("case", "taken")])
        }
    }

    /// Takes a case off a planned meeting's agenda, unless it was already discussed.
    func removeFromAgenda(_ agenda: Agenda, itemID: UUID, by principal: Principal) async throws {
        guard agenda.mayOrganise, let entry = agenda.entries.first(where: { $0.item.id == itemID }) else { throw AppError.notFound }
        guard agenda.meeting.meetingStatus.agendaOpen, !entry.item.isRecorded else { throw AppError.conflict("A discussed case stays on the agenda.") }
        try await database.db().transaction { tx in
            try await entry.item.delete(on: tx)
            try await Audit.record(.update, "case_meeting", agenda.meeting.id!.uuidString, by: principal, on: tx)
        }
    }

    /// What was said and agreed about one agenda item.
    struct Outcome: Sendable {
        var minutes: String?
        var decisions: [String] = []
        var actions: [ActionDraft] = []
    }

    static let maxMinutes = 10_000
    static let maxDecision = 2000
    static let maxDecisions = 10

    /// Records an item's minutes, decisions and actions: all in one transaction with the case's
    /// history row ("meeting") and the audit entries, or nothing. The organiser, the case's director
    /// or an administrator; once per item. Action errors come back as `action_<n>_<field>`.
    func record(_ outcome: Outcome, item itemID: UUID, of agenda: Agenda, by principal: Principal, now: Date = .now) async throws {
        guard let entry = agenda.entries.first(where: { $0.item.id == itemID }), entry.mayRecord else { throw AppError.notFound }
        guard agenda.meeting.meetingStatus.takesOutcome else { throw AppError.conflict("A cancelled meeting has no outcome.") }
        guard !entry.item.isRecorded else { throw AppError.conflict("The outcome of this item was already recorded.") }
        var issues: [FieldIssue] = []
        let minutes = (outcome.minutes ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(minutes, required: true, max: Self.maxMinutes) { issues.append(FieldIssue("minutes", issue)) }
        let decisions = outcome.decisions.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if decisions.count > Self.maxDecisions { issues.append(FieldIssue("decisions", "out_of_range")) }
        for (index, text) in decisions.enumerated() {
            if let issue = TextRules.check(text, required: true, max: Self.maxDecision) { issues.append(FieldIssue("decision_\(index)", issue)) }
        }
        let actions = ActionStore(database: database)
        var checked: [ActionDraft.Valid] = []
        for (index, draft) in outcome.actions.enumerated() {
            do { checked.append(try await actions.check(draft, by: principal, now: now)) } catch AppError.invalid(let found) {
                issues += found.map { FieldIssue("action_\(index)_\($0.name)", $0.code) }
            }
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        let valid = checked
        let minutesSealed = try cipher.seal(minutes)
        let decisionsSealed = try decisions.map { try cipher.seal($0) }
        let file = entry.file, meeting = agenda.meeting, item = entry.item
        let subject = ActionSubject(file)
        try await database.db().transaction { tx in
            // Of two recordings at the same moment one wins: only a still unrecorded row is taken.
            let won = try await tx.sql.raw("""
                UPDATE case_meeting_items SET recorded_by = \(bind: principal.userID) WHERE id = \(bind: item.id!) AND recorded_by IS NULL RETURNING id
                """).all()
            guard !won.isEmpty else { throw AppError.conflict("The outcome of this item was already recorded.") }
            item.minutesSealed = minutesSealed
            item.recordedBy = principal.userID
            item.recordedAt = now.wholeSeconds
            try await item.update(on: tx)
            for (index, text) in decisionsSealed.enumerated() {
                try await CaseMeetingDecision(itemID: item.id!, position: index + 1, textSealed: text).create(on: tx)
            }
            try await CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "meeting", to: meeting.id!.uuidString.lowercased())
                .create(on: tx)
            for action in valid {
                let made = try await actions.add(action, to: subject, by: principal, now: now, on: tx)
                try await CaseMeetingAction(itemID: item.id!, actionID: made.id!).create(on: tx)
            }
            if meeting.meetingStatus == .planned {
                meeting.status = CaseMeetingStatus.held.rawValue
                meeting.updatedAt = now.wholeSeconds
                try await meeting.update(on: tx)
            }
            try await Audit.record(.update, "case_meeting", meeting.id!.uuidString, by: principal, on: tx)
            try await Audit.record(.update, "case", file.reference, by: principal, purpose: "case meeting \(meeting.id!.uuidString)", on: tx)
        }
    }

    // MARK: Helpers

    /// A case the user may put on an agenda, by reference; `.invalid` on `case` otherwise (never
    /// telling whether a case the user cannot reach exists).
    func agendaCase(_ reference: String, by principal: Principal) async throws -> CaseFile {
        let text = reference.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw AppError.invalid([FieldIssue("case", "required")]) }
        guard text.count <= 40, TextRules.check(text, required: true, max: 40) == nil,
              let file = try await CaseFile.query(on: database.db()).filter(\.$reference == text.uppercased()).first(),
              CaseMeetingPolicy.mayPutOnAgenda(directorID: file.directorID, districtID: file.districtID, principal)
        else { throw AppError.invalid([FieldIssue("case", "unknown")]) }
        guard file.casePhase != .closed else { throw AppError.invalid([FieldIssue("case", "not_allowed")]) }
        return file
    }

    /// Putting a case on an agenda tells the attendees a case is discussed: logged against the case.
    private static func logAgenda(_ reference: String, _ meeting: CaseMeeting, by principal: Principal, on tx: any Database) async throws {
        try await Audit.record(.update, "case", reference, by: principal, purpose: "on the agenda of case meeting \(meeting.id!.uuidString)", on: tx)
    }

    private func item(for file: CaseFile, in meeting: CaseMeeting, position: Int, by principal: Principal, now: Date) -> CaseMeetingItem {
        let item = CaseMeetingItem()
        item.meetingID = meeting.id!
        item.caseID = file.id!
        item.position = position
        item.addedBy = principal.userID
        item.addedAt = now.wholeSeconds
        return item
    }

    private func checkOrganisations(_ ids: [UUID], on db: any Database) async throws -> [FieldIssue] {
        let active = try await Organisation.query(on: db).filter(\.$id ~~ ids).filter(\.$active == true).count()
        return active == ids.count ? [] : [FieldIssue("organisations", "unknown")]
    }
}
