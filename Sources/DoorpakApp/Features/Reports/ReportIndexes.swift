import FluentKit
import SQLKit

/// Indexes for counting per status within a scope, and for "what I reported" in every scope.
struct AddReportScopeIndexes: AsyncMigration {
    static let indexes: [(String, [String])] = [
        ("reports_district_status", ["district_id", "status"]),
        ("reports_location_status", ["location_id", "status"]),
        ("reports_organisation_status", ["organisation_id", "status"]),
        ("reports_reporter", ["reporter_id"]),
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
