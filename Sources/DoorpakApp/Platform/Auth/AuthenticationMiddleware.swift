import FluentKit
import Foundation
import Hummingbird
import HummingbirdAuth

/// Resolves who is asking: a personal access token (`Authorization: Bearer dpk_…`) on the API,
/// else the browser session. Slides the session's idle timeout while it is used.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let database: AppDatabase
    let idleTimeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            let db = database.db()
            // An unknown, revoked or malformed token leaves the request anonymous: routes that
            // need a user then answer 401 in their own format.
            guard let stored = try await APIToken.query(on: db)
                .filter(\.$tokenHash == APIToken.hash(token)).filter(\.$revokedAt == nil).first(),
                let principal = try await Principal.load(userID: stored.userID, via: .token, on: db)
            else { return try await next(request, context) }
            if (stored.lastUsedAt?.timeIntervalSinceNow ?? -3600) < -60 {
                stored.lastUsedAt = .now
                try await stored.update(on: db)
            }
            context.identity = principal
        } else if var session = context.sessions.session {
            if let principal = try await Principal.load(userID: session.userID, via: .session, on: database.db()) {
                context.identity = principal
                if session.lastSeen.timeIntervalSinceNow < -60 {
                    session.lastSeen = .now
                    _ = context.sessions.updateSession(session, expiresIn: idleTimeout)
                }
            } else {
                context.sessions.clearSession()
            }
        }
        return try await next(request, context)
    }
}
