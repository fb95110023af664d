import FluentKit
import SQLKit

/// Builds the full-text index over the existing reports (see `ReportSearch`).
struct AddReportFullTextSearch: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                ALTER TABLE reports ADD COLUMN search_vector tsvector
                GENERATED ALWAYS AS (to_tsvector('dutch', search_text) || to_tsvector('simple', search_text)) STORED
                """).run()
            try await sql.raw("CREATE INDEX reports_search_vector ON reports USING GIN (search_vector)").run()
            return
        }
        // `rowid` is stable here: Doorpak never runs VACUUM (which may renumber the rowids of a table
        // without an INTEGER PRIMARY KEY); who runs it by hand rebuilds the index:
        // INSERT INTO reports_fts(reports_fts) VALUES ('rebuild').
        try await sql.raw("""
            CREATE VIRTUAL TABLE reports_fts USING fts5(search_text, content='reports', content_rowid='rowid',
                tokenize='unicode61 remove_diacritics 2')
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN
                INSERT INTO reports_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
            END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN
                INSERT INTO reports_fts(reports_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
            END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER reports_fts_update AFTER UPDATE OF search_text ON reports BEGIN
                INSERT INTO reports_fts(reports_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
                INSERT INTO reports_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
            END
            """).run()
        try await sql.raw("INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP INDEX reports_search_vector").run()
            try await sql.raw("ALTER TABLE reports DROP COLUMN search_vector").run()
            return
        }
        for trigger in ["reports_fts_insert", "reports_fts_delete", "reports_fts_update"] {
            try await sql.raw("DROP TRIGGER \(ident: trigger)").run()
        }
        try await sql.raw("DROP TABLE reports_fts").run()
    }
}
