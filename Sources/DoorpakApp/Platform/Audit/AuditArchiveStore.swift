import FluentKit
import Foundation
import SQLKit

/// The door to the archive anchors, and the archival itself: the entries moved out of the log
/// and their anchor written, in one transaction (`AuditArchive` holds the file format and checks).
extension AuditArchive {
    /// The anchors, oldest first.
    static func anchors(on db: any Database) async throws -> [Anchor] {
        try await db.sql.raw("SELECT seq, hash, entry_count, file, sha256 FROM \(ident: anchorTable) ORDER BY seq").all().map { row in
            Anchor(seq: try row.decode(column: "seq", as: Int.self), hash: try row.decode(column: "hash", as: String.self),
                   count: try row.decode(column: "entry_count", as: Int.self), file: try row.decode(column: "file", as: String.self),
                   sha256: try row.decode(column: "sha256", as: String.self))
        }
    }

    /// Archives the entries written before `before` to a new file at `path`.
    static func archive(before: Date, to path: String, on db: any Database, now: Date = .now) async throws -> Outcome {
        guard !FileManager.default.fileExists(atPath: path) else { throw ArchiveError.fileExists(path) }
        let verdict = try await AuditChain.verify(on: db)
        guard verdict.isOK else { throw ArchiveError.chainBroken(Commands.describe(verdict)) }
        // The prefix: entries in seq order while they are older than the date.
        var lines: [Line] = []
        var last = try await anchors(on: db).last?.seq ?? 0
        outer: while true {
            let rows = try await AuditEntry.query(on: db).filter(\.$seq > last).sort(\.$seq, .ascending).limit(1000).all()
            for entry in rows {
                guard entry.at < before else { break outer }
                lines.append(Line(entry))
            }
            guard let end = rows.last?.seq, rows.count == 1000 else { break }
            last = end
        }
        guard let first = lines.first, let final = lines.last else { throw ArchiveError.nothingToArchive }
        var data = Data()
        for line in lines {
            data.append(try encoder.encode(line))
            data.append(0x0A)
        }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let digest = sha256(data)
        let file = URL(fileURLWithPath: path).lastPathComponent
        let count = lines.count
        try await db.transaction { tx in
            try await AuditAppendOnly.drop(on: tx)
            try await AuditEntry.query(on: tx).filter(\.$seq <= final.seq).delete()
            try await tx.sql.raw("""
                INSERT INTO \(ident: anchorTable) (seq, hash, entry_count, file, sha256, archived_before, archived_at)
                VALUES (\(bind: final.seq), \(bind: final.hash), \(bind: count), \(bind: file), \(bind: digest), \(bind: before), \(bind: now))
                """).run()
            try await AuditAppendOnly.install(on: tx)
            try await Audit.record(.archived, "audit_log", "\(first.seq)-\(final.seq)", by: nil,
                                   purpose: "archived \(count) entries to \(file) (sha256 \(digest))", on: tx)
        }
        return Outcome(count: lines.count, firstSeq: first.seq, lastSeq: final.seq, sha256: digest)
    }
}
