import FluentKit
import Foundation

/// Sign-in checks and the user's own personal access tokens.
struct AccountStore: Sendable {
    let database: AppDatabase
    let passwords: Passwords
    let throttle: LoginThrottle

    enum SignIn: Sendable {
        case success(UUID)
        case failed
        case throttled(retryAfter: Int)
    }

    /// Checks a password. Failures count against the account and the address; the answer
    /// never says whether the account exists.
    func signIn(email: String, password: String, address: String) async throws -> SignIn {
        let email = email.lowercased().trimmingCharacters(in: .whitespaces)
        if let seconds = try await throttle.retryAfter(email: email, address: address) { return .throttled(retryAfter: seconds) }
        let db = database.db()
        let user = try await User.query(on: db).filter(\.$email == email).first()
        // Spend the same time on unknown accounts, so timing does not reveal which accounts exist.
        var matches = false
        if let user { matches = try await passwords.verify(password, hash: user.passwordHash) } else { _ = try await passwords.hash(password) }
        guard let user, matches, user.active, let id = user.id else {
            try await throttle.recordFailure(email: email, address: address)
            try await Audit.record(.loginFailed, "user", user?.id?.uuidString, by: nil, on: db)
            return .failed
        }
        try await throttle.recordSuccess(email: email)
        try await Audit.record(.login, "user", id.uuidString, by: nil, on: db)
        return .success(id)
    }

    func tokens(of principal: Principal) async throws -> [APIToken] {
        try await APIToken.query(on: database.db()).filter(\.$userID == principal.userID).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).all()
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
