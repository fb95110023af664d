import Foundation

/// What an administrator submits for a routing rule. Ids are checked against the catalog by the store.
struct RoutingRuleDraft: Sendable {
    var category: String?
    var district: String?
    var location: String?
    var urgency: String?
    var organisation: String?
    var acknowledgeDays: String?
    var resolveDays: String?
    /// A team of the organisation whose queue receives the reports; empty: the whole organisation.
    var team: String? = nil

    static let dayRange = 0...60

    struct Valid: Sendable {
        let categoryID: UUID?
        let districtID: UUID?
        let locationID: UUID?
        let urgency: Urgency?
        let organisationID: UUID
        let acknowledgeDays: Int
        let resolveDays: Int
        var teamID: UUID? = nil

        var isFallback: Bool { categoryID == nil && districtID == nil && locationID == nil && urgency == nil }
    }

    func validate(catalog: Catalog) -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        func id(_ name: String, _ raw: String?, exists: (UUID) -> Bool) -> UUID? {
            guard let raw = raw.nonBlank else { return nil }
            guard let id = UUID(uuidString: raw), exists(id) else { issues.append(FieldIssue(name, "unknown")); return nil }
            return id
        }
        let categoryID = id("category", category) { catalog.category($0) != nil }
        let districtID = id("district", district) { catalog.district($0) != nil }
        let locationID = id("location", location) { catalog.location($0) != nil }
        if let locationID, let districtID, catalog.location(locationID)?.districtID != districtID {
            issues.append(FieldIssue("location", "invalid"))  // not in the chosen district
        }
        var urgency: Urgency?
        if let raw = self.urgency.nonBlank {
            urgency = Urgency(code: raw)
            if urgency == nil { issues.append(FieldIssue("urgency", "unknown")) }
        }
        var organisationID: UUID?
        if organisation.nonBlank == nil {
            issues.append(FieldIssue("organisation", "required"))
        } else {
            organisationID = id("organisation", organisation) { catalog.organisation($0)?.active == true }
        }
        func days(_ name: String, _ raw: String?) -> Int? {
            guard let raw = raw.nonBlank else { issues.append(FieldIssue(name, "required")); return nil }
            guard let value = Int(raw) else { issues.append(FieldIssue(name, "invalid")); return nil }
            guard Self.dayRange.contains(value) else { issues.append(FieldIssue(name, "out_of_range")); return nil }
            return value
        }
        let acknowledge = days("acknowledge_days", acknowledgeDays)
        let resolve = days("resolve_days", resolveDays)
        var teamID: UUID?
        if let raw = team.nonBlank {
            teamID = UUID(uuidString: raw)
            if teamID == nil { issues.append(FieldIssue("team", "unknown")) }
        }
        guard issues.isEmpty, let organisationID, let acknowledge, let resolve else { return (nil, issues) }
        return (Valid(categoryID: categoryID, districtID: districtID, locationID: locationID, urgency: urgency,
                      organisationID: organisationID, acknowledgeDays: acknowledge, resolveDays: resolve, teamID: teamID), [])
    }
}

/// What an administrator submits for a closure day.
struct ClosureDayDraft: Sendable {
    var date: String?
    var description: String?

    struct Valid: Sendable {
        let date: Date
        let description: String
    }

    func validate() -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        var day: Date?
        if self.date.nonBlank == nil { issues.append(FieldIssue("date", "required")) } else { day = LocationDraft.day("date", self.date, &issues) }
        let description = (self.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(description, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("description", issue)) }
        guard issues.isEmpty, let day else { return (nil, issues) }
        return (Valid(date: day, description: description), [])
    }
}
