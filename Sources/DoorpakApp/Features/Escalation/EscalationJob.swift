import FluentKit
import Foundation
import SQLKit

/// One pass of the escalation ladder over everything open with a deadline: reports (against the
/// acknowledgement deadline while new, the resolution deadline while in progress), open actions
/// and unanswered hand-overs. Set-based: per item kind, urgency and rung one indexed query finds
/// what crossed the rung's cut-off; a conditional update (`escalation_level = rung - 1`) claims
/// it, so that two servers running a pass at the same moment escalate each step once. Each step
/// writes the escalation row (unique per item, deadline and rung), the item's history and the
/// notifications, in one transaction per batch.
struct EscalationJob: Sendable {
    let database: AppDatabase
    static let name = "escalation"
    static let batchSize = 500

    struct Outcome: Sendable, Equatable { var steps = 0 }

    @discardableResult
    func pass(now: Date) async throws -> Outcome {
        let db = database.db()
        let calendar = try await RoutingStore.calendar(on: db)
        let timings = try await EscalationStore.timings(on: db)
        let people = try await EscalationTargets.load(on: db)
        var outcome = Outcome()
        for urgency in Urgency.allCases {
            let timing = timings[urgency] ?? .defaults(urgency)
            for level in EscalationLevel.steps {
                let cutoff = EscalationLadder.cutoff(level, timing: timing, now: now, calendar: calendar)
                for deadline in [ReportDeadlineKind.acknowledge, .resolve] {
                    outcome.steps += try await escalateReports(deadline, urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
                }
                outcome.steps += try await escalateActions(urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
                outcome.steps += try await escalateHandovers(urgency: urgency, to: level, cutoff: cutoff, people: people, now: now, on: db)
            }
        }
        return outcome
    }

    enum ReportDeadlineKind { case acknowledge, resolve }

    private func escalateReports(_ kind: ReportDeadlineKind, urgency: Urgency, to level: EscalationLevel, cutoff: Date,
                                 people: EscalationTargets, now: Date, on db: any Database) async throws -> Int {
        var steps = 0
        while true {
            let query = Report.query(on: db).filter(\.$urgency == urgency.rawValue).filter(\.$escalationLevel == level.rawValue - 1)
            switch kind {
            case .acknowledge: query.filter(\.$status == ReportStatus.new.rawValue).filter(\.$acknowledgeDueAt < cutoff)
            case .resolve: query.filter(\.$status == ReportStatus.inProgress.rawValue).filter(\.$resolveDueAt < cutoff)
            }
            let ids = try await query.field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim("reports", ids: ids, to: level, on: tx)
                let reports = try await Report.query(on: tx).filter(\.$id ~~ claimed).all()
                for report in reports {
                    let deadline = (kind == .acknowledge ? report.acknowledgeDueAt : report.resolveDueAt) ?? now
                    try await Self.record(.report, id: report.id!, reference: report.reference, subjectID: report.id!,
                                          district: report.districtID, level: level, deadline: deadline, now: now, on: tx)
                    try await ReportEvent(reportID: report.id!, at: now.wholeSeconds, actorID: nil, field: .escalated,
                                          from: nil, to: level.code).create(on: tx)
                    let to = people.recipients(level, owner: report.ownerID, organisation: report.organisationID, district: report.districtID)
                    try await FollowThroughNotices.send(level == .reminder ? .actionDue : .escalated, about: report.reference,
                                                        link: "/reports/\(report.reference)", to: to, except: nil, on: tx, now: now)
                }
                return reports.count
            }
        }
    }

    private func escalateActions(urgency: Urgency, to level: EscalationLevel, cutoff: Date, people: EscalationTargets,
                                 now: Date, on db: any Database) async throws -> Int {
        // An action is due at the end of its day: it passed the cut-off when its day lies before the cut-off's day.
        let cutoffDay = Formats.isoDay(cutoff)
        var steps = 0
        while true {
            let ids = try await Action.query(on: db).filter(\.$status == ActionStatus.open.rawValue).filter(\.$urgency == urgency.rawValue)
                .filter(\.$escalationLevel == level.rawValue - 1).filter(\.$dueOn < cutoffDay)
                .field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim("actions", ids: ids, to: level, on: tx)
                let actions = try await Action.query(on: tx).filter(\.$id ~~ claimed).all()
                for action in actions {
                    try await Self.record(.action, id: action.id!, reference: action.subjectReference, subjectID: action.subjectID,
                                          district: action.districtID, level: level, deadline: action.dueAt ?? now, now: now, on: tx)
                    if action.subject == .report {
                        try await ReportEvent(reportID: action.subjectID, at: now.wholeSeconds, actorID: nil, field: .escalated,
                                              from: action.id!.uuidString, to: level.code).create(on: tx)
                    }
                    let to = people.recipients(level, owner: action.assigneeID, organisation: action.organisationID, district: action.districtID)
                    try await FollowThroughNotices.send(level == .reminder ? .actionDue : .escalated, about: action.subjectReference,
                                                        link: "/reports/\(action.subjectReference)#actions", to: to, except: nil, on: tx, now: now)
                }
                return actions.count
            }
        }
    }

