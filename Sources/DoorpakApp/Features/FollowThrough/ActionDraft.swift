import Foundation

/// What a user submits for a new action, before checks.
struct ActionDraft: Sendable {
    var title: String?
    var organisation: String?
    var assignee: String?
    var dueOn: String?

    static let maxTitleLength = 500

    struct Valid: Sendable {
        let title: String
        let organisationID: UUID
        let assigneeID: UUID?
        let dueOn: String
    }

    /// Field checks that need no database; `today` is the Amsterdam day the action is made on
    /// (a due day in the past is refused).
    func validate(today: String) -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let title = (self.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(title, required: true, max: Self.maxTitleLength) { issues.append(FieldIssue("title", issue)) }
        let organisationID = organisation.nonBlank.flatMap(UUID.init(uuidString:))
        if organisationID == nil { issues.append(FieldIssue("organisation", organisation.nonBlank == nil ? "required" : "unknown")) }
        var assigneeID: UUID?
        if let raw = assignee.nonBlank {
            assigneeID = UUID(uuidString: raw)
            if assigneeID == nil { issues.append(FieldIssue("assignee", "unknown")) }
        }
        let due = (dueOn ?? "").trimmingCharacters(in: .whitespaces)
        if due.isEmpty { issues.append(FieldIssue("due_on", "required")) }
        else if Self.endOfDay(due) == nil { issues.append(FieldIssue("due_on", "invalid")) }
        else if due < today { issues.append(FieldIssue("due_on", "in_past")) }
        guard issues.isEmpty, let organisationID else { return (nil, issues) }
        return (Valid(title: title, organisationID: organisationID, assigneeID: assigneeID, dueOn: due), [])
    }

    /// The last second of a `yyyy-MM-dd` day in Amsterdam; `nil` for anything else.
    static func endOfDay(_ day: String) -> Date? {
        guard day.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil,
              let start = Formats.parse(day: day), Formats.isoDay(start) == day else { return nil }
        return Formats.calendar.date(byAdding: .day, value: 1, to: start)?.addingTimeInterval(-1)
    }
}
