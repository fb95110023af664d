import FluentKit
import SQLKit
import Synchronization

/// The version rows of what instances cache (`cache_versions`: `principals`, `catalog`), each raised
/// by triggers on its tables in the same transaction as any write to them. Triggers and not calls in
/// the stores: no writer can forget them (the command line, a cascade, a migration, a later feature).
struct CreateCacheVersions: AsyncMigration {
    static let watched: [(name: String, tables: [String])] = [
        ("principals", ["users", "user_districts", "user_locations"]),
        ("catalog", ["districts", "locations", "places", "categories", "organisations"]),
    ]

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE TABLE cache_versions (name VARCHAR(40) PRIMARY KEY, version BIGINT NOT NULL)").run()
        for (name, tables) in Self.watched {
            try await Self.watch(tables, raising: name, createRow: true, on: sql)
        }
    }

    /// Adds the version row `name` (when `createRow`) and triggers on `tables` that raise it in the
    /// same transaction as any write to them (PostgreSQL: once per statement; SQLite: per row).
    static func watch(_ tables: [String], raising name: String, createRow: Bool, on sql: any SQLDatabase) async throws {
        let postgres = sql.dialect.name == "postgresql"
        let bump = "UPDATE cache_versions SET version = version + 1 WHERE name = '\(name)';"
        if createRow {
            try await sql.raw("INSERT INTO cache_versions (name, version) VALUES (\(bind: name), 1)").run()
            if postgres {
                try await sql.raw("""
                    CREATE FUNCTION bump_\(unsafeRaw: name)_version() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN \(unsafeRaw: bump) RETURN NULL; END $$
                    """).run()
            }
        }
        for table in tables {
            if postgres {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_\(unsafeRaw: name)_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
                    ON \(ident: table) FOR EACH STATEMENT EXECUTE FUNCTION bump_\(unsafeRaw: name)_version()
                    """).run()
            } else {
                for operation in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: table)_\(unsafeRaw: operation.lowercased())_\(unsafeRaw: name)_version
                        AFTER \(unsafeRaw: operation) ON \(ident: table) BEGIN \(unsafeRaw: bump) END
                        """).run()
                }
            }
        }
    }

    /// Drops what `watch` made (the row stays to the table's own revert).
    static func unwatch(_ tables: [String], raising name: String, dropFunction: Bool, on sql: any SQLDatabase) async throws {
        let postgres = sql.dialect.name == "postgresql"
        for table in tables {
            if postgres {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_\(unsafeRaw: name)_version ON \(ident: table)").run()
            } else {
                for operation in ["insert", "update", "delete"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_\(unsafeRaw: operation)_\(unsafeRaw: name)_version").run()
                }
            }
        }
        if postgres && dropFunction { try await sql.raw("DROP FUNCTION IF EXISTS bump_\(unsafeRaw: name)_version()").run() }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for (name, tables) in Self.watched {
            try await Self.unwatch(tables, raising: name, dropFunction: true, on: sql)
        }
        try await sql.raw("DROP TABLE cache_versions").run()
    }
}

