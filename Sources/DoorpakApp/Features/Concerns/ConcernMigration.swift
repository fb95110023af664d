import FluentKit
import SQLKit

/// The "consider a case" items, with the index the navigation's count uses (open items per district).
struct CreateConcernItems: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConcernItem.schema)
            .id()
            .field("person_id", .uuid, .required)
            .field("district_id", .uuid, .references(District.schema, "id"))
            .field("organisation_ids", .string, .required)
            .field("report_ids", .string, .required)
            .field("trigger", .string, .required)
            .field("status", .string, .required)
            .field("raised_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("decided_by", .uuid, .references(User.schema, "id"))
            .field("decided_at", .datetime)
            .field("dismissal_reason", .string)
            .field("case_id", .uuid, .references(CaseFile.schema, "id"))
            .create()
        let sql = database.sql
        try await sql.create(index: "concern_items_status_district").on(ConcernItem.schema).column("status").column("district_id").run()
        try await sql.create(index: "concern_items_person").on(ConcernItem.schema).column("person_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConcernItem.schema).delete()
    }
}
