import FluentKit
import Foundation
import SQLKit

/// Writing notices and queueing their mail: what `Notifications` (the door other features use)
/// does inside the caller's transaction, and the daily digest job.
extension NotificationStore {
    /// Records `notices` in the recipients' in-app lists and queues an e-mail for those who want
    /// one immediately (an urgent notice also to those who chose a daily digest). Call it inside the transaction of the write that caused it, so that the
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
            let preference = setting?.mailPreference ?? .standard
            if preference == .immediately || (notice.urgent && preference == .daily) {
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
