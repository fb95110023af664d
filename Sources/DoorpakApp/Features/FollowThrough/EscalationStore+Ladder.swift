import FluentKit
import Foundation
import SQLKit

/// One pass of the escalation ladder over everything open with a deadline: reports (against the
/// acknowledgement deadline while new, the resolution deadline while in progress), open actions,
/// unanswered hand-overs and unanswered direction proposals (`EscalationStore+Proposals.swift`). Set-based: per item kind, urgency and rung one indexed query finds
/// what crossed the rung's cut-off; a conditional update (`escalation_level = rung - 1`) claims
/// it, so that two servers running a pass at the same moment escalate each step once. Each step
/// writes the escalation row (unique per item, deadline and rung), the item's history and the
/// notifications, in one transaction per batch.
/// `EscalationJob` runs it once a minute.
extension EscalationStore {
    static let batchSize = 500

    /// One pass at `now` on `db` (`escalationPass(now:)` in `EscalationStore.swift` gives the handle).
    @discardableResult
    func escalationPass(now: Date, on db: any Database) async throws -> EscalationJob.Outcome {
        let calendar = try await RoutingStore.calendar(on: db)
        let timings = try await EscalationStore.timings(on: db)
        let people = try await EscalationTargets.load(on: db)
        var outcome = EscalationJob.Outcome()
        for urgency in Urgency.allCases {
            let timing = timings[urgency] ?? .defaults(urgency)
            for level in EscalationLevel.steps {
                let cutoff = EscalationLadder.cutoff(level, timing: timing, now: now, calendar: calendar)
                for deadline in [ReportDeadlineKind.acknowledge, .resolve] {
                    outcome.steps += try await escalateReports(deadline, urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
                }
                outcome.steps += try await escalateActions(urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
                outcome.steps += try await escalateHandovers(urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
                outcome.steps += try await escalateDirectionProposals(urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
            }
        }
        return outcome
    }

    enum ReportDeadlineKind { case acknowledge, resolve }

    private func escalateReports(_ kind: ReportDeadlineKind, urgency: Urgency, to level: EscalationLevel, cutoff: DeadlineCutoff,
                                 people: EscalationTargets, now: Date, on db: any Database) async throws -> Int {
        var steps = 0
        while true {
            let query = Report.query(on: db).filter(\.$urgency == urgency.rawValue).filter(\.$escalationLevel == level.rawValue - 1)
            switch kind {
            case .acknowledge: query.filter(\.$status == ReportStatus.new.rawValue).filter("acknowledge_due_at", passed: cutoff)
            case .resolve: query.filter(\.$status == ReportStatus.inProgress.rawValue).filter("resolve_due_at", passed: cutoff)
            }
            let ids = try await query.field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim("reports", ids: ids, to: level,
                                                   status: (kind == .acknowledge ? ReportStatus.new : .inProgress).rawValue, on: tx)
                let reports = try await Report.query(on: tx).filter(\.$id ~~ claimed).all()
                try await Self.write(reports.map { report in
                    Step(kind: .report, id: report.id!, subject: .report, reference: report.reference, subjectID: report.id!, district: report.districtID,
                         deadline: (kind == .acknowledge ? report.acknowledgeDueAt : report.resolveDueAt) ?? now, historyFrom: nil,
                         notice: level == .reminder ? .actionDue : .escalated, link: "/reports/\(report.reference)",
                         to: people.recipients(level, owner: report.ownerID, organisation: report.organisationID, district: report.districtID))
                }, level: level, now: now, on: tx)
                return reports.count
            }
        }
    }

    private func escalateActions(urgency: Urgency, to level: EscalationLevel, cutoff: DeadlineCutoff, people: EscalationTargets,
                                 now: Date, on db: any Database) async throws -> Int {
        // An action is due at the end of its day: it passed the cut-off when its day lies before the cut-off's day,
        // or when the end of its day lies in one of the cut-off's windows.
        let cutoffDay = Formats.isoDay(cutoff.before)
        let windowDays = cutoff.windows.map { Formats.isoDay($0.lowerBound) }
            .filter { day in ActionDraft.endOfDay(day).map(cutoff.contains) ?? false }
        var steps = 0
        while true {
            let ids = try await Action.query(on: db).filter(\.$status == ActionStatus.open.rawValue).filter(\.$urgency == urgency.rawValue)
                .filter(\.$escalationLevel == level.rawValue - 1)
                .group(.or) { $0.filter(\.$dueOn < cutoffDay).filter(\.$dueOn ~~ windowDays) }
                .field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim("actions", ids: ids, to: level, status: ActionStatus.open.rawValue, on: tx)
                let actions = try await Action.query(on: tx).filter(\.$id ~~ claimed).all()
                try await Self.write(actions.map { action in
                    Step(kind: .action, id: action.id!, subject: action.subject, reference: action.subjectReference, subjectID: action.subjectID,
                         district: action.districtID, deadline: action.dueAt ?? now,
                         historyFrom: action.subject == .report ? action.id!.uuidString : nil,
                         notice: level == .reminder ? .actionDue : .escalated, link: action.subject.link(action.subjectReference, action: action.id!),
                         to: people.recipients(level, owner: action.assigneeID, organisation: action.organisationID, district: action.districtID))
                }, level: level, now: now, on: tx)
                return actions.count
            }
        }
    }

    private func escalateHandovers(urgency: Urgency, to level: EscalationLevel, cutoff: DeadlineCutoff, people: EscalationTargets,
                                   now: Date, on db: any Database) async throws -> Int {
        var steps = 0
        while true {
            let ids = try await Handover.query(on: db).filter(\.$status == HandoverStatus.requested.rawValue).filter(\.$urgency == urgency.rawValue)
                .filter(\.$escalationLevel == level.rawValue - 1).filter("answer_due_at", passed: cutoff)
                .field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim("handovers", ids: ids, to: level, status: HandoverStatus.requested.rawValue, on: tx)
                let handovers = try await Handover.query(on: tx).filter(\.$id ~~ claimed).all()
                try await Self.write(handovers.map { handover in
                    Step(kind: .handover, id: handover.id!, subject: handover.subject, reference: handover.subjectReference, subjectID: handover.subjectID,
                         district: handover.districtID, deadline: handover.answerDueAt,
                         historyFrom: handover.subject == .report ? handover.id!.uuidString : nil,
                         notice: .escalated, link: handover.subject == .report ? "/reports/\(handover.subjectReference)#handover" : handover.subject.link(handover.subjectReference),
                         to: people.recipients(level, owner: handover.toUserID, organisation: handover.toOrganisationID, district: handover.districtID))
                }, level: level, now: now, on: tx)
                return handovers.count
            }
        }
    }

    /// Raises the rung of the rows still one below it and still in the status the pass found them
    /// in, and returns their ids: rows another server raised in the meantime are not returned, so
    /// each step is taken once; nor are rows picked up, resolved, done or answered since the pass
    /// read them (a picked-up report would otherwise climb its new ladder from the old rung).
    static func claim(_ table: String, ids: [UUID], to level: EscalationLevel, status: String, on db: any Database) async throws -> [UUID] {
        let list = SQLList(ids.map { SQLBind($0) })
        let rows = try await db.sql.raw("""
            UPDATE \(ident: table) SET escalation_level = \(bind: level.rawValue)
            WHERE escalation_level = \(bind: level.rawValue - 1) AND status = \(bind: status) AND id IN (\(list)) RETURNING id
            """).all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// One claimed step: the item, the deadline it climbed against, its history entry and its notices.
    struct Step {
        let kind: EscalationItemKind
        let id: UUID
        /// What the item belongs to: a report, or a case (whose history is its escalation rows).
        let subject: ActionSubjectKind
        let reference: String
        let subjectID: UUID
        let district: UUID?
        let deadline: Date
        /// The report's history entry: `nil` for the report itself, the item's id for an action or
        /// hand-over of a report.
        let historyFrom: String?
        let notice: NotificationKind
        let link: String
        let to: [UUID]
    }

    /// Writes a batch of claimed steps set-based, in the caller's transaction: one query for steps
    /// already taken, one INSERT of escalation rows, one of history entries, one notification call.
    static func write(_ steps: [Step], level: EscalationLevel, now: Date, on db: any Database) async throws {
        guard !steps.isEmpty else { return }
        // Already taken against this deadline (a rung reset by hand, then reached again): keep the first.
        func key(_ kind: String, _ id: UUID, _ deadline: Date) -> String { "\(kind) \(id) \(Int64(deadline.timeIntervalSince1970.rounded()))" }
        let taken = Set(try await Escalation.query(on: db).filter(\.$itemID ~~ steps.map(\.id)).filter(\.$level == level.rawValue).all()
            .map { key($0.itemKind, $0.itemID, $0.deadline) })
        let at = now.wholeSeconds
        var seen = Set<String>()
        let escalations: [Escalation] = steps.compactMap { step in
            guard seen.insert(key(step.kind.rawValue, step.id, step.deadline)).inserted,
                  !taken.contains(key(step.kind.rawValue, step.id, step.deadline)) else { return nil }
            let escalation = Escalation()
            escalation.itemKind = step.kind.rawValue
            escalation.itemID = step.id
            escalation.subjectKind = step.subject.rawValue
            escalation.subjectID = step.subjectID
            escalation.subjectReference = step.reference
            escalation.districtID = step.district
            escalation.level = level.rawValue
            escalation.deadline = step.deadline
            escalation.at = at
            escalation.seq = WriteSequence.next()
            return escalation
        }
        if !escalations.isEmpty { try await escalations.create(on: db) }
        let events = steps.filter { $0.kind == .report || $0.historyFrom != nil }.map {
            ReportEvent(reportID: $0.subjectID, at: at, actorID: nil, field: .escalated, from: $0.historyFrom, to: level.code)
        }
        if !events.isEmpty { try await events.create(on: db) }
        let notices = steps.flatMap { step in
            Set(step.to).sorted { $0.uuidString < $1.uuidString }
                .map { Notice(recipient: $0, kind: step.notice, reference: step.reference, link: step.link) }
        }
        try await Notifications.send(notices, on: db, now: now)
    }
}

extension QueryBuilder {
    /// Rows whose deadline in `column` has passed the cut-off: `column < before`, or inside one of its windows.
    @discardableResult
    func filter(_ column: FieldKey, passed cutoff: DeadlineCutoff) -> Self {
        group(.or) { or in
            or.filter(column, .lessThan, cutoff.before)
            for window in cutoff.windows {
                or.group(.and) { $0.filter(column, .greaterThanOrEqual, window.lowerBound).filter(column, .lessThan, window.upperBound) }
            }
        }
    }
}

/// Who hears of each rung: the handler (reminder), their team lead (else the organisation's
/// manager), the organisation's manager, the district's coordinators (also for the breakthrough
/// meeting, whose agenda they keep), and the administrators for the board. Loaded once per pass.
struct EscalationTargets: Sendable {
    var teamLeads: [UUID: UUID] = [:]
    var managers: [UUID: UUID] = [:]
    var coordinators: [UUID: [UUID]] = [:]
    var administrators: [UUID] = []

    static func load(on db: any Database) async throws -> EscalationTargets {
        var targets = EscalationTargets()
        let users = try await User.query(on: db).filter(\.$active == true).all()
        let active = Set(users.compactMap(\.id))
        for user in users {
            if let lead = user.teamLeadID, active.contains(lead) { targets.teamLeads[user.id!] = lead }
            if user.userRole == .administrator { targets.administrators.append(user.id!) }
        }
        for organisation in try await Organisation.query(on: db).all() {
            if let manager = organisation.managerID, active.contains(manager) { targets.managers[organisation.id!] = manager }
        }
        let coordinatorIDs = Set(users.filter { $0.userRole == .coordinator }.compactMap(\.id))
        for link in try await UserDistrict.query(on: db).all() where coordinatorIDs.contains(link.userID) {
            targets.coordinators[link.districtID, default: []].append(link.userID)
        }
        return targets
    }

    func recipients(_ level: EscalationLevel, owner: UUID?, organisation: UUID?, district: UUID?) -> [UUID] {
        let manager = organisation.flatMap { managers[$0] }
        switch level {
        case .none: return []
        case .reminder: return owner.map { [$0] } ?? manager.map { [$0] } ?? []
        case .teamLead: return (owner.flatMap { teamLeads[$0] } ?? manager).map { [$0] } ?? []
        case .manager: return manager.map { [$0] } ?? []
        case .coordinator, .breakthrough: return district.flatMap { coordinators[$0] } ?? []
        case .board: return administrators
        }
    }
}