    private func escalateHandovers(urgency: Urgency, to level: EscalationLevel, cutoff: Date, people: EscalationTargets,
                                   now: Date, on db: any Database) async throws -> Int {
        var steps = 0
        while true {
            let ids = try await Handover.query(on: db).filter(\.$status == HandoverStatus.requested.rawValue).filter(\.$urgency == urgency.rawValue)
                .filter(\.$escalationLevel == level.rawValue - 1).filter(\.$answerDueAt < cutoff)
                .field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim("handovers", ids: ids, to: level, on: tx)
                let handovers = try await Handover.query(on: tx).filter(\.$id ~~ claimed).all()
                for handover in handovers {
                    try await Self.record(.handover, id: handover.id!, reference: handover.subjectReference, subjectID: handover.subjectID,
                                          district: handover.districtID, level: level, deadline: handover.answerDueAt, now: now, on: tx)
                    if handover.subject == .report {
                        try await ReportEvent(reportID: handover.subjectID, at: now.wholeSeconds, actorID: nil, field: .escalated,
                                              from: handover.id!.uuidString, to: level.code).create(on: tx)
                    }
                    let to = people.recipients(level, owner: handover.toUserID, organisation: handover.toOrganisationID, district: handover.districtID)
                    try await FollowThroughNotices.send(.escalated, about: handover.subjectReference,
                                                        link: "/reports/\(handover.subjectReference)#handover", to: to, except: nil, on: tx, now: now)
                }
                return handovers.count
            }
        }
    }

    /// Raises the rung of the rows still one below it and returns their ids: rows another server
    /// raised in the meantime are not returned, so each step is taken once.
    private static func claim(_ table: String, ids: [UUID], to level: EscalationLevel, on db: any Database) async throws -> [UUID] {
        let list = SQLList(ids.map { SQLBind($0) })
        let rows = try await db.sql.raw("""
            UPDATE \(ident: table) SET escalation_level = \(bind: level.rawValue)
            WHERE escalation_level = \(bind: level.rawValue - 1) AND id IN (\(list)) RETURNING id
            """).all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }

    private static func record(_ kind: EscalationItemKind, id: UUID, reference: String, subjectID: UUID, district: UUID?,
                               level: EscalationLevel, deadline: Date, now: Date, on db: any Database) async throws {
        // Already taken against this deadline (a rung reset by hand, then reached again): keep the first.
        let taken = try await Escalation.query(on: db).filter(\.$itemKind == kind.rawValue).filter(\.$itemID == id)
            .filter(\.$deadline == deadline).filter(\.$level == level.rawValue).count()
        guard taken == 0 else { return }
        let escalation = Escalation()
        escalation.itemKind = kind.rawValue
        escalation.itemID = id
        escalation.subjectKind = ActionSubjectKind.report.rawValue
        escalation.subjectID = subjectID
        escalation.subjectReference = reference
        escalation.districtID = district
        escalation.level = level.rawValue
        escalation.deadline = deadline
        escalation.at = now.wholeSeconds
        try await escalation.create(on: db)
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
