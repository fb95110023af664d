import Foundation
import Hummingbird

/// Turns every error into what the client understands: problem+json (RFC 9457, as the Dutch API
/// Design Rules ask) under `/api/`, an HTML page elsewhere, and a login redirect for a web page
/// that needs a signed-in user. Unexpected errors are logged by type only: no data leaks into logs.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let views: Views

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem(error)
            if problem.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))", "path": "\(request.uri.path)"])
            }
            if request.uri.path.hasPrefix("/api/") { return try problem.json(views.locales[.en]) }
            if case AppError.reauthenticationRequired(let next) = error {
                return .redirect(to: "/reauth?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            if problem.status == .unauthorized {
                let next = request.method == .get ? request.uri.string : "/"
                return .redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            let locale = views.locales[context.language]
            let code = Int(problem.status.code)
            var data: [String: Any] = [
                "code": code,
                "heading": locale.text("errors.\(code).title"),
                "message": locale.text("errors.\(code).message"),
            ]
            if case AppError.breakGlassReadOnly = error { data["message"] = locale.text("breakglass.read_only") }
            // A report page that is not found (missing or outside scope, indistinguishable) offers
            // break-the-glass to users with record access; the offer is the same for any well-formed reference.
            if code == 404, request.method == .get, let principal = context.identity, principal.reportScope != .none,
               principal.reportScope != .all, request.uri.path.hasPrefix("/reports/"),
               case let reference = String(request.uri.path.dropFirst("/reports/".count)), BreakGlassStore.isReportReference(reference) {
                data["breakGlassHref"] = "/break-glass/reports/\(reference.uppercased())"
            }
            // The same for a person's page (a well-formed pseudonym, existing or not).
            if code == 404, request.method == .get, let principal = context.identity, principal.reportScope != .none,
               principal.reportScope != .all, request.uri.path.hasPrefix("/persons/"),
               case let pseudonym = String(request.uri.path.dropFirst("/persons/".count)), Pseudonym.isValid(pseudonym.uppercased()) {
                data["breakGlassHref"] = "/break-glass/persons/\(pseudonym.uppercased())"
            }
            let page = try views.page("error", title: "\(code)", request: request, context: context, data: data, status: problem.status)
            var response = try page.response(from: request, context: context)
            if let retry = problem.retryAfter { response.headers[.retryAfter] = "\(retry)" }
            return response
        }
    }
}

/// An error as the API reports it.
struct Problem {
    var status: HTTPResponse.Status
    var detail: String?
    var issues: [FieldIssue] = []
    var retryAfter: Int?
    var type = "about:blank"

    /// The problem type of a sensitive action that an API token may not do (see `requireRecentAuthentication`).
    static let reauthenticationType = "https://doorpak.nl/problems/reauthentication-required"
    /// The problem type of a change refused because the record is open only under break-the-glass.
    static let breakGlassReadOnlyType = "https://doorpak.nl/problems/break-glass-read-only"

    init(_ error: any Error) {
        switch error {
        case let error as AppError:
            status = error.status
            switch error {
            case .badRequest(let message), .conflict(let message): detail = message
            case .invalid(let issues): self.issues = issues
            case .fileTooLarge(let field): issues = [FieldIssue(field, AttachmentRules.Refusal.tooLarge.rawValue)]
            case .tooManyRequests(let seconds): retryAfter = seconds
            case .breakGlassReadOnly:
                type = Self.breakGlassReadOnlyType
                detail = "Emergency (break-the-glass) access is read-only: this record can be read but not changed. Ask its owner to make the change."
            case .reauthenticationRequired:
                type = Self.reauthenticationType
                detail = "This action needs a fresh sign-in with password and second factor. API tokens cannot do it: use the web interface."
            default: break
            }
        case let error as any HTTPResponseError:
            status = error.status
        case is DecodingError:
            status = .badRequest
            detail = "The request body is not valid JSON of the expected shape."
        default:
            status = .internalServerError
        }
    }

    func json(_ locale: LocaleTexts) throws -> Response {
        var body: [String: Any] = [
            "type": type,
            "title": status.reasonPhrase,
            "status": Int(status.code),
        ]
        if let detail { body["detail"] = detail }
        if !issues.isEmpty {
            body["invalidParams"] = issues.map {
                ["name": $0.name, "code": $0.code, "reason": locale.text("field_errors.\($0.code)")]
            }
        }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
