import FluentKit
import SQLKit

/// Indexes for counting per status within a scope. Every branch of a scope's OR (its districts,
/// locations or organisation; what the user reported; what the user owns) has an index that ends
/// in `status`, so SQLite and PostgreSQL count each status by index search instead of table scans.
struct AddReportScopeIndexes: AsyncMigration {
    static let indexes: [(String, [String])] = [
        ("reports_district_status", ["district_id", "status"]),
        ("reports_location_status", ["location_id", "status"]),
        ("reports_organisation_status", ["organisation_id", "status"]),
        ("reports_reporter_status", ["reporter_id", "status"]),
        ("reports_owner_status", ["owner_id", "status"]),
    ]

    func prepare(on database: any Database) async throws {
        for (name, columns) in Self.indexes {
            var builder = database.sql.create(index: name).on(Report.schema)
            for column in columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    func revert(on database: any Database) async throws {
        for (name, _) in Self.indexes { try await database.sql.drop(index: name).run() }
    }
}
