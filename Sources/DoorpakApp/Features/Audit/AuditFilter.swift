import Foundation

/// The audit page's filters, parsed from the URL (web) or query string (API) with the same names:
/// `user` (an id or an e-mail address), `recordType` + `recordId`, `from`/`to` (days, inclusive)
/// and `action`.
struct AuditFilter: Sendable, Equatable {
    /// A user id, or an e-mail address the store resolves.
    var user: String?
    var recordType: String?
    var recordID: String?
    var from: Date?
    var to: Date?
    var action: AuditAction?

    static let names = ["user", "email", "recordType", "recordId", "from", "to", "action"]

    /// "Who looked at this record": the basis of an access request.
    var isRecordView: Bool { recordType != nil && recordID != nil }

    static func parse(_ value: (String) -> String?) -> (AuditFilter, [FieldIssue]) {
        var filter = AuditFilter()
        var issues: [FieldIssue] = []
        func text(_ name: String, max: Int) -> String? {
            guard let raw = value(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
            guard raw.count <= max else { issues.append(FieldIssue(name, "too_long")); return nil }
            guard !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                issues.append(FieldIssue(name, "invalid_characters")); return nil
            }
            return raw
        }
        func day(_ name: String) -> Date? {
            guard let raw = value(name), !raw.isEmpty else { return nil }
            guard let date = Formats.parse(day: raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
            return date
        }
        // The page offers a list of users and an e-mail field; either one names the user.
        filter.user = text("user", max: 254) ?? text("email", max: 254)
        filter.recordType = text("recordType", max: 50)
        filter.recordID = text("recordId", max: 100)
        filter.from = day("from")
        filter.to = day("to").map { $0.addingTimeInterval(86_400) }
        if let raw = value("action"), !raw.isEmpty {
            if let action = AuditAction(rawValue: raw) { filter.action = action } else { issues.append(FieldIssue("action", "invalid")) }
        }
        if let from = filter.from, let to = filter.to, to <= from { issues.append(FieldIssue("to", "out_of_range")) }
        return (filter, issues)
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        func add(_ name: String, _ value: String?) { if let value { items.append((name, value)) } }
        add("user", user)
        add("recordType", recordType)
        add("recordId", recordID)
        add("from", from.map(Formats.isoDay))
        add("to", to.map { Formats.isoDay($0.addingTimeInterval(-86_400)) })
        add("action", action?.rawValue)
        return items
    }
}

/// A position in the newest-first log: the `seq` of the last entry shown.
struct AuditCursor: Equatable, Sendable {
    var seq: Int

    var encoded: String { PageToken.encode("a1", [String(seq)]) }

    init(seq: Int) { self.seq = seq }

    init?(encoded: String) {
        guard let fields = PageToken.decode(encoded, tag: "a1", fields: 1, maxLength: 100), let seq = Int(fields[0]), seq > 0 else { return nil }
        self.seq = seq
    }
}
