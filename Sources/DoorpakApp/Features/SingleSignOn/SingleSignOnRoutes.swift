import Crypto
import FluentKit
import Foundation
import Hummingbird
import JWTKit

/// Sign-in through the configured OpenID Connect provider: the authorization code flow with
/// PKCE (S256), `state` and `nonce`.
///
/// `GET /login/sso` (the button on the sign-in page; a link, because CSP `form-action 'self'` rightly
/// stops a form post from being redirected to another site) keeps a pending sign-on in
/// the database under a random `state` (10 minutes, usable once) with the nonce, the PKCE
/// verifier and the hash of a random browser-binding cookie, and sends the browser to the
/// provider. `GET /login/sso/callback` takes the pending sign-on back by `state`, checks that it
/// is the same browser (so nobody can hand a victim a link that signs them in as someone else),
/// exchanges the code for tokens, validates the ID token (`IDTokenValidator`), maps the
/// configured claim to an existing active user, and hands over to `SignIn.complete`, which
/// owns sessions, two-factor policy and the `login` audit entry. Nobody is ever created here.
struct SingleSignOnRoutes {
    let config: SingleSignOnConfig?
    let provider: OpenIDProvider?
    let views: Views
    let accounts: AccountStore
    let twoFactor: TwoFactorStore
    let audit: AuditStore
    /// The pending sign-ons, kept with the sessions.
    let store: DatabasePersistDriver
    let signIn: SignIn
    let redirectURI: String
    let secure: Bool

    static let pendingLifetime: Duration = .seconds(600)

    init(stores: Stores, config: AppConfig, views: Views) {
        self.config = config.singleSignOn
        provider = config.singleSignOn.map { OpenIDProvider(config: $0) }
        self.views = views
        accounts = stores.accounts
        twoFactor = stores.twoFactor
        audit = stores.audit
        store = stores.sessions
        signIn = SignIn(stores: stores, config: config)
        redirectURI = config.baseURL + "/login/sso/callback"
        secure = config.secureCookies
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("/login/sso", use: start)
        router.get("/login/sso/callback", use: callback)
        router.get("/reauth/sso", use: startReauthentication)
        router.get("/logout/sso", use: providerLogout)
    }

    /// What the sign-in page needs to show the provider's button, and `passwordsOff` when the password form goes.
    static func loginPageValues(_ config: AppConfig, next: String?) -> [String: Any] {
        var values: [String: Any] = [:]
        if let sso = config.singleSignOn {
            let href = SignIn.safeNext(next).map { "/login/sso?next=" + OpenIDProvider.formEncode($0) } ?? "/login/sso"
            values["sso"] = ["name": sso.providerName, "href": href]
        }
        if !config.localPasswords { values["passwordsOff"] = true }
        return values
    }

    /// A sign-on on its way through the provider, stored under its `state`.
    struct Pending: Codable, Sendable {
        var nonce: String
        var verifier: String
        /// SHA-256 of the browser-binding cookie's value.
        var binding: String
        var next: String?
        /// Set for a re-authentication (`/reauth/sso`): the signed-in user who must come back, and when it started.
        var reauthUser: UUID?
        var startedAt: Date?
    }

    var bindingCookie: String { secure ? "__Host-dp_sso" : "dp_sso" }
    static func key(_ state: String) -> String { "sso." + Self.digest(state) }
    static func digest(_ value: String) -> String { SHA256.hash(data: Data(value.utf8)).map { String(format: "%02x", $0) }.joined() }

