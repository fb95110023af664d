import FluentKit
import Foundation
import SQLKit

/// A named lease in the database, so that of several server instances sharing one database only
/// one runs a given background job at a time.
///
/// Taking or renewing a lease is ONE statement, atomic on both databases:
/// ```sql
/// INSERT INTO job_leases (name, holder, expires_at) VALUES (:name, :holder, :until)
/// ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
///   WHERE job_leases.expires_at <= :now OR job_leases.holder = excluded.holder
/// RETURNING holder
/// ```
/// - PostgreSQL: a second inserter of the same name waits on the primary key until the first
///   commits, then evaluates the `WHERE` against the committed row (READ COMMITTED re-check), so
///   it sees the fresh lease and updates nothing: no row comes back.
/// - SQLite: the statement takes the database's write lock; writers are serialised.
/// A row comes back exactly when the caller holds the lease afterwards.
public enum JobLease {
    static let table = "job_leases"

    /// Takes the lease `name` for `holder` until `now + duration`, or renews it when `holder`
    /// already has it. Returns `false` while another holder's lease has not expired.
    public static func acquire(_ name: String, holder: String, for duration: TimeInterval, now: Date,
                               on db: any Database) async throws -> Bool {
        let until = now.addingTimeInterval(duration)
        let row = try await db.sql.raw("""
            INSERT INTO \(ident: table) (name, holder, expires_at) VALUES (\(bind: name), \(bind: holder), \(bind: until))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE \(ident: table).expires_at <= \(bind: now) OR \(ident: table).holder = excluded.holder
            RETURNING holder
            """).first()
        guard let row else { return false }
        return (try? row.decode(column: "holder", as: String.self)) == holder
    }

    public static func acquire(_ name: String, holder: String, for duration: Duration, now: Date,
                               on db: any Database) async throws -> Bool {
        try await acquire(name, holder: holder, for: duration.timeInterval, now: now, on: db)
    }

    /// Gives the lease up early (at shutdown), so another instance need not wait for it to expire.
    /// Does nothing when `holder` does not hold it.
    public static func release(_ name: String, holder: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM \(ident: table) WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
    }

    /// Takes or renews the lease and, when it is held, runs `work` with a handle and the same `now`.
    /// Returns whether the work ran.
    static func whileHeld(_ name: String, holder: String, for duration: Duration, now: Date, database: AppDatabase,
                          work: @Sendable (_ db: any Database, _ now: Date) async throws -> Void) async throws -> Bool {
        let db = database.db()
        guard try await acquire(name, holder: holder, for: duration, now: now, on: db) else { return false }
        try await work(db, now)
        return true
    }

    /// Gives the lease up at shutdown; nothing when the pools are already gone (the whole
    /// application stopping at once).
    static func release(_ name: String, holder: String, database: AppDatabase) async throws {
        if let db = database.dbIfRunning() { try await release(name, holder: holder, on: db) }
    }

    /// Who holds `name` at `now`, if anyone (for tests and inspection).
    public static func holder(of name: String, now: Date, on db: any Database) async throws -> String? {
        let row = try await db.sql.raw("""
            SELECT holder FROM \(ident: table) WHERE name = \(bind: name) AND expires_at > \(bind: now)
            """).first()
        return try row?.decode(column: "holder", as: String.self)
    }

    /// A holder name for this process: unique per start, so two instances on one host differ.
    public static let processHolder: String = {
        let host = ProcessInfo.processInfo.hostName.prefix(40)
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"
    }()
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

struct CreateJobLeases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JobLease.table)
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string, .required)
            .field("expires_at", .datetime, .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(JobLease.table).delete() }
}
