import FluentKit
import Foundation
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
extension RetentionStore {
    /// The purge's queries (`RetentionStore.purge` runs them).
    struct Purge {
        let database: AppDatabase
        let batch: Int

        /// Runs the purge at `now`; `method` is `job` or `command`. Returns what was (or, for a dry
        /// run, would be) destroyed per type, and for the access log what is due for archival.
        func run(now: Date, dryRun: Bool, method: String) async throws -> [RetentionPurge.Outcome] {
            let db = database.db()
            let schedule = try await RetentionSchedule.load(on: db)
            var outcomes: [RetentionPurge.Outcome] = []
            if !dryRun { try await removeOrphanFiles(now: now) }
            for type in RetentionRecordType.allCases {
                let cutoff = schedule.cutoff(for: type, now: now)
                let count = dryRun || !type.isDestroyedByPurge
                    ? try await due(type, before: cutoff, on: db).count
                    : try await destroy(type, before: cutoff, days: schedule.days(for: type), now: now, method: method)
                outcomes.append(RetentionPurge.Outcome(type: type, count: count, days: schedule.days(for: type), cutoff: cutoff))
            }
            return outcomes
        }

        /// Attachment files without a row (a crash between a file's write and its row's commit, or
        /// between a row's deletion and the file's), an hour old or more so no upload in flight is hit.
        private func removeOrphanFiles(now: Date) async throws {
            guard database.attachmentFiles.directory != nil else { return }
            let known = try await AttachmentStore.allIDs(on: database.db())
            _ = database.attachmentFiles.removeOrphans(known: known, before: now.addingTimeInterval(-3600))
        }