    func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await begin(request, context: context, next: request.uri.queryParameters.get("next"), reauthUser: nil)
    }

    /// Re-authentication through the provider for a sensitive action: the provider must ask the
    /// user again (`prompt=login`, `max_age=0`), and the ID token's `auth_time` must be after this
    /// start (OpenID Connect Core §3.1.2.1). For users who have no way to type a local password.
    func startReauthentication(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard config != nil else { throw AppError.notFound }
        let principal = try context.principal()
        guard principal.via == .session else { throw AppError.forbidden }
        return try await begin(request, context: context, next: request.uri.queryParameters.get("next") ?? "/account", reauthUser: principal.userID)
    }

    private func begin(_ request: Request, context: AppRequestContext, next: String?, reauthUser: UUID?) async throws -> Response {
        guard let config, let provider else { throw AppError.notFound }
        let metadata: OpenIDProvider.Metadata
        do {
            metadata = try await provider.metadata()
        } catch {
            context.logger.warning("single sign-on: provider discovery failed", metadata: ["error": "\(error)"])
            return try failure(.providerUnavailable, request: request, context: context)
        }
        let state = SecureRandom.urlSafeString(bytes: 32), nonce = SecureRandom.urlSafeString(bytes: 32)
        let verifier = PKCE.makeVerifier(), binding = SecureRandom.urlSafeString(bytes: 32)
        let pending = Pending(nonce: nonce, verifier: verifier, binding: Self.digest(binding), next: SignIn.safeNext(next),
                              reauthUser: reauthUser, startedAt: reauthUser == nil ? nil : Date.now)
        try await store.create(key: Self.key(state), value: pending, expires: Self.pendingLifetime)
        var parameters = [
            ("response_type", "code"), ("client_id", config.clientID), ("redirect_uri", redirectURI),
            ("scope", "openid email profile"), ("state", state), ("nonce", nonce),
            ("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256"),
        ]
        if reauthUser != nil { parameters += [("prompt", "login"), ("max_age", "0")] }
        let query = parameters.map { "\($0.0)=\(OpenIDProvider.formEncode($0.1))" }.joined(separator: "&")
        let separator = metadata.authorizationEndpoint.query == nil ? "?" : "&"
        var response = Response.redirect(to: metadata.authorizationEndpoint.absoluteString + separator + query, type: .found)
        response.setCookie(Cookie(name: bindingCookie, value: binding, maxAge: 600, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }

    func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let config, let provider else { throw AppError.notFound }
        let query = request.uri.queryParameters
        // Only a state we handed out (and have not used) starts the checks; anything else is an
        // anonymous request with nothing to log.
        guard let state = query.get("state"), state.count <= 100, !state.isEmpty,
              let pending = try await store.get(key: Self.key(state), as: Pending.self) else {
            return try failure(.expired, request: request, context: context)
        }
        try await store.remove(key: Self.key(state))
        guard let cookie = request.cookies[bindingCookie]?.value,
              IDTokenValidator.constantTimeEqual(Self.digest(cookie), pending.binding) else {
            return try await refused(.otherBrowser, request: request, context: context)
        }
        guard query.get("error") == nil, let code = query.get("code"), !code.isEmpty, code.count <= 2048 else {
            return try await refused(.cancelled, request: request, context: context)
        }
        let claims: IDTokenClaims
        do {
            let tokens = try await provider.exchange(code: code, verifier: pending.verifier, redirectURI: redirectURI)
            guard let idToken = tokens.idToken else { return try await refused(.invalidToken, request: request, context: context) }
            claims = try await validate(idToken, nonce: pending.nonce, provider: provider, config: config)
        } catch let error as IDTokenError {
            context.logger.warning("single sign-on: ID token refused", metadata: ["reason": "\(error)"])
            return try await refused(.invalidToken, request: request, context: context)
        } catch OpenIDProvider.ProviderError.codeRefused {
            return try await refused(.invalidToken, request: request, context: context)
        } catch let error as OpenIDProvider.ProviderError {
            context.logger.warning("single sign-on: provider failed", metadata: ["error": "\(error)"])
            return try failure(.providerUnavailable, request: request, context: context)
        }
        // The claim names the account; e-mail addresses the provider has not verified name nobody.
        guard let value = claims.strings[config.claim]?.trimmingCharacters(in: .whitespaces).lowercased(), !value.isEmpty,
              !(config.claim == "email" && claims.emailVerified == false) else {
            return try await refused(.noAccount, request: request, context: context)
        }
        guard let user = try await accounts.user(email: value), user.active else {
            return try await refused(.noAccount, request: request, context: context)
        }
        // The provider's word on a second factor counts only when the installation says so (default: ask the TOTP code).
        let multiFactor = config.trustProviderMFA && claims.multiFactor
        if let reauthUser = pending.reauthUser {
            return try await reauthenticated(user: user, expected: reauthUser, claims: claims, multiFactor: multiFactor, pending: pending,
                                             request: request, context: context)
        }
        var response = try await signIn.complete(user: user, via: .singleSignOn(multiFactor: multiFactor), request: request,
                                                  context: context, next: pending.next)
        response.setCookie(Cookie(name: bindingCookie, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }

    /// The end of a re-authentication at the provider: the same user as the session's, who
    /// authenticated after it started (`ReauthenticationCheck`). Then the session counts as
    /// verified now, or, when the local TOTP code is still needed, `/reauth` asks for the code only.
    private func reauthenticated(user: User, expected: UUID, claims: IDTokenClaims, multiFactor: Bool, pending: Pending,
                                 request: Request, context: AppRequestContext) async throws -> Response {
        let sessionUser = context.identity.flatMap { $0.via == .session ? $0.userID : nil }
        let enrolled = try await twoFactor.isEnabled(expected)
        let outcome = ReauthenticationCheck.evaluate(expected: expected, sessionUser: sessionUser, returned: user.id, authTime: claims.authTime,
                                                     startedAt: pending.startedAt ?? .distantPast, needsCode: enrolled && !multiFactor)
        let next = pending.next ?? "/account"
        var response: Response
        switch outcome {
        case .otherAccount: return try await refused(.otherAccount, request: request, context: context)
        case .stale: return try await refused(.staleAuthentication, request: request, context: context)
        case .needsCode:
            guard var session = context.sessions.session else { return try await refused(.otherAccount, request: request, context: context) }
            session.providerVerifiedAt = .now
            _ = context.sessions.updateSession(session)
            response = .redirect(to: "/reauth?next=" + OpenIDProvider.formEncode(next))
        case .verified:
            guard var session = context.sessions.session, let principal = context.identity else {
                return try await refused(.otherAccount, request: request, context: context)
            }
            session.verifiedAt = .now
            session.providerVerifiedAt = nil
            _ = context.sessions.updateSession(session)
            try await audit.record(.reauthenticated, "user", expected.uuidString, by: principal, purpose: "sso")
            response = .redirect(to: next)
        }
        response.setCookie(Cookie(name: bindingCookie, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }

    /// After signing out of Doorpak, the browser goes on to the provider's logout (RP-initiated
    /// logout) when its discovery document offers an `end_session_endpoint`, and returns to the
    /// sign-in page. A page with an immediate refresh rather than a redirect, because the sign-out
    /// is a form post and CSP `form-action 'self'` rightly stops a form post from ending up on
    /// another site. No `id_token_hint`: Doorpak keeps no ID tokens; `client_id` names the client.
    func providerLogout(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let config, let provider else { throw AppError.notFound }
        let back = String(redirectURI.dropLast("/sso/callback".count))
        guard let url = try? await Self.logoutURL(provider: provider, config: config, returnTo: back) else { return .redirect(to: "/login") }
        let locale = views.locales[context.language]
        return try views.page("sso/logout", title: locale.text("sso.logout.title"), request: request, context: context, data: [
            "url": url, "refreshTo": url, "message": locale.text("sso.logout.message", ["provider": config.providerName]),
        ]).response(from: request, context: context)
    }

    /// The provider's logout address for this client, or `nil` when it offers none.
    static func logoutURL(provider: OpenIDProvider, config: SingleSignOnConfig, returnTo: String) async throws -> String? {
        guard let end = try await provider.metadata().endSessionEndpoint else { return nil }
        let query = [("client_id", config.clientID), ("post_logout_redirect_uri", returnTo)]
            .map { "\($0.0)=\(OpenIDProvider.formEncode($0.1))" }.joined(separator: "&")
        return end.absoluteString + (end.query == nil ? "?" : "&") + query
    }

    /// Validates with the cached key set, and once more with a fresh one when the token names a key it lacks.
    private func validate(_ token: String, nonce: String, provider: OpenIDProvider, config: SingleSignOnConfig) async throws -> IDTokenClaims {
        let validator = IDTokenValidator(issuer: config.issuer, clientID: config.clientID)
        do {
            return try await validator.validate(token, jwks: try await provider.keys(), nonce: nonce, now: .now)
        } catch IDTokenError.unknownKey {
            return try await validator.validate(token, jwks: try await provider.keys(reload: true), nonce: nonce, now: .now)
        }
    }

    /// Why a single sign-on did not sign anyone in; each has its own text on the page.
    enum Failure: String {
        case expired, otherBrowser = "other_browser", cancelled, invalidToken = "invalid_token", noAccount = "no_account"
        case providerUnavailable = "provider_unavailable"
        /// A re-authentication came back as another account than the session's.
        case otherAccount = "other_account"
        /// A re-authentication without a fresh sign-in at the provider (no or an old `auth_time`).
        case staleAuthentication = "stale_authentication"

        var status: HTTPResponse.Status {
            switch self {
            case .noAccount, .otherAccount, .staleAuthentication: .forbidden
            case .providerUnavailable: .badGateway
            default: .badRequest
            }
        }
    }

    /// A failed sign-on of a genuine flow: logged as `login_failed` (no e-mail, no claim values), then the page.
    private func refused(_ failure: Failure, request: Request, context: AppRequestContext) async throws -> Response {
        try await audit.record(.loginFailed, "user", nil, by: nil, purpose: "sso: \(failure.rawValue)")
        return try self.failure(failure, request: request, context: context)
    }

    private func failure(_ failure: Failure, request: Request, context: AppRequestContext) throws -> Response {
        let locale = views.locales[context.language]
        let name = config?.providerName ?? ""
        var response = try views.page("sso/failed", title: locale.text("sso.failed.title"), request: request, context: context, data: [
            "message": locale.text("sso.failed.\(failure.rawValue)", ["provider": name]),
            "reason": failure.rawValue,
        ], status: failure.status).response(from: request, context: context)
        response.setCookie(Cookie(name: bindingCookie, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }
}
