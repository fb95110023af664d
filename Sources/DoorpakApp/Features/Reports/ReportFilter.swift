import Foundation

/// The worklist's filters and sort, parsed from the URL (web) or query string (API), so that a
/// filtered list can be bookmarked and shared. Both faces use the same names.
struct ReportFilter: Sendable, Equatable {
    var locationID: UUID?
    var districtID: UUID?
    var kind: ReportKind?
    var categoryID: UUID?
    var status: ReportStatus?
    var urgency: Urgency?
    var organisationID: UUID?
    var ownerID: UUID?
    var from: Date?
    var to: Date?
    var text: String?
    var needs: ReportNeed?
    var sort: ReportSort = .newest

    static let names = ["location", "district", "kind", "category", "status", "urgency", "organisation", "owner", "needs", "from", "to", "q", "sort"]

    /// Parses the parameters; every value that does not parse is reported with its name.
    static func parse(_ value: (String) -> String?) -> (ReportFilter, [FieldIssue]) {
        var filter = ReportFilter()
        var issues: [FieldIssue] = []
        func uuid(_ name: String) -> UUID? {
            guard let raw = value(name), !raw.isEmpty else { return nil }
            guard let id = UUID(uuidString: raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
            return id
        }
        func parsed<T>(_ name: String, _ make: (String) -> T?) -> T? {
            guard let raw = value(name), !raw.isEmpty else { return nil }
            guard let result = make(raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
            return result
        }
        filter.locationID = uuid("location")
        filter.districtID = uuid("district")
        filter.categoryID = uuid("category")
        filter.organisationID = uuid("organisation")
        filter.ownerID = uuid("owner")
        filter.kind = parsed("kind", ReportKind.init(rawValue:))
        filter.status = parsed("status", ReportStatus.init(rawValue:))
        filter.urgency = parsed("urgency", Urgency.init(code:))
        filter.needs = parsed("needs", ReportNeed.init(rawValue:))
        filter.from = parsed("from") { Formats.parse(day: $0) }
        filter.to = parsed("to") { Formats.parse(day: $0).map { $0.addingTimeInterval(86_400) } }
        filter.sort = parsed("sort", ReportSort.init(rawValue:)) ?? .newest
        if let text = value("q")?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            if text.count > 200 { issues.append(FieldIssue("q", "too_long")) } else { filter.text = text }
        }
        return (filter, issues)
    }

    /// The filter as URL query pairs (empty values left out), for links that keep the filter.
    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        func add(_ name: String, _ value: String?) { if let value { items.append((name, value)) } }
        add("location", locationID?.uuidString)
        add("district", districtID?.uuidString)
        add("kind", kind?.rawValue)
        add("category", categoryID?.uuidString)
        add("status", status?.rawValue)
        add("urgency", urgency?.code)
        add("organisation", organisationID?.uuidString)
        add("owner", ownerID?.uuidString)
        add("needs", needs?.rawValue)
        add("from", from.map(Formats.isoDay))
        add("to", to.map { Formats.isoDay($0.addingTimeInterval(-86_400)) })
        add("q", text)
        if sort != .newest { add("sort", sort.rawValue) }
        return items
    }
}

/// What an open report is waiting for, as a worklist filter: a passed deadline, an escalation,
/// an owner, or the answer to a hand-over.
enum ReportNeed: String, CaseIterable, Sendable {
    case overdue, escalated, unowned, handover
}

/// The orders a worklist can be read in. Each is a keyset over columns that end in the id.
enum ReportSort: String, CaseIterable, Sendable {
    case newest, oldest, urgency, updated
}

/// An opaque position in a sorted worklist: the sort keys of the last row shown.
struct ReportCursor: Equatable, Sendable {
    var sort: ReportSort
    /// Whole seconds since 1970 of the sort's date column.
    var seconds: Int
    /// The urgency level, for the urgency sort.
    var urgency: Int
    var id: UUID

    var encoded: String { PageToken.encode("1", [sort.rawValue, String(seconds), String(urgency), id.uuidString]) }

    init(sort: ReportSort, seconds: Int, urgency: Int, id: UUID) {
        self.sort = sort
        self.seconds = seconds
        self.urgency = urgency
        self.id = id
    }

    init?(encoded: String) {
        guard let parts = PageToken.decode(encoded, tag: "1", fields: 4), let sort = ReportSort(rawValue: parts[0]),
              let seconds = Int(parts[1]), let urgency = Int(parts[2]), let id = UUID(uuidString: parts[3]) else { return nil }
        self.init(sort: sort, seconds: seconds, urgency: urgency, id: id)
    }
}
