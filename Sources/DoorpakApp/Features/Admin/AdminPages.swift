import Foundation
import Hummingbird

/// The two page shapes every administration section uses: a table of records (`admin/list`)
/// and a form (`admin/form`). Sections describe their columns and fields; the markup is shared.
struct AdminPages: Sendable {
    let views: Views

    struct Column {
        let label: String
        var numeric = false
        /// Shown to screen readers only (e.g. an actions column).
        var hidden = false
    }

    /// One table cell. Every key is always present, so that a missing key never picks up a value
    /// of the same name from the page around it.
    enum Cell {
        case text(String)
        case number(Int)
        case link(String, href: String)
        case tag(String)
        /// A one-button form posting to `action`; `hidden` completes the button's accessible name.
        case button(String, action: String, hidden: String)
        case empty

        var data: [String: Any] {
            var data: [String: Any] = ["text": "", "href": "", "action": "", "hiddenText": "", "num": false,
                                       "isText": false, "isLink": false, "isTag": false, "isForm": false]
            switch self {
            case .text(let text): data["text"] = text; data["isText"] = true
            case .number(let value): data["text"] = "\(value)"; data["isText"] = true; data["num"] = true
            case .link(let text, let href): data["text"] = text; data["href"] = href; data["isLink"] = true
            case .tag(let text): data["text"] = text; data["isTag"] = true
            case .button(let text, let action, let hidden):
                data["text"] = text; data["action"] = action; data["hiddenText"] = hidden; data["isForm"] = true
            case .empty: break
            }
            return data
        }
    }

    /// A secondary one-button form under the main form (e.g. deactivate).
    struct Action {
        let id: String
        let label: String
        let action: String
        var hint: String?
    }

    func list(_ request: Request, context: AppRequestContext, heading: String, columns: [Column], rows: [[Cell]],
              newHref: String? = nil, newLabel: String? = nil, parents: [(href: String, label: String)] = [],
              intro: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok) throws -> HTML {
        let data: [String: Any] = [
            "heading": heading,
            "columns": columns.map { ["label": $0.label, "num": $0.numeric, "hidden": $0.hidden] },
            "rows": rows.map { ["cells": $0.map(\.data)] },
            "empty": rows.isEmpty,
            "newHref": Self.orNull(newHref), "newLabel": newLabel ?? "",
            "parents": parents.map { ["href": $0.href, "label": $0.label] },
            "intro": Self.orNull(intro),
            "problem": Self.orNull(problem),
            "saved": request.uri.queryParameters.get("saved") != nil,
        ]
        return try views.page("admin/list", title: heading, request: request, context: context, data: data, status: status)
    }

    /// A form page; answers 422 when the form carries errors.
    func form(_ request: Request, context: AppRequestContext, heading: String, form: AdminForm, action: String, submit: String,
              back: (href: String, label: String), intro: String? = nil, links: [(id: String, href: String, label: String)] = [],
              actions: [Action] = [], status: HTTPResponse.Status? = nil) throws -> HTML {
        let locale = views.locales[context.language]
        var data = form.data(action: action, submit: submit)
        data["heading"] = heading
        data["backHref"] = back.href
        data["backLabel"] = back.label
        data["intro"] = Self.orNull(intro)
        data["links"] = links.map { ["id": $0.id, "href": $0.href, "label": $0.label] }
        data["hasLinks"] = !links.isEmpty
        data["actions"] = actions.map { ["id": $0.id, "label": $0.label, "action": $0.action, "hint": Self.orNull($0.hint)] }
        data["hasActions"] = !actions.isEmpty
        data["saved"] = request.uri.queryParameters.get("saved") != nil
        let title = (form.hasErrors ? locale.text("form.error_title_prefix") : "") + heading
        return try views.page("admin/form", title: title, request: request, context: context, data: data,
                              status: status ?? (form.hasErrors ? .unprocessableContent : .ok))
    }

    /// The `:id` route parameter as a UUID; anything else is simply not found.
    static func id(_ context: AppRequestContext, _ name: String = "id") throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require(name)) else { throw AppError.notFound }
        return id
    }

    /// A value for an optional template section. swift-mustache renders a `nil` wrapped in `Any`
    /// as the text "nil" (and treats it as present); `NSNull` reads as absent.
    static func orNull(_ value: String?) -> Any { value ?? NSNull() }

    /// Yes/no in the user's language, as text (status is never shown by colour alone).
    static func activeLabel(_ active: Bool, _ locale: LocaleTexts) -> String {
        locale.text(active ? "admin.active" : "admin.inactive")
    }
}
