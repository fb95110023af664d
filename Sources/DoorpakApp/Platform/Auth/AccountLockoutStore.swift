import FluentKit
import Foundation
import SQLKit

/// Locks an account after too many failed sign-ins in a row (wrong password or wrong code), for
/// `AuthPolicy.lockoutDuration` or until an administrator unlocks it. Complements `LoginThrottle`,
/// which slows guessing down (5 per account and 30 per address in 15 minutes); the lockout stops a
/// slow, patient guesser. Rows are keyed by a hash of the e-mail address typed, so an unknown
/// address locks exactly like a real one and the answer never tells which accounts exist.
struct AccountLockouts: Sendable {
    private let database: AppDatabase
    let policy: AuthPolicy

    init(database: AppDatabase, policy: AuthPolicy) {
        self.database = database
        self.policy = policy
    }

    /// Seconds the account stays locked, or `nil` when it is not locked.
    func lockedFor(email: String, now: Date = .now) async throws -> Int? {
        guard let row = try await AccountLockout.find(Self.key(email), on: database.db()),
              let until = row.lockedUntil, until > now else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    /// Counts a failure; returns true when this failure locked the account.
    @discardableResult
    func recordFailure(email: String, now: Date = .now) async throws -> Bool {
        let key = Self.key(email)
        return try await database.db().transaction { tx in
            let row = try await AccountLockout.find(key, on: tx) ?? AccountLockout(key: key)
            // A lock that ran out starts a new count.
            if let until = row.lockedUntil, until <= now { row.failures = 0; row.lockedUntil = nil }
            row.failures += 1
            row.updatedAt = now
            var locked = false
            if row.failures >= policy.lockoutThreshold && row.lockedUntil == nil {
                row.lockedUntil = now.addingTimeInterval(TimeInterval(policy.lockoutDuration.components.seconds))
                locked = true
            }
            try await row.save(on: tx)
            return locked
        }
    }

    /// A completed sign-in, or an administrator's unlock: the count starts again.
    func reset(email: String) async throws {
        try await AccountLockout.query(on: database.db()).filter(\.$id == Self.key(email)).delete()
    }

    static func key(_ email: String) -> String { LoginThrottle.key("lockout", email.trimmingCharacters(in: .whitespaces)) }
}

final class AccountLockout: Model, @unchecked Sendable {
    static let schema = "account_lockouts"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
    init(key: String) { id = key; failures = 0; updatedAt = .now }
}

struct CreateAccountLockouts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccountLockout.schema)
            .field("key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .field("updated_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(AccountLockout.schema).delete() }
}
