import FluentKit
import Foundation

/// The only door to routing rules and closure days (configuration data, readable by every
/// signed-in user), and the routing of a new report at intake.
struct RoutingStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    // MARK: Rules

    /// Every rule, most specific first, as `RoutingRules.match` ranks them.
    func rules() async throws -> [RoutingRule] {
        try await Self.rules(on: database.db())
    }

    static func rules(on db: any Database) async throws -> [RoutingRule] {
        try await RoutingRule.query(on: db).sort(\.$createdAt).all().sorted { a, b in
            let (sa, sb) = (RoutingRules.specificity(a), RoutingRules.specificity(b))
            return sa != sb ? sa > sb : a.createdAt < b.createdAt
        }
    }

    func find(_ id: UUID) async throws -> RoutingRule {
        guard let rule = try await RoutingRule.find(id, on: database.db()) else { throw AppError.notFound }
        return rule
    }

    func create(_ draft: RoutingRuleDraft, by principal: Principal, now: Date = .now) async throws -> RoutingRule {
        let db = database.db()
        let (valid, issues) = draft.validate(catalog: try await Catalog.load(on: db))
        guard let valid else { throw AppError.invalid(issues) }
        let rule = RoutingRule(categoryID: valid.categoryID, districtID: valid.districtID, locationID: valid.locationID,
                               urgency: valid.urgency, organisationID: valid.organisationID,
                               acknowledgeDays: valid.acknowledgeDays, resolveDays: valid.resolveDays, createdAt: now.wholeSeconds)
        rule.teamID = valid.teamID
        try await db.transaction { tx in
            // A rule sends reports to a team of the organisation it names, never another's.
            if let issue = try await TeamStore.issue(team: valid.teamID, organisation: valid.organisationID, field: "team", on: tx) {
                throw AppError.invalid([issue])
            }
            try await rule.create(on: tx)
            try await Audit.record(.create, "routing_rule", rule.id!.uuidString, by: principal, on: tx)
        }
        return rule
    }

    /// Changes a rule. The last active fallback rule must stay a fallback: the scope fields are then refused.
    func update(_ id: UUID, _ draft: RoutingRuleDraft, by principal: Principal) async throws {
        let db = database.db()
        let (valid, issues) = draft.validate(catalog: try await Catalog.load(on: db))
        guard let valid else { throw AppError.invalid(issues) }
        try await db.transaction { tx in
            guard let rule = try await RoutingRule.find(id, on: tx) else { throw AppError.notFound }
            if let issue = try await TeamStore.issue(team: valid.teamID, organisation: valid.organisationID, field: "team", on: tx) {
                throw AppError.invalid([issue])
            }
            if rule.active, rule.isFallback, !valid.isFallback, try await Self.isLastFallback(rule, on: tx) {
                let scope: [(String, Bool)] = [("category", valid.categoryID != nil), ("district", valid.districtID != nil),
                                               ("location", valid.locationID != nil), ("urgency", valid.urgency != nil)]
                throw AppError.invalid(scope.filter(\.1).map { FieldIssue($0.0, "not_allowed") })
            }
            rule.categoryID = valid.categoryID
            rule.districtID = valid.districtID
            rule.locationID = valid.locationID
            rule.urgency = valid.urgency?.rawValue
            rule.organisationID = valid.organisationID
            rule.acknowledgeDays = valid.acknowledgeDays
            rule.resolveDays = valid.resolveDays
            rule.teamID = valid.teamID
            try await rule.update(on: tx)
            try await Audit.record(.update, "routing_rule", id.uuidString, by: principal, on: tx)
        }
    }

    /// Deactivates or reactivates a rule; the last active fallback cannot be deactivated (conflict).
    func setActive(_ id: UUID, _ active: Bool, by principal: Principal) async throws {
        try await database.db().transaction { tx in
            guard let rule = try await RoutingRule.find(id, on: tx) else { throw AppError.notFound }
            guard rule.active != active else { return }
            if !active, rule.isFallback, try await Self.isLastFallback(rule, on: tx) {
                throw AppError.conflict("The last active fallback rule cannot be deactivated.")
            }
            rule.active = active
            try await rule.update(on: tx)
            try await Audit.record(.update, "routing_rule", id.uuidString, by: principal,
                                   purpose: active ? "reactivated" : "deactivated", on: tx)
        }
    }

    private static func isLastFallback(_ rule: RoutingRule, on db: any Database) async throws -> Bool {
        try await RoutingRule.query(on: db).filter(\.$active == true).all().filter { $0.isFallback && $0.id != rule.id }.isEmpty
    }

    /// The default rules where they are missing (see `RoutingSeed`): the demo seeder calls this last.
    @discardableResult
    func seedDefaults(now: Date = .now) async throws -> Bool {
        try await database.db().transaction { tx in try await RoutingStore.seedDefaults(on: tx, now: now) }
    }

    // MARK: Closure days

    func closureDays() async throws -> [ClosureDay] {
        try await ClosureDay.query(on: database.db()).sort(\.$date).all()
    }

    func addClosureDay(_ draft: ClosureDayDraft, by principal: Principal) async throws -> ClosureDay {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        return try await database.db().transaction { tx in
            let existing = try await ClosureDay.query(on: tx).all()
            if existing.contains(where: { $0.day == CalendarDay(valid.date) }) { throw AppError.invalid([FieldIssue("date", "taken")]) }
            let day = ClosureDay(date: valid.date, description: valid.description)
            try await day.create(on: tx)
            try await Audit.record(.create, "closure_day", day.id!.uuidString, by: principal, on: tx)
            return day
        }
    }

    func removeClosureDay(_ id: UUID, by principal: Principal) async throws {
        try await database.db().transaction { tx in
            guard let day = try await ClosureDay.find(id, on: tx) else { throw AppError.notFound }
            try await day.delete(on: tx)
            try await Audit.record(.update, "closure_day", id.uuidString, by: principal, purpose: "removed", on: tx)
        }
    }

    /// The working-day calendar with the configured closure days.
    func calendar() async throws -> WorkingDayCalendar {
        let db = database.db()
        return try await database.caches.calendar.value(0, on: db.sql) { try await Self.calendar(on: db) }
    }

    /// The active rules, shared between requests while the `catalog` version stands (rules raise
    /// it): what intake matches a new report against. Read, never changed.
    func activeRules() async throws -> [RoutingRule] {
        let db = database.db()
        return try await database.caches.routingRules.value(0, on: db.sql) {
            try await RoutingRule.query(on: db).filter(\.$active == true).all()
        }
    }

    static func calendar(on db: any Database) async throws -> WorkingDayCalendar {
        WorkingDayCalendar(closures: Set(try await ClosureDay.query(on: db).all().map(\.day)))
    }

    // MARK: Intake

    /// The routing of a new report: the matching rule and the deadlines counted from `now`.
    struct Decision: Sendable {
        let rule: RoutingRule
        let acknowledgeDueAt: Date
        let resolveDueAt: Date
    }

    /// Routes a report in the caller's transaction. Seeds the default rules first when no active
    /// fallback exists yet (a fresh installation whose organisations were added after migrating);
    /// `nil` only when there is still no rule that matches (no city organisation at all).
    /// `rules` and `calendar`: what the caller read before its transaction (`activeRules()`,
    /// `calendar()`); without them, or without a fallback rule among them, read here.
    static func route(category: UUID, location: Location, urgency: Urgency, now: Date, rules known: [RoutingRule]? = nil,
                      calendar knownCalendar: WorkingDayCalendar? = nil, on db: any Database) async throws -> Decision? {
        var rules = known ?? []
        if !rules.contains(where: \.isFallback) { rules = try await RoutingRule.query(on: db).filter(\.$active == true).all() }
        if !rules.contains(where: \.isFallback), try await RoutingStore.seedDefaults(on: db, now: now) {
            rules = try await RoutingRule.query(on: db).filter(\.$active == true).all()
        }
        guard let rule = RoutingRules.match(rules, category: category, district: location.districtID, location: location.id!,
                                            urgency: urgency) else { return nil }
        let calendar: WorkingDayCalendar
        if let knownCalendar { calendar = knownCalendar } else { calendar = try await Self.calendar(on: db) }
        return Decision(rule: rule, acknowledgeDueAt: calendar.adding(workingDays: rule.acknowledgeDays, to: now),
                        resolveDueAt: calendar.adding(workingDays: rule.resolveDays, to: now))
    }
}
