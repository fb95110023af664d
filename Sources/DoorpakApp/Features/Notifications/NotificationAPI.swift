import Foundation
import Hummingbird

/// The notifications API: the caller's own list (cursor paging), marking read, and the e-mail
/// preference. Calls the same store as the page.
struct NotificationAPI {
    let store: NotificationStore
    let mailEnabled: Bool

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/notifications", use: list)
        api.post("/notifications/read", use: markRead)
        api.get("/me/notification-settings", use: settings)
        api.patch("/me/notification-settings", use: updateSettings)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let parameters = request.uri.queryParameters
        let value: (String) -> String? = { name in parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var issues: [FieldIssue] = []
        var limit = NotificationStore.defaultPageSize
        if let raw = value("limit") {
            if let number = Int(raw), (1...NotificationStore.maxPageSize).contains(number) { limit = number } else { issues.append(FieldIssue("limit", "out_of_range")) }
        }
        var cursor: NotificationCursor?
        if let raw = value("cursor") {
            if let parsed = NotificationCursor(encoded: raw) { cursor = parsed } else { issues.append(FieldIssue("cursor", "invalid")) }
        }
        guard issues.isEmpty else { throw APIQueryError(issues: issues) }
        let page = try await store.list(for: principal, after: cursor, limit: limit)
        var headers: HTTPFields = [:]
        if let next = page.next {
            let items = (limit == NotificationStore.defaultPageSize ? [] : [("limit", "\(limit)")]) + [("cursor", next.encoded)]
            headers[.init("Link")!] = "<\(ViewHelpers.url("\(APIInfo.basePath)/notifications", items))>; rel=\"next\""
        }
        let unread = try await store.unreadCount(of: principal.userID)
        return try APIBody.response(NotificationPageDTO(items: page.items.map(NotificationDTO.init), next: page.next?.encoded,
                                                        unreadCount: min(unread, NotificationStore.countCap + 1)), headers: headers)
    }

    func markRead(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let input = try await APIBody.decode(MarkReadInput.self, from: request)
        var ids: [UUID]?
        switch (input.ids, input.all) {
        case (let given?, nil), (let given?, false?):
            let parsed = given.compactMap(UUID.init(uuidString:))
            guard parsed.count == given.count, given.count <= NotificationStore.maxPageSize else {
                throw AppError.invalid([FieldIssue("ids", "invalid")])
            }
            ids = parsed
        case (nil, true?):
            ids = nil
        default:
            throw AppError.invalid([FieldIssue("ids", "required")])
        }
        let marked = try await store.markRead(ids, for: principal)
        let unread = try await store.unreadCount(of: principal.userID)
        return try APIBody.response(MarkReadDTO(marked: marked, unreadCount: min(unread, NotificationStore.countCap + 1)))
    }

    func settings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await store.setting(for: context.principal())
        return try APIBody.response(NotificationSettingsDTO(mail: current.mail.rawValue, language: current.language.rawValue,
                                                            queue: current.queue.rawValue, mailEnabled: mailEnabled))
    }

    func updateSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let input = try await APIBody.decode(NotificationSettingsInput.self, from: request, accepting: [APIBody.json, APIBody.mergePatch])
        let current = try await store.setting(for: principal)
        var language = current.language
        if let raw = input.language {
            guard let chosen = Language(rawValue: raw) else { throw AppError.invalid([FieldIssue("language", "invalid")]) }
            language = chosen
        }
        let saved = try await store.save(mail: input.mail ?? current.mail.rawValue, queue: input.queue ?? current.queue.rawValue,
                                         language: language, for: principal)
        return try APIBody.response(NotificationSettingsDTO(mail: saved.mail.rawValue, language: language.rawValue, queue: saved.queue.rawValue,
                                                            mailEnabled: mailEnabled))
    }
}

struct NotificationDTO: Encodable {
    let id: String
    let kind: String
    let reference: String
    let link: String
    let createdAt: String
    @Nullable var readAt: String?

    init(_ notification: Notification) {
        id = notification.id!.api
        kind = notification.kind
        reference = notification.reference
        link = notification.link
        createdAt = APIDates.write(notification.createdAt)
        readAt = notification.readAt.map(APIDates.write)
    }
}

struct NotificationPageDTO: Encodable {
    var items: [NotificationDTO]
    @Nullable var next: String?
    /// Unread notifications, counted up to 100.
    var unreadCount: Int
}

struct MarkReadInput: APIInput {
    static let members = ["ids", "all"]
    var ids: [String]?
    var all: Bool?
}

struct MarkReadDTO: Encodable {
    var marked: Int
    var unreadCount: Int
}

struct NotificationSettingsInput: APIInput {
    static let members = ["mail", "language", "queue"]
    var mail: String?
    var language: String?
    var queue: String?
}

struct NotificationSettingsDTO: Encodable {
    var mail: String
    var language: String
    /// Which reports arriving in the user's intake queue are told: `urgent`, `all`, `none`.
    var queue: String
    /// Whether this installation sends e-mail at all.
    var mailEnabled: Bool
}
