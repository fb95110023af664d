import FluentKit
import Foundation
import SQLKit

/// What can escalate: a report (against its running deadline), an action, an unanswered hand-over.
enum EscalationItemKind: String, Codable, CaseIterable, Sendable { case report, action, handover }

/// One rung reached by one item against one deadline. The unique key (item, deadline, level) makes
/// an escalation happen once however often, and by however many servers, the job runs.
/// Breakthrough and board rungs carry the meeting's decision once taken.
final class Escalation: Model, @unchecked Sendable {
    static let schema = "escalations"
    @ID(key: .id) var id: UUID?
    @Field(key: "item_kind") var itemKind: String
    @Field(key: "item_id") var itemID: UUID
    /// The report the item belongs to (the report itself, or the report of an action or hand-over).
    @Field(key: "subject_kind") var subjectKind: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "subject_reference") var subjectReference: String
    @OptionalField(key: "district_id") var districtID: UUID?
    @Field(key: "level") var level: Int
    @Field(key: "deadline") var deadline: Date
    @Field(key: "at") var at: Date
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?

    init() {}

    var escalationLevel: EscalationLevel { EscalationLevel(rawValue: level) ?? .none }
    var item: EscalationItemKind { EscalationItemKind(rawValue: itemKind) ?? .report }
}

/// Per urgency, when each rung is reached. Administrators edit it; defaults are seeded.
final class EscalationPolicy: Model, @unchecked Sendable {
    static let schema = "escalation_policies"
    @ID(key: .id) var id: UUID?
    @Field(key: "urgency") var urgency: Int
    @Field(key: "reminder_hours") var reminderHours: Int
    @Field(key: "team_lead_days") var teamLeadDays: Int
    @Field(key: "manager_days") var managerDays: Int
    @Field(key: "coordinator_days") var coordinatorDays: Int
    @Field(key: "breakthrough_days") var breakthroughDays: Int
    @Field(key: "board_days") var boardDays: Int
    @Field(key: "handover_answer_days") var handoverAnswerDays: Int

    init() {}
    init(urgency: Urgency, timing: EscalationTiming) {
        self.urgency = urgency.rawValue
        apply(timing)
    }

    func apply(_ timing: EscalationTiming) {
        reminderHours = timing.reminderHours
        teamLeadDays = timing.teamLeadDays
        managerDays = timing.managerDays
        coordinatorDays = timing.coordinatorDays
        breakthroughDays = timing.breakthroughDays
        boardDays = timing.boardDays
        handoverAnswerDays = timing.handoverAnswerDays
    }

    var timing: EscalationTiming {
        .init(reminderHours: reminderHours, teamLeadDays: teamLeadDays, managerDays: managerDays, coordinatorDays: coordinatorDays,
              breakthroughDays: breakthroughDays, boardDays: boardDays, handoverAnswerDays: handoverAnswerDays)
    }
}

/// Everything follow-through adds: actions, hand-overs, escalations and their timing, the escalation
/// level on reports, team leads on users and managers on organisations.
struct CreateFollowThrough: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await CreateActions().prepare(on: database)
        try await CreateHandovers().prepare(on: database)
        try await database.schema(Escalation.schema)
            .id()
            .field("item_kind", .string, .required)
            .field("item_id", .uuid, .required)
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("subject_reference", .string, .required)
            .field("district_id", .uuid)
            .field("level", .int, .required)
            .field("deadline", .datetime, .required)
            .field("at", .datetime, .required)
            .field("decision", .string)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid, .references(User.schema, "id"))
            .unique(on: "item_kind", "item_id", "deadline", "level")
            .create()
        try await database.schema(EscalationPolicy.schema)
            .id()
            .field("urgency", .int, .required)
            .field("reminder_hours", .int, .required)
            .field("team_lead_days", .int, .required)
            .field("manager_days", .int, .required)
            .field("coordinator_days", .int, .required)
            .field("breakthrough_days", .int, .required)
            .field("board_days", .int, .required)
            .field("handover_answer_days", .int, .required)
            .unique(on: "urgency")
            .create()
        for urgency in Urgency.allCases {
            try await EscalationPolicy(urgency: urgency, timing: .defaults(urgency)).create(on: database)
        }
        try await database.schema(Report.schema).field("escalation_level", .int, .required, .sql(.default(0))).update()
        try await database.schema(User.schema).field("team_lead_id", .uuid).update()
        try await database.schema(Organisation.schema).field("manager_id", .uuid).update()
        let sql = database.sql
        try await sql.raw("CREATE INDEX escalations_subject ON escalations (subject_kind, subject_id)").run()
        try await sql.raw("CREATE INDEX escalations_agenda ON escalations (level, decided_at)").run()
        try await sql.raw("CREATE INDEX reports_escalation_acknowledge ON reports (status, urgency, escalation_level, acknowledge_due_at)").run()
        try await sql.raw("CREATE INDEX reports_escalation_resolve ON reports (status, urgency, escalation_level, resolve_due_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EscalationPolicy.schema).delete()
        try await database.schema(Escalation.schema).delete()
        try await database.schema(Handover.schema).delete()
        try await database.schema(Action.schema).delete()
    }
}
