import FluentKit
import SQLKit

/// Covering indexes for the lists of "Mijn werk" (issue 13). The queues and the owner's list are
/// sorted by urgency or by the running deadline, which no index order serves (a status list
/// `IN (new, in_progress)` splits it), so the database sorts every matching row. At a million
/// reports a site's queue held some two thousand open reports, and reading each row from the table
/// to check its organisation, team and site cost 25–40 ms a page on SQLite. With every column the
/// condition and the order name in the index, only the page's rows are read from the table
/// (1–2 ms). Each index keeps the columns of the one it replaces first, so the counts that used
/// the old ones use these.
struct AddCoveringWorkIndexes: AsyncMigration {
    static let replaced: [(name: String, old: [String], new: [String])] = [
        ("reports_queue", ["organisation_id", "owner_id", "status"],
         ["organisation_id", "owner_id", "status", "location_id", "district_id", "team_id", "urgency", "created_at", "id"]),
        ("reports_owner_status", ["owner_id", "status"],
         ["owner_id", "status", "acknowledge_due_at", "resolve_due_at", "created_at", "id"]),
    ]
    static let added: [(name: String, columns: [String])] = [
        ("reports_district_queue", ["district_id", "owner_id", "status", "organisation_id", "team_id", "escalation_level", "urgency",
                                    "created_at", "id"]),
    ]

    func prepare(on database: any Database) async throws {
        for index in Self.replaced {
            try await database.sql.drop(index: index.name).run()
            try await create(index.name, index.new, on: database)
        }
        for index in Self.added { try await create(index.name, index.columns, on: database) }
    }

    func revert(on database: any Database) async throws {
        for index in Self.added { try await database.sql.drop(index: index.name).run() }
        for index in Self.replaced {
            try await database.sql.drop(index: index.name).run()
            try await create(index.name, index.old, on: database)
        }
    }

    private func create(_ name: String, _ columns: [String], on database: any Database) async throws {
        var builder = database.sql.create(index: name).on(Report.schema)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }
}
