import FluentKit
import Foundation
import SQLKit

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
