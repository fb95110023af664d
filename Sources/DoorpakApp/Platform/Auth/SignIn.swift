import FluentKit
import Foundation
import Hummingbird

/// How a user proved who they are at the door.
enum SignInMethod: Sendable, Equatable {
    case password
    /// OpenID Connect. `multiFactor`: the identity provider reports (e.g. in `amr`) that it checked
    /// a second factor; the local TOTP step is then skipped.
    case singleSignOn(multiFactor: Bool)

    var name: String {
        switch self {
        case .password: "password"
        case .singleSignOn: "sso"
        }
    }
}

/// The one way a sign-in finishes, whatever started it. Password login (`SignInRoutes`) and single
/// sign-on both call `complete(user:via:request:context:next:)` once the user proved their identity;
/// it decides what is still needed and either signs the user in or starts a pending step:
///
/// 1. the TOTP code (or a recovery code) when the user enrolled two-factor;
/// 2. a new password when an administrator reset it to a one-time password (password sign-in only);
/// 3. two-factor enrolment when `AuthPolicy.requireTwoFactor` applies to the user's role.
///
/// While a step is pending the session is marked `pending` and the user is NOT signed in
/// (`AuthenticationMiddleware` leaves the request anonymous); each step's page calls `advance`
/// after its check. Only when nothing is pending does it create the real session (a new session
/// id), reset the throttle and the lockout count, write the `login` audit entry and redirect to
/// `next` (same-origin paths only) or the user's landing page.
struct SignIn: Sendable {
    let accounts: AccountStore
    let twoFactor: TwoFactorStore
    let sessions: DatabasePersistDriver
    let audit: AuditStore
    let policy: AuthPolicy
    let idleTimeout: Duration
    let throttle: LoginThrottle
    let lockouts: AccountLockouts
    let sessionCookie: String

    init(stores: Stores, config: AppConfig) {
        accounts = stores.accounts
        twoFactor = stores.twoFactor
        sessions = stores.sessions
        audit = stores.audit
        policy = config.auth
        idleTimeout = config.sessionIdleTimeout
        throttle = stores.throttle
        lockouts = stores.lockouts
        sessionCookie = config.secureCookies ? "__Host-dp_session" : "dp_session"
    }

    /// Finishes (or continues) a sign-in for a user who has just proved their identity by `method`.
    func complete(user: User, via method: SignInMethod, request: Request, context: AppRequestContext,
                  next: String? = nil) async throws -> Response {
        guard let id = user.id else { throw AppError.notFound }
        let now = Date.now
        let session = WebSession(userID: id, signedInAt: now, lastSeen: now, verifiedAt: now,
                                 credential: WebSession.credential(of: user.passwordHash), pending: nil,
                                 secondFactorDone: method == .singleSignOn(multiFactor: true) ? true : nil,
                                 method: method.name, next: Self.safeNext(next))
        return try await advance(session, user: user, request: request, context: context)
    }

    /// Moves a sign-in on: to its next pending step, or, when none is left, signs the user in.
    func advance(_ session: WebSession, user: User, request: Request, context: AppRequestContext) async throws -> Response {
        var session = session
        try await removeStoredSession(request)
        if let step = try await nextStep(for: user, session: session) {
            session.pending = step
            context.sessions.createSession(session, expiresIn: policy.pendingStepTimeout)
            return .redirect(to: step.path)
        }
        session.pending = nil
        session.lastSeen = .now
        context.sessions.createSession(session, expiresIn: idleTimeout)
        try await throttle.recordSuccess(email: user.email)
        try await lockouts.reset(email: user.email)
        try await audit.record(.login, "user", user.id!.uuidString, by: nil, purpose: session.method)
        let landing = try await accounts.principal(userID: user.id!, via: .session).map(Self.landing) ?? "/"
        return .redirect(to: session.next ?? landing)
    }

    /// What the sign-in still needs, in order: second factor, new password, enrolment.
    func nextStep(for user: User, session: WebSession) async throws -> SignInStep? {
        let enrolled = try await twoFactor.isEnabled(session.userID)
        if enrolled && session.secondFactorDone != true { return .secondFactor }
        if user.passwordMustChange == true && session.method == SignInMethod.password.name { return .passwordChange }
        if policy.requireTwoFactor && user.userRole.needsSecondFactor && !enrolled && session.secondFactorDone != true {
            return .enrolment
        }
        return nil
    }

    /// The sign-in in progress on this request, with its user, if any (for the step pages).
    func pending(_ context: AppRequestContext, at step: SignInStep) async throws -> (WebSession, User)? {
        guard let session = context.sessions.session, session.pending == step,
              let user = try await accounts.user(session.userID), user.active,
              session.credential == WebSession.credential(of: user.passwordHash) else { return nil }
        return (session, user)
    }

    /// A wrong code at a step: counts against the account like a wrong password.
    func recordFailure(user: User, context: AppRequestContext) async throws {
        try await throttle.recordFailure(email: user.email, address: context.clientAddress)
        try await lockouts.recordFailure(email: user.email)
        try await audit.record(.loginFailed, "user", user.id?.uuidString, by: nil, purpose: "second factor")
    }

    /// The pending (or earlier) session row goes when a new session id is issued, so it cannot be reused.
    private func removeStoredSession(_ request: Request) async throws {
        guard let id = request.cookies[sessionCookie]?.value, !id.isEmpty else { return }
        try await sessions.remove(key: "hbs." + id)
    }

    /// The page each role needs first: those who pick up and follow through (coordinators, partner
    /// professionals, site staff) what waits for them in Mijn werk; administrators the worklist;
    /// privacy officers the access log; analysts the sites.
    static func landing(for principal: Principal) -> String {
        switch principal.role {
        case .coordinator, .partner, .locationStaff: "/work"
        case .administrator: "/reports"
        case .privacyOfficer: "/audit"
        case .analyst: "/locations"
        }
    }

    /// A local path to continue to; anything else (another host, `//evil`, `/\evil`) is dropped.
    static func safeNext(_ next: String?) -> String? {
        // A local path only: "/" then no second "/" or "\\" (which browsers read as another host),
        // and nothing but printable ASCII without a backslash, so that no tab, newline or other
        // character a browser drops can turn "/<TAB>/host" into "//host". Decoded forms are what
        // arrives here (the query parser decodes once); an encoded "%2F" stays a path character.
        guard let next, next.hasPrefix("/"), next.utf8.count < 500 else { return nil }
        let bytes = Array(next.utf8)
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return nil }
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") { return nil }
        return next
    }
}
