import Crypto
import FluentKit
import Foundation
import SQLKit

/// The only door to the two-factor tables: enrolment, checking codes, recovery codes, disabling
/// and an administrator's reset. Secrets are sealed with the field cipher (AES-256-GCM); recovery
/// codes are kept as salted SHA-256 hashes (they are random, 50 bits each, so a slow hash adds nothing).
struct TwoFactorStore: Sendable {
    private let database: AppDatabase
    let cipher: FieldCipher
    static let recoveryCodeCount = 10

    init(database: AppDatabase, cipher: FieldCipher) {
        self.database = database
        self.cipher = cipher
    }

    struct Status: Sendable {
        let enabled: Bool
        let enabledAt: Date?
        let recoveryCodesLeft: Int
    }

    func status(of userID: UUID) async throws -> Status {
        let db = database.db()
        let credential = try await TwoFactorCredential.query(on: db).filter(\.$userID == userID).first()
        let left = try await RecoveryCode.query(on: db).filter(\.$userID == userID).filter(\.$usedAt == nil).count()
        let enabled = credential?.confirmedAt != nil
        return Status(enabled: enabled, enabledAt: credential?.confirmedAt, recoveryCodesLeft: enabled ? left : 0)
    }

    func isEnabled(_ userID: UUID) async throws -> Bool { try await isEnabled(userID, on: database.db()) }

    func isEnabled(_ userID: UUID, on db: any Database) async throws -> Bool {
        try await TwoFactorCredential.query(on: db).filter(\.$userID == userID).filter(\.$confirmedAt != nil).first() != nil
    }

    /// The secret being enrolled: the one already started (so a reload shows the same QR code), or a new one.
    func enrolmentSecret(for userID: UUID) async throws -> [UInt8] {
        try await database.db().transaction { tx in
            if let existing = try await TwoFactorCredential.query(on: tx).filter(\.$userID == userID).first() {
                guard existing.confirmedAt == nil else { throw AppError.conflict("Two-factor authentication is already on.") }
                return try open(existing.sealedSecret)
            }
            let secret = TOTP.generateSecret()
            try await TwoFactorCredential(userID: userID, sealedSecret: cipher.seal(Base32.encode(secret))).create(on: tx)
            return secret
        }
    }

    /// Confirms enrolment with a code from the app; returns the recovery codes (shown once).
    /// Throws `invalid` (field `code`) for a wrong code.
    func confirm(userID: UUID, code: String, by principal: Principal?, now: Date = .now) async throws -> [String] {
        try await database.db().transaction { tx in
            guard let credential = try await TwoFactorCredential.query(on: tx).filter(\.$userID == userID).first(),
                  credential.confirmedAt == nil else { throw AppError.conflict("There is no enrolment to confirm.") }
            guard let step = TOTP(secret: try open(credential.sealedSecret)).match(code, at: now, after: nil) else {
                throw AppError.invalid([FieldIssue("code", "code_wrong")])
            }
            credential.confirmedAt = now
            credential.lastUsedStep = Int(step)
            try await credential.update(on: tx)
            let codes = try await replaceRecoveryCodes(of: userID, on: tx)
            try await Audit.record(.twoFactorEnabled, "user", userID.uuidString, by: principal, on: tx)
            return codes
        }
    }

