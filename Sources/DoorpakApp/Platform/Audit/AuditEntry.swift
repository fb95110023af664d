import FluentKit
import Foundation

/// One line of the access log: who did what to which record, when, in which role and why.
/// Append-only: nothing in the application updates or deletes these rows. Each row carries its
/// place in the chain (`seq`), the hash of the row before it and its own hash (see `AuditChain`),
/// so that an edited, removed or reordered row is found by `doorpak audit verify`.
/// Rows hold ids only: no names, no descriptions; `purpose` is the reason the user typed.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "role") var role: String?
    @Field(key: "action") var action: String
    @Field(key: "record_type") var recordType: String
    @OptionalField(key: "record_id") var recordID: String?
    @OptionalField(key: "purpose") var purpose: String?
    /// Position in the chain, from 1, without gaps. (Optional only because the column was added to a live table.)
    @OptionalField(key: "seq") var seq: Int?
    @OptionalField(key: "prev_hash") var prevHash: String?
    @OptionalField(key: "hash") var hash: String?

    init() {}
    init(at: Date = .now, principal: Principal?, action: AuditAction, recordType: String, recordID: String?, purpose: String? = nil) {
        self.at = AuditChain.truncated(at)
        self.userID = principal?.userID
        self.role = principal?.role.rawValue
        self.action = action.rawValue
        self.recordType = recordType
        self.recordID = recordID
        self.purpose = purpose
    }
}

enum AuditAction: String, Sendable, CaseIterable {
    case read, create, update, login, loginFailed = "login_failed", logout, tokenCreated = "token_created", tokenRevoked = "token_revoked"
    // Sign-in security (Platform/Auth, Features/Accounts).
    case passwordChanged = "password_changed", passwordReset = "password_reset", twoFactorEnabled = "two_factor_enabled"
    case twoFactorDisabled = "two_factor_disabled", twoFactorReset = "two_factor_reset", recoveryCodeUsed = "recovery_code_used"
    case accountUnlocked = "account_unlocked", reauthenticated
    /// Records destroyed by the retention purge (the entry names the destruction record, never the records).
    case destroyed
    /// Emergency access to a record outside the user's scope (Features/BreakGlass); the purpose is the reason given.
    case breakGlass = "break_glass"
    /// A prefix of the access log moved to an archive file (`doorpak audit archive`); the record id is the `seq` range.
    case archived
}

/// Writes audit entries. Callers pass the database handle of their transaction, so the entry
/// commits or rolls back with the change it describes. A handle outside a transaction gets a
/// transaction of its own for the append.
enum Audit {
    static func record(_ action: AuditAction, _ recordType: String, _ recordID: String?, by principal: Principal?,
                       purpose: String? = nil, on db: any Database) async throws {
        let entry = AuditEntry(principal: principal, action: action, recordType: recordType, recordID: recordID, purpose: purpose)
        if db.inTransaction {
            try await AuditChain.append(entry, on: db)
        } else {
            try await db.transaction { tx in try await AuditChain.append(entry, on: tx) }
        }
    }
}

struct CreateAuditEntries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema)
            .id()
            .field("at", .datetime, .required)
            .field("user_id", .uuid)
            .field("role", .string)
            .field("action", .string, .required)
            .field("record_type", .string, .required)
            .field("record_id", .string)
            .field("purpose", .string)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(AuditEntry.schema).delete() }
}
