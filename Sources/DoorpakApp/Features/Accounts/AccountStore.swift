import FluentKit
import Foundation

/// Sign-in checks and the user's own personal access tokens.
struct AccountStore: Sendable {
    let database: AppDatabase
    let passwords: Passwords
    let throttle: LoginThrottle
    var lockouts: AccountLockouts? = nil

    enum SignInCheck: Sendable {
        case success(User)
        case failed
        case throttled(retryAfter: Int)
        /// Too many failures in a row: locked for this many seconds (or until an administrator unlocks it).
        case locked(retryAfter: Int)
    }

    /// Checks a password (the first step of a sign-in; `SignIn.complete` does the rest). Failures
    /// count against the account and the address; the answer never says whether the account exists.
    func signIn(email: String, password: String, address: String) async throws -> SignInCheck {
        let email = email.lowercased().trimmingCharacters(in: .whitespaces)
        if let seconds = try await lockouts?.lockedFor(email: email) { return .locked(retryAfter: seconds) }
        if let seconds = try await throttle.retryAfter(email: email, address: address) { return .throttled(retryAfter: seconds) }
        let db = database.db()
        let user = try await User.query(on: db).filter(\.$email == email).first()
        // Spend the same time on unknown accounts, so timing does not reveal which accounts exist.
        var matches = false
        let typed = PasswordPolicy.normalise(password)
        if let user { matches = try await passwords.verify(typed, hash: user.passwordHash) } else { _ = try await passwords.hash(typed) }
        guard let user, matches, user.active, user.id != nil else {
            try await throttle.recordFailure(email: email, address: address)
            let locked = try await lockouts?.recordFailure(email: email) ?? false
            try await Audit.record(.loginFailed, "user", user?.id?.uuidString, by: nil, purpose: locked ? "locked" : nil, on: db)
            return .failed
        }
        return .success(user)
    }

    func tokens(of principal: Principal) async throws -> [APIToken] {
        try await APIToken.query(on: database.db()).filter(\.$userID == principal.userID).filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > .now).sort(\.$createdAt, .descending).all()
    }

    /// Creates a token and returns it in clear text: the only time it is ever shown.
    func createToken(named name: String, for principal: Principal) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: 100) { throw AppError.invalid([FieldIssue("name", issue)]) }
        let (token, hash) = APIToken.generate()
        try await database.db().transaction { tx in
            let stored = APIToken(userID: principal.userID, name: name, tokenHash: hash, hint: String(token.suffix(4)))
            try await stored.create(on: tx)
            try await Audit.record(.tokenCreated, "api_token", stored.id?.uuidString, by: principal, on: tx)
        }
        return token
    }

    func revokeToken(_ id: UUID, of principal: Principal) async throws {
        try await database.db().transaction { tx in
            guard let token = try await APIToken.query(on: tx).filter(\.$id == id).filter(\.$userID == principal.userID)
                .filter(\.$revokedAt == nil).first() else { throw AppError.notFound }
            token.revokedAt = .now
            try await token.update(on: tx)
            try await Audit.record(.tokenRevoked, "api_token", id.uuidString, by: principal, on: tx)
        }
    }
}
