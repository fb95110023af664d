import FluentKit
import Foundation

/// The only door to break-the-glass grants: asking for emergency access to one record, the check
/// that `ReportStore.find` makes for a record outside scope, and the privacy officer's review.
struct BreakGlassStore: Sendable {
    let database: AppDatabase
    /// The clock; tests move it to see a grant expire.
    var now: @Sendable () -> Date = { .now }

    /// How long emergency access lasts.
    static let duration: TimeInterval = 60 * 60
    static let minReasonLength = 10
    static let maxReasonLength = 1000
    static let maxNoteLength = 1000
    /// How many grants the review page and API list (newest first).
    static let listLimit = 200

    /// What a well-formed report reference looks like; the form is offered for any such reference,
    /// so that it never tells whether the report exists.
    static func isReportReference(_ text: String) -> Bool {
        text.uppercased().range(of: #"^DP-\d{4}-\d{6}$"#, options: .regularExpression) != nil
    }

    static func validReason(_ reason: String?) throws -> String {
        let text = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw AppError.invalid([FieldIssue("reason", "required")]) }
        if text.count < minReasonLength { throw AppError.invalid([FieldIssue("reason", "too_short")]) }
        if text.count > maxReasonLength { throw AppError.invalid([FieldIssue("reason", "too_long")]) }
        // Control characters and NUL (HostileInputTests found them stored in a grant's reason).
        if let issue = TextRules.check(text, required: true, max: maxReasonLength) { throw AppError.invalid([FieldIssue("reason", issue)]) }
        return text
    }

    /// Grants `principal` emergency access to one report for `duration`, after a reason. The attempt
    /// is logged with the reason as purpose even when the report does not exist, and then answers
    /// "not found" exactly as an out-of-scope report does. The grant, its log entry and the notice to
    /// the report's owner (or its organisation's manager) are one transaction.
    func grantReport(reference: String, reason: String?, by principal: Principal) async throws -> BreakGlassGrant {
        guard principal.reportScope != .none, Self.isReportReference(reference) else { throw AppError.notFound }
        let reason = try Self.validReason(reason)
        let wanted = reference.uppercased()
        let at = now().wholeSeconds
        let db = database.db()
        guard let report = try await Report.query(on: db).filter(\.$reference == wanted).first() else {
            try await Audit.record(.breakGlass, "report", wanted, by: principal, purpose: reason, on: db)
            throw AppError.notFound
        }
        return try await db.transaction { tx in
            let grant = BreakGlassGrant(userID: principal.userID, role: principal.role, recordType: "report", recordID: wanted,
                                        reason: reason, grantedAt: at, expiresAt: at.addingTimeInterval(Self.duration))
            try await grant.create(on: tx)
            try await Audit.record(.breakGlass, "report", wanted, by: principal, purpose: reason, on: tx)
            var recipient = report.ownerID
            if recipient == nil, let organisation = report.organisationID {
                recipient = try await Organisation.find(organisation, on: tx)?.managerID
            }
            if let recipient, recipient != principal.userID {
                try await Notifications.send([Notice(recipient: recipient, kind: .breakGlassUsed, reference: wanted, link: "/reports/\(wanted)")],
                                             on: tx, now: at)
            }
            return grant
        }
    }

    /// The user's unexpired grant for one record, if any.
    static func activeGrant(userID: UUID, recordType: String, recordID: String, now: Date, on db: any Database) async throws -> BreakGlassGrant? {
        try await BreakGlassGrant.query(on: db).filter(\.$userID == userID).filter(\.$recordType == recordType)
            .filter(\.$recordID == recordID).filter(\.$expiresAt > now).filter(\.$grantedAt <= now)
            .sort(\.$expiresAt, .descending).first()
    }

    // MARK: Review

    /// Every grant, newest first, for privacy officers and administrators; for anyone else it does not exist.
    func list(by principal: Principal) async throws -> [BreakGlassGrant] {
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        let db = database.db()
        let grants = try await BreakGlassGrant.query(on: db).sort(\.$grantedAt, .descending).sort(\.$id, .descending)
            .limit(Self.listLimit).all()
        try await Audit.record(.read, "break_glass_grant", nil, by: principal, on: db)
        return grants
    }

    /// Marks a grant as reviewed, with an optional note. A grant is reviewed once (409 after).
    @discardableResult
    func review(id: UUID, note: String?, by principal: Principal) async throws -> BreakGlassGrant {
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, let code = TextRules.check(note, required: false, max: Self.maxNoteLength) {
            throw AppError.invalid([FieldIssue("note", code)])
        }
        let at = now().wholeSeconds
        return try await database.db().transaction { tx in
            guard let grant = try await BreakGlassGrant.find(id, on: tx) else { throw AppError.notFound }
            guard grant.reviewedAt == nil else { throw AppError.conflict("This emergency access was reviewed already.") }
            grant.reviewedAt = at
            grant.reviewedBy = principal.userID
            if let note, !note.isEmpty { grant.reviewNote = note }
            try await grant.update(on: tx)
            try await Audit.record(.update, "break_glass_grant", id.uuidString.lowercased(), by: principal, on: tx)
            return grant
        }
    }
}
