import FluentKit
import Foundation

struct CreateCategories: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Category.schema)
            .id()
            .field("code", .string, .required)
            .field("name_nl", .string, .required)
            .field("name_en", .string, .required)
            .field("default_urgency", .int, .required)
            .field("default_organisation_kind", .string, .required)
            .field("active", .bool, .required)
            .field("position", .int, .required)
            .unique(on: "code")
            .create()
        for category in CategorySeed.all { try await category.create(on: database) }
    }
    func revert(on database: any Database) async throws { try await database.schema(Category.schema).delete() }
}
