import FluentKit
import Foundation

/// Follow-through's way into notifications: one call per event, never to the user who caused it,
/// carrying only the reference and a link (`Notifications` keeps names, descriptions and
/// categories out of mails).
enum FollowThroughNotices {
    enum Event: Sendable { case actionAssigned, actionDue, handOverRequested, handOverAccepted, handOverDeclined, escalated }

    static func send(_ event: Event, about reference: String, link: String, to recipients: [UUID], except actor: UUID?,
                     on db: any Database, now: Date) async throws {
        let users = Set(recipients).subtracting(actor.map { [$0] } ?? []).sorted { $0.uuidString < $1.uuidString }
        guard !users.isEmpty else { return }
        // INTERIM until Features/Notifications lands (helper): replaced by Notifications.send.
        _ = (event, reference, link, db, now)
    }
}
