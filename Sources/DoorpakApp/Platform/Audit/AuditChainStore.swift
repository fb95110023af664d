import FluentKit
import Foundation
import SQLKit

/// The door to the access log's chain: appending an entry (in the caller's transaction), reading
/// the head, and verifying the stored log (`AuditChain` holds the pure rules).
extension AuditChain {
    /// Chains `entry` onto the log inside the transaction `tx`.
    static func append(_ entry: AuditEntry, on tx: any Database) async throws {
        let sql = tx.sql
        guard let head = try await sql.raw("UPDATE \(ident: headTable) SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").first() else {
            throw AuditChainError.headMissing
        }
        let seq = try head.decode(column: "seq", as: Int.self)
        let prevHash = try head.decode(column: "hash", as: String.self)
        if entry.id == nil { entry.id = UUID() }
        let hash = hash(entry, seq: seq, prevHash: prevHash)
        entry.seq = seq
        entry.prevHash = prevHash
        entry.hash = hash
        try await entry.create(on: tx)
        try await sql.raw("UPDATE \(ident: headTable) SET hash = \(bind: hash) WHERE id = 1").run()
    }

    /// The chain head as stored: the last position and hash.
    static func head(on db: any Database) async throws -> Head? {
        guard let row = try await db.sql.raw("SELECT seq, hash FROM \(ident: headTable) WHERE id = 1").first() else { return nil }
        return Head(seq: try row.decode(column: "seq", as: Int.self), hash: try row.decode(column: "hash", as: String.self))
    }

    /// Verifies the stored log, reading it in batches.
    static func verify(on db: any Database, batch: Int = 1000) async throws -> Result {
        // Entries without a position (none after the chain migration) would be skipped by the seq order: look for them.
        if let unchained = try await AuditEntry.query(on: db).filter(\.$seq == nil).first() {
            _ = unchained
            return .broken(seq: 0, problem: .unchained)
        }
        // After an archive, the chain continues from its anchor (`AuditArchive`).
        let anchor = try await AuditArchive.anchors(on: db).last
        var verifier = Verifier(after: anchor.map { Head(seq: $0.seq, hash: $0.hash) })
        var last = anchor?.seq ?? 0
        while true {
            let rows = try await AuditEntry.query(on: db).filter(\.$seq > last).sort(\.$seq, .ascending).limit(batch).all()
            for entry in rows {
                if let broken = verifier.check(entry) { return broken }
            }
            guard let end = rows.last?.seq, rows.count == batch else { break }
            last = end
        }
        return verifier.finish(head: try await head(on: db))
    }
}
