import Foundation
import Hummingbird
import HummingbirdAuth
import NIOCore

/// Per-request facts: who is asking, in which language, with which CSRF token and form.
struct AppRequestContext: AuthRequestContext, SessionRequestContext, RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Principal?
    let sessions: SessionContext<WebSession>
    let remoteAddress: SocketAddress?
    var language: Language = .nl
    /// The token every form on the page carries (double-submit cookie).
    var csrfToken = ""
    /// The decoded body of a form post, after the CSRF check.
    var form = FormFields()
    /// The file of a multipart form post (attachments), after the CSRF check.
    var upload: UploadedFile?
    /// Numbers beside navigation items, by the item's path (e.g. unread notifications).
    var navigationCounts: [String: NavigationCount] = [:]

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress ?? "local"
    }

    /// The client address for throttling and rate limits: the peer, or behind a trusted proxy
    /// the address it forwarded for (`ClientAddressMiddleware`).
    var clientAddress: String

    /// The signed-in user, or 401 (the web routes turn that into a redirect to the login page).
    func principal() throws -> Principal {
        guard let identity else { throw AppError.unauthenticated }
        return identity
    }
}
