import Foundation

/// The languages of the staff interface. Dutch is the default.
enum Language: String, CaseIterable, Sendable {
    case nl, en

    static let cookieName = "dp_lang"

    /// Picks the language from the remembered cookie, else from `Accept-Language`, else Dutch.
    static func negotiate(cookie: String?, acceptLanguage: String?) -> Language {
        if let cookie, let language = Language(rawValue: cookie) { return language }
        let preferred = acceptLanguage?.split(separator: ",").first?.prefix(2).lowercased()
        return preferred == "en" ? .en : .nl
    }
}

/// The texts of one language, loaded from `Resources/locales/<code>.json` (nested objects).
struct LocaleTexts: @unchecked Sendable {
    /// The nested dictionary templates read as `{{t.section.key}}`.
    let strings: [String: Any]

    init(contentsOf url: URL) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        strings = object as? [String: Any] ?? [:]
    }

    /// The text at a dotted key, such as `status.new`; the key itself when missing, so gaps show.
    func text(_ key: String) -> String {
        var node: Any? = strings
        for part in key.split(separator: ".") { node = (node as? [String: Any])?[String(part)] }
        return node as? String ?? key
    }

    /// A text with `{name}` placeholders filled in.
    func text(_ key: String, _ values: [String: String]) -> String {
        values.reduce(text(key)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

/// All loaded locales.
struct Locales: Sendable {
    let byLanguage: [Language: LocaleTexts]

    init(directory: URL) throws {
        var loaded: [Language: LocaleTexts] = [:]
        for language in Language.allCases {
            loaded[language] = try LocaleTexts(contentsOf: directory.appendingPathComponent("\(language.rawValue).json"))
        }
        byLanguage = loaded
    }

    subscript(_ language: Language) -> LocaleTexts { byLanguage[language]! }
}
