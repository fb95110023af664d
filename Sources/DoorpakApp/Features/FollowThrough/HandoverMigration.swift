import FluentKit
import Foundation

struct CreateHandovers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Handover.schema)
            .id()
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("subject_reference", .string, .required)
            .field("district_id", .uuid)
            .field("from_user_id", .uuid, .required, .references(User.schema, "id"))
            .field("from_organisation_id", .uuid, .references(Organisation.schema, "id"))
            .field("to_organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("to_user_id", .uuid, .references(User.schema, "id"))
            .field("reason", .string, .required)
            .field("urgency", .int, .required)
            .field("status", .string, .required)
            .field("answer_reason", .string)
            .field("requested_at", .datetime, .required)
            .field("answer_due_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("answered_by", .uuid, .references(User.schema, "id"))
            .field("escalation_level", .int, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE INDEX handovers_subject ON handovers (subject_kind, subject_id)").run()
        try await sql.raw("CREATE INDEX handovers_pending_user ON handovers (status, to_user_id)").run()
        try await sql.raw("CREATE INDEX handovers_due ON handovers (status, escalation_level, answer_due_at)").run()
        try await sql.raw("CREATE INDEX handovers_pending_organisation ON handovers (status, to_organisation_id)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(Handover.schema).delete() }
}
