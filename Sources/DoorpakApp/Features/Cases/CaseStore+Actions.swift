import FluentKit
import Foundation

/// A case's actions (the shared action mechanism, subject `.caseFile`), the goal each serves, and
/// more reports linked to the case. The director (or an administrator) agrees actions; closing one
/// follows `ActionStore.mayClose` for anyone who reads the case's content (assignee's organisation,
/// the director, the creator, administrators); the district coordinator's metadata access closes
/// nothing here. Actions urge on the normal urgency's escalation timing (`ActionSubject(_: CaseFile)`).
extension CaseStore {
    private var actionStore: ActionStore { ActionStore(database: database) }

    /// The case's actions, oldest first, as this reader may see them: a member whose consent was
    /// withdrawn sees those set before, as they stood then (a later result or cancellation is not
    /// theirs; the rows are rolled back in memory only, never saved).
    func actions(of file: CaseFile, access: Access) async throws -> [Action] {
        let all = try await actionStore.actions(of: ActionSubject(file))
        for action in all { try open(action) }
        guard let cutoff = access.contentCutoff else { return all }
        return all.filter { $0.createdAt < cutoff }.map { action in
            if let closed = action.closedAt, closed >= cutoff {
                action.status = ActionStatus.open.rawValue
                action.result = nil
                action.cancelReason = nil
                action.closedAt = nil
                action.closedSeq = nil
                action.closedBy = nil
            }
            return action
        }
    }

    /// Action id → the goal it serves, for the case's actions.
    func goalLinks(of actions: [Action]) async throws -> [UUID: UUID] {
        let ids = actions.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let rows = try await CaseActionGoal.query(on: database.db()).filter(\.$actionID ~~ ids).all()
        return Dictionary(rows.map { ($0.actionID, $0.goalID) }, uniquingKeysWith: { a, _ in a })
    }

    /// Agrees an action on the case, optionally serving one of its open goals (`goal`: the goal's id).
    /// Field problems come back as `.invalid` under the action form's names (`title`, `organisation`,
    /// `assignee`, `due_on`, `goal`).
    func addAction(_ draft: ActionDraft, goal: String?, to file: CaseFile, access: Access, by principal: Principal,
                   now: Date = .now) async throws -> Action {
        try requireDirector(access)
        try requireOpen(file)
        let db = database.db()
        var goalID: UUID?
        var goalIssue: FieldIssue?
        if let raw = goal, !raw.isEmpty {
            if let id = UUID(uuidString: raw), let found = try await CaseGoal.find(id, on: db), found.caseID == file.id, found.goalStatus.isOpen {
                goalID = id
            } else { goalIssue = FieldIssue("goal", "unknown") }
        }
        let valid: ActionDraft.Valid
        do {
            valid = try await actionStore.check(draft, by: principal, now: now)
        } catch AppError.invalid(let issues) {
            throw AppError.invalid(issues + (goalIssue.map { [$0] } ?? []))
        }
        if let goalIssue { throw AppError.invalid([goalIssue]) }
        let subject = ActionSubject(file)
        let store = actionStore, servedGoal = goalID
        file.updatedAt = now.wholeSeconds
        return try await db.transaction { tx in
            try await file.update(on: tx)
            let action = try await store.add(valid, to: subject, by: principal, now: now, on: tx)
            if let servedGoal { try await CaseActionGoal(actionID: action.id!, goalID: servedGoal).create(on: tx) }
            try await Audit.record(.update, "case", file.reference, by: principal, purpose: "action", on: tx)
            return action
        }
    }

    /// Marks one of the case's open actions done (with a result) or cancelled (with a reason).
    func closeAction(_ id: UUID, _ closing: ActionStore.Closing, in file: CaseFile, access: Access, by principal: Principal,
                     now: Date = .now) async throws {
        try await requireContentWriter(file, access: access, by: principal)
        let action = try await actionStore.find(id)
        guard action.subject == .caseFile, action.subjectID == file.id else { throw AppError.notFound }
        try await actionStore.close(action, closing, subject: ActionSubject(file), by: principal, now: now)
    }

    /// The director and members whose basis still holds (consent not withdrawn): `Access.writes`.
    /// The access is read again for members, so that an access value from before a withdrawal
    /// (a long request, or a caller that passes `.member`) cannot write after it.
    func requireContentWriter(_ file: CaseFile, access: Access, by principal: Principal) async throws {
        guard access.writes else { throw AppError.notFound }
        if access == .member, try await self.access(to: file, by: principal, on: database.db()) != .member { throw AppError.notFound }
    }

    /// How many of the case's actions are still open.
    func openActionCount(of file: CaseFile) async throws -> Int {
        try await ActionStore.openCount(of: ActionSubject(file), on: database.db())
    }

    // MARK: Cooling-off

    /// Requests a cooling-off placement for one of the case's persons, bound to the case
    /// (`draft.caseID` is set here), with a `placement_requested` history entry and the case's audit
    /// entry in the placement's own transaction. The director, administrators and members whose
    /// basis still holds, while the case is open.
    func requestPlacement(_ draft: CoolingOffStore.RequestDraft, for pseudonym: String, in file: CaseFile, by principal: Principal,
                          now: Date = .now) async throws -> CoolingOffPlacement {
        guard let access = try await access(to: file, by: principal, on: database.db()) else { throw AppError.notFound }
        try await requireContentWriter(file, access: access, by: principal)
        guard file.casePhase != .closed else { throw AppError.conflict("A closed case does not change; reopen it first.") }
        guard try await persons(of: file).contains(where: { $0.pseudonym == pseudonym.uppercased() }) else { throw AppError.notFound }
        var bound = draft
        bound.caseID = file.id
        let caseID = file.id!, reference = file.reference
        file.updatedAt = now.wholeSeconds
        return try await CoolingOffStore(database: database, persons: persons).request(bound, for: pseudonym, by: principal, now: now) { tx in
            try await CaseFile.query(on: tx).filter(\.$id == caseID).set(\.$updatedAt, to: now.wholeSeconds).update()
            try await CaseEvent(caseID: caseID, at: now, actorID: principal.userID, kind: "placement_requested", to: pseudonym.uppercased()).create(on: tx)
            try await Audit.record(.update, "case", reference, by: principal, purpose: "cooling-off placement", on: tx)
        }
    }

