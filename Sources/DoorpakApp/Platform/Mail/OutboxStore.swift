import FluentKit
import Foundation

/// The door to `outbox_messages`: queueing (inside the caller's transaction), the sender's
/// reads and marks, and the sweep.
extension Outbox {
    /// Queues a message inside the caller's transaction.
    static func enqueue(_ messages: [OutboxMessage], on db: any Database) async throws {
        guard !messages.isEmpty else { return }
        try await messages.create(on: db)
    }

    /// Messages due at `now`, oldest first.
    static func due(now: Date, limit: Int = 50, on db: any Database) async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: db)
            .filter(\.$sentAt == nil).filter(\.$nextAttemptAt != nil).filter(\.$nextAttemptAt <= now)
            .sort(\.$nextAttemptAt).sort(\.$id).limit(limit).all()
    }

    static func markSent(_ message: OutboxMessage, now: Date, on db: any Database) async throws {
        message.attempts += 1
        message.sentAt = now
        message.nextAttemptAt = nil
        message.lastError = nil
        try await message.update(on: db)
    }

    /// Records a failed attempt (`error` is a fixed code such as `smtp_451`) and schedules the next.
    static func markFailed(_ message: OutboxMessage, error: String, now: Date, on db: any Database) async throws {
        message.attempts += 1
        message.nextAttemptAt = nextAttempt(afterFailure: message.attempts, createdAt: message.createdAt, now: now)
        message.lastError = message.nextAttemptAt == nil ? "gave_up:\(error)" : error
        try await message.update(on: db)
    }

    /// Drops messages too old to be worth sending and deletes those past retention.
    static func sweep(now: Date, on db: any Database) async throws {
        try await OutboxMessage.query(on: db)
            .filter(\.$sentAt == nil).filter(\.$nextAttemptAt != nil).filter(\.$createdAt < now.addingTimeInterval(-maxAge))
            .set(\.$nextAttemptAt, to: nil).set(\.$lastError, to: "expired").update()
        try await OutboxMessage.query(on: db).filter(\.$createdAt < now.addingTimeInterval(-retention)).delete()
    }
}
