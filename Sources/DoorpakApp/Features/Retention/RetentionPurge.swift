import FluentKit
import Foundation
import Logging
import SQLKit

/// Destroys what has outlived its retention period and writes one destruction record per record
/// type (type, count, period, cut-off, date; no personal data) plus an access-log entry, in the
/// same transaction as the deletions. A dry run counts the same selection and changes nothing.
///
/// This is the one place that deletes rows of other features' tables: destruction has to reach a
/// report's whole file (notes, history, actions, hand-overs, escalations, person links,
/// notifications) at once, and it must never be skipped by a feature that forgot it.
///
/// Never destroyed: cases still open, or closed with a cooling-off placement still running;
/// reports still open (new, in progress); reports with an open action or an unanswered hand-over;
/// reports in a case (until the case goes); persons still linked to any report or case, or with
/// a placement still running; the access log (append-only in the database itself, see
/// `AuditAppendOnly`; docs/retention.md describes its archival).
struct RetentionPurge: Sendable {
    let database: AppDatabase
    /// Rows per delete statement and transaction.
    var batch = 500

    struct Outcome: Sendable, Equatable {
        let type: RetentionRecordType
        let count: Int
        let days: Int
        let cutoff: Date
    }

    /// Runs the purge at `now`; `method` is `job` or `command`. Returns what was (or, for a dry
    /// run, would be) destroyed per type, and for the access log what is due for archival.
    func run(now: Date, dryRun: Bool, method: String) async throws -> [Outcome] {
        let db = database.db()
        let schedule = try await RetentionSchedule.load(on: db)
        var outcomes: [Outcome] = []
        for type in RetentionRecordType.allCases {
            let cutoff = schedule.cutoff(for: type, now: now)
            let count = dryRun || !type.isDestroyedByPurge
                ? try await due(type, before: cutoff, on: db).count
                : try await destroy(type, before: cutoff, days: schedule.days(for: type), now: now, method: method)
            outcomes.append(Outcome(type: type, count: count, days: schedule.days(for: type), cutoff: cutoff))
        }
        return outcomes
    }

    /// Destroys in batches; each batch commits with its share of the destruction record's count.
    private func destroy(_ type: RetentionRecordType, before cutoff: Date, days: Int, now: Date, method: String) async throws -> Int {
        var total = 0
        var recordID: UUID?
        while true {
            let ids = try await due(type, before: cutoff, on: database.db(), limit: batch)
            if ids.isEmpty { break }
            let (soFar, existing) = (total + ids.count, recordID)
            recordID = try await database.db().transaction { tx in
                try await delete(type, ids: ids, on: tx)
                if let existing, let record = try await DestructionRecord.find(existing, on: tx) {
                    record.count = soFar
                    try await record.update(on: tx)
                    return existing
                }
                let record = DestructionRecord(type: type, count: soFar, periodDays: days, cutoff: cutoff, at: now, method: method)
                try await record.create(on: tx)
                return record.id
            }
            total = soFar
            if ids.count < batch { break }
        }
        if let recordID {
            try await Audit.record(.destroyed, "destruction_record", recordID.uuidString, by: nil,
                                   purpose: "retention \(method): \(type.rawValue) \(total)", on: database.db())
        }
        return total
    }

