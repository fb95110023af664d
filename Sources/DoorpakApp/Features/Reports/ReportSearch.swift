import FluentKit
import Foundation
import SQLKit

/// Free-text search of reports with the database's own full-text index, kept in the transaction
/// that writes the report (no separate search engine that can drift from the rows):
/// - SQLite: an FTS5 table over `reports.search_text` (external content, by rowid), kept by triggers
///   on insert, delete and a changed `search_text`;
/// - PostgreSQL: a stored generated `tsvector` column with a GIN index: the Dutch configuration's
///   stems (accents and inflections) beside the plain words (`simple`), so that a word start finds
///   the word even where its stem is no prefix of it.
/// Each word the user types must occur, as a word or the start of one (`mes` finds "mes" and
/// "messen"), accents ignored. A term without letters or digits finds nothing.
enum ReportSearch {
    /// At most this many words of a query count.
    static let maxTerms = 8

    /// The words of a query: letters and digits only, lower-cased.
    static func terms(_ text: String) -> [String] {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        return Array(words.prefix(maxTerms))
    }

    /// The condition on `reports` for `text`, on PostgreSQL or SQLite.
    static func condition(_ text: String, postgres: Bool) -> SQLQueryString {
        let terms = terms(text)
        guard !terms.isEmpty else { return "1 = 0" }
        if postgres {
            // Each term a prefix, as a Dutch stem or as the word itself (a stemmed prefix alone would
            // miss: "rook" stems to "rok", no prefix of "rookontwikkel"); the terms AND-ed.
            var condition: SQLQueryString = "reports.search_vector @@ ("
            for (index, term) in terms.enumerated() {
                if index > 0 { condition.appendInterpolation(unsafeRaw: " && ") }
                condition.appendInterpolation(unsafeRaw: "(to_tsquery('dutch', ")
                condition.appendInterpolation(bind: "\(term):*")
                condition.appendInterpolation(unsafeRaw: ") || to_tsquery('simple', ")
                condition.appendInterpolation(bind: "\(term):*")
                condition.appendInterpolation(unsafeRaw: "))")
            }
            condition.appendInterpolation(unsafeRaw: ")")
            return condition
        }
        // FTS5: each term a quoted prefix (no operator of FTS5's query syntax gets through).
        let query = terms.map { "\"\($0)\"*" }.joined(separator: " ")
        return "reports.rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH \(bind: query))"
    }
}

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
