import Foundation
import Hummingbird

/// Signing in and out: the password step, the steps `SignIn` may add (second factor, new
/// password after a reset, two-factor enrolment required by policy), and signing in again for a
/// sensitive action (`/reauth`).
struct SignInRoutes {
    let store: AccountStore
    let audit: AuditStore
    let signIn: SignIn
    let twoFactor: TwoFactorStore
    let passwordStore: PasswordStore
    let views: Views
    /// Single sign-on's button and whether the password form stays (`SingleSignOnRoutes`).
    let config: AppConfig

    init(stores: Stores, config: AppConfig, views: Views) {
        self.config = config
        store = stores.accounts
        audit = stores.audit
        signIn = SignIn(stores: stores, config: config)
        twoFactor = stores.twoFactor
        passwordStore = stores.passwords
        self.views = views
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("/login", use: loginPage)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
        router.get("/login/two-factor", use: codePage)
        router.post("/login/two-factor", use: code)
        router.get("/login/new-password", use: newPasswordPage)
        router.post("/login/new-password", use: newPassword)
        router.get("/login/two-factor/setup", use: setupPage)
        router.post("/login/two-factor/setup", use: setup)
        router.get("/reauth", use: reauthPage)
        router.post("/reauth", use: reauth)
    }

    // MARK: Password

