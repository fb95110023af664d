import FluentKit
import Foundation

/// What an administrator submits for a district, a location or a place, as raw text, with the
/// checks that need no database. Uniqueness and references are checked by `LocationStore`.
struct DistrictDraft: Sendable {
    var name: String?

    func validate() -> (String?, [FieldIssue]) {
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: NameRules.maxLength) { return (nil, [FieldIssue("name", issue)]) }
        return (name, [])
    }
}

struct LocationDraft: Sendable {
    var name: String?
    var district: String?
    var corporation: String?
    var units: String?
    var openedOn: String?
    var plannedClosingOn: String?
    var active: Bool = true

    static let unitRange = 1...2000

    struct Valid: Sendable {
        let name: String
        let districtID: UUID
        let corporationID: UUID?
        let units: Int
        let openedOn: Date?
        let plannedClosingOn: Date?
        let active: Bool
    }

    func validate() -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("name", issue)) }
        var districtID: UUID?
        if let raw = district.nonBlank {
            districtID = UUID(uuidString: raw)
            if districtID == nil { issues.append(FieldIssue("district", "unknown")) }
        } else {
            issues.append(FieldIssue("district", "required"))
        }
        var corporationID: UUID?
        if let raw = corporation.nonBlank {
            corporationID = UUID(uuidString: raw)
            if corporationID == nil { issues.append(FieldIssue("corporation", "unknown")) }
        }
        var units: Int?
        if let raw = self.units.nonBlank {
            units = Int(raw)
            if let value = units, !Self.unitRange.contains(value) { issues.append(FieldIssue("units", "out_of_range")); units = nil }
            else if units == nil { issues.append(FieldIssue("units", "invalid")) }
        } else {
            issues.append(FieldIssue("units", "required"))
        }
        let opened = Self.day("opened_on", openedOn, &issues)
        let closing = Self.day("planned_closing_on", plannedClosingOn, &issues)
        if let opened, let closing, closing <= opened { issues.append(FieldIssue("planned_closing_on", "before_opening")) }
        guard issues.isEmpty, let districtID, let units else { return (nil, issues) }
        return (Valid(name: name, districtID: districtID, corporationID: corporationID, units: units,
                      openedOn: opened, plannedClosingOn: closing, active: active), [])
    }

    /// A calendar day from `yyyy-MM-dd`, stored as noon in Amsterdam so that the day is the same
    /// in every time zone a database may convert it to (PostgreSQL `date` columns use UTC).
    static func day(_ name: String, _ raw: String?, _ issues: inout [FieldIssue]) -> Date? {
        guard let raw = raw.nonBlank else { return nil }
        guard let midnight = Formats.parse(day: raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
        let year = Formats.calendar.component(.year, from: midnight)
        guard (1990...2100).contains(year) else { issues.append(FieldIssue(name, "out_of_range")); return nil }
        return midnight.addingTimeInterval(12 * 3600)
    }
}

struct PlaceDraft: Sendable {
    var name: String?
    var kind: String?
    var position: String?

    static let positionRange = 0...9999

    struct Valid: Sendable {
        let name: String
        let kind: PlaceKind
        let position: Int?
    }

    func validate() -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("name", issue)) }
        var kind: PlaceKind?
        if let raw = self.kind.nonBlank {
            kind = PlaceKind(rawValue: raw)
            if kind == nil { issues.append(FieldIssue("kind", "unknown")) }
        } else {
            issues.append(FieldIssue("kind", "required"))
        }
        var position: Int?
        if let raw = self.position.nonBlank {
            position = Int(raw)
            if let value = position, !Self.positionRange.contains(value) { issues.append(FieldIssue("position", "out_of_range")) }
            else if position == nil { issues.append(FieldIssue("position", "invalid")) }
        }
        guard issues.isEmpty, let kind else { return (nil, issues) }
        return (Valid(name: name, kind: kind, position: position), [])
    }
}

/// Names of configuration records (districts, locations, places, organisations): short, unique
/// per table regardless of case.
enum NameRules {
    static let maxLength = 100

    static func sameName(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame
    }

    /// Runs a write whose uniqueness was checked first; should a concurrent writer win the race,
    /// the database's unique constraint answers and the form shows `taken` instead of a 500.
    static func unique<T>(_ field: String, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.invalid([FieldIssue(field, "taken")])
        }
    }
}

extension Optional where Wrapped == String {
    /// The trimmed text, or `nil` when absent or blank.
    var nonBlank: String? {
        guard let text = self?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
