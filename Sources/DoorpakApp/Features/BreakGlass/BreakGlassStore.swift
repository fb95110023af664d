import FluentKit
import Foundation

/// The only door to break-the-glass grants: asking for emergency access to one report or one
/// person, the check that `ReportStore.find` and `PersonStore.record` make for a record outside
/// scope, and the privacy officer's review. Emergency access is read-only (`BreakGlassAccess`).
struct BreakGlassStore: Sendable {
    private let database: AppDatabase
    /// How long emergency access lasts (`serve --break-glass-minutes`, default 60).
    var duration: TimeInterval = AuthPolicy().breakGlassSeconds
    /// The clock; tests move it to see a grant expire.
    var now: @Sendable () -> Date = { .now }
    static let minReasonLength = 10
    static let maxReasonLength = 1000
    static let maxNoteLength = 1000
    /// How many grants the review page and API list (newest first).
    static let listLimit = 200

    init(database: AppDatabase, duration: TimeInterval = AuthPolicy().breakGlassSeconds, now: @escaping @Sendable () -> Date = { .now }) {
        self.database = database
        self.duration = duration
        self.now = now
    }

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
                                        reason: reason, grantedAt: at, expiresAt: at.addingTimeInterval(duration))
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

    /// Grants `principal` emergency access to one person for `duration`, after a reason, as for a
    /// report: the attempt is logged even when the pseudonym names nobody (then "not found"). The
    /// grant, its log entry and the notices are one transaction. Notified: the directors of the
    /// person's open cases; without one, the coordinators of the person's district (the district of
    /// the person's location, else of their linked reports).
    func grantPerson(pseudonym: String, reason: String?, by principal: Principal) async throws -> BreakGlassGrant {
        let wanted = pseudonym.uppercased()
        guard principal.reportScope != .none, Pseudonym.isValid(wanted) else { throw AppError.notFound }
        let reason = try Self.validReason(reason)
        let at = now().wholeSeconds
        let db = database.db()
        guard let person = try await PersonRecord.query(on: db).filter(\.$pseudonym == wanted).first() else {
            try await Audit.record(.breakGlass, "person", wanted, by: principal, purpose: reason, on: db)
            throw AppError.notFound
        }
        return try await db.transaction { tx in
            let grant = BreakGlassGrant(userID: principal.userID, role: principal.role, recordType: "person", recordID: wanted,
                                        reason: reason, grantedAt: at, expiresAt: at.addingTimeInterval(duration))
            try await grant.create(on: tx)
            try await Audit.record(.breakGlass, "person", wanted, by: principal, purpose: reason, on: tx)
            let notices = try await Self.owners(of: person, on: tx).filter { $0 != principal.userID }
                .map { Notice(recipient: $0, kind: .breakGlassUsed, reference: wanted, link: "/persons/\(wanted)") }
            try await Notifications.send(notices, on: tx, now: at)
            return grant
        }
    }

    /// Who answers for a person: the directors of their open cases, else their district's coordinators.
    static func owners(of person: PersonRecord, on db: any Database) async throws -> [UUID] {
        let id = person.id!
        let caseIDs = try await CasePerson.query(on: db).filter(\.$personID == id).all().map(\.caseID)
        if !caseIDs.isEmpty {
            let directors = try await CaseFile.query(on: db).filter(\.$id ~~ caseIDs).filter(\.$phase != CasePhase.closed.rawValue).all()
                .map(\.directorID)
            if !directors.isEmpty { return Array(Set(directors)).sorted { $0.uuidString < $1.uuidString } }
        }
        var districts: Set<UUID> = []
        if let locationID = person.locationID, let location = try await Location.find(locationID, on: db) { districts.insert(location.districtID) }
        if districts.isEmpty {
            let reportIDs = try await PersonReportLink.query(on: db).filter(\.$personID == id).filter(\.$unlinkedAt == nil).all().map(\.reportID)
            if !reportIDs.isEmpty { districts = Set(try await Report.query(on: db).filter(\.$id ~~ reportIDs).all().map(\.districtID)) }
        }
        guard !districts.isEmpty else { return [] }
        let members = try await UserDistrict.query(on: db).filter(\.$districtID ~~ Array(districts)).all().map(\.userID)
        guard !members.isEmpty else { return [] }
        return try await User.query(on: db).filter(\.$id ~~ members).filter(\.$role == Role.coordinator.rawValue).filter(\.$active == true)
            .sort(\.$name).all().compactMap(\.id)
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
