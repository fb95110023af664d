import FluentKit
import Foundation

/// The kinds of record that are kept for a limited time, each with a documented default
/// (docs/retention.md argues them). Administrators can change the periods at `/admin/retention`.
enum RetentionRecordType: String, CaseIterable, Codable, Sendable {
    /// Closed cases, counted from their closure; with their members, notes, plan, factors,
    /// history, actions, escalations, meeting items and cooling-off placements. First in the
    /// purge, so that the reports and persons a case held can follow in the same run.
    case closedCases = "cases_closed"
    /// Closed reports, counted from their last change (normally the closure); with their notes,
    /// history, actions, hand-overs, escalations, person links and notifications.
    case closedReports = "reports_closed"
    /// Resolved reports that were never closed, counted from their last change.
    case resolvedReports = "reports_resolved"
    /// Notes on closed or resolved reports, counted from when they were written.
    case notes = "report_notes"
    /// Persons no longer linked to any report, counted from their last change.
    case persons
    /// In-app notifications, counted from when they were made.
    case notifications
    /// E-mails sent or given up, counted from when they were queued.
    case outbox
    /// Expired sign-in sessions, counted from their expiry.
    case sessions
    /// Failed sign-in attempts (hashed keys), counted from the attempt.
    case loginAttempts = "login_attempts"
    /// The access log: never destroyed by the purge (the database refuses it, see
    /// `AuditAppendOnly`); entries past this period are reported as due for archival.
    case auditEntries = "audit_entries"

    /// The default period in days.
    var defaultDays: Int {
        switch self {
        case .closedCases: 1826
        case .closedReports, .resolvedReports, .notes: 730
        case .persons: 365
        case .notifications: 180
        case .outbox, .loginAttempts: 30
        case .sessions: 0
        case .auditEntries: 2557
        }
    }

    /// Whether the purge destroys this type (the access log is archived by a separate procedure).
    var isDestroyedByPurge: Bool { self != .auditEntries }

    /// Shortest and longest period an administrator may set, in days.
    var allowedDays: ClosedRange<Int> {
        switch self {
        case .auditEntries: 1826...3653
        case .sessions, .loginAttempts: 0...365
        default: 30...3653
        }
    }
}

/// A period set by an administrator (types without a row use their default).
final class RetentionPeriod: Model, @unchecked Sendable {
    static let schema = "retention_periods"
    @ID(custom: "record_type", generatedBy: .user) var id: String?
    @Field(key: "days") var days: Int
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: UUID?

    init() {}
    init(type: RetentionRecordType, days: Int, at: Date, by: UUID?) {
        id = type.rawValue
        self.days = days
        updatedAt = at
        updatedBy = by
    }
}

/// What one purge destroyed (or would have): the record type, how many, the period applied and
/// the cut-off date. Holds no personal data: no ids, no names, no references.
final class DestructionRecord: Model, @unchecked Sendable {
    static let schema = "destruction_records"
    @ID(key: .id) var id: UUID?
    @Field(key: "record_type") var recordType: String
    @Field(key: "count") var count: Int
    @Field(key: "period_days") var periodDays: Int
    /// Records older than this were destroyed.
    @Field(key: "cutoff") var cutoff: Date
    @Field(key: "at") var at: Date
    /// `job` (the periodic purge) or `command` (`doorpak purge`).
    @Field(key: "method") var method: String

    init() {}
    init(type: RetentionRecordType, count: Int, periodDays: Int, cutoff: Date, at: Date, method: String) {
        recordType = type.rawValue
        self.count = count
        self.periodDays = periodDays
        self.cutoff = cutoff
        self.at = at
        self.method = method
    }
}

/// The periods in force: an administrator's choice, else the default.
struct RetentionSchedule: Sendable, Equatable {
    var days: [RetentionRecordType: Int]

    static let defaults = RetentionSchedule(days: Dictionary(uniqueKeysWithValues: RetentionRecordType.allCases.map { ($0, $0.defaultDays) }))

    func days(for type: RetentionRecordType) -> Int { days[type] ?? type.defaultDays }

    /// Records of `type` last touched before this moment are due.
    func cutoff(for type: RetentionRecordType, now: Date) -> Date {
        now.addingTimeInterval(-Double(days(for: type)) * 86_400)
    }

    static func load(on db: any Database) async throws -> RetentionSchedule { try await RetentionStore.schedule(on: db) }
}