    /// The ids of records of `type` that are due, oldest rules first.
    func due(_ type: RetentionRecordType, before cutoff: Date, on db: any Database, limit: Int? = nil) async throws -> [String] {
        switch type {
        case .closedCases:
            var query = CaseFile.query(on: db).filter(\.$phase == CasePhase.closed.rawValue).filter(\.$closedAt < cutoff).sort(\.$closedAt)
            if let limit { query = query.limit(limit * 2) }
            let candidates = try await query.all(\.$id).compactMap { $0 }
            guard !candidates.isEmpty else { return [] }
            let held = Set(try await CoolingOffPlacement.query(on: db).filter(\.$caseID ~~ candidates)
                .filter(\.$status ~~ PlacementStatus.allCases.filter(\.isOpen).map(\.rawValue)).all(\.$caseID).compactMap { $0 })
            let due = candidates.filter { !held.contains($0) }
            return (limit.map { Array(due.prefix($0)) } ?? due).map(\.uuidString)
        case .closedReports, .resolvedReports:
            let status = type == .closedReports ? ReportStatus.closed : .resolved
            var query = Report.query(on: db).filter(\.$status == status.rawValue).filter(\.$updatedAt < cutoff).sort(\.$updatedAt)
            // Over-fetch a little: held reports are dropped after the query.
            if let limit { query = query.limit(limit * 2) }
            let candidates = try await query.all(\.$id).compactMap { $0 }
            let held = try await heldReports(candidates, on: db)
            let due = candidates.filter { !held.contains($0) }
            return (limit.map { Array(due.prefix($0)) } ?? due).map(\.uuidString)
        case .notes:
            var rows: [SQLRow] = []
            let sql: SQLQueryString = """
                SELECT n.id FROM \(ident: ReportNote.schema) n JOIN \(ident: Report.schema) r ON r.id = n.report_id
                WHERE r.status IN (\(bind: ReportStatus.closed.rawValue), \(bind: ReportStatus.resolved.rawValue)) AND n.created_at < \(bind: cutoff)
                """
            rows = try await db.sql.raw(limit.map { sql + " LIMIT \(unsafeRaw: String($0))" } ?? sql).all()
            return try rows.map { try $0.decode(column: "id", as: UUID.self).uuidString }
        case .persons:
            let placed = try await CoolingOffPlacement.query(on: db).filter(\.$status ~~ PlacementStatus.allCases.filter(\.isOpen).map(\.rawValue))
                .all(\.$personID)
            let linked = try await PersonReportLink.query(on: db).all(\.$personID) + CasePerson.query(on: db).all(\.$personID) + placed
            var query = PersonRecord.query(on: db).filter(\.$updatedAt < cutoff)
            if !linked.isEmpty { query = query.filter(\.$id !~ Array(Set(linked))) }
            if let limit { query = query.limit(limit) }
            return try await query.all(\.$id).map(\.uuidString)
        case .notifications:
            var query = Notification.query(on: db).filter(\.$createdAt < cutoff)
            if let limit { query = query.limit(limit) }
            return try await query.all(\.$id).map(\.uuidString)
        case .outbox:
            // Sent, or given up (no further attempt planned); never a mail still waiting to go.
            var query = OutboxMessage.query(on: db).filter(\.$createdAt < cutoff).filter(\.$nextAttemptAt == nil)
            if let limit { query = query.limit(limit) }
            return try await query.all(\.$id).map(\.uuidString)
        case .sessions:
            var query = PersistEntry.query(on: db).filter(\.$expires < cutoff)
            if let limit { query = query.limit(limit) }
            return try await query.all(\.$id).compactMap { $0 }
        case .loginAttempts:
            var query = LoginAttempt.query(on: db).filter(\.$at < cutoff)
            if let limit { query = query.limit(limit) }
            return try await query.all(\.$id).map(\.uuidString)
        case .auditEntries:
            // Counted for the archival report only; never selected for deletion.
            let count = try await AuditEntry.query(on: db).filter(\.$at < cutoff).count()
            return Array(repeating: "", count: count)
        }
    }

