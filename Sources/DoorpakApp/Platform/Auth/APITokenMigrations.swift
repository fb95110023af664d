import FluentKit
import Foundation

/// Tokens get an expiry; those made before it expire 90 days after they were created.
struct AddAPITokenExpiry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIToken.schema).field("expires_at", .datetime).update()
        for token in try await APIToken.query(on: database).all() {
            token.expiresAt = (token.createdAt ?? .now).addingTimeInterval(APIToken.lifetime)
            try await token.update(on: database)
        }
    }
    func revert(on database: any Database) async throws {
        try await database.schema(APIToken.schema).deleteField("expires_at").update()
    }
}
