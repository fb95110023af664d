import Foundation

/// The routing decision: which rule sends a new report where. Pure; tested without a database.
enum RoutingRules {
    /// The most specific active rule matching the report, or `nil` when none does.
    ///
    /// Specificity, in order: a location rule beats a district rule beats one for anywhere; then a
    /// category rule beats one for any category; then an urgency rule beats one for any urgency.
    /// Equal rules: the one created first wins (then the lower id), so the answer never depends on
    /// the order the database returns them in.
    static func match(_ rules: [RoutingRule], category: UUID, district: UUID, location: UUID, urgency: Urgency) -> RoutingRule? {
        rules.filter { rule in
            rule.active
                && (rule.categoryID == nil || rule.categoryID == category)
                && (rule.districtID == nil || rule.districtID == district)
                && (rule.locationID == nil || rule.locationID == location)
                && (rule.urgency == nil || rule.urgency == urgency.rawValue)
        }
        .min { a, b in
            let (sa, sb) = (specificity(a), specificity(b))
            if sa != sb { return sa > sb }
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            return (a.id?.uuidString ?? "") < (b.id?.uuidString ?? "")
        }
    }

    /// Higher is more specific; compared as a tuple (place, category, urgency).
    static func specificity(_ rule: RoutingRule) -> (place: Int, category: Int, urgency: Int) {
        let place = rule.locationID != nil ? 2 : rule.districtID != nil ? 1 : 0
        return (place, rule.categoryID != nil ? 1 : 0, rule.urgency != nil ? 1 : 0)
    }

    /// How a rule reads in lists and on a report: `Geweld → Politie (stadsdeel Noord, hoog)`.
    static func label(_ rule: RoutingRule, catalog: Catalog, locale: LocaleTexts, language: Language) -> String {
        let category = rule.categoryID.map { catalog.category($0)?.name(language) ?? "—" } ?? locale.text("routing.any_category")
        let organisation = catalog.organisation(rule.organisationID)?.name ?? "—"
        var scope: [String] = []
        if let location = rule.locationID { scope.append(locale.text("routing.scope_location", ["name": catalog.location(location)?.name ?? "—"])) }
        else if let district = rule.districtID { scope.append(locale.text("routing.scope_district", ["name": catalog.district(district)?.name ?? "—"])) }
        if let urgency = rule.ruleUrgency { scope.append(locale.text("urgency.\(urgency.code)")) }
        return "\(category) → \(organisation)" + (scope.isEmpty ? "" : " (\(scope.joined(separator: ", ")))")
    }
}
