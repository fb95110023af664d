import Foundation
import Hummingbird

/// The notifications page, "mark all read", and the e-mail preference on the account page.
struct NotificationRoutes {
    let store: NotificationStore
    let views: Views
    /// Whether this installation sends e-mail (SMTP configured); the preference says so when not.
    let mailEnabled: Bool

    func add(to router: Router<AppRequestContext>) {
        router.get("/notifications", use: list)
        router.post("/notifications/read", use: markAllRead)
        router.post("/account/notifications", use: savePreference)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let locale = views.locales[context.language]
        let cursor = request.uri.queryParameters.get("cursor").flatMap(NotificationCursor.init(encoded:))
        let page = try await store.list(for: principal, after: cursor)
        let rows: [[String: Any]] = page.items.map { item in
            var row: [String: Any] = [
                "id": item.id!.uuidString.lowercased(),
                "what": item.notificationKind.map { MailTexts.kindText($0, context.language) } ?? locale.text("notifications.kinds.other"),
                "reference": item.reference,
                "link": item.link,
                "openLabel": locale.text("notifications.open_label", ["reference": item.reference]),
                "at": Formats.dateTime(item.createdAt, context.language),
                "iso": Formats.iso8601(item.createdAt),
            ]
            if item.readAt == nil { row["unread"] = true }
            return row
        }
        let unread = try await store.unreadCount(of: principal.userID)
        var data: [String: Any] = ["rows": rows, "empty": rows.isEmpty]
        if unread > 0 {
            data["unreadCount"] = locale.text("notifications.count_unread", ["count": Self.countText(unread)])
        }
        if request.uri.queryParameters.get("marked") == "1" { data["marked"] = true }
        if let next = page.next { data["nextHref"] = ViewHelpers.url("/notifications", [("cursor", next.encoded)]) }
        if cursor != nil { data["firstHref"] = "/notifications" }
        return try views.page("notifications/list", title: locale.text("notifications.title"), request: request, context: context, data: data)
    }

    func markAllRead(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.markRead(nil, for: try context.principal())
        return .redirect(to: "/notifications?marked=1")
    }

    /// The preference form posts here and goes back to the account page. The choice is a set of
    /// radio buttons, so a refused value can only come from a tampered form: answered with 422.
    func savePreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        try await store.save(mail: context.form["mail"], queue: context.form["queue"], language: context.language, for: principal)
        return .redirect(to: "/account?notifications=saved#notification-preference")
    }

    /// "3", or "99+" beyond the cap.
    static func countText(_ count: Int) -> String {
        count > NotificationStore.countCap ? "\(NotificationStore.countCap)+" : String(count)
    }
}

/// The e-mail preference section of the account page (`notifications/_preference`), kept here so
/// the account page needs one line for it.
struct NotificationPreferenceSection: Sendable {
    let store: NotificationStore
    let mailEnabled: Bool


    func data(request: Request, principal: Principal, locale: LocaleTexts) async throws -> [String: Any] {
        let current = try await store.setting(for: principal)
        var section: [String: Any] = [
            "options": MailPreference.allCases.map { option in
                ["value": option.rawValue, "label": locale.text("notifications.preference.\(option.rawValue)"),
                 "checked": option == current.mail, "id": "mail-\(option.rawValue)"]
            },
            "queueOptions": QueuePreference.allCases.map { option in
                ["value": option.rawValue, "label": locale.text("notifications.preference.queue_\(option.rawValue)"),
                 "checked": option == current.queue, "id": "queue-\(option.rawValue)"]
            },
        ]
        if !mailEnabled { section["mailOff"] = true }
        if request.uri.queryParameters.get("notifications") == "saved" { section["saved"] = true }
        return section
    }
}
