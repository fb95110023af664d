import FluentKit
import Foundation
import SQLKit

/// The anchors of archived prefixes of the access log (see `AuditArchive`).
struct CreateAuditChainAnchors: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditArchive.anchorTable)
            .field("seq", .int, .identifier(auto: false))
            .field("hash", .string, .required)
            .field("entry_count", .int, .required)
            .field("file", .string, .required)
            .field("sha256", .string, .required)
            .field("archived_before", .datetime, .required)
            .field("archived_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(AuditArchive.anchorTable).delete() }
}