    func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let principal = context.identity { return .redirect(to: SignIn.landing(for: principal), type: .found) }
        return try renderLogin(request: request, context: context, email: "", next: request.uri.queryParameters.get("next"))
            .response(from: request, context: context)
    }

    private func renderLogin(request: Request, context: AppRequestContext, email: String, next: String?, error: String? = nil,
                             status: HTTPResponse.Status = .ok) throws -> HTML {
        let locale = views.locales[context.language]
        var data: [String: Any] = ["email": email, "next": SignIn.safeNext(next) ?? ""]
        if let error { data["error"] = error }
        data.merge(SingleSignOnRoutes.loginPageValues(config, next: next)) { _, new in new }
        return try views.page("accounts/login", title: locale.text("login.title"), request: request, context: context, data: data, status: status)
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        let email = form["email"] ?? ""
        let locale = views.locales[context.language]
        func refuse(_ key: String, _ status: HTTPResponse.Status, retryAfter: Int? = nil) throws -> Response {
            var response = try renderLogin(request: request, context: context, email: email, next: form["next"],
                                           error: locale.text(key), status: status).response(from: request, context: context)
            if let retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
            return response
        }
        guard config.localPasswords else { return try refuse("sso.password_login_disabled", .forbidden) }
        switch try await store.signIn(email: email, password: form.raw("password"), address: context.clientAddress) {
        case .success(let user):
            return try await signIn.complete(user: user, via: .password, request: request, context: context, next: form["next"])
        case .failed: return try refuse("login.failed", .unauthorized)
        case .throttled(let seconds): return try refuse("login.throttled", .tooManyRequests, retryAfter: seconds)
        case .locked(let seconds): return try refuse("signin.locked", .tooManyRequests, retryAfter: seconds)
        }
    }

    /// Signs out; a sign-in through the identity provider goes on to the provider's logout (`/logout/sso`).
    func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let principal = context.identity {
            try await audit.record(.logout, "user", principal.userID.uuidString, by: principal)
        }
        let viaProvider = config.singleSignOn != nil && context.sessions.session?.method == SignInMethod.singleSignOn(multiFactor: false).name
        context.sessions.clearSession()
        return .redirect(to: viaProvider ? "/logout/sso" : "/login")
    }

    // MARK: Second factor

    func codePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard try await signIn.pending(context, at: .secondFactor) != nil else { return .redirect(to: "/login") }
        return try renderCode(request, context: context).response(from: request, context: context)
    }

    private func renderCode(_ request: Request, context: AppRequestContext, error: String? = nil,
                            status: HTTPResponse.Status = .ok) throws -> HTML {
        let locale = views.locales[context.language]
        var data: [String: Any] = [:]
        if let error { data["error"] = error }
        return try views.page("accounts/two-factor-code", title: locale.text("signin.code_title"), request: request, context: context,
                              data: data, status: status)
    }

    func code(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard var (session, user) = try await signIn.pending(context, at: .secondFactor) else { return .redirect(to: "/login") }
        let locale = views.locales[context.language]
        if let seconds = try await signIn.lockouts.lockedFor(email: user.email) {
            context.sessions.clearSession()
            var response = try renderLogin(request: request, context: context, email: "", next: nil, error: locale.text("signin.locked"),
                                           status: .tooManyRequests).response(from: request, context: context)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
        if let seconds = try await signIn.throttle.retryAfter(email: user.email, address: context.clientAddress) {
            var response = try renderCode(request, context: context, error: locale.text("login.throttled"), status: .tooManyRequests)
                .response(from: request, context: context)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
        guard try await twoFactor.verify(userID: user.id!, code: context.form.raw("code")) != nil else {
            try await signIn.recordFailure(user: user, context: context)
            return try renderCode(request, context: context, error: locale.text("signin.code_wrong"), status: .unauthorized)
                .response(from: request, context: context)
        }
        session.secondFactorDone = true
        return try await signIn.advance(session, user: user, request: request, context: context)
    }

    // MARK: New password after a reset

    func newPasswordPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard try await signIn.pending(context, at: .passwordChange) != nil else { return .redirect(to: "/login") }
        return try renderNewPassword(request, context: context, issues: []).response(from: request, context: context)
    }

    private func renderNewPassword(_ request: Request, context: AppRequestContext, issues: [FieldIssue]) throws -> HTML {
        let locale = views.locales[context.language]
        let errors = PasswordForm.errors(issues, locale)
        return try views.page("accounts/new-password", title: locale.text("signin.new_password_title"), request: request, context: context,
                              data: PasswordForm.data(errors: errors, locale: locale, current: false),
                              status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    func newPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard var (session, user) = try await signIn.pending(context, at: .passwordChange) else { return .redirect(to: "/login") }
        do {
            let hash = try await passwordStore.change(userID: user.id!, current: nil, new: context.form.raw("new_password"),
                                                      repeated: context.form.raw("repeat_password"), by: nil)
            user.passwordHash = hash
            user.passwordMustChange = nil
            session.credential = WebSession.credential(of: hash)
            return try await signIn.advance(session, user: user, request: request, context: context)
        } catch AppError.invalid(let issues) {
            return try renderNewPassword(request, context: context, issues: issues).response(from: request, context: context)
        }
    }

    // MARK: Enrolment required by policy

    func setupPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (_, user) = try await signIn.pending(context, at: .enrolment) else { return .redirect(to: "/login") }
        return try await TwoFactorPages(views: views, store: twoFactor)
            .enrolment(request, context: context, user: user, action: "/login/two-factor/setup", issues: [])
            .response(from: request, context: context)
    }

    func setup(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard var (session, user) = try await signIn.pending(context, at: .enrolment) else { return .redirect(to: "/login") }
        let pages = TwoFactorPages(views: views, store: twoFactor)
        let principal = try await store.principal(user: user, via: .session)
        do {
            let codes = try await twoFactor.confirm(userID: user.id!, code: context.form.raw("code"), by: principal)
            session.secondFactorDone = true
            let next = try await signIn.advance(session, user: user, request: request, context: context)
            // Signed in now: show the recovery codes once, then continue where the sign-in was going.
            var identified = context
            identified.identity = principal
            return try pages.recoveryCodes(request, context: identified, codes: codes,
                                           continueTo: next.headers[.location] ?? "/").response(from: request, context: context)
        } catch AppError.invalid(let issues) {
            try await signIn.recordFailure(user: user, context: context)
            return try await pages.enrolment(request, context: context, user: user, action: "/login/two-factor/setup", issues: issues)
                .response(from: request, context: context)
        }
    }

    // MARK: Re-authentication

    func reauthPage(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        return try await renderReauth(request, context: context, principal: principal, next: request.uri.queryParameters.get("next"))
    }

    /// The identity provider confirmed the user for a re-authentication within the window; only the TOTP code is still to come.
    private func providerConfirmed(_ context: AppRequestContext) -> Bool {
        guard let at = context.sessions.session?.providerVerifiedAt else { return false }
        return Date.now.timeIntervalSince(at) <= TimeInterval(config.auth.recentAuthentication.components.seconds)
    }

    /// The page offers the password (when local passwords are on) and, with single sign-on, signing
    /// in again at the provider (`/reauth/sso`, the only way when passwords are off); after the
    /// provider, only the code.
    private func renderReauth(_ request: Request, context: AppRequestContext, principal: Principal, next: String?,
                              error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> HTML {
        let locale = views.locales[context.language]
        let target = SignIn.safeNext(next) ?? "/account"
        var data: [String: Any] = ["next": target]
        if try await twoFactor.isEnabled(principal.userID) { data["needsCode"] = true }
        if providerConfirmed(context), let sso = config.singleSignOn {
            data["codeOnly"] = locale.text("sso.reauth_code", ["provider": sso.providerName])
            data["needsCode"] = true
        } else {
            if let sso = config.singleSignOn {
                data["sso"] = ["name": sso.providerName, "href": "/reauth/sso?next=" + OpenIDProvider.formEncode(target)]
            }
            if config.localPasswords { data["passwordForm"] = true }
            if let sso = config.singleSignOn, !config.localPasswords {
                data["ssoIntro"] = locale.text("sso.reauth_intro", ["provider": sso.providerName])
            }
        }
        if let error { data["error"] = error }
        return try views.page("accounts/reauth", title: locale.text("reauth.title"), request: request, context: context, data: data, status: status)
    }

    func reauth(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.via == .session, var session = context.sessions.session else { throw AppError.forbidden }
        let locale = views.locales[context.language]
        let next = context.form["next"]
        // After the identity provider: the TOTP code alone finishes the re-authentication.
        if providerConfirmed(context), let user = try await store.user(principal.userID) {
            guard try await twoFactor.verify(userID: principal.userID, code: context.form.raw("code")) != nil else {
                try await signIn.recordFailure(user: user, context: context)
                return try await renderReauth(request, context: context, principal: principal, next: next,
                                              error: locale.text("reauth.failed"), status: .unprocessableContent).response(from: request, context: context)
            }
            session.verifiedAt = .now
            session.providerVerifiedAt = nil
            _ = context.sessions.updateSession(session)
            try await audit.record(.reauthenticated, "user", principal.userID.uuidString, by: principal, purpose: "sso")
            return .redirect(to: SignIn.safeNext(next) ?? "/account")
        }
        guard config.localPasswords else {
            return try await renderReauth(request, context: context, principal: principal, next: next,
                                          error: locale.text("sso.password_login_disabled"), status: .forbidden).response(from: request, context: context)
        }
        switch try await store.signIn(email: principal.email, password: context.form.raw("password"), address: context.clientAddress) {
        case .success(let user):
            if try await twoFactor.isEnabled(principal.userID),
               try await twoFactor.verify(userID: principal.userID, code: context.form.raw("code")) == nil {
                try await signIn.recordFailure(user: user, context: context)
                return try await renderReauth(request, context: context, principal: principal, next: next,
                                              error: locale.text("reauth.failed"), status: .unprocessableContent).response(from: request, context: context)
            }
            session.verifiedAt = .now
            _ = context.sessions.updateSession(session)
            try await audit.record(.reauthenticated, "user", principal.userID.uuidString, by: principal)
            return .redirect(to: SignIn.safeNext(next) ?? "/account")
        case .failed:
            return try await renderReauth(request, context: context, principal: principal, next: next,
                                          error: locale.text("reauth.failed"), status: .unprocessableContent).response(from: request, context: context)
        case .throttled(let seconds), .locked(let seconds):
            // Too many wrong passwords on a signed-in session: end it.
            context.sessions.clearSession()
            var response = try renderLogin(request: request, context: context, email: "", next: nil, error: locale.text("signin.locked"),
                                           status: .tooManyRequests).response(from: request, context: context)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
    }
}