/// The `counts` version: what the navigation counts, the worklist's status counts and a lead's
/// team are computed from (records, their follow-through, notifications, and who may see them).
/// Any write to these tables raises it, so a cached count is used only until anything it could
/// depend on changes. Also watches the working-day calendar's closure days and the routing rules
/// under `catalog` (both cached with it: `SharedCaches`).
///
/// Unlike the rarely written principals and catalog, these tables are written by most
/// transactions, and on PostgreSQL a transaction that raised the version holds that row's lock
/// until it commits. Raised at once, two transactions could each hold one of the version row and
/// the audit chain's head and wait for the other (a deadlock). So on PostgreSQL a write only marks
/// its transaction (`cache_version_marks`, one row per transaction, no shared lock), and a
/// deferred trigger on the mark raises the version when the transaction commits, after all its
/// other work: whoever holds the version row then waits for nothing. SQLite has one writer at a
/// time and raises it at once.
struct AddCountCacheVersion: AsyncMigration {
    static let counts = ["reports", "handovers", "actions", "concern_items", "notifications", "teams",
                         "users", "user_districts", "user_locations", "categories", "organisations"]
    static let catalog = ["closure_days", "routing_rules"]

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("INSERT INTO cache_versions (name, version) VALUES ('counts', 1)").run()
            try await sql.raw("CREATE TABLE cache_version_marks (txid BIGINT PRIMARY KEY)").run()
            try await sql.raw("""
                CREATE FUNCTION mark_counts_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO cache_version_marks (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING; RETURN NULL; END $$
                """).run()
            try await sql.raw("""
                CREATE FUNCTION bump_counts_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  UPDATE cache_versions SET version = version + 1 WHERE name = 'counts';
                  DELETE FROM cache_version_marks WHERE txid = NEW.txid;
                  RETURN NULL;
                END $$
                """).run()
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER cache_version_marks_bump AFTER INSERT ON cache_version_marks
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_counts_version()
                """).run()
            for table in Self.counts {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_counts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
                    ON \(ident: table) FOR EACH STATEMENT EXECUTE FUNCTION mark_counts_version()
                    """).run()
            }
        } else {
            try await CreateCacheVersions.watch(Self.counts, raising: "counts", createRow: true, on: sql)
        }
        try await CreateCacheVersions.watch(Self.catalog, raising: "catalog", createRow: false, on: sql)
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await CreateCacheVersions.unwatch(Self.catalog, raising: "catalog", dropFunction: false, on: sql)
        if sql.dialect.name == "postgresql" {
            for table in Self.counts {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_counts_version ON \(ident: table)").run()
            }
            try await sql.raw("DROP TABLE cache_version_marks").run()
            try await sql.raw("DROP FUNCTION mark_counts_version()").run()
            try await sql.raw("DROP FUNCTION bump_counts_version()").run()
        } else {
            try await CreateCacheVersions.unwatch(Self.counts, raising: "counts", dropFunction: false, on: sql)
        }
        try await sql.raw("DELETE FROM cache_versions WHERE name = 'counts'").run()
    }
}

/// Reads a version row of `cache_versions`; `nil` when it is missing (then nothing is cached).
enum CacheVersion {
    static func current(_ name: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT version FROM cache_versions WHERE name = \(bind: name)").first()?
            .decode(column: "version", as: Int64.self)
    }
}

/// Values kept in memory per instance under one row of `cache_versions` (`watching`): a value is
/// used only while the version it was computed under stands; a newer version starts the cache over.
/// `value(_:on:compute:)` reads the version before the rows a value is computed from, so that a
/// write in between leaves the value under the older version (and it is never used).
final class VersionedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var version: Int64 = .min
        var entries: [Key: Value] = [:]
    }

    private let state = Mutex(State())
    /// The row of `cache_versions` the values depend on.
    let watching: String
    /// Above this many entries the cache starts over (a bound on memory, not a working set).
    let capacity: Int

    init(watching: String, capacity: Int = 20_000) {
        self.watching = watching
        self.capacity = capacity
    }

    /// The current version of the watched row; `nil` when the row is missing (then nothing is cached).
    func version(on db: any SQLDatabase) async throws -> Int64? { try await CacheVersion.current(watching, on: db) }

    /// The value for `key`, computed (and kept) when missing under the watched row's current version.
    func value(_ key: Key, on db: any SQLDatabase, compute: () async throws -> Value) async throws -> Value {
        try await value(key, version: version(on: db), compute: compute)
    }

    /// The value for `key` if it was computed under `version`.
    func value(_ key: Key, version: Int64) -> Value? {
        state.withLock { state in state.version == version ? state.entries[key] : nil }
    }

    /// Keeps a value computed under `version`. A value from an older version than the cache holds
    /// is dropped; a newer version starts the cache over.
    func store(_ value: Value, for key: Key, version: Int64) {
        state.withLock { state in
            if version > state.version { state = State(version: version) }
            guard version == state.version else { return }
            if state.entries.count >= capacity { state.entries = [:] }
            state.entries[key] = value
        }
    }

    /// The value for `key` under `version`, computed (and kept) when missing; without a version
    /// (the row is missing) always computed.
    func value(_ key: Key, version: Int64?, compute: () async throws -> Value) async throws -> Value {
        guard let version else { return try await compute() }
        if let hit = value(key, version: version) { return hit }
        let value = try await compute()
        store(value, for: key, version: version)
        return value
    }

    var count: Int { state.withLock { $0.entries.count } }
}
