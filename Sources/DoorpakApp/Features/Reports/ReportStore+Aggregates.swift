import FluentKit
import Foundation
import SQLKit

/// What location pages ask of reports: counts without content (open to every signed-in role,
/// analysts included) and the open reports at a site within the user's own scope.
extension ReportStore {
    /// The statuses that still need work.
    static let openStatuses = ReportStatus.allCases.filter(\.isOpen).map(\.rawValue)

    /// Reports per category at one location since a date, counted by the database (GROUP BY).
    func categoryCounts(at location: UUID, since: Date) async throws -> [UUID: Int] {
        let rows = try await database.sql().select()
            .column("category_id")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Report.schema)
            .where("location_id", .equal, SQLBind(location))
            .where("occurred_at", .greaterThanOrEqual, SQLBind(since))
            .groupBy("category_id")
            .all()
        var counts: [UUID: Int] = [:]
        for row in rows {
            counts[try row.decode(column: "category_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// Open reports (new or in progress) per location, over all reports: a count, not a record.
    func openCountsByLocation() async throws -> [UUID: Int] {
        let rows = try await database.sql().select()
            .column("location_id")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Report.schema)
            .where("status", .in, SQLBind.group(Self.openStatuses))
            .groupBy("location_id")
            .all()
        var counts: [UUID: Int] = [:]
        for row in rows {
            counts[try row.decode(column: "location_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// The open reports at a location that this user may read, most urgent first; `nil` when the
    /// user reads no records at all (analysts).
    func openReports(at location: UUID, by principal: Principal, limit: Int = 200) async throws -> [Report]? {
        guard principal.reportScope != .none else { return nil }
        return try await scoped(principal, on: database.db())
            .filter(\.$locationID == location)
            .filter(\.$status ~~ Self.openStatuses)
            .sort(\.$urgency, .descending).sort(\.$occurredAt, .descending).sort(\.$id, .descending)
            .limit(limit)
            .all()
    }

    /// Whether any report refers to a place, on the caller's transaction (a place in use stays).
    static func placeIsReferenced(_ place: UUID, on db: any Database) async throws -> Bool {
        try await Report.query(on: db).filter(\.$placeID == place).count() > 0
    }

    /// Report counts per place of a location (all statuses), for showing which places are in use.
    func countsByPlace(at location: UUID) async throws -> [UUID: Int] {
        let rows = try await database.sql().select()
            .column("place_id")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Report.schema)
            .where("location_id", .equal, SQLBind(location))
            .where("place_id", .isNot, SQLLiteral.null)
            .groupBy("place_id")
            .all()
        var counts: [UUID: Int] = [:]
        for row in rows {
            counts[try row.decode(column: "place_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }
}
