import Foundation

/// One field of an administration form, described once; `AdminForm` turns a list of them into
/// template data so that every admin form has the same accessible markup (`admin/_field`):
/// a label, an optional hint, the error beside the field (`<name>-error`), `aria-invalid` and
/// `aria-describedby`, and the value as typed.
struct AdminField {
    enum Kind {
        case text(type: String = "text", maxLength: Int = NameRules.maxLength)
        case number(min: Int, max: Int)
        case date
        case select([(value: String, label: String)])
        /// One check box meaning yes/no; its value is "on".
        case checkbox
        /// A group of check boxes for a multi-valued field.
        case checkboxes([(value: String, label: String)])
        /// Shown but not editable (e.g. a code fixed at creation).
        case readOnly(String)
    }

    let name: String
    let label: String
    var hint: String?
    var required = false
    let kind: Kind

    init(_ name: String, label: String, hint: String? = nil, required: Bool = false, _ kind: Kind) {
        self.name = name
        self.label = label
        self.hint = hint
        self.required = required
        self.kind = kind
    }
}

/// A whole admin form: its fields, the values to show and the errors to show beside them.
struct AdminForm {
    let fields: [AdminField]
    let values: FormFields
    let issues: [FieldIssue]
    let locale: LocaleTexts

    /// Field name → message. Admin-specific codes live under `admin_errors`, the shared ones
    /// under `field_errors`.
    var errors: [String: String] {
        var map: [String: String] = [:]
        for issue in issues where map[issue.name] == nil { map[issue.name] = Self.message(issue.code, locale) }
        return map
    }

    static func message(_ code: String, _ locale: LocaleTexts) -> String {
        let own = "admin_errors.\(code)"
        let values = ["min": "\(Passwords.minimumLength)"]
        let text = locale.text(own, values)
        return text == own ? locale.text("field_errors.\(code)") : text
    }

    var hasErrors: Bool { !issues.isEmpty }

    /// The template data for the fields. Every key is always present, so that a missing key
    /// never picks up a value of the same name from the page around it.
    var fieldData: [[String: Any]] {
        let errors = self.errors
        return fields.map { field in
            let error = errors[field.name]
            var describedBy: [String] = []
            if field.hint != nil { describedBy.append("\(field.name)-hint") }
            if error != nil { describedBy.append("\(field.name)-error") }
            var data: [String: Any] = [
                "name": field.name, "label": field.label, "required": field.required,
                "hasHint": field.hint != nil, "hint": field.hint ?? "",
                "hasError": error != nil, "error": error ?? "",
                "hasDescribedBy": !describedBy.isEmpty, "describedBy": describedBy.joined(separator: " "),
                "isInput": false, "isSelect": false, "isCheckbox": false, "isCheckboxes": false, "isReadOnly": false,
                "type": "text", "value": values.raw(field.name), "hasMax": false, "maxLength": 0,
                "isNumber": false, "min": 0, "max": 0, "options": [[String: Any]](), "checked": false,
            ]
            switch field.kind {
            case .text(let type, let maxLength):
                data["isInput"] = true
                data["type"] = type
                data["hasMax"] = true
                data["maxLength"] = maxLength
                if type == "password" { data["value"] = "" }  // never echo a password back
            case .number(let min, let max):
                data["isInput"] = true
                data["type"] = "number"
                data["isNumber"] = true
                data["min"] = min
                data["max"] = max
            case .date:
                data["isInput"] = true
                data["type"] = "date"
            case .select(let options):
                data["isSelect"] = true
                data["options"] = ViewHelpers.options(options, selected: values.raw(field.name))
            case .checkbox:
                data["isCheckbox"] = true
                data["checked"] = values["\(field.name)"] != nil
            case .checkboxes(let options):
                let chosen = Set(values.all(field.name))
                data["isCheckboxes"] = true
                data["options"] = options.enumerated().map { index, option in
                    ["value": option.value, "label": option.label, "checked": chosen.contains(option.value),
                     "id": "\(field.name)-\(index)"] as [String: Any]
                }
            case .readOnly(let text):
                data["isReadOnly"] = true
                data["value"] = text
            }
            return data
        }
    }

    /// The error summary: each message linked to its field, in form order.
    var summary: [[String: String]] {
        let errors = self.errors
        return fields.compactMap { field in
            errors[field.name].map { ["field": Self.anchor(field), "label": field.label, "message": $0] }
        }
    }

    /// Where the summary links to: the input itself, or the first check box of a group.
    private static func anchor(_ field: AdminField) -> String {
        if case .checkboxes(let options) = field.kind { return options.isEmpty ? field.name : "\(field.name)-0" }
        return field.name
    }

    /// Everything `admin/form` needs besides the page's own texts.
    func data(action: String, submit: String) -> [String: Any] {
        ["fields": fieldData, "hasErrors": hasErrors, "errorSummary": summary, "action": action, "submit": submit]
    }
}
