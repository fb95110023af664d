import FluentKit
import Foundation
import SQLKit
import Testing
@testable import DoorpakApp

/// `doorpak audit archive`: the oldest entries go to a JSON-lines file, the last one's hash stays
/// as the chain's anchor, and `doorpak audit verify` still finds tampering in what remains and in
/// the archive file.
@Suite struct AuditArchiveTests {
    static func file() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("audit-archive-\(UUID().uuidString).jsonl").path
    }

    static func record(_ count: Int, in world: TestWorld) async throws {
        try await world.withDatabase { database in
            for index in 0..<count {
                try await Audit.record(.read, "report", "DP-2026-\(String(format: "%06d", index))", by: nil, purpose: "test \(index)",
                                       on: database.db())
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func afterArchivingTheRestStillVerifiesAndTamperingIsFound(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.record(5, in: world)
        let total = try await world.withDatabase { try await AuditChain.head(on: $0.db())!.seq }
        let path = Self.file()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Everything written until now goes; the entries after it stay.
        let message = try await Commands.archiveAudit(world.config, before: Date.now.addingTimeInterval(1), to: path)
        #expect(message.contains("Archived \(total) entries (1-\(total))"))
        try await Self.record(3, in: world)
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(String(decoding: data, as: UTF8.self).split(separator: "\n").count == total)
        try await world.withDatabase { database in
            let db = database.db()
            // Only the archive's own entry and the three new ones remain; the first follows the anchor.
            let remaining = try await AuditEntry.query(on: db).sort(\.$seq).all()
            #expect(remaining.map(\.seq) == Array((total + 1)...(total + 4)).map { Optional($0) })
            #expect(remaining.first?.action == "archived" && remaining.first?.recordID == "1-\(total)")
            let anchors = try await AuditArchive.anchors(on: db)
            #expect(anchors.count == 1 && anchors[0].seq == total && anchors[0].hash == remaining.first?.prevHash)
            #expect(anchors[0].sha256 == AuditArchive.sha256(data))
            // The archive is append-only again.
            await #expect(throws: (any Error).self) { try await db.sql.raw("DELETE FROM audit_entries WHERE seq = \(bind: total + 2)").run() }
        }
        let intact = try await Commands.verifyAudit(world.config, archives: [path])
        #expect(intact.ok, "\(intact.message)")
        #expect(intact.message.hasPrefix("OK: \(total + 4) entries, entries 1-\(total) archived"), "\(intact.message)")
        #expect(intact.message.contains("\(path): OK: \(total) entries"))
        // The same file again: refused.
        await #expect(throws: AuditArchive.ArchiveError.fileExists(path)) {
            try await Commands.archiveAudit(world.config, before: Date.now, to: path)
        }

        // A remaining entry changed: named.
        try await world.withDatabase { database in
            try await AuditAppendOnly.drop(on: database.db())
            try await database.sql().raw("UPDATE audit_entries SET purpose = 'changed' WHERE seq = \(bind: total + 3)").run()
        }
        let edited = try await Commands.verifyAudit(world.config)
        #expect(!edited.ok && edited.message.hasPrefix("BROKEN at entry \(total + 3):"), "\(edited.message)")
        // A broken chain is not archived.
        let second = Self.file()
        await #expect(throws: AuditArchive.ArchiveError.self) { try await Commands.archiveAudit(world.config, before: Date.now, to: second) }
        #expect(!FileManager.default.fileExists(atPath: second))
        try await world.withDatabase { database in
            try await database.sql().raw("UPDATE audit_entries SET purpose = 'test 1' WHERE seq = \(bind: total + 3)").run()
        }
        #expect(try await Commands.verifyAudit(world.config).ok)
        // The first remaining entry removed (as if archived without an anchor): named.
        try await world.withDatabase { database in
            try await database.sql().raw("DELETE FROM audit_entries WHERE seq = \(bind: total + 1)").run()
        }
        let cut = try await Commands.verifyAudit(world.config)
        #expect(!cut.ok && cut.message.hasPrefix("BROKEN at entry \(total + 2): expected entry \(total + 1)"), "\(cut.message)")
    }

    /// The archive file on its own: every line re-hashes and chains from the anchor before it; a
    /// changed, removed or added line, or any change to the bytes, is found.
    @Test(arguments: TestDatabase.available)
    func aTamperedArchiveFileIsFound(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.record(6, in: world)
        let path = Self.file()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcome = try await world.withDatabase { try await AuditArchive.archive(before: Date.now.addingTimeInterval(1), to: path, on: $0.db()) }
        let anchors = try await world.withDatabase { try await AuditArchive.anchors(on: $0.db()) }
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(AuditArchive.verifyArchive(data, anchors: anchors) == .ok(count: outcome.count))
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        func verdict(_ lines: [String]) -> AuditChain.Result {
            AuditArchive.verifyArchive(Data((lines.joined(separator: "\n") + "\n").utf8), anchors: anchors)
        }
        // A changed purpose in entry 3.
        var changed = lines
        changed[2] = changed[2].replacingOccurrences(of: "\"action\":\"", with: "\"action\":\"x")
        #expect(verdict(changed) == .broken(seq: 3, problem: .hashMismatch))
        // Entry 2 removed.
        var removed = lines
        removed.remove(at: 1)
        #expect(verdict(removed) == .broken(seq: 3, problem: .outOfSequence(expected: 2)))
        // The last line removed: the file no longer ends at the anchor.
        lines.removeLast()
        if case .broken = verdict(lines) {} else { Issue.record("a shortened archive passed") }
        // Same entries, other bytes (a blank line added): the recorded SHA-256 no longer matches.
        var padded = data
        padded.append(contentsOf: Array("\n".utf8))
        #expect(AuditArchive.verifyArchive(padded, anchors: anchors) == .broken(seq: 1, problem: .archiveDigestMismatch))
        // And the command says so.
        try padded.write(to: URL(fileURLWithPath: path))
        let result = try await Commands.verifyAudit(world.config, archives: [path])
        #expect(!result.ok && result.message.contains("\(path): BROKEN at entry 1"), "\(result.message)")
    }

    @Test(arguments: TestDatabase.available)
    func nothingBeforeTheDateArchivesNothing(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let path = Self.file()
        await #expect(throws: AuditArchive.ArchiveError.nothingToArchive) {
            try await Commands.archiveAudit(world.config, before: Date(timeIntervalSince1970: 0), to: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
