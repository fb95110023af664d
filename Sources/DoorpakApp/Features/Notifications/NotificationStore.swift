import FluentKit
import Foundation
import SQLKit

/// The only code that reads the notification tables. Every read and write is the principal's own:
/// there is no way to see or touch someone else's notifications (their ids read as not found).
struct NotificationStore: Sendable {
    private let database: AppDatabase
    /// Unread counts per user, kept while the `counts` version stands (any notification written or read raises it).
    private let unread = VersionedCache<UUID, Int>(watching: "counts")

    init(database: AppDatabase) {
        self.database = database
    }

    static let defaultPageSize = 50
    static let maxPageSize = 200
    /// The navigation shows "99+" beyond this; counting further costs time for nothing.
    static let countCap = 99

    struct Page {
        let items: [Notification]
        let next: NotificationCursor?
    }

    /// One page of the principal's notifications, newest first.
    func list(for principal: Principal, after cursor: NotificationCursor?, limit: Int = defaultPageSize) async throws -> Page {
        let query = Notification.query(on: database.db()).filter(\.$recipientID == principal.userID)
        if let cursor {
            query.group(.or) { or in
                or.filter(\.$createdAt < cursor.createdAt)
                or.group(.and) { $0.filter(\.$createdAt == cursor.createdAt).filter(\.$id < cursor.id) }
            }
        }
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let shown = Array(rows.prefix(limit))
        let next = rows.count > limit ? shown.last.map { NotificationCursor(createdAt: $0.createdAt, id: $0.id!) } : nil
        return Page(items: shown, next: next)
    }

    /// Unread notifications of a user, counted up to `countCap + 1`: one indexed query, for every page's navigation.
    func unreadCount(of userID: UUID) async throws -> Int {
        try await unread.value(userID, on: database.sql()) { try await countUnread(of: userID) }
    }

    private func countUnread(of userID: UUID) async throws -> Int {
        let row = try await database.sql().raw("""
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM \(ident: Notification.schema)
            WHERE recipient_id = \(bind: userID) AND read_at IS NULL LIMIT \(unsafeRaw: String(Self.countCap + 1))) AS unread
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Marks the principal's notifications read: the given ones, or all when `ids` is `nil`.
    /// Returns how many were unread before. Ids that are not the principal's are ignored.
    @discardableResult
    func markRead(_ ids: [UUID]?, for principal: Principal, now: Date = .now) async throws -> Int {
        let db = database.db()
        let query = Notification.query(on: db).filter(\.$recipientID == principal.userID).filter(\.$readAt == nil)
        if let ids {
            guard !ids.isEmpty else { return 0 }
            query.filter(\.$id ~~ ids)
        }
        let count = try await query.count()
        guard count > 0 else { return 0 }
        let update = Notification.query(on: db).filter(\.$recipientID == principal.userID).filter(\.$readAt == nil)
        if let ids { update.filter(\.$id ~~ ids) }
        try await update.set(\.$readAt, to: now.wholeSeconds).update()
        return count
    }

    /// The principal's e-mail and queue preferences (the defaults when never saved).
    func setting(for principal: Principal) async throws -> (mail: MailPreference, language: Language, queue: QueuePreference) {
        let setting = try await NotificationSetting.find(principal.userID, on: database.db())
        return (setting?.mailPreference ?? .standard, setting?.mailLanguage ?? .nl, setting?.queuePreference ?? .standard)
    }

    /// Saves the preferences; `mail` and `queue` are what the form or the API sent (both refused by name
    /// when they are not one of the choices; a form without `queue` keeps the saved one).
    @discardableResult
    func save(mail raw: String?, queue rawQueue: String?, language: Language, for principal: Principal) async throws
        -> (mail: MailPreference, queue: QueuePreference) {
        var issues: [FieldIssue] = []
        let preference = raw.flatMap(MailPreference.init(rawValue:))
        if preference == nil { issues.append(FieldIssue("mail", "invalid")) }
        let queue = rawQueue.map { QueuePreference(rawValue: $0) }
        if case .some(nil) = queue { issues.append(FieldIssue("queue", "invalid")) }
        guard issues.isEmpty, let preference else { throw AppError.invalid(issues) }
        let db = database.db()
        return try await db.transaction { tx in
            let setting = try await NotificationSetting.find(principal.userID, on: tx)
                ?? NotificationSetting(userID: principal.userID, mail: preference, language: language)
            setting.mail = preference.rawValue
            setting.language = language.rawValue
            if let queue = queue ?? nil { setting.queue = queue.rawValue }
            try await setting.save(on: tx)
            try await Audit.record(.update, "user", principal.userID.uuidString.lowercased(), by: principal, on: tx)
            return (preference, setting.queuePreference)
        }
    }
}

/// Where the next page starts: the last shown notification's time and id.
struct NotificationCursor: Equatable, Sendable {
    let createdAt: Date
    let id: UUID

    var encoded: String { PageToken.encode("n1", [PageToken.seconds(createdAt), id.uuidString.lowercased()]) }

    init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    init?(encoded: String) {
        guard let fields = PageToken.decode(encoded, tag: "n1", fields: 2, maxLength: 120),
              let createdAt = PageToken.date(fields[0]), let id = UUID(uuidString: fields[1]) else { return nil }
        self.init(createdAt: createdAt, id: id)
    }
}
