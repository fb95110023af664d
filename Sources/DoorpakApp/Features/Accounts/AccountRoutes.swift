import Foundation
import Hummingbird

/// The home redirect, the language switch, and "Mijn account": personal access tokens, changing the
/// password and two-factor authentication. Signing in and out lives in `SignInRoutes`.
struct AccountRoutes {
    let store: AccountStore
    let passwordStore: PasswordStore
    let twoFactor: TwoFactorStore
    let views: Views
    let secure: Bool
    let recentWindow: Duration
    let policy: AuthPolicy
    let notificationPreference: NotificationPreferenceSection

    init(stores: Stores, config: AppConfig, views: Views) {
        store = stores.accounts
        passwordStore = stores.passwords
        twoFactor = stores.twoFactor
        self.views = views
        secure = config.secureCookies
        recentWindow = config.auth.recentAuthentication
        policy = config.auth
        notificationPreference = NotificationPreferenceSection(store: stores.notifications, mailEnabled: config.mail.enabled)
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.get("/lang/:code", use: switchLanguage)
        router.get("/account", use: account)
        router.post("/account/tokens", use: createToken)
        router.post("/account/tokens/:id/revoke", use: revokeToken)
        router.get("/account/password", use: passwordPage)
        router.post("/account/password", use: changePassword)
        router.get("/account/two-factor", use: twoFactorPage)
        router.post("/account/two-factor", use: confirmTwoFactor)
        router.post("/account/two-factor/disable", use: disableTwoFactor)
        router.post("/account/two-factor/recovery-codes", use: renewRecoveryCodes)
    }

