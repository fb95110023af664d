import FluentKit
import Foundation
import SQLKit

struct CreateBreakGlassGrants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BreakGlassGrant.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("role", .string, .required)
            .field("record_type", .string, .required)
            .field("record_id", .string, .required)
            .field("reason", .string, .required)
            .field("granted_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .uuid, .references(User.schema, "id"))
            .field("review_note", .string)
            .create()
        try await database.sql.raw("CREATE INDEX break_glass_grants_user_record ON break_glass_grants (user_id, record_type, record_id)").run()
        try await database.sql.raw("CREATE INDEX break_glass_grants_granted_at ON break_glass_grants (granted_at)").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(BreakGlassGrant.schema).delete() }
}
