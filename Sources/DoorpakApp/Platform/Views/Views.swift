import Foundation
import Hummingbird
import Mustache

/// A rendered page with the right content type.
struct HTML: ResponseGenerator {
    var body: String
    var status: HTTPResponse.Status = .ok

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The templates and texts, loaded once per process, and the page frame every screen shares.
struct Views: Sendable {
    let library: MustacheLibrary
    let locales: Locales

    /// Templates, texts and static files, shipped as the target's `Assets` folder.
    static var assets: URL { Bundle.module.bundleURL.appendingPathComponent("Assets") }

    static func load() async throws -> Views {
        let resources = Views.assets
        return Views(
            library: try await MustacheLibrary(directory: resources.appendingPathComponent("templates").path),
            locales: try Locales(directory: resources.appendingPathComponent("locales"))
        )
    }

    /// Renders `template` inside the layout with the header, navigation and language switch.
    func page(_ template: String, title: String, request: Request, context: AppRequestContext,
              data: [String: Any] = [:], status: HTTPResponse.Status = .ok) throws -> HTML {
        let language = context.language
        var values = data
        values["t"] = locales[language].strings
        values["lang"] = language.rawValue
        values["title"] = title
        values["csrf"] = context.csrfToken
        let path = request.uri.path
        let back = request.uri.string
        values["languages"] = Language.allCases.filter { $0 != language }.map { other in
            ["code": other.rawValue, "label": locales[other].text("language.name"),
             "href": "/lang/\(other.rawValue)?back=\(back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")"]
        }
        if let principal = context.identity {
            values["user"] = ["name": principal.name, "role": locales[language].text("roles.\(principal.role.rawValue)")]
            let items = Navigation.items(for: principal)
            let current = items.filter { path == $0.href || path.hasPrefix($0.href + "/") }.max { $0.href.count < $1.href.count }
            values["nav"] = items.map { item in
                var entry: [String: Any] = ["href": item.href, "label": locales[language].text(item.labelKey), "current": item.href == current?.href]
                if let count = context.navigationCounts[item.href], count.count > 0 {
                    entry["count"] = count.count > NotificationStore.countCap ? "\(NotificationStore.countCap)+" : String(count.count)
                    entry["countLabel"] = locales[language].text(count.labelKey)
                }
                return entry
            }
        }
        guard let body = library.render(values, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "missing template \(template)")
        }
        return HTML(body: body, status: status)
    }

    func text(_ key: String, _ language: Language) -> String { locales[language].text(key) }
}

/// The main navigation, by role.
enum Navigation {
    struct Item { let href: String; let labelKey: String }

    static func items(for principal: Principal) -> [Item] {
        var items: [Item] = []
        if principal.reportScope != .none {
            items.append(Item(href: "/work", labelKey: "work.nav"))
            items.append(Item(href: "/reports", labelKey: "nav.worklist"))
            items.append(Item(href: "/reports/new", labelKey: "nav.new_report"))
            items.append(Item(href: "/persons", labelKey: "persons.nav"))
            items.append(Item(href: "/cases", labelKey: "cases.nav"))
            items.append(Item(href: "/meetings", labelKey: "casemeetings.nav"))
            items.append(Item(href: "/cooling-off", labelKey: "coolingoff.nav"))
        }
        if principal.role == .coordinator || principal.isAdministrator {
            items.append(Item(href: "/breakthrough", labelKey: "breakthrough.nav"))
        }
        if principal.role == .analyst { items.append(Item(href: "/cases/factors", labelKey: "cases.factor_overview.nav")) }
        items.append(Item(href: "/locations", labelKey: "nav.locations"))
        if principal.mayReadAuditLog { items.append(Item(href: "/audit", labelKey: "audit.nav")) }
        if principal.mayReadAuditLog { items.append(Item(href: "/audit/break-glass", labelKey: "breakglass.nav")) }
        if principal.mayReadAuditLog { items.append(Item(href: "/retention", labelKey: "retention.nav")) }
        if SubjectRights.mayHandle(principal) { items.append(Item(href: "/privacy", labelKey: "subjectrights.nav")) }
        if principal.isAdministrator { items.append(Item(href: "/admin", labelKey: "nav.admin")) }
        items.append(Item(href: "/notifications", labelKey: "notifications.nav"))
        items.append(Item(href: "/account", labelKey: "nav.account"))
        return items
    }
}
