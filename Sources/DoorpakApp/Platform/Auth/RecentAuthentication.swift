import Foundation
import Hummingbird

extension AppRequestContext {
    /// Guards a sensitive action: the user must have proved who they are (password, and the TOTP
    /// code when enrolled) within `window`. Otherwise it throws `AppError.reauthenticationRequired`,
    /// which the web answers with a redirect to `/reauth?next=…` (after which the user comes back
    /// to `returnTo`, or to the page itself for a GET) and the API with 403 problem+json of type
    /// `Problem.reauthenticationType`: API tokens never do sensitive actions.
    ///
    /// Use it first thing in the handler of every sensitive action (password change, switching
    /// two-factor off, token creation; break-the-glass, exports, erasure):
    /// ```swift
    /// try context.requireRecentAuthentication(request, returnTo: "/persons/\(id)")
    /// ```
    /// For a form post, pass `returnTo` (the page with the form): a POST cannot be repeated by a redirect,
    /// so the user submits again after signing in again.
    func requireRecentAuthentication(_ request: Request, within window: Duration = AuthPolicy().recentAuthentication,
                                     returnTo: String? = nil, now: Date = .now) throws {
        let principal = try principal()
        let back = SignIn.safeNext(returnTo) ?? (request.method == .get ? SignIn.safeNext(request.uri.string) : nil) ?? "/account"
        guard principal.via == .session, let session = sessions.session else { throw AppError.reauthenticationRequired(next: back) }
        guard now.timeIntervalSince(session.lastVerified) <= TimeInterval(window.components.seconds) else {
            throw AppError.reauthenticationRequired(next: back)
        }
    }
}
