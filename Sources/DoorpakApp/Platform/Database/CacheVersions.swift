import FluentKit
import SQLKit

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
