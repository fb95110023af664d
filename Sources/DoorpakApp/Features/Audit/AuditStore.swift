import FluentKit
import Foundation

/// The only door to reading the access log. Privacy officers and administrators only: for
/// anyone else the log does not exist. Every look at the log is itself logged.
struct AuditStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    /// Writes one audit entry in a transaction of its own (`Audit.record`), for an event that
    /// changes no record: a sign-in, a sign-out, a re-authentication, an unlock.
    func record(_ action: AuditAction, _ recordType: String, _ recordID: String?, by principal: Principal?,
                purpose: String? = nil) async throws {
        try await Audit.record(action, recordType, recordID, by: principal, purpose: purpose, on: database.db())
    }

    /// Checks the stored log's hash chain (`doorpak audit verify`).
    func verifyChain() async throws -> AuditChain.Result { try await AuditChain.verify(on: database.db()) }

    /// The archive anchors, oldest first.
    func archiveAnchors() async throws -> [AuditArchive.Anchor] { try await AuditArchive.anchors(on: database.db()) }

    /// Moves the entries written before `before` to a new file at `path` (`doorpak audit archive`).
    func archive(before: Date, to path: String) async throws -> AuditArchive.Outcome {
        try await AuditArchive.archive(before: before, to: path, on: database.db())
    }

    static let defaultPageSize = 50
    static let maxPageSize = 200
    /// The kinds of record the log names, for the filter's list.
    static let recordTypes = ["report", "user", "api_token", "location", "place", "district", "organisation", "category", "audit_log"]

    struct Page: Sendable {
        let entries: [AuditEntry]
        let next: AuditCursor?
        /// The user the `user` filter resolved to, if any.
        let user: User?
    }

    /// One page of entries, newest first; the view is recorded as a read of the audit log.
    func list(_ filter: AuditFilter, after cursor: AuditCursor?, limit: Int = defaultPageSize, by principal: Principal) async throws -> Page {
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        let db = database.db()
        var user: User?
        if let wanted = filter.user {
            if let id = UUID(uuidString: wanted) {
                user = try await User.find(id, on: db)
            } else {
                user = try await User.query(on: db).filter(\.$email == wanted.lowercased()).first()
            }
        }
        try await Audit.record(.read, "audit_log", subject(filter, user: user), by: principal, on: db)
        let query = AuditEntry.query(on: db)
        if filter.user != nil {
            // An unknown user matches nothing rather than everything.
            guard let id = user?.id else { return Page(entries: [], next: nil, user: nil) }
            query.filter(\.$userID == id)
        }
        if let type = filter.recordType { query.filter(\.$recordType == type) }
        if let id = filter.recordID { query.filter(\.$recordID == (filter.recordType == "report" ? id.uppercased() : id)) }
        if let action = filter.action { query.filter(\.$action == action.rawValue) }
        if let from = filter.from { query.filter(\.$at >= from) }
        if let to = filter.to { query.filter(\.$at < to) }
        if let cursor { query.filter(\.$seq < cursor.seq) }
        let rows = try await query.sort(\.$seq, .descending).limit(limit + 1).all()
        let shown = Array(rows.prefix(limit))
        let next = rows.count > limit ? shown.last?.seq.map(AuditCursor.init(seq:)) : nil
        return Page(entries: shown, next: next, user: user)
    }

    /// What a look at the log was about, by id only: `report:DP-…`, `user:<id>`, or nothing for the whole log.
    private func subject(_ filter: AuditFilter, user: User?) -> String? {
        if let type = filter.recordType, let id = filter.recordID { return "\(type):\(id)" }
        if let id = user?.id { return "user:\(id.uuidString.lowercased())" }
        return filter.recordType
    }

    /// Everyone who can appear in the log, for the user filter.
    func users() async throws -> [User] {
        try await User.query(on: database.db()).sort(\.$name).sort(\.$email).all()
    }

    func names(of entries: [AuditEntry]) async throws -> [UUID: String] {
        try await UserNames.load(entries.map(\.userID), on: database.db())
    }
}
