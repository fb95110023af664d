import FluentKit
import SQLKit
import Foundation

/// The only door to escalation rows and timing: the breakthrough agenda, its decisions, and the
/// administrators' timing per urgency.
struct EscalationStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) { self.database = database }

    /// One pass of the escalation ladder (`EscalationStore+Ladder.swift`).
    @discardableResult
    func escalationPass(now: Date) async throws -> EscalationJob.Outcome { try await escalationPass(now: now, on: database.db()) }

    static func timings(on db: any Database) async throws -> [Urgency: EscalationTiming] {
        var result: [Urgency: EscalationTiming] = [:]
        for policy in try await EscalationPolicy.query(on: db).all() {
            if let urgency = Urgency(rawValue: policy.urgency) { result[urgency] = policy.timing }
        }
        return result
    }

    static func timing(for urgency: Urgency, on db: any Database) async throws -> EscalationTiming {
        try await timings(on: db)[urgency] ?? .defaults(urgency)
    }

    func timings() async throws -> [Urgency: EscalationTiming] { try await Self.timings(on: database.db()) }

    /// Replaces the timing of one urgency (administrators only; the routes check the role).
    func setTiming(_ timing: EscalationTiming, for urgency: Urgency, by principal: Principal) async throws {
        guard principal.isAdministrator else { throw AppError.notFound }
        guard timing.isOrdered else { throw AppError.invalid([FieldIssue("timing", "not_ordered")]) }
        try await database.db().transaction { tx in
            let policy = try await EscalationPolicy.query(on: tx).filter(\.$urgency == urgency.rawValue).first()
                ?? EscalationPolicy(urgency: urgency, timing: timing)
            policy.apply(timing)
            try await policy.save(on: tx)
            try await Audit.record(.update, "escalation_policy", urgency.code, by: principal, on: tx)
        }
    }

    /// Every rung an item of a report or case went up, newest first (for its page).
    func escalations(of kind: ActionSubjectKind, id: UUID) async throws -> [Escalation] {
        try await Escalation.query(on: database.db()).filter(\.$subjectKind == kind.rawValue)
            .filter(\.$subjectID == id).sort(\.$at, .descending).all()
    }

    /// The breakthrough meeting's agenda (or the board's): undecided escalations at that rung whose
    /// item is still open, in the districts the user coordinates (all for administrators).
    func agenda(_ level: EscalationLevel, by principal: Principal) async throws -> [Escalation] {
        let db = database.db()
        let query = Escalation.query(on: db).filter(\.$level == level.rawValue).filter(\.$decidedAt == nil)
        switch principal.role {
        case .administrator: break
        case .coordinator: query.filter(\.$districtID ~~ principal.districtIDs)
        default: throw AppError.notFound
        }
        let rows = try await query.sort(\.$at, .ascending).all()
        return try await rows.asyncFilter { try await Self.isStillOpen($0, on: db) }
    }

    /// One agenda item, within the same scope as the agenda.
    func agendaItem(_ id: UUID, by principal: Principal) async throws -> Escalation {
        let db = database.db()
        guard let escalation = try await Escalation.find(id, on: db), escalation.escalationLevel >= .breakthrough else { throw AppError.notFound }
        switch principal.role {
        case .administrator: break
        case .coordinator where escalation.districtID.map(principal.districtIDs.contains) == true: break
        default: throw AppError.notFound
        }
        return escalation
    }

    static func isStillOpen(_ escalation: Escalation, on db: any Database) async throws -> Bool {
        switch escalation.item {
        case .report: try await Report.find(escalation.itemID, on: db)?.reportStatus.isOpen == true
        case .action: try await Action.find(escalation.itemID, on: db)?.actionStatus.isOpen == true
        case .handover: try await Handover.find(escalation.itemID, on: db)?.handoverStatus.isPending == true
        case .directionProposal: try await CaseDirectionProposal.find(escalation.itemID, on: db)?.proposalStatus == .requested
        }
    }

    /// Records the meeting's decision on an agenda item; the actions agreed with it are added to the
    /// item's report or case in the same transaction (each with an owner and a due day), so the
    /// decision cannot exist without them or they without it.
    func decide(_ escalation: Escalation, decision: String?, actions drafts: [ActionDraft], subject: ActionSubject,
                by principal: Principal, now: Date = .now) async throws {
        let text = (decision ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(text, required: true, max: 5000) { throw AppError.invalid([FieldIssue("decision", issue)]) }
        guard escalation.decidedAt == nil else { throw AppError.conflict("A decision was already recorded.") }
        let actions = ActionStore(database: database)
        // Check every agreed action before writing anything.
        let valid = try await drafts.asyncMap { try await actions.check($0, by: principal, now: now) }
        try await database.db().transaction { tx in
            // Of two decisions at the same moment one wins: only a still undecided row is taken.
            let won = try await tx.sql.raw("""
                UPDATE escalations SET decided_by = \(bind: principal.userID) WHERE id = \(bind: escalation.id!) AND decided_by IS NULL RETURNING id
                """).all()
            guard !won.isEmpty else { throw AppError.conflict("A decision was already recorded.") }
            escalation.decision = text
            escalation.decidedAt = now.wholeSeconds
            escalation.decidedBy = principal.userID
            try await escalation.update(on: tx)
            let level = EscalationLevel(rawValue: escalation.level)?.code
            switch subject.kind {
            case .report:
                try await ReportEvent(reportID: subject.id, at: now.wholeSeconds, actorID: principal.userID, field: .decision,
                                      from: level, to: nil, reason: text).create(on: tx)
            case .caseFile:
                try await CaseEvent(caseID: subject.id, at: now, actorID: principal.userID, kind: "decision", from: level, reason: text).create(on: tx)
            }
            for action in valid { _ = try await actions.add(action, to: subject, by: principal, now: now, on: tx) }
            try await Audit.record(.update, subject.kind.rawValue, subject.reference, by: principal, purpose: nil, on: tx)
        }
    }
}

extension Sequence {
    func asyncFilter(_ keep: (Element) async throws -> Bool) async rethrows -> [Element] {
        var result: [Element] = []
        for element in self where try await keep(element) { result.append(element) }
        return result
    }

    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
