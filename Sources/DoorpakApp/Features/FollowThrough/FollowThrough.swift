import FluentKit
import Foundation

/// What several follow-through features share; the queries are `ActionStore`'s.
enum FollowThrough {
    /// Reports the user is asked to act on outside their own scope: a pending hand-over addressed to
    /// them (or to their organisation, nobody named) or an open action for them (or their organisation).
    static func reportsAskedOf(_ principal: Principal, on db: any Database) async throws -> [UUID] {
        try await ActionStore.reportsAskedOf(principal, on: db)
    }
}
