import FluentKit
import Foundation
import Hummingbird
import HummingbirdAuth

/// Resolves who is asking: a live (unrevoked, unexpired) personal access token (`Authorization: Bearer dpk_…`) on the API,
/// else the browser session. A session ends (is cleared) when it was idle longer than the idle
/// timeout, is older than the maximum session age, its user was deactivated, or the user's password
/// changed since it began. A session with a pending sign-in step leaves the request anonymous.
/// Slides the session's idle timeout while it is used.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountStore
    let idleTimeout: Duration
    var maxAge: Duration = .seconds(12 * 60 * 60)
    var now: @Sendable () -> Date = { .now }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            // An unknown, revoked or malformed token leaves the request anonymous: routes that
            // need a user then answer 401 in their own format.
            guard let principal = try await accounts.principal(bearer: token) else { return try await next(request, context) }
            context.identity = principal
        } else if var session = context.sessions.session {
            let now = self.now()
            let idle = now.timeIntervalSince(session.lastSeen) > Self.seconds(idleTimeout)
            let expired = now.timeIntervalSince(session.signedInAt) > Self.seconds(maxAge)
            if idle || expired {
                context.sessions.clearSession()
            } else if session.pending != nil {
                // A sign-in in progress: the step pages read it; everything else sees nobody.
            } else if let signedIn = try await accounts.signedIn(session.userID, via: .session),
                      session.credential == nil || session.credential == signedIn.credential {
                context.identity = signedIn.principal
                if now.timeIntervalSince(session.lastSeen) > 60 {
                    session.lastSeen = now
                    _ = context.sessions.updateSession(session, expiresIn: idleTimeout)
                }
            } else {
                context.sessions.clearSession()
            }
        }
        return try await next(request, context)
    }

    static func seconds(_ duration: Duration) -> TimeInterval { TimeInterval(duration.components.seconds) }
}
