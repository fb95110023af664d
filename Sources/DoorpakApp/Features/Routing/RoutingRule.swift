import FluentKit
import Foundation

/// Where a new report goes: for a category (or any category, the fallback), optionally narrowed
/// to a district or a location and to an urgency, the responsible organisation and the deadlines
/// for acknowledging and resolving it, in working days.
final class RoutingRule: Model, @unchecked Sendable {
    static let schema = "routing_rules"
    @ID(key: .id) var id: UUID?
    /// `nil`: any category.
    @OptionalField(key: "category_id") var categoryID: UUID?
    @OptionalField(key: "district_id") var districtID: UUID?
    @OptionalField(key: "location_id") var locationID: UUID?
    /// The urgency level (`Urgency.rawValue`); `nil`: any urgency.
    @OptionalField(key: "urgency") var urgency: Int?
    @Field(key: "organisation_id") var organisationID: UUID
    /// A team of that organisation whose queue receives the reports; `nil`: the whole organisation.
    @OptionalField(key: "team_id") var teamID: UUID?
    @Field(key: "acknowledge_days") var acknowledgeDays: Int
    @Field(key: "resolve_days") var resolveDays: Int
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(id: UUID? = nil, categoryID: UUID? = nil, districtID: UUID? = nil, locationID: UUID? = nil, urgency: Urgency? = nil,
         organisationID: UUID, acknowledgeDays: Int, resolveDays: Int, active: Bool = true, createdAt: Date) {
        self.id = id
        self.categoryID = categoryID
        self.districtID = districtID
        self.locationID = locationID
        self.urgency = urgency?.rawValue
        self.organisationID = organisationID
        self.acknowledgeDays = acknowledgeDays
        self.resolveDays = resolveDays
        self.active = active
        self.createdAt = createdAt
    }

    /// A rule for any category, anywhere, at any urgency: what routes a report no other rule matches.
    var isFallback: Bool { categoryID == nil && districtID == nil && locationID == nil && urgency == nil }
    var ruleUrgency: Urgency? { urgency.flatMap(Urgency.init(rawValue:)) }
}

/// A day the organisation is closed (e.g. a bridge day): it does not count as a working day.
final class ClosureDay: Model, @unchecked Sendable {
    static let schema = "closure_days"
    @ID(key: .id) var id: UUID?
    /// Noon of the day in Amsterdam (see `LocationDraft.day`).
    @Field(key: "date") var date: Date
    @Field(key: "description") var description: String

    init() {}
    init(id: UUID? = nil, date: Date, description: String) {
        self.id = id
        self.date = date
        self.description = description
    }

    var day: CalendarDay { CalendarDay(date) }
}

/// The routing and closure-day tables. Seeds the default rules when organisations already exist;
/// on a fresh installation they are seeded at the first intake instead (see `RoutingStore.seedDefaults`).
struct CreateRoutingRules: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RoutingRule.schema)
            .id()
            .field("category_id", .uuid, .references(Category.schema, "id"))
            .field("district_id", .uuid, .references(District.schema, "id"))
            .field("location_id", .uuid, .references(Location.schema, "id"))
            .field("urgency", .int)
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("acknowledge_days", .int, .required)
            .field("resolve_days", .int, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(ClosureDay.schema)
            .id()
            .field("date", .datetime, .required)
            .field("description", .string, .required)
            .create()
        _ = try await RoutingStore.seedDefaults(on: database, now: .now)
    }
    func revert(on database: any Database) async throws {
        try await database.schema(ClosureDay.schema).delete()
        try await database.schema(RoutingRule.schema).delete()
    }
}

/// What routing wrote on a report: the rule and the two deadlines. No foreign key on the rule:
/// SQLite cannot add one to an existing table, and rules are never deleted (only deactivated).
struct AddReportRouting: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema(Report.schema).field("routing_rule_id", .uuid).update()
        try await database.schema(Report.schema).field("acknowledge_due_at", .datetime).update()
        try await database.schema(Report.schema).field("resolve_due_at", .datetime).update()
    }
    func revert(on database: any Database) async throws {
        for column in ["resolve_due_at", "acknowledge_due_at", "routing_rule_id"] {
            try await database.schema(Report.schema).deleteField(.key(.init(stringLiteral: column))).update()
        }
    }
}
