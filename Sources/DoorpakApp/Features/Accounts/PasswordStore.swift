import FluentKit
import Foundation

/// Changing and resetting passwords: the user's own change (current password required), an
/// administrator's reset to a one-time password, and the command line's `user set-password`.
/// Every change replaces the hash, which ends the user's other sessions (see `WebSession.credential`),
/// revokes their API tokens, and leaves an audit entry.
struct PasswordStore: Sendable {
    private let database: AppDatabase
    let passwords: Passwords

    init(database: AppDatabase, passwords: Passwords) {
        self.database = database
        self.passwords = passwords
    }

    /// The user's own change. `current` is checked unless `nil` (the sign-in step after a reset,
    /// where the one-time password was just checked). Returns the new hash.
    func change(userID: UUID, current: String?, new: String, repeated: String, by principal: Principal?) async throws -> String {
        guard let user = try await User.find(userID, on: database.db()) else { throw AppError.notFound }
        var issues: [FieldIssue] = []
        if let current, !(try await passwords.verify(PasswordPolicy.normalise(current), hash: user.passwordHash)) {
            issues.append(FieldIssue("current_password", current.isEmpty ? "required" : "password_wrong"))
        }
        if let issue = PasswordPolicy.check(new, email: user.email, name: user.name) {
            issues.append(FieldIssue("new_password", issue))
        } else if PasswordPolicy.normalise(new) != PasswordPolicy.normalise(repeated) {
            issues.append(FieldIssue("repeat_password", "password_mismatch"))
        } else if try await passwords.verify(PasswordPolicy.normalise(new), hash: user.passwordHash) {
            issues.append(FieldIssue("new_password", "password_same"))
        }
        if !issues.isEmpty { throw AppError.invalid(issues) }
        let hash = try await passwords.hash(PasswordPolicy.normalise(new))
        try await database.db().transaction { tx in
            guard let user = try await User.find(userID, on: tx) else { throw AppError.notFound }
            user.passwordHash = hash
            user.passwordMustChange = nil
            user.passwordChangedAt = .now
            try await user.update(on: tx)
            try await APITokenStore.revokeAll(of: userID, on: tx)
            try await Audit.record(.passwordChanged, "user", userID.uuidString, by: principal, on: tx)
        }
        return hash
    }

    /// An administrator's reset: a random one-time password (shown once, to hand over in person or by
    /// phone, never by e-mail) that must be replaced at the next sign-in. Ends the user's sessions and
    /// lifts a lockout.
    func reset(userID: UUID, by principal: Principal) async throws -> String {
        let oneTime = Self.oneTimePassword()
        let hash = try await passwords.hash(oneTime)
        let email: String = try await database.db().transaction { tx in
            guard let user = try await User.find(userID, on: tx) else { throw AppError.notFound }
            user.passwordHash = hash
            user.passwordMustChange = true
            user.passwordChangedAt = .now
            try await user.update(on: tx)
            try await APITokenStore.revokeAll(of: userID, on: tx)
            try await Audit.record(.passwordReset, "user", userID.uuidString, by: principal, on: tx)
            return user.email
        }
        try await AccountLockout.query(on: database.db()).filter(\.$id == AccountLockouts.key(email)).delete()
        return oneTime
    }

    /// `doorpak user set-password`: the rules apply; `mustChange` makes it a one-time password.
    func set(email: String, password: String, mustChange: Bool) async throws -> String? {
        let db = database.db()
        guard let user = try await User.query(on: db).filter(\.$email == email.lowercased()).first() else { return "No such user." }
        if let issue = PasswordPolicy.check(password, email: user.email, name: user.name) { return Self.explain(issue) }
        let hash = try await passwords.hash(PasswordPolicy.normalise(password))
        try await db.transaction { tx in
            user.passwordHash = hash
            user.passwordMustChange = mustChange ? true : nil
            user.passwordChangedAt = .now
            try await user.update(on: tx)
            try await APITokenStore.revokeAll(of: user.id!, on: tx)
            try await Audit.record(mustChange ? .passwordReset : .passwordChanged, "user", user.id!.uuidString, by: nil,
                                   purpose: "cli", on: tx)
        }
        try await AccountLockout.query(on: db).filter(\.$id == AccountLockouts.key(user.email)).delete()
        return nil
    }

    /// Four groups of five from an alphabet without look-alikes: about 98 bits, easy to read out.
    static func oneTimePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }) }
            .joined(separator: "-")
    }

    /// The command line's words for a policy issue.
    static func explain(_ issue: String) -> String {
        switch issue {
        case "password_too_short": "The password needs at least \(PasswordPolicy.minimumLength) characters."
        case "too_long": "The password may have at most \(PasswordPolicy.maximumLength) characters."
        case "password_common": "That password is too common or too easy to guess."
        case "password_personal": "The password may not contain the user's e-mail address, name or the word Doorpak."
        case "invalid_characters": "The password contains control characters."
        default: "The password is missing."
        }
    }
}
