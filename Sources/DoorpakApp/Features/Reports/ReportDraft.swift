import Foundation

/// What a user submits to register a report, as raw text from a form or JSON, before checks.
/// Field names are the canonical ones (`occurred_at`); each face maps them to its own.
struct ReportDraft: Sendable {
    var kind: String?
    var category: String?
    var location: String?
    var place: String?
    var occurredAt: Date?
    /// Set when the date or time could not be read, so the error names the field.
    var occurredAtInvalid = false
    var urgency: String?
    var source: String?
    var description: String?

    static let maxDescriptionLength = 10_000

    /// The checks that need no database: presence, formats, lengths, dates.
    func validate(now: Date = .now) -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let kind = required("kind", kind, ReportKind.init(rawValue:), &issues)
        let category = required("category", category, UUID.init(uuidString:), &issues)
        let location = required("location", location, UUID.init(uuidString:), &issues)
        let place = optional("place", place, UUID.init(uuidString:), &issues)
        let urgency = optional("urgency", urgency, Urgency.init(code:), &issues)
        let source = optional("source", source, ReportSource.init(rawValue:), &issues)
        if occurredAtInvalid {
            issues.append(FieldIssue("occurred_at", "invalid"))
        } else if let occurredAt {
            if occurredAt > now.addingTimeInterval(10 * 60) { issues.append(FieldIssue("occurred_at", "in_future")) }
            if occurredAt < now.addingTimeInterval(-5 * 365 * 86_400) { issues.append(FieldIssue("occurred_at", "too_old")) }
        } else {
            issues.append(FieldIssue("occurred_at", "required"))
        }
        let text = description?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if let issue = TextRules.check(text, required: true, max: Self.maxDescriptionLength) {
            issues.append(FieldIssue("description", issue))
        }
        guard issues.isEmpty, let kind, let category, let location, let occurredAt else { return (nil, issues) }
        return (Valid(kind: kind, categoryID: category, locationID: location, placeID: place,
                      occurredAt: occurredAt.wholeSeconds, urgency: urgency, source: source, description: text), [])
    }

    /// A draft that passed the checks above.
    struct Valid: Sendable {
        let kind: ReportKind
        let categoryID: UUID
        let locationID: UUID
        let placeID: UUID?
        let occurredAt: Date
        let urgency: Urgency?
        let source: ReportSource?
        let description: String
    }

    private func required<T>(_ name: String, _ raw: String?, _ make: (String) -> T?, _ issues: inout [FieldIssue]) -> T? {
        guard let raw, !raw.isEmpty else { issues.append(FieldIssue(name, "required")); return nil }
        guard let value = make(raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
        return value
    }

    private func optional<T>(_ name: String, _ raw: String?, _ make: (String) -> T?, _ issues: inout [FieldIssue]) -> T? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let value = make(raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
        return value
    }
}

/// Rules for free text anyone types: length, and no control characters except line breaks and tabs.
enum TextRules {
    static func check(_ text: String, required: Bool, max: Int) -> String? {
        if text.isEmpty { return required ? "required" : nil }
        if text.count > max { return "too_long" }
        let allowed: Set<Unicode.Scalar> = ["\n", "\r", "\t"]
        if text.unicodeScalars.contains(where: { ($0.properties.generalCategory == .control && !allowed.contains($0)) || $0 == "\u{0}" }) {
            return "invalid_characters"
        }
        return nil
    }
}

extension Date {
    /// The same moment without fractions of a second: stored dates are whole seconds, so that
    /// cursors compare exactly on every database.
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
