import FluentKit
import Foundation

struct CreateActions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Action.schema)
            .id()
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("subject_reference", .string, .required)
            .field("district_id", .uuid)
            .field("title", .string, .required)
            .field("urgency", .int, .required)
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("assignee_id", .uuid, .references(User.schema, "id"))
            .field("due_on", .string, .required)
            .field("status", .string, .required)
            .field("result", .string)
            .field("cancel_reason", .string)
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("closed_by", .uuid, .references(User.schema, "id"))
            .field("closed_at", .datetime)
            .field("escalation_level", .int, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE INDEX actions_subject ON actions (subject_kind, subject_id)").run()
        try await sql.raw("CREATE INDEX actions_open_due ON actions (status, urgency, escalation_level, due_on)").run()
        try await sql.raw("CREATE INDEX actions_assignee ON actions (assignee_id, status)").run()
        try await sql.raw("CREATE INDEX actions_organisation ON actions (organisation_id, status)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(Action.schema).delete() }
}
