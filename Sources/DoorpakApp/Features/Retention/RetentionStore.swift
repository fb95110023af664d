import FluentKit
import Foundation

/// The retention periods (read by anyone who may see the destruction records, changed by
/// administrators) and the destruction records themselves.
struct RetentionStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) { self.database = database }

    /// Runs the purge at `now` (`RetentionStore+Purge.swift`), `batch` rows per delete statement and transaction.
    func purge(now: Date, dryRun: Bool, method: String, batch: Int) async throws -> [RetentionPurge.Outcome] {
        try await Purge(database: database, batch: batch).run(now: now, dryRun: dryRun, method: method)
    }

    func schedule() async throws -> RetentionSchedule { try await RetentionSchedule.load(on: database.db()) }

    /// Saves new periods (days per type, as typed). Every value is checked first; nothing is
    /// saved unless all are valid. Each change is one access-log entry.
    func update(_ typed: [RetentionRecordType: String], by principal: Principal) async throws {
        guard principal.isAdministrator else { throw AppError.notFound }
        var values: [RetentionRecordType: Int] = [:]
        var issues: [FieldIssue] = []
        for type in RetentionRecordType.allCases {
            let raw = (typed[type] ?? "").trimmingCharacters(in: .whitespaces)
            guard !raw.isEmpty else { issues.append(FieldIssue(type.rawValue, "required")); continue }
            guard raw.count <= 6, let days = Int(raw) else { issues.append(FieldIssue(type.rawValue, "invalid")); continue }
            guard type.allowedDays.contains(days) else { issues.append(FieldIssue(type.rawValue, "out_of_range")); continue }
            values[type] = days
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        let current = try await schedule()
        let changes = values
        try await database.db().transaction { tx in
            for (type, days) in changes where current.days(for: type) != days {
                try await RetentionPeriod.query(on: tx).filter(\.$id == type.rawValue).delete()
                try await RetentionPeriod(type: type, days: days, at: .now, by: principal.userID).create(on: tx)
                try await Audit.record(.update, "retention_period", type.rawValue, by: principal,
                                       purpose: "\(current.days(for: type)) → \(days)", on: tx)
            }
        }
    }

    /// Destruction records, newest first; for privacy officers and administrators only.
    func destructionRecords(by principal: Principal, limit: Int = 500) async throws -> [DestructionRecord] {
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        return try await DestructionRecord.query(on: database.db()).sort(\.$at, .descending).sort(\.$recordType).limit(limit).all()
    }
}

extension RetentionStore {
    static func schedule(on db: any Database) async throws -> RetentionSchedule {
        var schedule = RetentionSchedule.defaults
        for row in try await RetentionPeriod.query(on: db).all() {
            if let id = row.id, let type = RetentionRecordType(rawValue: id) { schedule.days[type] = row.days }
        }
        return schedule
    }
}