    /// Checks a sign-in code: a TOTP code (each time step accepted once), or an unused recovery code
    /// (then used up). Returns what matched, or `nil`.
    func verify(userID: UUID, code: String, now: Date = .now) async throws -> Match? {
        let db = database.db()
        guard let credential = try await TwoFactorCredential.query(on: db).filter(\.$userID == userID)
            .filter(\.$confirmedAt != nil).first() else { return nil }
        let compact = code.filter { !$0.isWhitespace && $0 != "-" }
        if compact.count == 6 {
            let totp = TOTP(secret: try open(credential.sealedSecret))
            guard let step = totp.match(compact, at: now, after: credential.lastUsedStep.map(Int64.init)) else { return nil }
            // Claim the step atomically: of two requests with the same code, only one wins.
            let claimed = try await db.sql.update(TwoFactorCredential.schema)
                .set("last_used_step", to: Int(step))
                .where("id", .equal, credential.id!)
                .where { $0.where("last_used_step", .is, SQLLiteral.null).orWhere("last_used_step", .lessThan, Int(step)) }
                .returning("id").all()
            return claimed.isEmpty ? nil : .code
        }
        let hash = Self.hash(compact.lowercased(), userID: userID)
        let used = try await db.transaction { tx in
            let rows = try await tx.sql.update(RecoveryCode.schema).set("used_at", to: now)
                .where("user_id", .equal, userID).where("code_hash", .equal, hash).where("used_at", .is, SQLLiteral.null)
                .returning("id").all()
            if !rows.isEmpty { try await Audit.record(.recoveryCodeUsed, "user", userID.uuidString, by: nil, on: tx) }
            return !rows.isEmpty
        }
        return used ? .recoveryCode : nil
    }

    enum Match: Sendable { case code, recoveryCode }

    /// New recovery codes (the old ones stop working); shown once.
    func regenerateRecoveryCodes(for principal: Principal) async throws -> [String] {
        try await database.db().transaction { tx in
            guard try await isEnabled(principal.userID, on: tx) else { throw AppError.conflict("Two-factor authentication is off.") }
            let codes = try await replaceRecoveryCodes(of: principal.userID, on: tx)
            try await Audit.record(.update, "user", principal.userID.uuidString, by: principal, purpose: "recovery codes renewed", on: tx)
            return codes
        }
    }

    /// Switches two-factor off: by the user themselves (`disabled`) or by an administrator (`reset`).
    func remove(userID: UUID, by principal: Principal, action: AuditAction) async throws {
        try await database.db().transaction { tx in
            guard try await User.find(userID, on: tx) != nil else { throw AppError.notFound }
            try await removeSecrets(of: userID, action: action, by: principal, on: tx)
        }
    }

    /// `doorpak user reset-two-factor`: the reset without a signed-in administrator; the audit
    /// entry names `purpose` instead.
    func reset(userID: UUID, purpose: String) async throws {
        try await database.db().transaction { tx in
            try await removeSecrets(of: userID, action: .twoFactorReset, by: nil, purpose: purpose, on: tx)
        }
    }

    private func removeSecrets(of userID: UUID, action: AuditAction, by principal: Principal?, purpose: String? = nil,
                               on tx: any Database) async throws {
        try await TwoFactorCredential.query(on: tx).filter(\.$userID == userID).delete()
        try await RecoveryCode.query(on: tx).filter(\.$userID == userID).delete()
        // An administrator's reset (the account may be in someone else's hands) ends the user's tokens too.
        if action == .twoFactorReset { try await APITokenStore.revokeAll(of: userID, on: tx) }
        try await Audit.record(action, "user", userID.uuidString, by: principal, purpose: purpose, on: tx)
    }

    private func replaceRecoveryCodes(of userID: UUID, on db: any Database) async throws -> [String] {
        try await RecoveryCode.query(on: db).filter(\.$userID == userID).delete()
        var codes: [String] = []
        for _ in 0..<Self.recoveryCodeCount {
            let code = Self.newRecoveryCode()
            codes.append(code)
            try await RecoveryCode(userID: userID, codeHash: Self.hash(code.replacingOccurrences(of: "-", with: ""), userID: userID)).create(on: db)
        }
        return codes
    }

    private func open(_ sealed: String) throws -> [UInt8] {
        guard let secret = Base32.decode(try cipher.open(sealed)), !secret.isEmpty else { throw CipherError.malformed }
        return secret
    }

    /// `xxxxx-xxxxx` from an alphabet without look-alikes (no 0/o, 1/l/i): 50 bits.
    static func newRecoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(chars[0..<5]) + "-" + String(chars[5..<10])
    }

    static func hash(_ code: String, userID: UUID) -> String {
        SHA256.hash(data: Data("recovery:\(userID.uuidString):\(code)".utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
