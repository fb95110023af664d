import FluentKit
import Foundation
import SQLKit

struct CreatePersonCorrections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonCorrection.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, "id"))
            .field("field", .string, .required)
            .field("old_sealed", .string)
            .field("new_sealed", .string)
            .field("reason", .string, .required)
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("role", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.sql.create(index: "person_corrections_person").on(PersonCorrection.schema).column("person_id").column("at").run()
    }

    func revert(on database: any Database) async throws { try await database.schema(PersonCorrection.schema).delete() }
}