    func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        .redirect(to: SignIn.landing(for: try context.principal()), type: .found)
    }

    static func landing(for principal: Principal) -> String { SignIn.landing(for: principal) }

    func switchLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = Language(rawValue: try context.parameters.require("code")) ?? .nl
        var response = Response.redirect(to: Self.safeNext(request.uri.queryParameters.get("back")) ?? "/", type: .found)
        response.setCookie(Cookie(name: Language.cookieName, value: language.rawValue, maxAge: 365 * 86_400, path: "/",
                                  secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }

    /// A local path to continue to; anything else (another host, `//evil`) is dropped.
    static func safeNext(_ next: String?) -> String? { SignIn.safeNext(next) }

    // MARK: Account page and tokens

    func account(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await renderAccount(request: request, context: context)
    }

    private func renderAccount(request: Request, context: AppRequestContext, newToken: String? = nil, issues: [FieldIssue] = [],
                               tokenName: String = "", status: HTTPResponse.Status = .ok) async throws -> HTML {
        let principal = try context.principal()
        let locale = views.locales[context.language]
        let tokens = try await store.tokens(of: principal)
        let security = try await twoFactor.status(of: principal.userID)
        var data: [String: Any] = [
            "name": principal.name,
            "email": principal.email,
            "role": locale.text("roles.\(principal.role.rawValue)"),
            "tokens": tokens.map { token in
                ["id": token.id!.uuidString, "name": token.name, "hint": token.hint,
                 "created": token.createdAt.map { Formats.dateTime($0, context.language) } ?? "",
                 "lastUsed": token.lastUsedAt.map { Formats.dateTime($0, context.language) } ?? locale.text("account.never"),
                 "expires": token.expiresAt.map { Formats.dateTime($0, context.language) } ?? ""]
            },
            "hasTokens": !tokens.isEmpty,
            "tokenName": tokenName,
            "errors": ViewHelpers.errors(issues, locale),
            "security": securityData(security, locale: locale, context: context),
        ]
        if let newToken { data["newToken"] = newToken }
        data["mailPreference"] = try await notificationPreference.data(request: request, principal: principal, locale: locale)
        if request.uri.queryParameters.get("password") == "changed" { data["passwordChanged"] = true }
        return try views.page("accounts/account", title: locale.text("account.title"), request: request, context: context, data: data, status: status)
    }

    /// Under the policy, roles that read personal data keep two-factor on (an administrator can reset it).
    private func mayDisable(_ context: AppRequestContext) -> Bool {
        guard let principal = context.identity else { return false }
        return !(policy.requireTwoFactor && principal.role.needsSecondFactor)
    }

    private func securityData(_ status: TwoFactorStore.Status, locale: LocaleTexts, context: AppRequestContext) -> [String: Any] {
        var data: [String: Any] = ["recoveryLeft": locale.text("twofactor.codes_left", ["count": "\(status.recoveryCodesLeft)"])]
        if status.enabled {
            data["enabled"] = true
            if !mayDisable(context) { data["required"] = true }
            if let at = status.enabledAt { data["enabledAt"] = Formats.dateTime(at, context.language) }
        }
        return data
    }

    func createToken(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        try context.requireRecentAuthentication(request, within: recentWindow, returnTo: "/account")
        do {
            let token = try await store.createToken(named: context.form.raw("name"), for: principal)
            return try await renderAccount(request: request, context: context, newToken: token)
        } catch AppError.invalid(let issues) {
            return try await renderAccount(request: request, context: context, issues: issues, tokenName: context.form.raw("name"),
                                           status: .unprocessableContent)
        }
    }

    func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        try await store.revokeToken(id, of: try context.principal())
        return .redirect(to: "/account")
    }

    // MARK: Password

    func passwordPage(_ request: Request, context: AppRequestContext) async throws -> HTML {
        _ = try context.principal()
        try context.requireRecentAuthentication(request, within: recentWindow)
        return try renderPassword(request, context: context, issues: [])
    }

    private func renderPassword(_ request: Request, context: AppRequestContext, issues: [FieldIssue]) throws -> HTML {
        let locale = views.locales[context.language]
        let errors = PasswordForm.errors(issues, locale)
        return try views.page("accounts/password", title: locale.text("password.title"), request: request, context: context,
                              data: PasswordForm.data(errors: errors, locale: locale, current: true),
                              status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        try context.requireRecentAuthentication(request, within: recentWindow, returnTo: "/account/password")
        return try await FormSubmission.save(request, context) {
            let hash = try await passwordStore.change(userID: principal.userID, current: context.form.raw("current_password"),
                                                      new: context.form.raw("new_password"), repeated: context.form.raw("repeat_password"),
                                                      by: principal)
            // This session stays (and counts as a fresh sign-in); every other session of the user ends.
            if var session = context.sessions.session {
                session.credential = WebSession.credential(of: hash)
                session.verifiedAt = .now
                _ = context.sessions.updateSession(session)
            }
            return "/account?password=changed"
        } orShow: { issues in
            try renderPassword(request, context: context, issues: issues)
        }
    }

    // MARK: Two-factor

    func twoFactorPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        if try await twoFactor.status(of: principal.userID).enabled { return .redirect(to: "/account#security-heading") }
        return try await enrolmentPage(request, context: context, principal: principal, issues: []).response(from: request, context: context)
    }

    private func enrolmentPage(_ request: Request, context: AppRequestContext, principal: Principal, issues: [FieldIssue]) async throws -> HTML {
        guard let user = try await store.user(principal.userID) else { throw AppError.notFound }
        return try await TwoFactorPages(views: views, store: twoFactor)
            .enrolment(request, context: context, user: user, action: "/account/two-factor", issues: issues)
    }

    func confirmTwoFactor(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        do {
            let codes = try await twoFactor.confirm(userID: principal.userID, code: context.form.raw("code"), by: principal)
            return try TwoFactorPages(views: views, store: twoFactor).recoveryCodes(request, context: context, codes: codes, continueTo: "/account")
        } catch AppError.invalid(let issues) {
            return try await enrolmentPage(request, context: context, principal: principal, issues: issues)
        }
    }

    func disableTwoFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard mayDisable(context) else { throw AppError.conflict("Two-factor authentication is required for this role.") }
        try context.requireRecentAuthentication(request, within: recentWindow, returnTo: "/account")
        try await twoFactor.remove(userID: principal.userID, by: principal, action: .twoFactorDisabled)
        return .redirect(to: "/account?two-factor=off")
    }

    func renewRecoveryCodes(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        try context.requireRecentAuthentication(request, within: recentWindow, returnTo: "/account")
        let codes = try await twoFactor.regenerateRecoveryCodes(for: principal)
        return try TwoFactorPages(views: views, store: twoFactor).recoveryCodes(request, context: context, codes: codes, continueTo: "/account")
    }
}
