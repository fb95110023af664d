import Foundation
import Hummingbird

/// Signing in and out, the language switch, and the account page with personal access tokens.
struct AccountRoutes {
    let store: AccountStore
    let views: Views
    let secure: Bool

    init(services: AppServices) {
        store = AccountStore(database: services.database, passwords: services.passwords,
                             throttle: LoginThrottle(database: services.database))
        views = services.views
        secure = services.config.secureCookies
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.get("/login", use: loginPage)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
        router.get("/lang/:code", use: switchLanguage)
        router.get("/account", use: account)
        router.post("/account/tokens", use: createToken)
        router.post("/account/tokens/:id/revoke", use: revokeToken)
    }

    func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return .redirect(to: Self.landing(for: principal), type: .found)
    }

    static func landing(for principal: Principal) -> String { principal.reportScope == .none ? "/locations" : "/reports" }

    func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let principal = context.identity { return .redirect(to: Self.landing(for: principal), type: .found) }
        return try renderLogin(request: request, context: context, email: "", next: request.uri.queryParameters.get("next"))
            .response(from: request, context: context)
    }

    private func renderLogin(request: Request, context: AppRequestContext, email: String, next: String?, error: String? = nil,
                             status: HTTPResponse.Status = .ok) throws -> HTML {
        let locale = views.locales[context.language]
        var data: [String: Any] = ["email": email, "next": Self.safeNext(next) ?? ""]
        if let error { data["error"] = error }
        return try views.page("accounts/login", title: locale.text("login.title"), request: request, context: context, data: data, status: status)
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        let email = form["email"] ?? ""
        let locale = views.locales[context.language]
        switch try await store.signIn(email: email, password: form.raw("password"), address: context.clientAddress) {
        case .success(let userID):
            context.sessions.createSession(WebSession(userID: userID, signedInAt: .now, lastSeen: .now))
            let principal = try await Principal.load(userID: userID, via: .session, on: store.database.db())
            let target = Self.safeNext(form["next"]) ?? principal.map(Self.landing) ?? "/"
            return .redirect(to: target)
        case .failed:
            return try renderLogin(request: request, context: context, email: email, next: form["next"],
                                   error: locale.text("login.failed"), status: .unauthorized).response(from: request, context: context)
        case .throttled(let seconds):
            var response = try renderLogin(request: request, context: context, email: email, next: form["next"],
                                           error: locale.text("login.throttled"), status: .tooManyRequests).response(from: request, context: context)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
    }

    func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let principal = context.identity {
            try await Audit.record(.logout, "user", principal.userID.uuidString, by: principal, on: store.database.db())
        }
        context.sessions.clearSession()
        return .redirect(to: "/login")
    }

    func switchLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = Language(rawValue: try context.parameters.require("code")) ?? .nl
        var response = Response.redirect(to: Self.safeNext(request.uri.queryParameters.get("back")) ?? "/", type: .found)
        response.setCookie(Cookie(name: Language.cookieName, value: language.rawValue, maxAge: 365 * 86_400, path: "/",
                                  secure: secure, httpOnly: true, sameSite: .lax))
        return response
    }

    /// A local path to continue to; anything else (another host, `//evil`) is dropped.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.count < 500 else { return nil }
        return next
    }

    // MARK: Account page and tokens

    func account(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await renderAccount(request: request, context: context)
    }

    private func renderAccount(request: Request, context: AppRequestContext, newToken: String? = nil, issues: [FieldIssue] = [],
                               tokenName: String = "", status: HTTPResponse.Status = .ok) async throws -> HTML {
        let principal = try context.principal()
        let locale = views.locales[context.language]
        let tokens = try await store.tokens(of: principal)
        var data: [String: Any] = [
            "name": principal.name,
            "email": principal.email,
            "role": locale.text("roles.\(principal.role.rawValue)"),
            "tokens": tokens.map { token in
                ["id": token.id!.uuidString, "name": token.name, "hint": token.hint,
                 "created": token.createdAt.map { Formats.dateTime($0, context.language) } ?? "",
                 "lastUsed": token.lastUsedAt.map { Formats.dateTime($0, context.language) } ?? locale.text("account.never")]
            },
            "hasTokens": !tokens.isEmpty,
            "tokenName": tokenName,
            "errors": ViewHelpers.errors(issues, locale),
        ]
        if let newToken { data["newToken"] = newToken }
        return try views.page("accounts/account", title: locale.text("account.title"), request: request, context: context, data: data, status: status)
    }

    func createToken(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
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
}
