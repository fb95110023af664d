import FluentKit
import SQLKit

/// Makes the access log append-only in the database itself: triggers refuse every UPDATE and
/// DELETE on `audit_entries` (and TRUNCATE on PostgreSQL), whoever sends them — the application,
/// a script or someone at a database prompt with the application's account. Only someone who may
/// change the schema can drop the triggers, and then the hash chain still shows what they did
/// (`doorpak audit verify`).
///
/// The retention purge therefore never deletes entries; the log is archived by a separate,
/// documented procedure (docs/retention.md) that drops and re-creates these triggers in one
/// maintenance transaction.
struct AuditAppendOnly: AsyncMigration {
    static let message = "audit_entries is append-only"

    func prepare(on database: any Database) async throws {
        try await Self.install(on: database)
    }

    func revert(on database: any Database) async throws {
        try await Self.drop(on: database)
    }

    static func install(on database: any Database) async throws {
        let sql = database.sql
        let table = AuditEntry.schema
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '\(unsafeRaw: message)' USING ERRCODE = 'insufficient_privilege';
                END;
                $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON \(ident: table)
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON \(ident: table)
                FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()
                """).run()
        } else {
            for (name, event) in [("audit_entries_no_update", "UPDATE"), ("audit_entries_no_delete", "DELETE")] {
                try await sql.raw("""
                    CREATE TRIGGER \(ident: name) BEFORE \(unsafeRaw: event) ON \(ident: table)
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: message)'); END
                    """).run()
            }
        }
    }

    /// Removes the guard (archival procedure and the test that proves the chain still catches tampering).
    static func drop(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_change ON \(ident: AuditEntry.schema)").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON \(ident: AuditEntry.schema)").run()
            try await sql.raw("DROP FUNCTION IF EXISTS audit_entries_append_only()").run()
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_update").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_entries_no_delete").run()
        }
    }
}
