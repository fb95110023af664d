import FluentKit
import Foundation

/// The one door other features use to tell people something.
enum Notifications {
    /// Records `notices` in the recipients' in-app lists and queues an e-mail for those who want
    /// one immediately, inside the caller's transaction (`NotificationStore.send`).
    static func send(_ notices: [Notice], on db: any Database, now: Date) async throws {
        try await NotificationStore.send(notices, on: db, now: now)
    }

    /// Queues today's digests (`NotificationStore.queueDigests`); returns how many were queued.
    @discardableResult
    static func queueDigests(now: Date, hour: Int = Digest.defaultHour, on db: any Database) async throws -> Int {
        try await NotificationStore.queueDigests(now: now, hour: hour, on: db)
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
