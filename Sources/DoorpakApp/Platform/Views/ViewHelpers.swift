import Foundation

/// Small builders for template data: select options, error maps, links that keep a filter.
enum ViewHelpers {
    /// Options for a `<select>`, with the current value marked.
    static func options(_ items: [(value: String, label: String)], selected: String?) -> [[String: Any]] {
        items.map { ["value": $0.value, "label": $0.label, "selected": $0.value == selected] }
    }

    /// Field name → message, for `{{#errors.field}}` in templates; `rename` maps canonical names
    /// to the form's own (e.g. `occurred_at` → `occurred_date`).
    static func errors(_ issues: [FieldIssue], _ locale: LocaleTexts, rename: [String: String] = [:]) -> [String: String] {
        var map: [String: String] = [:]
        for issue in issues {
            let name = rename[issue.name] ?? issue.name
            if map[name] == nil { map[name] = locale.text("field_errors.\(issue.code)") }
        }
        return map
    }

    /// The error summary at the top of a form: each message linked to its field.
    static func summary(_ errors: [String: String], order: [String], _ locale: LocaleTexts) -> [[String: String]] {
        order.compactMap { name in
            errors[name].map { ["field": name, "label": locale.text("fields.\(name)"), "message": $0] }
        }
    }

    /// A URL with query pairs, percent-encoded.
    static func url(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return path + "?" + query.joined(separator: "&")
    }
}
