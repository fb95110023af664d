import FluentKit
import SQLKit

/// Gives the history tables (`report_events`, `case_events`, `cooling_off_events`) a `seq` column,
/// so that entries written in the same second keep the order in which they were written
/// (`WriteSequence`). Existing rows are numbered in the order they were stored: by time, then by
/// SQLite's rowid or PostgreSQL's physical row position (history is append-only, never updated).
struct AddHistorySequence: AsyncMigration {
    static let tables = ["report_events", "case_events", "cooling_off_events"]

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let storedOrder = sql.dialect.name == "postgresql" ? "ctid" : "rowid"
        for table in Self.tables {
            try await database.schema(table).field("seq", .int64, .required, .sql(.default(0))).update()
            try await sql.raw("""
                UPDATE \(ident: table) SET seq = numbered.n
                FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY at, \(unsafeRaw: storedOrder)) AS n FROM \(ident: table)) AS numbered
                WHERE \(ident: table).id = numbered.id
                """).run()
            try await sql.create(index: "\(table)_at_seq").on(table).column("at").column("seq").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for table in Self.tables {
            try await sql.drop(index: "\(table)_at_seq").run()
            try await database.schema(table).deleteField("seq").update()
        }
    }
}

/// Gives the rows the case timeline merges with the history tables a write order too: a case's
/// actions (agreed, closed), notes and escalations. Rows written before are `NULL` (the timeline puts
/// them, within their second, before those with an order, as it did).
struct AddTimelineSequence: AsyncMigration {
    static let columns = [("actions", "created_seq"), ("actions", "closed_seq"), ("case_notes", "seq"), ("escalations", "seq")]

    func prepare(on database: any Database) async throws {
        for (table, column) in Self.columns {
            try await database.schema(table).field(.definition(name: .key(FieldKey(stringLiteral: column)), dataType: .int64, constraints: [])).update()
        }
    }

    func revert(on database: any Database) async throws {
        for (table, column) in Self.columns {
            try await database.schema(table).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}
