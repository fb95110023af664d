import FluentKit
import SQLKit
import Foundation

/// What an action hangs on, as the action store needs it: the caller has already checked that the
/// user may see the subject (through that subject's own store).
struct ActionSubject: Sendable {
    let kind: ActionSubjectKind
    let id: UUID
    let reference: String
    let districtID: UUID?
    let urgency: Urgency
    /// Who answers for the subject (the report's owner, the case director): may close its actions.
    let ownerID: UUID?
}

extension ActionSubject {
    init(_ report: Report) {
        self.init(kind: .report, id: report.id!, reference: report.reference, districtID: report.districtID,
                  urgency: report.reportUrgency, ownerID: report.ownerID)
    }

    /// A case's actions escalate on the normal urgency's timing (a case has no urgency of its own);
    /// the case director answers for them.
    init(_ file: CaseFile) {
        self.init(kind: .caseFile, id: file.id!, reference: file.reference, districtID: file.districtID,
                  urgency: .normal, ownerID: file.directorID)
    }
}

/// The only door to actions. Reads go through the subject (whose store checked the scope) or
/// through the user's own work; every write is one transaction with the subject's history entry,
/// the audit entry and the notifications.
struct ActionStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    func actions(of subject: ActionSubject) async throws -> [Action] {
        try await Action.query(on: database.db()).filter(\.$subjectKind == subject.kind.rawValue).filter(\.$subjectID == subject.id)
            .sort(\.$createdAt, .ascending).all()
    }

    /// An action by id, with the subject it belongs to; the caller resolves the subject within scope.
    func find(_ id: UUID) async throws -> Action {
        guard let action = try await Action.find(id, on: database.db()) else { throw AppError.notFound }
        return action
    }

    static func openCount(of subject: ActionSubject, on db: any Database) async throws -> Int {
        try await Action.query(on: db).filter(\.$subjectKind == subject.kind.rawValue).filter(\.$subjectID == subject.id)
            .filter(\.$status == ActionStatus.open.rawValue).count()
    }

    /// Agrees a new action on a subject.
    func add(_ draft: ActionDraft, to subject: ActionSubject, by principal: Principal, now: Date = .now) async throws -> Action {
        let valid = try await check(draft, by: principal, now: now)
        return try await database.db().transaction { tx in try await add(valid, to: subject, by: principal, now: now, on: tx) }
    }

    /// Every check of a new action, field and database alike; throws `.invalid` with all problems.
    func check(_ draft: ActionDraft, by principal: Principal, now: Date) async throws -> ActionDraft.Valid {
        guard !Role.withoutRecordAccess.contains(principal.role) else { throw AppError.notFound }
        let (valid, issues) = draft.validate(today: Formats.isoDay(now))
        guard let valid else { throw AppError.invalid(issues) }
        let db = database.db()
        var problems: [FieldIssue] = []
        let organisation = try await Organisation.find(valid.organisationID, on: db)
        if organisation == nil || organisation?.active == false { problems.append(FieldIssue("organisation", "unknown")) }
        if let assignee = valid.assigneeID {
            let user = try await User.find(assignee, on: db)
            let fits = user.map { $0.active && $0.organisationID == valid.organisationID && !Role.withoutRecordAccess.contains($0.userRole) } ?? false
            if !fits { problems.append(FieldIssue("assignee", "not_in_organisation")) }
        }
        guard problems.isEmpty else { throw AppError.invalid(problems) }
        return valid
    }

    /// Writes a checked action inside the caller's transaction.
    func add(_ valid: ActionDraft.Valid, to subject: ActionSubject, by principal: Principal, now: Date, on tx: any Database) async throws -> Action {
        let action = Action()
        action.subjectKind = subject.kind.rawValue
        action.subjectID = subject.id
        action.subjectReference = subject.reference
        action.districtID = subject.districtID
        action.title = valid.title
        action.urgency = subject.urgency.rawValue
        action.organisationID = valid.organisationID
        action.assigneeID = valid.assigneeID
        action.dueOn = valid.dueOn
        action.status = ActionStatus.open.rawValue
        action.createdBy = principal.userID
        action.createdAt = now.wholeSeconds
        action.createdSeq = WriteSequence.next()
        action.escalationLevel = 0
        try await action.create(on: tx)
        try await Self.recordHistory(action, subject: subject, by: principal.userID, reason: nil, at: now, on: tx)
        try await Audit.record(.create, "action", action.id!.uuidString, by: principal, on: tx)
        try await FollowThroughNotices.send(.actionAssigned, about: subject.reference, link: subject.kind.link(subject.reference, action: action.id!),
                                            to: Self.recipients(of: action, on: tx), except: principal.userID, on: tx, now: now)
        return action
    }

    enum Closing: Sendable { case done(result: String?), cancelled(reason: String?) }

    /// Marks an open action done (with its result) or cancelled (with a reason).
    func close(_ action: Action, _ closing: Closing, subject: ActionSubject, by principal: Principal, now: Date = .now) async throws {
        guard action.actionStatus.isOpen else { throw AppError.conflict("The action is no longer open.") }
        guard Self.mayClose(action, subject: subject, principal) else { throw AppError.forbidden }
        let (status, text, field): (ActionStatus, String, String) = switch closing {
        case .done(let result): (.done, (result ?? "").trimmingCharacters(in: .whitespacesAndNewlines), "result")
        case .cancelled(let reason): (.cancelled, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines), "reason")
        }
        if let issue = TextRules.check(text, required: true, max: 5000) { throw AppError.invalid([FieldIssue(field, issue)]) }
        try await database.db().transaction { tx in
            try await Self.close(action, status: status, text: text, subject: subject, by: principal, now: now, on: tx)
        }
    }

    /// Closes one action inside the caller's transaction (also used when a coordinator closes a
    /// report together with its open actions).
    static func close(_ action: Action, status: ActionStatus, text: String, subject: ActionSubject, by principal: Principal,
                      now: Date, on tx: any Database) async throws {
        // Only a still-open row changes: of two closings at the same moment (done here, cancelled
        // there), one wins and the other is refused instead of overwriting it.
        let won = try await tx.sql.raw("""
            UPDATE actions SET status = \(bind: status.rawValue)
            WHERE id = \(bind: action.id!) AND status = \(bind: ActionStatus.open.rawValue) RETURNING id
            """).all()
        guard !won.isEmpty else { throw AppError.conflict("The action is no longer open.") }
        action.status = status.rawValue
        if status == .done { action.result = text } else { action.cancelReason = text }
        action.closedBy = principal.userID
        action.closedAt = now.wholeSeconds
        action.closedSeq = WriteSequence.next()
        try await action.update(on: tx)
        try await recordHistory(action, subject: subject, by: principal.userID, reason: text, at: now, on: tx)
        try await Audit.record(.update, "action", action.id!.uuidString, by: principal, on: tx)
    }

    /// The assignee, their organisation's people, the subject's owner, coordinators and administrators.
    static func mayClose(_ action: Action, subject: ActionSubject, _ principal: Principal) -> Bool {
        if Role.withoutRecordAccess.contains(principal.role) { return false }
        return action.assigneeID == principal.userID || principal.organisationID == action.organisationID
            || subject.ownerID == principal.userID || action.createdBy == principal.userID
            || principal.role == .coordinator || principal.role == .administrator
    }

    /// Who hears of a new action: the person named, else the organisation's manager.
    static func recipients(of action: Action, on db: any Database) async throws -> [UUID] {
        if let assignee = action.assigneeID { return [assignee] }
        let manager = try await Organisation.find(action.organisationID, on: db)?.managerID
        return manager.map { [$0] } ?? []
    }

    /// Each subject kind keeps its own history; an action's steps are written into it.
    static func recordHistory(_ action: Action, subject: ActionSubject, by actor: UUID?, reason: String?, at: Date,
                              on db: any Database) async throws {
        switch subject.kind {
        case .report:
            try await ReportEvent(reportID: subject.id, at: at.wholeSeconds, actorID: actor, field: .action,
                                  from: action.id!.uuidString, to: action.status, reason: reason).create(on: db)
        case .caseFile:
            // A case's history names its actor; steps without one (the escalation job's) are in the escalations table.
            guard let actor else { return }
            try await CaseEvent(caseID: subject.id, at: at, actorID: actor, kind: "action", from: action.id!.uuidString,
                                to: action.status, reason: reason).create(on: db)
        }
    }
}

