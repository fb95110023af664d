import Foundation

/// A person as typed into a form or an API body, before validation. Text only, so that every
/// problem comes back as a field issue.
struct PersonDraft: Sendable {
    var name: String?
    var birthDate: String?
    var contact: String?
    var location: String?
    var unit: String?
    var residentSince: String?
    var languages: [String] = []
    var interpreterNeeded = false

    struct Valid: Sendable {
        let name: String
        let birthDate: String?
        let contact: String?
        let locationID: UUID?
        let unit: String?
        let residentSince: Date?
        let languages: [String]
        let interpreterNeeded: Bool
    }

    /// Language codes offered in forms (ISO 639-1); the API accepts any two- or three-letter code.
    static let commonLanguages = ["nl", "en", "ar", "ti", "fa", "prs", "ps", "so", "tr", "uk", "ru", "fr", "ku", "am"]

    func validate(now: Date = .now) -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let name = (self.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: 200) { issues.append(FieldIssue("name", issue)) }
        else if PersonName.normalise(name).isEmpty { issues.append(FieldIssue("name", "invalid")) }
        var birthDate: String?
        if let raw = clean(self.birthDate) {
            if let day = Formats.parse(day: raw), day <= now, day > now.addingTimeInterval(-130 * 365 * 86_400) { birthDate = raw }
            else { issues.append(FieldIssue("birth_date", Formats.parse(day: raw) == nil ? "invalid" : "out_of_range")) }
        }
        let contact = clean(self.contact)
        if let contact, let issue = TextRules.check(contact, required: false, max: 500) { issues.append(FieldIssue("contact", issue)) }
        var locationID: UUID?
        if let raw = clean(location) {
            if let id = UUID(uuidString: raw) { locationID = id } else { issues.append(FieldIssue("location", "unknown")) }
        }
        let unit = clean(self.unit)
        if let unit, let issue = TextRules.check(unit, required: false, max: 40) { issues.append(FieldIssue("unit", issue)) }
        var residentSince: Date?
        if let raw = clean(self.residentSince) {
            if let day = Formats.parse(day: raw, time: "12:00"), day <= now.addingTimeInterval(86_400) {
                residentSince = day
            } else { issues.append(FieldIssue("resident_since", "invalid")) }
        }
        var languages: [String] = []
        for code in self.languages.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !code.isEmpty {
            if code.range(of: "^[a-z]{2,3}$", options: .regularExpression) == nil { issues.append(FieldIssue("languages", "invalid")); break }
            if !languages.contains(code) { languages.append(code) }
        }
        if languages.count > 10 { issues.append(FieldIssue("languages", "too_long")) }
        guard issues.isEmpty else { return (nil, issues) }
        return (Valid(name: name, birthDate: birthDate, contact: contact, locationID: locationID, unit: unit,
                      residentSince: residentSince, languages: languages, interpreterNeeded: interpreterNeeded), [])
    }

    private func clean(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
