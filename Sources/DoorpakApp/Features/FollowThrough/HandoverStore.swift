import FluentKit
import Foundation
import SQLKit

/// The only door to hand-overs. A hand-over is asked on a subject the caller has already found
/// within scope; answering it needs the receiver's own right (`HandoverRules`).
struct HandoverStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    struct Request: Sendable {
        var organisation: String?
        var person: String?
        var reason: String?
    }

    func handovers(of kind: ActionSubjectKind, id: UUID) async throws -> [Handover] {
        try await Handover.query(on: database.db()).filter(\.$subjectKind == kind.rawValue).filter(\.$subjectID == id)
            .sort(\.$requestedAt, .descending).all()
    }

    func find(_ id: UUID) async throws -> Handover {
        guard let handover = try await Handover.find(id, on: database.db()) else { throw AppError.notFound }
        return handover
    }

    /// Asks to hand `report` over. Only its owner, or (while nobody owns it) someone of the responsible
    /// organisation, or a coordinator or administrator may ask; one request may be pending at a time.
    func request(_ input: Request, for report: Report, by principal: Principal, now: Date = .now) async throws -> Handover {
        let db = database.db()
        guard report.reportStatus.isOpen else { throw AppError.conflict("Only an open report can be handed over.") }
        let mayAsk = report.ownerID == principal.userID || principal.role == .coordinator || principal.role == .administrator
            || (report.ownerID == nil && report.organisationID != nil && report.organisationID == principal.organisationID)
        guard mayAsk, !Role.withoutRecordAccess.contains(principal.role) else { throw AppError.forbidden }
        var issues: [FieldIssue] = []
        let reason = (input.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 2000) { issues.append(FieldIssue("reason", issue)) }
        let organisationID = input.organisation.nonBlank.flatMap(UUID.init(uuidString:))
        var organisation: Organisation?
        if let organisationID { organisation = try await Organisation.find(organisationID, on: db) }
        if organisation == nil || organisation?.active == false {
            issues.append(FieldIssue("organisation", input.organisation.nonBlank == nil ? "required" : "unknown"))
        }
        var personID: UUID?
        if let raw = input.person.nonBlank {
            personID = UUID(uuidString: raw)
            let user = try await personID.asyncMap { try await User.find($0, on: db) } ?? nil
            let fits = user.map { $0.active && $0.organisationID == organisationID && !Role.withoutRecordAccess.contains($0.userRole) } ?? false
            if !fits { issues.append(FieldIssue("person", "not_in_organisation")) }
            else if personID == report.ownerID { issues.append(FieldIssue("person", "already_owner")) }
        }
        guard issues.isEmpty, let organisation else { throw AppError.invalid(issues) }
        let timing = try await EscalationStore.timing(for: report.reportUrgency, on: db)
        let calendar = try await RoutingStore.calendar(on: db)
        let handover = Handover()
        handover.subjectKind = ActionSubjectKind.report.rawValue
        handover.subjectID = report.id!
        handover.subjectReference = report.reference
        handover.districtID = report.districtID
        handover.fromUserID = report.ownerID ?? principal.userID
        handover.fromOrganisationID = report.organisationID
        handover.toOrganisationID = organisation.id!
        handover.toUserID = personID
        handover.reason = reason
        handover.urgency = report.urgency
        handover.status = HandoverStatus.requested.rawValue
        handover.requestedAt = now.wholeSeconds
        handover.answerDueAt = EscalationLadder.handoverDeadline(requestedAt: now.wholeSeconds, timing: timing, calendar: calendar)
        handover.escalationLevel = 0
        try await db.transaction { tx in
            // Checked inside the transaction, after writing the report's row first: that write waits
            // for (PostgreSQL: the row lock; SQLite: the write lock) another request's transaction,
            // whose hand-over the count then sees. Two people asking at once cannot both succeed.
            try await tx.sql.raw("UPDATE reports SET updated_at = updated_at WHERE id = \(bind: report.id!)").run()
            let pending = try await Handover.query(on: tx).filter(\.$subjectKind == handover.subjectKind)
                .filter(\.$subjectID == report.id!).filter(\.$status == HandoverStatus.requested.rawValue).count()
            guard pending == 0 else { throw AppError.conflict("A hand-over is already waiting for an answer.") }
            try await handover.create(on: tx)
            try await ReportEvent(reportID: report.id!, at: now.wholeSeconds, actorID: principal.userID, field: .handover,
                                  from: handover.id!.uuidString, to: HandoverStatus.requested.rawValue, reason: reason).create(on: tx)
            try await Audit.record(.update, "report", report.reference, by: principal, on: tx)
            // A named person is always told; an organisation's members as they chose for its queue.
            var receivers = handover.toUserID.map { [$0] } ?? []
            if handover.toUserID == nil {
                receivers = try await WorkStore.listeners(of: handover.toOrganisationID, team: nil, for: report, except: principal.userID, on: tx)
            }
            try await FollowThroughNotices.send(.handOverRequested, about: report.reference, link: "/reports/\(report.reference)#handover",
                                                to: receivers, except: principal.userID, urgent: report.reportUrgency >= .high, on: tx, now: now)
        }
        return handover
    }

    /// Accepts, declines or withdraws a pending hand-over of a report. Accepting makes the receiver
    /// (the named person, or whoever of the organisation accepts) the owner and their organisation
    /// the responsible one.
    func answer(_ handover: Handover, _ answer: HandoverRules.Answer, reason: String?, report: Report, by principal: Principal,
                now: Date = .now) async throws {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, let issue = TextRules.check(reason, required: false, max: 2000) { throw AppError.invalid([FieldIssue("reason", issue)]) }
        switch HandoverRules.check(answer, status: handover.handoverStatus, toUser: handover.toUserID, toOrganisation: handover.toOrganisationID,
                                   fromUser: handover.fromUserID, reason: reason, by: principal) {
        case .allowed: break
        case .notPending: throw AppError.conflict("The hand-over has already been answered.")
        case .notReceiver, .notSender: throw AppError.forbidden
        case .reasonRequired: throw AppError.invalid([FieldIssue("reason", "required")])
        }
        let status = HandoverRules.status(after: answer)
        let db = database.db()
        try await db.transaction { tx in
            // Only a still-pending row changes: of two answers at the same moment, one wins.
            let won = try await tx.sql.raw("""
                UPDATE handovers SET status = \(bind: status.rawValue)
                WHERE id = \(bind: handover.id!) AND status = \(bind: HandoverStatus.requested.rawValue) RETURNING id
                """).all()
            guard !won.isEmpty else { throw AppError.conflict("The hand-over has already been answered.") }
            handover.status = status.rawValue
            handover.answerReason = reason.nonBlank
            handover.answeredAt = now.wholeSeconds
            handover.answeredBy = principal.userID
            try await handover.update(on: tx)
            let at = now.wholeSeconds
            try await ReportEvent(reportID: report.id!, at: at, actorID: principal.userID, field: .handover,
                                  from: handover.id!.uuidString, to: status.rawValue, reason: reason.nonBlank).create(on: tx)
            if status == .accepted {
                let newOwner = handover.toUserID ?? principal.userID
                if report.organisationID != handover.toOrganisationID {
                    try await ReportEvent(reportID: report.id!, at: at, actorID: principal.userID, field: .organisation,
                                          from: report.organisationID?.uuidString, to: handover.toOrganisationID.uuidString).create(on: tx)
                    report.organisationID = handover.toOrganisationID
                    report.teamID = nil
                }
                if report.ownerID != newOwner {
                    try await ReportEvent(reportID: report.id!, at: at, actorID: principal.userID, field: .owner,
                                          from: report.ownerID?.uuidString, to: newOwner.uuidString).create(on: tx)
                    report.ownerID = newOwner
                }
                report.updatedAt = at
                try await report.update(on: tx)
            }
            try await Audit.record(.update, "report", report.reference, by: principal, on: tx)
            let kind: NotificationKind = status == .accepted ? .handOverAccepted : .handOverDeclined
            if status != .withdrawn {
                try await FollowThroughNotices.send(kind, about: report.reference, link: "/reports/\(report.reference)#handover",
                                                    to: [handover.fromUserID], except: principal.userID, on: tx, now: now)
            }
        }
    }

    /// Withdraws a pending hand-over of a report that is being resolved or closed (caller's transaction).
    static func withdrawPending(of report: Report, reason: String?, by principal: Principal, now: Date, on tx: any Database) async throws {
        let pending = try await Handover.query(on: tx).filter(\.$subjectKind == ActionSubjectKind.report.rawValue)
            .filter(\.$subjectID == report.id!).filter(\.$status == HandoverStatus.requested.rawValue).all()
        for handover in pending {
            handover.status = HandoverStatus.withdrawn.rawValue
            handover.answeredAt = now.wholeSeconds
            handover.answeredBy = principal.userID
            handover.answerReason = reason.nonBlank
            try await handover.update(on: tx)
            try await ReportEvent(reportID: report.id!, at: now.wholeSeconds, actorID: principal.userID, field: .handover,
                                  from: handover.id!.uuidString, to: HandoverStatus.withdrawn.rawValue, reason: reason.nonBlank).create(on: tx)
        }
    }
}

extension Optional {
    /// `map` for an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
