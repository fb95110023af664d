import Hummingbird

/// The errors features throw. One middleware renders them as an HTML page or as problem+json.
enum AppError: Error, Sendable {
    /// Not signed in (web: redirect to the login page; API: 401).
    case unauthenticated
    /// Does not exist, or is outside the user's scope: the two are indistinguishable on purpose.
    case notFound
    /// Signed in but the role does not allow the action at all.
    case forbidden
    case badRequest(String)
    /// Values that fail validation, with the field each concerns.
    case invalid([FieldIssue])
    /// The action conflicts with the record's state (e.g. a status change that is not allowed).
    case conflict(String)
    case payloadTooLarge
    /// An uploaded file larger than the configured limit (413, naming the field).
    case fileTooLarge(field: String)
    case unsupportedMediaType
    case tooManyRequests(retryAfter: Int)
    case csrfFailed
    /// A sensitive action needs a recent sign-in (see `requireRecentAuthentication`): the web goes
    /// to `/reauth?next=…`; the API answers 403 with the problem type `Problem.reauthenticationType`.
    case reauthenticationRequired(next: String)
    /// A change to a record the user may only read under a break-the-glass grant (emergency access is read-only).
    case breakGlassReadOnly

    var status: HTTPResponse.Status {
        switch self {
        case .unauthenticated: .unauthorized
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .badRequest: .badRequest
        case .invalid: .unprocessableContent
        case .conflict: .conflict
        case .payloadTooLarge, .fileTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .tooManyRequests: .tooManyRequests
        case .csrfFailed: .forbidden
        case .reauthenticationRequired: .forbidden
        case .breakGlassReadOnly: .forbidden
        }
    }
}

/// One invalid field: its name as the client sent it, a stable code, and a readable message key.
struct FieldIssue: Codable, Sendable, Equatable {
    let name: String
    /// A stable code such as `required`, `too_long`, `unknown`, `invalid`, `not_allowed`.
    let code: String
    init(_ name: String, _ code: String) { self.name = name; self.code = code }
}
