import FluentKit
import Foundation
import SQLKit

/// Multi-row INSERTs for generated rows: thousands of rows per statement, bound the same way
/// FluentKit binds them (UUIDs, dates and numbers as the driver encodes them), so the rows read
/// back exactly like rows the application wrote.
enum DemoBulk {
    /// Binds per statement: below SQLite's limit of 32,766 and PostgreSQL's 65,535.
    private static let bindsPerStatement = 30_000

    private static let reportColumns = [
        "id", "reference", "kind", "category_id", "location_id", "district_id", "place_id", "occurred_at",
        "description", "search_text", "urgency", "source", "status", "organisation_id", "owner_id", "reporter_id",
        "created_at", "updated_at",
    ]
    private static let eventColumns = ["id", "report_id", "at", "actor_id", "field", "from_value", "to_value", "reason", "seq"]
    private static let noteColumns = ["id", "report_id", "author_id", "body", "created_at"]

    static func insert(_ reports: [DemoReportGenerator.ReportRow], on db: any SQLDatabase) async throws {
        try await insert(reports, into: Report.schema, columns: reportColumns, on: db) { row in
            [bind(row.id), bind(row.reference), bind(row.kind.rawValue), bind(row.categoryID), bind(row.locationID),
             bind(row.districtID), maybe(row.placeID), bind(date(row.occurredAt)), bind(row.description),
             bind(row.searchText), bind(row.urgency), maybe(row.source?.rawValue), bind(row.status.rawValue),
             maybe(row.organisationID), maybe(row.ownerID), bind(row.reporterID), bind(date(row.createdAt)),
             bind(date(row.updatedAt))]
        }
    }

    static func insert(_ events: [DemoReportGenerator.EventRow], on db: any SQLDatabase) async throws {
        try await insert(events, into: ReportEvent.schema, columns: eventColumns, on: db) { row in
            [bind(row.id), bind(row.reportID), bind(date(row.at)), maybe(row.actorID), bind(row.field.rawValue),
             maybe(row.from), maybe(row.to), maybe(row.reason), bind(WriteSequence.next())]
        }
    }

    static func insert(_ notes: [DemoReportGenerator.NoteRow], on db: any SQLDatabase) async throws {
        try await insert(notes, into: ReportNote.schema, columns: noteColumns, on: db) { row in
            [bind(row.id), bind(row.reportID), bind(row.authorID), bind(row.body), bind(date(row.createdAt))]
        }
    }

    /// Sets each year's reference counter to the last number used, so new reports continue the sequence.
    static func setCounters(_ counters: [Int: Int], on db: any SQLDatabase) async throws {
        for (year, value) in counters.sorted(by: { $0.key < $1.key }) {
            try await db.raw("""
                INSERT INTO reference_counters (name, value) VALUES (\(bind: "report-\(year)"), \(bind: value))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """).run()
        }
    }

    /// The last number used per year, from the counters table.
    static func counters(on db: any Database) async throws -> [Int: Int] {
        var result: [Int: Int] = [:]
        for counter in try await ReferenceCounter.query(on: db).all() {
            guard let name = counter.id, name.hasPrefix("report-"), let year = Int(name.dropFirst("report-".count)) else { continue }
            result[year] = counter.value
        }
        return result
    }

    private static func insert<Row>(_ rows: [Row], into table: String, columns: [String], on db: any SQLDatabase,
                                    values: (Row) -> [any SQLExpression]) async throws {
        let perStatement = max(1, bindsPerStatement / columns.count)
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + perStatement, rows.endIndex)
            let builder = db.insert(into: table).columns(columns)
            for row in rows[start..<end] { _ = builder.values(values(row)) }
            try await builder.run()
            start = end
        }
    }

    private static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    private static func bind(_ value: some Encodable & Sendable) -> any SQLExpression { SQLBind(value) }

    private static func maybe(_ value: (some Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}
