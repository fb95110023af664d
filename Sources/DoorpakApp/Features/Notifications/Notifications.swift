import FluentKit
import Foundation
import SQLKit

/// The one door other features use to tell people something.
enum Notifications {
    /// Records `notices` in the recipients' in-app lists and queues an e-mail for those who want
    /// one immediately. Call it inside the transaction of the write that caused it, so that the
    /// notice exists exactly when the change committed. Inactive and unknown recipients are
    /// skipped; the same notice twice in one call is sent once.
    static func send(_ notices: [Notice], on db: any Database, now: Date) async throws {
        var seen = Set<String>()
        let unique = notices.filter { seen.insert("\($0.recipient)|\($0.kind.rawValue)|\($0.reference)|\($0.link)").inserted }
        guard !unique.isEmpty else { return }
        let ids = Array(Set(unique.map(\.recipient)))
        let users = try await User.query(on: db).filter(\.$id ~~ ids).filter(\.$active == true).all()
        let active = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0) })
        let settings = try await NotificationSetting.query(on: db).filter(\.$id ~~ ids).all()
        let byUser = Dictionary(uniqueKeysWithValues: settings.map { ($0.id!, $0) })
        let at = now.wholeSeconds
        var rows: [Notification] = []
        var mails: [OutboxMessage] = []
        for notice in unique {
            guard let user = active[notice.recipient] else { continue }
            let row = Notification(notice, at: at)
            let setting = byUser[notice.recipient]
            if (setting?.mailPreference ?? .standard) == .immediately {
                let text = MailTexts.immediate(notice, language: setting?.mailLanguage ?? .nl)
                mails.append(OutboxMessage(recipient: user.email, subject: text.subject, body: text.body, at: at))
                row.mailedAt = at
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { return }
        try await rows.create(on: db)
        try await Outbox.enqueue(mails, on: db)
    }

    /// Queues today's digest for every user who asked for one and has not had it yet, once the
    /// local time is past `hour`: one e-mail per user listing what was not mailed before.
    /// Idempotent: running it twice on a day queues each digest once. Returns how many were queued.
    @discardableResult
    static func queueDigests(now: Date, hour: Int = Digest.defaultHour, on db: any Database) async throws -> Int {
        guard let day = Digest.dueDay(now: now, lastDigestOn: nil, hour: hour) else { return 0 }
        let due = try await NotificationSetting.query(on: db).filter(\.$mail == MailPreference.daily.rawValue).all()
            .filter { Digest.dueDay(now: now, lastDigestOn: $0.lastDigestOn, hour: hour) != nil }
        var queued = 0
        for setting in due {
            let userID = setting.id!
            let done = try await db.transaction { tx -> Bool in
                // Claim the day first: a second runner (or a second run) gets no row back and stops.
                let claimed = try await tx.sql.raw("""
                    UPDATE \(ident: NotificationSetting.schema) SET last_digest_on = \(bind: day)
                    WHERE user_id = \(bind: userID) AND (last_digest_on IS NULL OR last_digest_on < \(bind: day))
                    RETURNING user_id
                    """).first()
                guard claimed != nil else { return false }
                guard let user = try await User.find(userID, on: tx), user.active else { return false }
                let items = try await Notification.query(on: tx).filter(\.$recipientID == userID).filter(\.$mailedAt == nil)
                    .filter(\.$createdAt <= now).filter(\.$createdAt > now.addingTimeInterval(-Digest.window))
                    .sort(\.$createdAt).sort(\.$id).all()
                guard !items.isEmpty else { return false }
                let text = MailTexts.digest(Digest.lines(items), language: setting.mailLanguage)
                try await Outbox.enqueue([OutboxMessage(recipient: user.email, subject: text.subject, body: text.body, at: now.wholeSeconds)], on: tx)
                try await Notification.query(on: tx).filter(\.$id ~~ items.compactMap(\.id)).set(\.$mailedAt, to: now.wholeSeconds).update()
                return true
            }
            if done { queued += 1 }
        }
        return queued
    }
}

/// The digest's rules, free of the database.
enum Digest {
    /// Digests go out after 07:00 Amsterdam time.
    static let defaultHour = 7
    /// A digest covers at most this far back: what came in while e-mail was off is not mailed later.
    static let window: TimeInterval = 48 * 3600
    /// A digest lists at most this many lines, then says how many more there are.
    static let maxLines = 50

    struct Line: Equatable, Sendable {
        let kind: NotificationKind?
        let reference: String
        let link: String
    }

    /// The local day (`yyyy-MM-dd`, Europe/Amsterdam) a digest is due for at `now`, or `nil` when
    /// it is before `hour` or the user already had today's.
    static func dueDay(now: Date, lastDigestOn: String?, hour: Int) -> String? {
        let calendar = Formats.calendar
        guard calendar.component(.hour, from: now) >= hour else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        let day = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        if let lastDigestOn, lastDigestOn >= day { return nil }
        return day
    }

    /// One line per record and kind, oldest first: the same thing told twice is listed once.
    static func lines(_ items: [Notification]) -> [Line] {
        var seen = Set<String>()
        return items.sorted { ($0.createdAt, $0.reference) < ($1.createdAt, $1.reference) }.compactMap { item in
            guard seen.insert("\(item.kind)|\(item.reference)").inserted else { return nil }
            return Line(kind: item.notificationKind, reference: item.reference, link: item.link)
        }
    }
}