    // MARK: Reports

    /// Links more reports to the case by reference (director or administrator), each within the
    /// user's own report scope; a reference out of scope reads as unknown, like one that does not
    /// exist. Already linked ones are skipped. Returns the newly linked references.
    @discardableResult
    func linkReports(_ references: [String], to file: CaseFile, access: Access, by principal: Principal,
                     now: Date = .now) async throws -> [String] {
        try requireDirector(access)
        let wanted = Array(Set(references.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty })).sorted()
        guard !wanted.isEmpty else { throw AppError.invalid([FieldIssue("report_references", "required")]) }
        guard wanted.count <= 20 else { throw AppError.invalid([FieldIssue("report_references", "too_long")]) }
        var reports: [Report] = []
        for reference in wanted {
            do { reports.append(try await persons.reports.find(reference: reference, by: principal)) } catch AppError.notFound {
                throw AppError.invalid([FieldIssue("report_references", "unknown")])
            }
        }
        let db = database.db()
        let linked = Set(try await CaseReport.query(on: db).filter(\.$caseID == file.id!).all().map(\.reportID))
        let fresh = reports.filter { !linked.contains($0.id!) }
        guard !fresh.isEmpty else { return [] }
        let caseID = file.id!
        file.updatedAt = now.wholeSeconds
        try await db.transaction { tx in
            try await file.update(on: tx)
            for report in fresh {
                try await CaseReport(caseID: caseID, reportID: report.id!).create(on: tx)
                try await CaseEvent(caseID: caseID, at: now, actorID: principal.userID, kind: "report_linked", to: report.reference).create(on: tx)
            }
            try await Audit.record(.update, "case", file.reference, by: principal, purpose: "reports linked", on: tx)
        }
        return fresh.map(\.reference)
    }

    /// The case's linked reports: those in the user's scope with their history, the others by reference only.
    func linkedReports(of file: CaseFile, by principal: Principal) async throws -> [CaseTimeline.LinkedReport] {
        let db = database.db()
        let ids = try await CaseReport.query(on: db).filter(\.$caseID == file.id!).all().map(\.reportID)
        guard !ids.isEmpty else { return [] }
        let readable = principal.reportScope == .none ? [] : try await persons.reports.scoped(principal, on: db).filter(\.$id ~~ ids).all()
        let readableIDs = Set(readable.compactMap(\.id))
        let others = try await Report.query(on: db).filter(\.$id ~~ ids.filter { !readableIDs.contains($0) }).all()
        var result: [CaseTimeline.LinkedReport] = []
        for report in readable.sorted(by: { $0.createdAt < $1.createdAt }) {
            result.append(.init(reference: report.reference, createdAt: report.createdAt, readable: true, kind: report.kind,
                                events: try await persons.reports.history(of: report)))
        }
        result += others.map { CaseTimeline.LinkedReport(reference: $0.reference, createdAt: $0.createdAt, readable: false) }
        return result
    }
}

// MARK: - Actions for their doer

/// A case's action reaches whoever must do it, also when they take no part in the case: the person
/// named, or anyone of the organisation asked (with record access), as for a report's actions. They
/// see the action and the case's reference, nothing else of the case, and can complete or cancel it.
extension CaseStore {
    /// How the user reaches the case, if at all. Decides the way in only, so it logs nothing; the
    /// page that follows logs its own read.
    func access(reference: String, by principal: Principal) async throws -> Access? {
        let db = database.db()
        guard principal.reportScope != .none,
              let file = try await CaseFile.query(on: db).filter(\.$reference == reference.uppercased()).first() else { return nil }
        return try await access(to: file, by: principal, on: db)
    }

    /// Whether the user reads the case's content (`Access.readsContent`: the director and members).
    func readsContent(reference: String, by principal: Principal) async throws -> Bool {
        try await access(reference: reference, by: principal)?.readsContent == true
    }

    /// The action and its case for its doer; anyone else gets 404. The read is logged.
    func assignedAction(_ id: UUID, reference: String, by principal: Principal) async throws -> (file: CaseFile, action: Action) {
        let db = database.db()
        guard !Role.withoutRecordAccess.contains(principal.role),
              let file = try await CaseFile.query(on: db).filter(\.$reference == reference.uppercased()).first() else { throw AppError.notFound }
        let action = try await actionStore.find(id)
        guard action.subject == .caseFile, action.subjectID == file.id,
              action.assigneeID == principal.userID || action.organisationID == principal.organisationID else { throw AppError.notFound }
        try await Audit.record(.read, "action", id.uuidString, by: principal, purpose: "assigned action of case \(file.reference)", on: db)
        try open(action)
        return (file, action)
    }

    /// Completes or cancels an action by its doer (the rules of `ActionStore.close`).
    func closeAssignedAction(_ id: UUID, _ closing: ActionStore.Closing, reference: String, by principal: Principal,
                             now: Date = .now) async throws {
        let (file, action) = try await assignedAction(id, reference: reference, by: principal)
        try await actionStore.close(action, closing, subject: ActionSubject(file), by: principal, now: now)
    }
}
