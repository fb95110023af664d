import Foundation
import Hummingbird

/// Emergency access is for reading. `BreakGlassWriteGuard` marks every request with an unsafe
/// method (POST, PATCH, PUT, DELETE) as a write; a store that would open a record only because of
/// a break-the-glass grant calls `refuseWrites()` and so answers 403 with a clear message
/// (`AppError.breakGlassReadOnly`) instead of letting a grant silently allow changes. Whoever
/// needs to change the record asks its owner, or for it to be given to them.
enum BreakGlassAccess {
    @TaskLocal static var writing = false

    static func refuseWrites() throws {
        if writing { throw AppError.breakGlassReadOnly }
    }
}

/// Sets `BreakGlassAccess.writing` for the rest of the request.
struct BreakGlassWriteGuard: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let writing = ![.get, .head, .options].contains(request.method)
        return try await BreakGlassAccess.$writing.withValue(writing) { try await next(request, context) }
    }
}
