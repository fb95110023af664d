import Hummingbird

/// The outermost middleware: security headers on every response, `API-Version` on API responses,
/// and a last-resort answer for any error nothing else rendered (no details leak).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let secure: Bool

    static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? AppError)?.status ?? (error as? any HTTPResponseError)?.status ?? .internalServerError
            if status == .internalServerError { context.logger.error("unhandled error: \(String(reflecting: type(of: error)))") }
            response = Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: status.reasonPhrase)))
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[.init("Cross-Origin-Resource-Policy")!] = "same-origin"
        if secure { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if request.uri.path.hasPrefix("/api/") { response.headers[.init("API-Version")!] = APIInfo.version }
        return response
    }
}

/// Decides the page language and hands out the CSRF token every form carries.
struct WebContextMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let secure: Bool

    var csrfCookieName: String { secure ? "__Host-dp_csrf" : "dp_csrf" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.language = Language.negotiate(cookie: request.cookies[Language.cookieName]?.value)
        let existing = request.cookies[csrfCookieName]?.value
        let token = existing.flatMap { $0.count == 43 ? $0 : nil } ?? SecureRandom.urlSafeString(bytes: 32)
        context.csrfToken = token
        var response = try await next(request, context)
        if existing != token && !request.uri.path.hasPrefix("/api/") && !request.uri.path.hasPrefix("/static/") {
            response.setCookie(Cookie(name: csrfCookieName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

/// Decodes form posts (at most 1 MiB) and refuses any without the matching CSRF token.
struct FormMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let maxBodySize = 1 << 20
    /// The largest attachment (`AttachmentConfig.maxBytes`).
    var uploadLimit = AttachmentConfig().maxBytes
    /// An upload body may carry up to twice the file limit (the excess is read and dropped, so the
    /// form can say the file is too large) plus 1 MiB for the other fields; beyond that 413.
    var uploadBodyLimit: Int { 2 * uploadLimit + Self.maxBodySize }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // NUL is never text anyone typed, and PostgreSQL cannot store or compare it: refuse it in
        // query strings (every request) and form fields before any query sees it.
        if let query = request.uri.query, query.range(of: "%00", options: .caseInsensitive) != nil {
            throw AppError.badRequest("The request contains a NUL character.")
        }
        guard request.method == .post, !request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        // A file upload (the attachments forms only): multipart, read as a stream with its own limits.
        if let boundary = MultipartForm.boundary(request.headers[.contentType]) {
            guard request.uri.path.split(separator: "/").last == "attachments" else { throw AppError.unsupportedMediaType }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > uploadBodyLimit { throw AppError.payloadTooLarge }
            let multipart = try await MultipartForm.read(request.body, boundary: boundary, fileLimit: uploadLimit, bodyLimit: uploadBodyLimit)
            let form = FormFields(pairs: multipart.fields)
            if form.pairs.contains(where: { $0.0.contains("\u{0}") || $0.1.contains("\u{0}") }) {
                throw AppError.badRequest("The form contains a NUL character.")
            }
            guard let sent = form["_csrf"], sent == context.csrfToken, !sent.isEmpty else { throw AppError.csrfFailed }
            var context = context
            context.form = form
            context.upload = multipart.file
            return try await next(request, context)
        }
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            throw AppError.unsupportedMediaType
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxBodySize)
        } catch {
            throw AppError.payloadTooLarge
        }
        let form = FormFields(urlEncoded: String(buffer: buffer))
        if form.pairs.contains(where: { $0.0.contains("\u{0}") || $0.1.contains("\u{0}") }) {
            throw AppError.badRequest("The form contains a NUL character.")
        }
        guard let sent = form["_csrf"], sent == context.csrfToken, !sent.isEmpty else { throw AppError.csrfFailed }
        var context = context
        context.form = form
        return try await next(request, context)
    }
}