        /// Destroys in batches; each batch commits with its share of the destruction record's count.
        private func destroy(_ type: RetentionRecordType, before cutoff: Date, days: Int, now: Date, method: String) async throws -> Int {
            var total = 0
            var recordID: UUID?
            while true {
                let ids = try await due(type, before: cutoff, on: database.db(), limit: batch)
                if ids.isEmpty { break }
                let (soFar, existing) = (total + ids.count, recordID)
                let (record, files) = try await database.db().transaction { tx -> (UUID?, [UUID]) in
                    let files = try await delete(type, ids: ids, on: tx)
                    if let existing, let record = try await DestructionRecord.find(existing, on: tx) {
                        record.count = soFar
                        try await record.update(on: tx)
                        return (existing, files)
                    }
                    let record = DestructionRecord(type: type, count: soFar, periodDays: days, cutoff: cutoff, at: now, method: method)
                    try await record.create(on: tx)
                    return (record.id, files)
                }
                recordID = record
                // The attachments' files go once their rows are gone for good (a failed removal is
                // retried by `removeOrphanFiles`).
                database.attachmentFiles.remove(files)
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
                return try await collect(limit: limit, page: { after, size in
                    let query = CaseFile.query(on: db).filter(\.$phase == CasePhase.closed.rawValue).filter(\.$closedAt < cutoff)
                    if let after { query.group(.or) { $0.filter(\.$closedAt > after.at).group(.and) { $0.filter(\.$closedAt == after.at).filter(\.$id > after.id) } } }
                    return try await query.sort(\.$closedAt).sort(\.$id).limit(size).field(\.$id).field(\.$closedAt).all()
                        .compactMap { file in file.closedAt.map { (at: $0, id: file.id!) } }
                }, held: { ids in
                    Set(try await CoolingOffPlacement.query(on: db).filter(\.$caseID ~~ ids)
                        .filter(\.$status ~~ PlacementStatus.allCases.filter(\.isOpen).map(\.rawValue)).all(\.$caseID).compactMap { $0 })
                }).map(\.uuidString)
            case .closedReports, .resolvedReports:
                let status = type == .closedReports ? ReportStatus.closed : .resolved
                return try await collect(limit: limit, page: { after, size in
                    let query = Report.query(on: db).filter(\.$status == status.rawValue).filter(\.$updatedAt < cutoff)
                    if let after { query.group(.or) { $0.filter(\.$updatedAt > after.at).group(.and) { $0.filter(\.$updatedAt == after.at).filter(\.$id > after.id) } } }
                    return try await query.sort(\.$updatedAt).sort(\.$id).limit(size).field(\.$id).field(\.$updatedAt).all()
                        .map { (at: $0.updatedAt, id: $0.id!) }
                }, held: { ids in try await heldReports(ids, on: db) }).map(\.uuidString)
            case .notes:
                // Notes follow their report: never while it is open (by the status) or held (open
                // follow-through, or in a case).
                let sql: SQLQueryString = """
                    SELECT n.id, n.report_id FROM \(ident: ReportNote.schema) n JOIN \(ident: Report.schema) r ON r.id = n.report_id
                    WHERE r.status IN (\(bind: ReportStatus.closed.rawValue), \(bind: ReportStatus.resolved.rawValue)) AND n.created_at < \(bind: cutoff)
                    ORDER BY n.created_at, n.id
                    """
                let rows = try await db.sql.raw(sql).all()
                let notes = try rows.map { (id: try $0.decode(column: "id", as: UUID.self), report: try $0.decode(column: "report_id", as: UUID.self)) }
                let held = try await heldReports(Array(Set(notes.map(\.report))), on: db)
                let due = notes.filter { !held.contains($0.report) }.map(\.id.uuidString)
                return limit.map { Array(due.prefix($0)) } ?? due
            case .persons:
                // A person goes a year after their last link ended (or their last change, if later):
                // never while linked to a report or a case, or with a placement still running.
                let placed = try await CoolingOffPlacement.query(on: db).filter(\.$status ~~ PlacementStatus.allCases.filter(\.isOpen).map(\.rawValue))
                    .all(\.$personID)
                let linked = try await PersonReportLink.query(on: db).filter(\.$unlinkedAt == nil).all(\.$personID)
                    + CasePerson.query(on: db).all(\.$personID) + placed
                let query = PersonRecord.query(on: db).filter(\.$updatedAt < cutoff)
                if !linked.isEmpty { query.filter(\.$id !~ Array(Set(linked))) }
                let candidates = try await query.sort(\.$updatedAt).all(\.$id)
                guard !candidates.isEmpty else { return [] }
                let recentlyEnded = Set(try await PersonReportLink.query(on: db).filter(\.$personID ~~ candidates)
                    .filter(\.$unlinkedAt >= cutoff).all(\.$personID))
                let due = candidates.filter { !recentlyEnded.contains($0) }.map(\.uuidString)
                return limit.map { Array(due.prefix($0)) } ?? due
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

        /// Walks the candidates oldest first, a page at a time, and keeps those not held until `limit`
        /// are found (or none are left): held records at the front never hide newer expired ones
        /// behind them, however many there are.
        private func collect(limit: Int?, page: (_ after: (at: Date, id: UUID)?, _ size: Int) async throws -> [(at: Date, id: UUID)],
                             held: ([UUID]) async throws -> Set<UUID>) async throws -> [UUID] {
            let size = 2 * (limit ?? batch)
            var due: [UUID] = []
            var after: (at: Date, id: UUID)?
            while limit.map({ due.count < $0 }) ?? true {
                let rows = try await page(after, size)
                guard let last = rows.last else { break }
                let kept = try await held(rows.map(\.id))
                due += rows.map(\.id).filter { !kept.contains($0) }
                after = last
                if rows.count < size { break }
            }
            return limit.map { Array(due.prefix($0)) } ?? due
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

        /// Deletes the records' rows; returns the ids of the attachments whose rows went with them.
        private func delete(_ type: RetentionRecordType, ids: [String], on tx: any Database) async throws -> [UUID] {
            let uuids = ids.compactMap(UUID.init(uuidString:))
            switch type {
            case .closedCases:
                let files = try await AttachmentStore.detach(.caseFile, subjectIDs: uuids, on: tx)
                try await deleteCases(uuids, on: tx)
                return files
            case .closedReports, .resolvedReports:
                let files = try await AttachmentStore.detach(.report, subjectIDs: uuids, on: tx)
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
                return files
            case .notes: try await ReportNote.query(on: tx).filter(\.$id ~~ uuids).delete()
            case .persons:
                // The correction trail (art. 16) holds old values of the person: it goes with them.
                try await PersonCorrection.query(on: tx).filter(\.$personID ~~ uuids).delete()
                // Their ended placements (running ones hold the person) are part of their file.
                try await deletePlacements(try await CoolingOffPlacement.query(on: tx).filter(\.$personID ~~ uuids).all(\.$id).compactMap { $0 }, on: tx)
                // Their ended links (a person with a live link is never due) go with them.
                try await PersonReportLink.query(on: tx).filter(\.$personID ~~ uuids).filter(\.$unlinkedAt != nil).delete()
                try await ConcernStore.forget(personIDs: uuids, on: tx)
                try await PersonRecord.query(on: tx).filter(\.$id ~~ uuids).delete()
            case .notifications: try await Notification.query(on: tx).filter(\.$id ~~ uuids).delete()
            case .outbox: try await OutboxMessage.query(on: tx).filter(\.$id ~~ uuids).delete()
            case .sessions: try await PersistEntry.query(on: tx).filter(\.$id ~~ ids).delete()
            case .loginAttempts: try await LoginAttempt.query(on: tx).filter(\.$id ~~ uuids).delete()
            case .auditEntries: break
            }
            return []
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
            try await CaseDirectionProposal.query(on: tx).filter(\.$caseID ~~ ids).delete()
            if !references.isEmpty { try await Notification.query(on: tx).filter(\.$reference ~~ references).delete() }
            try await CaseFile.query(on: tx).filter(\.$id ~~ ids).delete()
        }

        private func deletePlacements(_ ids: [UUID], on tx: any Database) async throws {
            guard !ids.isEmpty else { return }
            try await CoolingOffEvent.query(on: tx).filter(\.$placementID ~~ ids).delete()
            try await CoolingOffPlacement.query(on: tx).filter(\.$id ~~ ids).delete()
        }
    }
}