extension ActionStore {
    /// Reports the user is asked to act on outside their own scope: a pending hand-over addressed to
    /// them (or to their organisation, nobody named) or an open action for them (or their organisation).
    static func reportsAskedOf(_ principal: Principal, on db: any Database) async throws -> [UUID] {
        let me = principal.userID
        let organisation = principal.organisationID
        let handovers = try await Handover.query(on: db)
            .filter(\.$subjectKind == ActionSubjectKind.report.rawValue)
            .filter(\.$status == HandoverStatus.requested.rawValue)
            .group(.or) { or in
                or.filter(\.$toUserID == me)
                if let organisation { or.group(.and) { $0.filter(\.$toOrganisationID == organisation).filter(\.$toUserID == nil) } }
            }
            .field(\.$subjectID).all().map(\.subjectID)
        let actions = try await Action.query(on: db)
            .filter(\.$subjectKind == ActionSubjectKind.report.rawValue)
            .filter(\.$status == ActionStatus.open.rawValue)
            .group(.or) { or in
                or.filter(\.$assigneeID == me)
                if let organisation { or.filter(\.$organisationID == organisation) }
            }
            .field(\.$subjectID).all().map(\.subjectID)
        return Array(Set(handovers + actions))
    }
}

extension ActionStore {
    /// How many of the subject's actions are still open.
    func openCount(of subject: ActionSubject) async throws -> Int {
        try await Self.openCount(of: subject, on: database.db())
    }
}
