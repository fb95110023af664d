import FluentKit
import Foundation

/// Delivers what is due in the outbox. Runs inside a `LeasedJob`, so of several instances one sends.
struct OutboxSender: Sendable {
    /// Delivers messages over one connection, one outcome per message (a real SMTP client, or a test's recorder).
    typealias Deliver = @Sendable ([MailMessage]) async -> [SMTPClient.Outcome]

    let from: String
    /// The public URL links are completed with.
    let baseURL: String
    let deliver: Deliver
    /// Small enough that a batch ends well inside the sender's lease even against a slow server.
    var batchSize = 20

    init(settings: SMTPSettings, baseURL: String) {
        from = settings.from
        self.baseURL = baseURL
        let client = SMTPClient(settings: settings)
        deliver = { await client.send($0) }
    }

    init(from: String, baseURL: String, deliver: @escaping Deliver) {
        self.from = from
        self.baseURL = baseURL
        self.deliver = deliver
    }

    struct Result: Equatable, Sendable {
        var sent = 0
        var failed = 0
    }

    /// One pass: expire stale messages, then send what is due and record each outcome.
    @discardableResult
    func run(now: Date, on db: any Database) async throws -> Result {
        try await Outbox.sweep(now: now, on: db)
        let due = try await Outbox.due(now: now, limit: batchSize, on: db)
        guard !due.isEmpty else { return Result() }
        let messages = due.map { row in
            MailMessage(from: from, to: row.recipient, subject: row.subject, body: Outbox.resolve(row.body, base: baseURL),
                        date: now, id: row.id!)
        }
        let outcomes = await deliver(messages)
        var result = Result()
        for (row, outcome) in zip(due, outcomes) {
            switch outcome {
            case .sent:
                try await Outbox.markSent(row, now: now, on: db)
                result.sent += 1
            case .failed(let error):
                if error.isPermanentForMessage { row.attempts = Outbox.maxAttempts - 1 }
                try await Outbox.markFailed(row, error: error.code, now: now, on: db)
                result.failed += 1
            }
        }
        return result
    }
}
