import FluentKit
import Foundation
import SQLKit
import Synchronization

/// Signed-in principals kept in memory per instance, so that a request does not read the user,
/// their districts and their locations again (three queries on every signed-in request before).
///
/// Why it is safe: the database keeps one version number for everything a principal is made of
/// (`cache_versions`, row `principals`). Triggers on `users`, `user_districts` and `user_locations`
/// raise it in the same transaction as any write to them, whoever writes (a store, the command
/// line, another instance, a cascade). Every request reads that number (one primary-key read) and
/// uses a cached principal only when it was loaded under the same number, so a deactivated user, a
/// changed role, district, location, organisation, team or password takes effect on the very next
/// request, on every instance. Any write drops every cached principal: user writes are rare.
/// Sessions and tokens are still read per request (their revocation needs no extra step).
final class PrincipalCache: Sendable {
    /// A principal as loaded, with what the session check needs from the user row.
    struct Entry: Sendable {
        let principal: Principal
        /// `WebSession.credential(of:)` of the password hash the principal was loaded with.
        let credential: String
    }

    private struct State {
        var version: Int64 = .min
        var entries: [UUID: Entry] = [:]
    }

    private let state = Mutex(State())
    /// Above this many users the cache starts over (a bound on memory, not a working set).
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    /// The entry for a user if it was loaded under `version`.
    func entry(_ userID: UUID, version: Int64) -> Entry? {
        state.withLock { state in state.version == version ? state.entries[userID] : nil }
    }

    /// Keeps an entry loaded under `version` (read before the user was). An entry from an older
    /// version than the cache holds is dropped; a newer version starts the cache over.
    func store(_ entry: Entry, for userID: UUID, version: Int64) {
        state.withLock { state in
            if version > state.version { state = State(version: version) }
            guard version == state.version else { return }
            if state.entries.count >= capacity { state.entries = [:] }
            state.entries[userID] = entry
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// The current version of the principals' data; `nil` when the row is missing (then nothing is cached).
    static func version(on db: any SQLDatabase) async throws -> Int64? { try await CacheVersion.current("principals", on: db) }
}

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
        let postgres = sql.dialect.name == "postgresql"
        try await sql.raw("CREATE TABLE cache_versions (name VARCHAR(40) PRIMARY KEY, version BIGINT NOT NULL)").run()
        for (name, tables) in Self.watched {
            try await sql.raw("INSERT INTO cache_versions (name, version) VALUES (\(bind: name), 1)").run()
            let bump = "UPDATE cache_versions SET version = version + 1 WHERE name = '\(name)';"
            if postgres {
                try await sql.raw("""
                    CREATE FUNCTION bump_\(unsafeRaw: name)_version() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN \(unsafeRaw: bump) RETURN NULL; END $$
                    """).run()
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
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let postgres = sql.dialect.name == "postgresql"
        for (name, tables) in Self.watched {
            for table in tables {
                if postgres {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_\(unsafeRaw: name)_version ON \(ident: table)").run()
                } else {
                    for operation in ["insert", "update", "delete"] {
                        try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_\(unsafeRaw: operation)_\(unsafeRaw: name)_version").run()
                    }
                }
            }
            if postgres { try await sql.raw("DROP FUNCTION IF EXISTS bump_\(unsafeRaw: name)_version()").run() }
        }
        try await sql.raw("DROP TABLE cache_versions").run()
    }
}

/// Reads a version row of `cache_versions`; `nil` when it is missing (then nothing is cached).
enum CacheVersion {
    static func current(_ name: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT version FROM cache_versions WHERE name = \(bind: name)").first()?
            .decode(column: "version", as: Int64.self)
    }
}
