import Hummingbird

/// Query parameters that do not parse: a 400 problem whose `invalidParams` name them.
struct APIQueryError: Error, Sendable {
    let issues: [FieldIssue]
}

/// Runs around every `/api/v1` route. Renders what the shared ErrorMiddleware cannot say on its own:
/// a 401 with the `WWW-Authenticate` challenge (RFC 9110) and a 400 that names bad query parameters.
/// Everything else is left to ErrorMiddleware, so that both faces report errors one way.
///
/// A write signed in by the browser's session cookie (not a bearer token) must prove it comes from
/// Doorpak's own pages, as forms do: the `X-CSRF-Token` header must equal the CSRF cookie, which
/// another site can neither read nor set (double submit; the cookie is SameSite=Strict).
struct APIMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let locales: Locales

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            if context.identity?.via == .session, ![.get, .head, .options].contains(request.method) {
                guard let sent = request.headers[.init("X-CSRF-Token")!], !sent.isEmpty, sent == context.csrfToken else { throw AppError.csrfFailed }
            }
            return try await next(request, context)
        } catch AppError.unauthenticated {
            var response = try Problem(AppError.unauthenticated).json(locales[.en])
            response.headers[.wwwAuthenticate] = #"Bearer realm="doorpak""#
            return response
        } catch let error as APIQueryError {
            var problem = Problem(AppError.invalid(error.issues))
            problem.status = .badRequest
            problem.detail = "One or more query parameters are not valid."
            return try problem.json(locales[.en])
        }
    }
}

/// The API's names for fields the stores name canonically (`occurred_at`, `category`, ...).
enum APIFieldNames {
    static let renames = [
        "occurred_at": "occurredAt", "category": "categoryId", "location": "locationId", "place": "placeId",
        "owner": "ownerId", "organisation": "organisationId",
    ]

    /// Runs `work`; a validation error comes out with the API's field names.
    static func mapping<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch AppError.invalid(let issues) {
            throw AppError.invalid(issues.map { FieldIssue(renames[$0.name] ?? $0.name, $0.code) })
        }
    }
}
