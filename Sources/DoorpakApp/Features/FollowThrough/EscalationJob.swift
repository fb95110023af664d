import FluentKit
import Foundation

/// The escalation ladder as a background job: once a minute, by whichever instance holds the
/// lease, one pass of `EscalationStore.escalationPass(now:)`.
struct EscalationJob: Sendable {
    let database: AppDatabase
    static let name = "escalation"

    struct Outcome: Sendable, Equatable { var steps = 0 }

    @discardableResult
    func pass(now: Date) async throws -> Outcome {
        try await EscalationStore(database: database).escalationPass(now: now)
    }

    /// See `EscalationStore.claim`.
    static func claim(_ table: String, ids: [UUID], to level: EscalationLevel, status: String, on db: any Database) async throws -> [UUID] {
        try await EscalationStore.claim(table, ids: ids, to: level, status: status, on: db)
    }
}
