import FluentKit
import Foundation
import SQLKit

/// One e-mail waiting to be sent, or sent. Written in the transaction that caused it, so a mail
/// goes out exactly when its cause committed; a leased sender job delivers it.
///
/// Bodies are stored with links relative to `Outbox.base` (the placeholder below): the sender
/// completes them with the configured public URL when it sends.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox"
    @ID(key: .id) var id: UUID?
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "attempts") var attempts: Int
    /// `nil` once sent or given up.
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// A short, fixed description of the last failure (an SMTP reply code or an error kind),
    /// never the server's free text, which can repeat the address.
    @OptionalField(key: "last_error") var lastError: String?

    init() {}
    init(recipient: String, subject: String, body: String, at: Date) {
        self.recipient = recipient
        self.subject = subject
        self.body = body
        createdAt = at
        attempts = 0
        nextAttemptAt = at
    }
}

/// The outbox's rules, as plain functions; its queries are in `OutboxStore.swift`.
enum Outbox {
    /// Stands for the public URL in stored bodies; the sender replaces it.
    static let base = "{{base_url}}"
    /// After this many failed attempts a message is given up.
    static let maxAttempts = 8
    /// A notification mail that could not be sent within this time is dropped rather than sent late.
    static let maxAge: TimeInterval = 48 * 3600
    /// Sent and given-up messages are deleted after this long (the address is personal data).
    static let retention: TimeInterval = 30 * 86_400

    /// The wait after the `attempts`-th failure: 1, 2, 4 … minutes, at most 2 hours.
    static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        let exponent = max(0, min(attempts - 1, 12))
        return min(60 * pow(2, Double(exponent)), 2 * 3600)
    }

    /// What happens to a message after a failed attempt: when to try again, or `nil` to give up.
    static func nextAttempt(afterFailure attempts: Int, createdAt: Date, now: Date) -> Date? {
        guard attempts < maxAttempts else { return nil }
        let next = now.addingTimeInterval(backoff(afterAttempts: attempts))
        return next.timeIntervalSince(createdAt) > maxAge ? nil : next
    }

    /// The body with its links completed: `base` without a trailing slash.
    static func resolve(_ body: String, base: String) -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return body.replacingOccurrences(of: Self.base, with: trimmed)
    }
}
