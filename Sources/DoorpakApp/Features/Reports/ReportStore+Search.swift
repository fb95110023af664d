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
