import FluentKit
import Foundation
import SQLKit

/// What was reported: an incident ("melding") or an early signal ("signaal").
enum ReportKind: String, Codable, CaseIterable, Sendable { case incident, signal }

/// How a report reached us when it was not entered first-hand.
enum ReportSource: String, Codable, CaseIterable, Sendable {
    case inPerson = "in_person", phone, email, residentReport = "resident", partner, other
}

/// An incident or signal at a location, with one responsible organisation and, once picked up, one owner.
final class Report: Model, @unchecked Sendable {
    static let schema = "reports"
    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "kind") var kind: String
    @Field(key: "category_id") var categoryID: UUID
    @Field(key: "location_id") var locationID: UUID
    /// Copied from the location so that district filters and scopes need no join.
    @Field(key: "district_id") var districtID: UUID
    @OptionalField(key: "place_id") var placeID: UUID?
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "description") var description: String
    /// Lower-cased reference and description, for free-text search on both databases alike.
    @Field(key: "search_text") var searchText: String
    @Field(key: "urgency") var urgency: Int
    @OptionalField(key: "source") var source: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @OptionalField(key: "owner_id") var ownerID: UUID?
    /// The team of the responsible organisation whose queue holds the report while it has no owner.
    @OptionalField(key: "team_id") var teamID: UUID?
    @Field(key: "reporter_id") var reporterID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The routing rule that chose the organisation at intake, and the deadlines it set (working days).
    @OptionalField(key: "routing_rule_id") var routingRuleID: UUID?
    @OptionalField(key: "acknowledge_due_at") var acknowledgeDueAt: Date?
    @OptionalField(key: "resolve_due_at") var resolveDueAt: Date?
    /// The escalation rung reached against the running deadline (`EscalationLevel`); back to 0
    /// when another deadline starts running (picked up, reopened).
    @Field(key: "escalation_level") var escalationLevel: Int

    init() {}

    var reportStatus: ReportStatus { ReportStatus(rawValue: status) ?? .new }
    var reportUrgency: Urgency { Urgency(rawValue: urgency) ?? .normal }
    var reportKind: ReportKind { ReportKind(rawValue: kind) ?? .incident }

    static func searchText(reference: String, description: String) -> String {
        (reference + " " + description).lowercased()
    }
}

/// A note added to a report.
final class ReportNote: Model, @unchecked Sendable {
    static let schema = "report_notes"
    @ID(key: .id) var id: UUID?
    @Field(key: "report_id") var reportID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(reportID: UUID, authorID: UUID, body: String, createdAt: Date) {
        self.reportID = reportID
        self.authorID = authorID
        self.body = body
        self.createdAt = createdAt
    }
}

/// One change in a report's history: append-only, never edited.
final class ReportEvent: Model, @unchecked Sendable {
    static let schema = "report_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "report_id") var reportID: UUID
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "field") var field: String
    @OptionalField(key: "from_value") var fromValue: String?
    @OptionalField(key: "to_value") var toValue: String?
    @OptionalField(key: "reason") var reason: String?
    /// The order of writing within the same second (`WriteSequence`): history sorts by `(at, seq)`.
    @Field(key: "seq") var seq: Int64

    init() {}
    init(reportID: UUID, at: Date, actorID: UUID?, field: ReportField, from: String?, to: String?, reason: String? = nil) {
        self.seq = WriteSequence.next()
        self.reportID = reportID
        self.at = at
        self.actorID = actorID
        self.field = field.rawValue
        self.fromValue = from
        self.toValue = to
        self.reason = reason
    }
}

/// What a history entry is about.
enum ReportField: String, Codable, Sendable {
    case created, status, urgency, owner, organisation, note
    /// Routed at intake; `to` is the routing rule's id.
    case routed
    /// Follow-through: hand-overs (`to` = the hand-over's new status), actions (`to` = the action's
    /// status), escalation rungs (`to` = the level code) and breakthrough decisions (`reason` = the decision).
    case handover, action, escalated, decision
    /// A file attached (`to` = the attachment's id; its name and content are the attachment's).
    case attachment
}

/// Counters for readable references (`DP-2026-000123`), one row per year.
final class ReferenceCounter: Model, @unchecked Sendable {
    static let schema = "reference_counters"
    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: Int
    init() {}
}

struct CreateReports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Report.schema)
            .id()
            .field("reference", .string, .required)
            .field("kind", .string, .required)
            .field("category_id", .uuid, .required, .references(Category.schema, "id"))
            .field("location_id", .uuid, .required, .references(Location.schema, "id"))
            .field("district_id", .uuid, .required, .references(District.schema, "id"))
            .field("place_id", .uuid, .references(Place.schema, "id"))
            .field("occurred_at", .datetime, .required)
            .field("description", .string, .required)
            .field("search_text", .string, .required)
            .field("urgency", .int, .required)
            .field("source", .string)
            .field("status", .string, .required)
            .field("organisation_id", .uuid, .references(Organisation.schema, "id"))
            .field("owner_id", .uuid, .references(User.schema, "id"))
            .field("reporter_id", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "reference")
            .create()
        try await database.schema(ReportNote.schema)
            .id()
            .field("report_id", .uuid, .required, .references(Report.schema, "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references(User.schema, "id"))
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(ReportEvent.schema)
            .id()
            .field("report_id", .uuid, .required, .references(Report.schema, "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid, .references(User.schema, "id"))
            .field("field", .string, .required)
            .field("from_value", .string)
            .field("to_value", .string)
            .field("reason", .string)
            .create()
        try await database.schema(ReferenceCounter.schema)
            .field("name", .string, .identifier(auto: false))
            .field("value", .int, .required)
            .create()
        // Worklist indexes: every list is "scope (+ filters) newest first".
        let sql = database.sql
        let indexes: [(String, [String])] = [
            ("reports_occurred", ["occurred_at", "id"]),
            ("reports_district_occurred", ["district_id", "occurred_at"]),
            ("reports_location_occurred", ["location_id", "occurred_at"]),
            ("reports_organisation_occurred", ["organisation_id", "occurred_at"]),
            ("reports_status_occurred", ["status", "occurred_at"]),
            ("reports_category_occurred", ["category_id", "occurred_at"]),
            ("reports_owner", ["owner_id"]),
            ("report_notes_report", ["report_id"]),
            ("report_events_report", ["report_id", "at"]),
        ]
        for (name, columns) in indexes {
            let table = name.hasPrefix("report_notes") ? ReportNote.schema : name.hasPrefix("report_events") ? ReportEvent.schema : Report.schema
            var builder = sql.create(index: name).on(table)
            for column in columns { builder = builder.column(column) }
            try await builder.run()
        }
    }
    func revert(on database: any Database) async throws {
        try await database.schema(ReferenceCounter.schema).delete()
        try await database.schema(ReportEvent.schema).delete()
        try await database.schema(ReportNote.schema).delete()
        try await database.schema(Report.schema).delete()
    }
}
