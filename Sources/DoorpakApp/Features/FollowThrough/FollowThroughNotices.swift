import FluentKit
import Foundation

/// Follow-through's way into notifications: one call per event, never to the user who caused it,
/// carrying only the reference and a link (`Notifications` keeps names, descriptions and
/// categories out of mails).
enum FollowThroughNotices {
    /// `urgent`: mailed at once even to who reads a daily digest.
    static func send(_ kind: NotificationKind, about reference: String, link: String, to recipients: [UUID], except actor: UUID?,
                     urgent: Bool = false, on db: any Database, now: Date) async throws {
        let notices = Set(recipients).subtracting(actor.map { [$0] } ?? []).sorted { $0.uuidString < $1.uuidString }
            .map { Notice(recipient: $0, kind: kind, reference: reference, link: link, urgent: urgent) }
        guard !notices.isEmpty else { return }
        try await Notifications.send(notices, on: db, now: now)
    }
}
