import FluentKit
import Foundation
import SQLKit

/// Adds the chain to the existing log: the columns, a position and hash for every existing entry
/// (in the order they were written), a unique index on the position, indexes for the audit page's
/// filters, and the chain head.
struct AddAuditChain: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        try await database.schema(AuditEntry.schema).field("seq", .int).update()
        try await database.schema(AuditEntry.schema).field("prev_hash", .string).update()
        try await database.schema(AuditEntry.schema).field("hash", .string).update()
        var previous = AuditChain.genesis
        var seq = 0
        for entry in try await AuditEntry.query(on: database).sort(\.$at, .ascending).sort(\.$id, .ascending).all() {
            seq += 1
            let hash = AuditChain.hash(entry, seq: seq, prevHash: previous)
            entry.seq = seq
            entry.prevHash = previous
            entry.hash = hash
            try await entry.update(on: database)
            previous = hash
        }
        let sql = database.sql
        try await sql.raw("CREATE UNIQUE INDEX audit_entries_seq ON \(ident: AuditEntry.schema) (seq)").run()
        try await sql.raw("CREATE INDEX audit_entries_record ON \(ident: AuditEntry.schema) (record_type, record_id, seq)").run()
        try await sql.raw("CREATE INDEX audit_entries_user ON \(ident: AuditEntry.schema) (user_id, seq)").run()
        try await database.schema(AuditChain.headTable)
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int, .required)
            .field("hash", .string, .required)
            .create()
        try await sql.raw("INSERT INTO \(ident: AuditChain.headTable) (id, seq, hash) VALUES (1, \(bind: seq), \(bind: previous))").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditChain.headTable).delete()
        let sql = database.sql
        for index in ["audit_entries_seq", "audit_entries_record", "audit_entries_user"] {
            try await sql.raw("DROP INDEX \(ident: index)").run()
        }
        for field in ["seq", "prev_hash", "hash"] {
            try await database.schema(AuditEntry.schema).deleteField(.key(.string(field))).update()
        }
    }
}
