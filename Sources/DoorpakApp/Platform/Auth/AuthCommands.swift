import FluentKit
import Foundation

extension Commands {
    /// `doorpak user set-password`: sets a password under the same rules as the web (an error
    /// message instead of throwing for bad input). `mustChange` makes it a one-time password.
    /// Ends the user's sessions (the hash changes) and lifts a lockout.
    public static func setPassword(_ config: AppConfig, email: String, password: String, mustChange: Bool) async throws -> String? {
        try await AppDatabase.with(config) { database in
            try await database.migrate()
            return try await PasswordStore(database: database, passwords: Passwords(cost: UInt8(config.bcryptCost)))
                .set(email: email, password: password, mustChange: mustChange)
        }
    }

    /// `doorpak user unlock`: lifts a lockout (for when the last administrator locked themselves out).
    public static func unlockUser(_ config: AppConfig, email: String) async throws -> Bool {
        try await AppDatabase.with(config) { database in
            let db = database.db()
            guard let user = try await User.query(on: db).filter(\.$email == email.lowercased()).first() else { return false }
            try await AccountLockouts(database: database, policy: config.auth).reset(email: user.email)
            try await Audit.record(.accountUnlocked, "user", user.id?.uuidString, by: nil, purpose: "cli", on: db)
            return true
        }
    }

    /// `doorpak user reset-two-factor`: removes a user's TOTP secret and recovery codes.
    public static func resetTwoFactor(_ config: AppConfig, email: String) async throws -> Bool {
        try await AppDatabase.with(config) { database in
            let db = database.db()
            guard let user = try await User.query(on: db).filter(\.$email == email.lowercased()).first(), let id = user.id else { return false }
            try await db.transaction { tx in
                try await TwoFactorCredential.query(on: tx).filter(\.$userID == id).delete()
                try await RecoveryCode.query(on: tx).filter(\.$userID == id).delete()
                try await APITokenStore.revokeAll(of: id, on: tx)
                try await Audit.record(.twoFactorReset, "user", id.uuidString, by: nil, purpose: "cli", on: tx)
            }
            return true
        }
    }
}
