import Foundation

/// The languages of the staff interface. Dutch is the default.
enum Language: String, CaseIterable, Sendable {
    case nl, en

    static let cookieName = "dp_lang"

    /// Dutch unless the user chose another language with the switch (remembered in a cookie).
    /// The browser's `Accept-Language` is deliberately not used: the city works in Dutch.
    static func negotiate(cookie: String?) -> Language {
        cookie.flatMap(Language.init(rawValue:)) ?? .nl
    }
}

/// The texts of one language: every `Resources/locales/<code>/*.json` file (one per feature,
/// nested objects) merged deeply: a feature may add to a shared section such as `field_errors`,
/// but a text defined twice stops the start.
struct LocaleTexts: @unchecked Sendable {
    /// The nested dictionary templates read as `{{t.section.key}}`.
    let strings: [String: Any]

    init(directory: URL) throws {
        var merged: [String: Any] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        for file in files {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(file)))
            merged = Self.merge(merged, object as? [String: Any] ?? [:], file: file, path: "")
        }
        strings = merged
    }

    private static func merge(_ base: [String: Any], _ addition: [String: Any], file: String, path: String) -> [String: Any] {
        var result = base
        for (key, value) in addition {
            let here = path.isEmpty ? key : path + "." + key
            if let existing = result[key] as? [String: Any], let more = value as? [String: Any] {
                result[key] = merge(existing, more, file: file, path: here)
            } else {
                precondition(result[key] == nil, "locale key '\(here)' is defined twice (\(file))")
                result[key] = value
            }
        }
        return result
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
            loaded[language] = try LocaleTexts(directory: directory.appendingPathComponent(language.rawValue))
        }
        byLanguage = loaded
    }

    subscript(_ language: Language) -> LocaleTexts { byLanguage[language]! }
}
