import Foundation

extension Commands {
    /// `doorpak user set-password`: sets a password under the same rules as the web (an error
    /// message instead of throwing for bad input). `mustChange` makes it a one-time password.
    /// Ends the user's sessions (the hash changes) and lifts a lockout.
    public static func setPassword(_ config: AppConfig, email: String, password: String, mustChange: Bool) async throws -> String? {
        try await AppDatabase.with(config) { database in
            try await database.migrate()
            return try await Stores(database: database, config: config).passwords.set(email: email, password: password, mustChange: mustChange)
        }
    }

    /// `doorpak user unlock`: lifts a lockout (for when the last administrator locked themselves out).
    public static func unlockUser(_ config: AppConfig, email: String) async throws -> Bool {
        try await AppDatabase.with(config) { database in
            let stores = Stores(database: database, config: config)
            guard let user = try await stores.accounts.user(email: email.lowercased()) else { return false }
            try await stores.lockouts.reset(email: user.email)
            try await stores.audit.record(.accountUnlocked, "user", user.id?.uuidString, by: nil, purpose: "cli")
            return true
        }
    }

    /// `doorpak user reset-two-factor`: removes a user's TOTP secret and recovery codes.
    public static func resetTwoFactor(_ config: AppConfig, email: String) async throws -> Bool {
        try await AppDatabase.with(config) { database in
            let stores = Stores(database: database, config: config)
            guard let user = try await stores.accounts.user(email: email.lowercased()), let id = user.id else { return false }
            try await stores.twoFactor.reset(userID: id, purpose: "cli")
            return true
        }
    }
}
