import Crypto
import FluentKit
import Foundation
import SQLKit

/// Slows down password guessing per account and per address. Kept in the database so that
/// every server instance sees the same counts.
struct LoginThrottle: Sendable {
    private let database: AppDatabase
    var window: TimeInterval = 15 * 60
    var maxPerAccount = 5
    var maxPerAddress = 30

    init(database: AppDatabase) { self.database = database }

    /// Seconds until a new attempt is allowed, or `nil` when one may be made now.
    func retryAfter(email: String, address: String, now: Date = .now) async throws -> Int? {
        let db = database.db()
        let since = now.addingTimeInterval(-window)
        let keys = [(Self.key("account", email), maxPerAccount), (Self.key("address", address), maxPerAddress)]
        for (key, limit) in keys {
            let failures = try await LoginAttempt.query(on: db)
                .filter(\.$key == key).filter(\.$at > since).sort(\.$at, .ascending).all()
            if failures.count >= limit, let oldest = failures.first {
                return max(1, Int(oldest.at.addingTimeInterval(window).timeIntervalSince(now).rounded(.up)))
            }
        }
        return nil
    }

    func recordFailure(email: String, address: String, now: Date = .now) async throws {
        let db = database.db()
        try await LoginAttempt(key: Self.key("account", email), at: now).create(on: db)
        try await LoginAttempt(key: Self.key("address", address), at: now).create(on: db)
    }

    func recordSuccess(email: String) async throws {
        try await LoginAttempt.query(on: database.db()).filter(\.$key == Self.key("account", email)).delete()
    }

    /// Keys are hashed so the table holds no e-mail addresses or IP addresses in clear.
    static func key(_ kind: String, _ value: String) -> String {
        let digest = SHA256.hash(data: Data("\(kind):\(value.lowercased())".utf8))
        return kind + ":" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"
    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "at") var at: Date
    init() {}
    init(key: String, at: Date) { self.key = key; self.at = at }
}

struct CreateLoginAttempts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema)
            .id()
            .field("key", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.sql
            .create(index: "login_attempts_key_at").on(LoginAttempt.schema).column("key").column("at").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(LoginAttempt.schema).delete() }
}
