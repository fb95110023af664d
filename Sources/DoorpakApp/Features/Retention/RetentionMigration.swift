import FluentKit
import Foundation

struct CreateRetention: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RetentionPeriod.schema)
            .field("record_type", .string, .identifier(auto: false))
            .field("days", .int, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid)
            .create()
        try await database.schema(DestructionRecord.schema)
            .id()
            .field("record_type", .string, .required)
            .field("count", .int, .required)
            .field("period_days", .int, .required)
            .field("cutoff", .datetime, .required)
            .field("at", .datetime, .required)
            .field("method", .string, .required)
            .create()
        try await database.sql.create(index: "destruction_records_at").on(DestructionRecord.schema).column("at").run()
    }
    func revert(on database: any Database) async throws {
        try await database.schema(DestructionRecord.schema).delete()
        try await database.schema(RetentionPeriod.schema).delete()
    }
}
