import Crypto
import FluentKit
import Foundation

/// A personal access token for API clients. Only its SHA-256 hash is stored; the token itself
/// is shown once, when it is created.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "hint") var hint: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    /// After this moment the token no longer signs anyone in (`APIToken.lifetime` after creation).
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}
    init(userID: UUID, name: String, tokenHash: String, hint: String) {
        self.userID = userID
        self.name = name
        self.tokenHash = tokenHash
        self.hint = hint
        self.expiresAt = Date.now.addingTimeInterval(Self.lifetime)
    }

    /// How long a token lives: 90 days. A password change, a two-factor reset or deactivation
    /// revokes a user's tokens sooner (`revokeAll`).
    static let lifetime: TimeInterval = 90 * 24 * 60 * 60

    /// A new random token (`dpk_` and 43 URL-safe characters) and its stored hash.
    static func generate() -> (token: String, hash: String) {
        let token = "dpk_" + SecureRandom.urlSafeString(bytes: 32)
        return (token, hash(token))
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Random strings for tokens, session secrets and CSRF tokens.
enum SecureRandom {
    static func urlSafeString(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

struct CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("hint", .string, .required)
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(APIToken.schema).delete() }
}
