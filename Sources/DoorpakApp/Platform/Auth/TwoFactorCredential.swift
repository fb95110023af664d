import FluentKit
import Foundation
import SQLKit

/// A user's TOTP secret. Created unconfirmed when enrolment starts; it counts (is required at
/// sign-in) only once the user confirmed it with a code. The secret is sealed (AES-GCM, see
/// `FieldCipher`) and never leaves the server except on the enrolment page.
final class TwoFactorCredential: Model, @unchecked Sendable {
    static let schema = "two_factor_credentials"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "secret") var sealedSecret: String
    @OptionalField(key: "confirmed_at") var confirmedAt: Date?
    /// The last TOTP time step accepted: a code is never accepted twice, nor an older one.
    @OptionalField(key: "last_used_step") var lastUsedStep: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(userID: UUID, sealedSecret: String) { self.userID = userID; self.sealedSecret = sealedSecret }

    /// `doorpak keys rotate` re-encrypts the secrets with the rest (see `EncryptedColumns`).
    static let encrypted = EncryptedTable(table: schema, columns: ["secret"], indexes: [])
}

/// A one-time recovery code, for when the phone is lost. Only a hash is stored; each works once.
final class RecoveryCode: Model, @unchecked Sendable {
    static let schema = "recovery_codes"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
    init(userID: UUID, codeHash: String) { self.userID = userID; self.codeHash = codeHash }
}

/// Two-factor tables, the lockout table, and the password state on users.
struct CreateTwoFactor: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TwoFactorCredential.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("secret", .string, .required)
            .field("confirmed_at", .datetime)
            .field("last_used_step", .int64)
            .field("created_at", .datetime)
            .unique(on: "user_id")
            .create()
        try await database.schema(RecoveryCode.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .create()
        try await database.sql.create(index: "recovery_codes_user").on(RecoveryCode.schema).column("user_id").run()
        try await CreateAccountLockouts().prepare(on: database)
        try await database.schema(User.schema).field("password_must_change", .bool).update()
        try await database.schema(User.schema).field("password_changed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(User.schema).deleteField("password_changed_at").update()
        try await database.schema(User.schema).deleteField("password_must_change").update()
        try await CreateAccountLockouts().revert(on: database)
        try await database.schema(RecoveryCode.schema).delete()
        try await database.schema(TwoFactorCredential.schema).delete()
    }
}
