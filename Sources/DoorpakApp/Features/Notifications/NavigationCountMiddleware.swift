import Foundation
import Hummingbird

/// A number shown beside a navigation item (unread notifications, an inbox), with the words a
/// screen reader hears after it.
struct NavigationCount: Sendable {
    let count: Int
    let labelKey: String
}

/// Puts the unread-notification count in the navigation of every page: one indexed, capped
/// COUNT for signed-in browser GETs only (no API calls, no form posts, no static files).
struct NavigationCountMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: NotificationStore
    let work: WorkStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, let principal = context.identity, principal.via == .session,
              !request.uri.path.hasPrefix(APIInfo.basePath) else {
            return try await next(request, context)
        }
        var context = context
        let unread = try await store.unreadCount(of: principal.userID)
        if unread > 0 {
            context.navigationCounts["/notifications"] = NavigationCount(count: unread, labelKey: "notifications.nav_unread")
        }
        // One query of indexed sub-counts, "consider a case" items included (`WorkStore.count`).
        let work = try await self.work.count(for: principal)
        if work > 0 { context.navigationCounts["/work"] = NavigationCount(count: work, labelKey: "work.nav_count") }
        return try await next(request, context)
    }
}