    /// Reports among `ids` that must be kept although their period has passed: open follow-through.
    func heldReports(_ ids: [UUID], on db: any Database) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let actions = try await Action.query(on: db).filter(\.$subjectKind == "report").filter(\.$subjectID ~~ ids)
            .filter(\.$closedAt == nil).all(\.$subjectID)
        let handovers = try await Handover.query(on: db).filter(\.$subjectKind == "report").filter(\.$subjectID ~~ ids)
            .filter(\.$answeredAt == nil).all(\.$subjectID)
        // A report in a case stays while the case exists (open or closed: the case keeps its file
        // until its own period has passed).
        let inCases = try await CaseReport.query(on: db).filter(\.$reportID ~~ ids).all(\.$reportID)
        return Set(actions + handovers + inCases)
    }

    private func delete(_ type: RetentionRecordType, ids: [String], on tx: any Database) async throws {
        let uuids = ids.compactMap(UUID.init(uuidString:))
        switch type {
        case .closedCases: try await deleteCases(uuids, on: tx)
        case .closedReports, .resolvedReports:
            let references = try await Report.query(on: tx).filter(\.$id ~~ uuids).all(\.$reference)
            try await PersonReportLink.query(on: tx).filter(\.$reportID ~~ uuids).delete()
            try await Action.query(on: tx).filter(\.$subjectKind == "report").filter(\.$subjectID ~~ uuids).delete()
            try await Handover.query(on: tx).filter(\.$subjectKind == "report").filter(\.$subjectID ~~ uuids).delete()
            try await Escalation.query(on: tx).filter(\.$subjectKind == "report").filter(\.$subjectID ~~ uuids).delete()
            if !references.isEmpty { try await Notification.query(on: tx).filter(\.$reference ~~ references).delete() }
            // Notes and history go with the report (ON DELETE CASCADE).
            try await ReportNote.query(on: tx).filter(\.$reportID ~~ uuids).delete()
            try await ReportEvent.query(on: tx).filter(\.$reportID ~~ uuids).delete()
            try await Report.query(on: tx).filter(\.$id ~~ uuids).delete()
        case .notes: try await ReportNote.query(on: tx).filter(\.$id ~~ uuids).delete()
        case .persons:
            // The correction trail (art. 16) holds old values of the person: it goes with them.
            try await PersonCorrection.query(on: tx).filter(\.$personID ~~ uuids).delete()
            // Their ended placements (running ones hold the person) are part of their file.
            try await deletePlacements(try await CoolingOffPlacement.query(on: tx).filter(\.$personID ~~ uuids).all(\.$id).compactMap { $0 }, on: tx)
            try await PersonRecord.query(on: tx).filter(\.$id ~~ uuids).delete()
        case .notifications: try await Notification.query(on: tx).filter(\.$id ~~ uuids).delete()
        case .outbox: try await OutboxMessage.query(on: tx).filter(\.$id ~~ uuids).delete()
        case .sessions: try await PersistEntry.query(on: tx).filter(\.$id ~~ ids).delete()
        case .loginAttempts: try await LoginAttempt.query(on: tx).filter(\.$id ~~ uuids).delete()
        case .auditEntries: break
        }
    }

    /// A case's whole file: what hangs on its actions and meeting items first, then the rows that
    /// name the case. The meetings themselves (date, place, invited organisations) stay.
    private func deleteCases(_ ids: [UUID], on tx: any Database) async throws {
        guard !ids.isEmpty else { return }
        let kind = ActionSubjectKind.caseFile.rawValue
        let references = try await CaseFile.query(on: tx).filter(\.$id ~~ ids).all(\.$reference)
        let actions = try await Action.query(on: tx).filter(\.$subjectKind == kind).filter(\.$subjectID ~~ ids).all(\.$id).compactMap { $0 }
        let items = try await CaseMeetingItem.query(on: tx).filter(\.$caseID ~~ ids).all(\.$id).compactMap { $0 }
        if !items.isEmpty {
            try await CaseMeetingAction.query(on: tx).filter(\.$itemID ~~ items).delete()
            try await CaseMeetingDecision.query(on: tx).filter(\.$itemID ~~ items).delete()
            try await CaseMeetingItem.query(on: tx).filter(\.$id ~~ items).delete()
        }
        if !actions.isEmpty { try await CaseActionGoal.query(on: tx).filter(\.$actionID ~~ actions).delete() }
        try await Escalation.query(on: tx).filter(\.$subjectKind == kind).filter(\.$subjectID ~~ ids).delete()
        try await Handover.query(on: tx).filter(\.$subjectKind == kind).filter(\.$subjectID ~~ ids).delete()
        try await Action.query(on: tx).filter(\.$subjectKind == kind).filter(\.$subjectID ~~ ids).delete()
        try await deletePlacements(try await CoolingOffPlacement.query(on: tx).filter(\.$caseID ~~ ids).all(\.$id).compactMap { $0 }, on: tx)
        try await CaseGoal.query(on: tx).filter(\.$caseID ~~ ids).delete()
        try await CaseFactorRecord.query(on: tx).filter(\.$caseID ~~ ids).delete()
        try await CaseNote.query(on: tx).filter(\.$caseID ~~ ids).delete()
        try await CaseEvent.query(on: tx).filter(\.$caseID ~~ ids).delete()
        try await CaseMember.query(on: tx).filter(\.$caseID ~~ ids).delete()
        try await CasePerson.query(on: tx).filter(\.$caseID ~~ ids).delete()
        try await CaseReport.query(on: tx).filter(\.$caseID ~~ ids).delete()
        if !references.isEmpty { try await Notification.query(on: tx).filter(\.$reference ~~ references).delete() }
        try await CaseFile.query(on: tx).filter(\.$id ~~ ids).delete()
    }

    private func deletePlacements(_ ids: [UUID], on tx: any Database) async throws {
        guard !ids.isEmpty else { return }
        try await CoolingOffEvent.query(on: tx).filter(\.$placementID ~~ ids).delete()
        try await CoolingOffPlacement.query(on: tx).filter(\.$id ~~ ids).delete()
    }

    /// The periodic purge: once a day, on the one instance that holds the lease.
    static func job(database: AppDatabase, logger: Logger) -> LeasedJob {
        LeasedJob(name: "retention-purge", interval: .seconds(86_400), leaseDuration: .seconds(3 * 3600), database: database,
                  logger: logger) { _, now in
            _ = try await RetentionPurge(database: database).run(now: now, dryRun: false, method: "job")
        }
    }
}
