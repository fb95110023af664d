import FluentKit
import Foundation

/// Sign-in checks and the user's own personal access tokens.
struct AccountStore: Sendable {
    private let database: AppDatabase
    let passwords: Passwords
    let throttle: LoginThrottle
    var lockouts: AccountLockouts? = nil
    /// Principals of signed-in users, valid while the database's principal version stands (`PrincipalCache`).
    let principals: PrincipalCache

    init(database: AppDatabase, passwords: Passwords, throttle: LoginThrottle, lockouts: AccountLockouts? = nil,
         principals: PrincipalCache = PrincipalCache()) {
        self.database = database
        self.passwords = passwords
        self.throttle = throttle
        self.lockouts = lockouts
        self.principals = principals
    }

    /// The principal of an active user for a request, with the fingerprint of their password hash
    /// (a session must match it); `nil` when the user is gone or deactivated. One version read when
    /// the principal is cached, else the user and their assignments (`PrincipalCache`).
    func signedIn(_ userID: UUID, via: Principal.Via) async throws -> PrincipalCache.Entry? {
        let db = database.db()
        // Read before the user, so that a write in between leaves the entry under the older version.
        let version = try await PrincipalCache.version(on: db.sql)
        if let version, let entry = principals.entry(userID, version: version) {
            return entry.principal.via == via ? entry : PrincipalCache.Entry(principal: entry.principal.via(via), credential: entry.credential)
        }
        guard let user = try await User.find(userID, on: db),
              let principal = try await Principal.load(user: user, via: via, on: db) else { return nil }
        let entry = PrincipalCache.Entry(principal: principal, credential: WebSession.credential(of: user.passwordHash))
        if let version { principals.store(entry, for: userID, version: version) }
        return entry
    }

    /// The user with this id, if any (active or not).
    func user(_ id: UUID) async throws -> User? { try await User.find(id, on: database.db()) }

    /// The user with this (lower-cased) e-mail address, if any.
    func user(email: String) async throws -> User? { try await User.query(on: database.db()).filter(\.$email == email).first() }

    /// The principal for an active user; `nil` when the user is gone or deactivated.
    func principal(userID: UUID, via: Principal.Via) async throws -> Principal? {
        try await Principal.load(userID: userID, via: via, on: database.db())
    }

    /// The principal for a user already read; `nil` when deactivated.
    func principal(user: User, via: Principal.Via) async throws -> Principal? {
        try await Principal.load(user: user, via: via, on: database.db())
    }

    /// The principal behind a live personal access token, or `nil` for an unknown, revoked,
    /// expired or malformed one. Notes the token's use at most once a minute.
    func principal(bearer token: String) async throws -> Principal? {
        let db = database.db()
        guard let stored = try await APITokenStore.live(hash: APIToken.hash(token), on: db),
            let principal = try await signedIn(stored.userID, via: .token)?.principal
        else { return nil }
        if (stored.lastUsedAt?.timeIntervalSinceNow ?? -3600) < -60 {
            stored.lastUsedAt = .now
            try await stored.update(on: db)
        }
        return principal
    }

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
