import FluentKit
import Foundation
import SQLKit
import Testing
@testable import DoorpakApp

/// The access log's hash chain: pure verification, appends on both databases, concurrency, and
/// the `doorpak audit verify` command.
@Suite struct AuditChainTests {
    // MARK: Pure verification

    /// A chain of `count` entries built in memory, as `Audit.record` would build it.
    static func chain(_ count: Int) -> [AuditEntry] {
        var previous = AuditChain.genesis
        return (1...count).map { seq in
            let entry = AuditEntry(at: Date(timeIntervalSince1970: 1_800_000_000 + Double(seq) + 0.1234567), principal: nil,
                                   action: seq % 2 == 0 ? .read : .update, recordType: "report", recordID: "DP-2026-\(String(format: "%06d", seq))",
                                   purpose: seq == 3 ? "access request: \"quoted\"\nnew line" : nil)
            entry.id = UUID()
            entry.userID = UUID()
            entry.role = "coordinator"
            entry.seq = seq
            entry.prevHash = previous
            entry.hash = AuditChain.hash(entry, seq: seq, prevHash: previous)
            previous = entry.hash!
            return entry
        }
    }

    @Test func anIntactChainVerifies() {
        let entries = Self.chain(5)
        #expect(AuditChain.verify(entries) == .ok(count: 5))
        #expect(AuditChain.verify(entries, head: .init(seq: 5, hash: entries[4].hash!)) == .ok(count: 5))
        #expect(AuditChain.verify([]) == .ok(count: 0))
        #expect(AuditChain.verify([], head: .init(seq: 0, hash: AuditChain.genesis)) == .ok(count: 0))
    }

    @Test func aChangedFieldIsFound() {
        for change in [
            { (e: AuditEntry) in e.recordID = "DP-2026-999999" },
            { (e: AuditEntry) in e.userID = UUID() },
            { (e: AuditEntry) in e.purpose = "something else" },
            { (e: AuditEntry) in e.action = "create" },
            { (e: AuditEntry) in e.role = "administrator" },
            { (e: AuditEntry) in e.at = e.at.addingTimeInterval(1) },
        ] {
            let entries = Self.chain(5)
            change(entries[2])
            #expect(AuditChain.verify(entries) == .broken(seq: 3, problem: .hashMismatch))
        }
    }

    @Test func aRecomputedHashBreaksTheNextLink() {
        let entries = Self.chain(5)
        entries[1].recordID = "DP-2026-000042"
        entries[1].hash = AuditChain.hash(entries[1], seq: 2, prevHash: entries[1].prevHash!)
        #expect(AuditChain.verify(entries) == .broken(seq: 3, problem: .previousHashMismatch))
    }

    @Test func aDeletedEntryIsFound() {
        var entries = Self.chain(5)
        entries.remove(at: 1)
        #expect(AuditChain.verify(entries) == .broken(seq: 3, problem: .outOfSequence(expected: 2)))
    }

    @Test func reorderedEntriesAreFound() {
        var entries = Self.chain(5)
        entries.swapAt(1, 3)
        #expect(AuditChain.verify(entries) == .broken(seq: 4, problem: .outOfSequence(expected: 2)))
        // Swapping positions as well as places: the hashes no longer fit.
        let swapped = Self.chain(5)
        (swapped[1].seq, swapped[3].seq) = (4, 2)
        #expect(AuditChain.verify([swapped[0], swapped[3], swapped[2], swapped[1], swapped[4]]) == .broken(seq: 2, problem: .previousHashMismatch))
    }

    @Test func entriesCutOffTheEndAreFoundByTheHead() {
        let entries = Self.chain(5)
        let head = AuditChain.Head(seq: 5, hash: entries[4].hash!)
        #expect(AuditChain.verify(Array(entries.prefix(3)), head: head) == .broken(seq: 4, problem: .headMismatch(headSeq: 5)))
    }

    @Test func anEntryWithoutChainFieldsIsFound() {
        let entries = Self.chain(3)
        entries[1].hash = nil
        #expect(AuditChain.verify(entries) == .broken(seq: 2, problem: .unchained))
    }

    @Test func timesAreHashedToTheMillisecond() {
        let entry = Self.chain(1)[0]
        let stored = Date(timeIntervalSince1970: entry.at.timeIntervalSince1970 + 0.0000004)
        let copy = AuditEntry(at: stored, principal: nil, action: .update, recordType: "report", recordID: entry.recordID)
        #expect(AuditChain.milliseconds(copy.at) == AuditChain.milliseconds(entry.at))
    }

    // MARK: On the databases

    @Test(arguments: TestDatabase.available)
    func appendsChainAndVerify(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            try await Audit.record(.read, "report", world.reportNorth, by: admin, purpose: "access request 7", on: db.db())
            try await db.db().transaction { tx in
                try await Audit.record(.update, "report", world.reportNorth, by: admin, on: tx)
                try await Audit.record(.read, "report", world.reportSouth, by: admin, on: tx)
            }
            let entries = try await AuditEntry.query(on: db.db()).sort(\.$seq).all()
            #expect(entries.map(\.seq) == Array(1...entries.count).map(Optional.some))
            #expect(entries.first?.prevHash == AuditChain.genesis)
            for (previous, entry) in zip(entries, entries.dropFirst()) { #expect(entry.prevHash == previous.hash) }
            #expect(entries.last?.recordID == world.reportSouth)
            let head = try #require(try await AuditChain.head(on: db.db()))
            #expect(head == .init(seq: entries.count, hash: entries.last!.hash!))
            #expect(try await AuditChain.verify(on: db.db(), batch: 3) == .ok(count: entries.count))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRolledBackTransactionLeavesNoEntryAndNoGap(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            struct Abort: Error {}
            let before = try await AuditEntry.query(on: db.db()).count()
            await #expect(throws: Abort.self) {
                try await db.db().transaction { tx in
                    try await Audit.record(.update, "report", world.reportNorth, by: nil, on: tx)
                    throw Abort()
                }
            }
            try await Audit.record(.update, "report", world.reportNorth, by: nil, on: db.db())
            #expect(try await AuditEntry.query(on: db.db()).count() == before + 1)
            #expect(try await AuditChain.verify(on: db.db()) == .ok(count: before + 1))
        }
    }

    /// The two databases one after the other: SQLite's busy handler spins while it waits for the
    /// write lock, which would slow the PostgreSQL case past its connection timeout.
    @Test(.serialized, arguments: TestDatabase.available)
    func concurrentAppendsNeverFork(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let before = try await AuditEntry.query(on: db.db()).count()
            let principal = try #require(try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db.db()))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    // At most ten in flight: enough to contend for the chain head, few enough that a
                    // loaded two-core test machine keeps inside the connection pool's timeout.
                    if index >= 10 { try await group.next() }
                    if index % 5 == 0 {
                        // An append outside any transaction, as a page read does.
                        group.addTask { try await Audit.record(.read, "report", world.reportSouth, by: principal, on: db.db()) }
                    } else {
                        // A transaction that writes, then appends, as the stores do; some append twice.
                        group.addTask {
                            try await db.db().transaction { tx in
                                try await tx.sql.raw("UPDATE reports SET updated_at = updated_at WHERE reference = \(bind: world.reportNorth)").run()
                                try await Audit.record(.update, "report", world.reportNorth, by: principal, on: tx)
                                if index % 3 == 0 { try await Audit.record(.read, "report", world.reportSouth, by: principal, on: tx) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            // 50 appends, plus a second one in the 13 transactions whose index is a multiple of 3 but not of 5.
            let total = before + 50 + 13
            #expect(try await AuditEntry.query(on: db.db()).count() == total)
            #expect(try await AuditChain.verify(on: db.db()) == .ok(count: total))
            let hashes = try await AuditEntry.query(on: db.db()).all().compactMap(\.prevHash)
            #expect(Set(hashes).count == hashes.count, "two entries chained onto the same predecessor")
        }
    }

    @Test(arguments: TestDatabase.available)
    func theDatabaseRefusesASecondEntryAtTheSamePosition(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let last = try #require(try await AuditEntry.query(on: db.db()).sort(\.$seq, .descending).first())
            let fork = AuditEntry(principal: nil, action: .update, recordType: "report", recordID: world.reportNorth)
            fork.seq = last.seq
            fork.prevHash = last.prevHash
            fork.hash = "fork"
            await #expect(throws: (any Error).self) { try await fork.create(on: db.db()) }
        }
    }

    // MARK: The command

    @Test(arguments: TestDatabase.available)
    func verifyCommandReportsOKAndTheFirstBrokenEntry(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let count = try await world.withDatabase { try await AuditEntry.query(on: $0.db()).count() }
        #expect(count >= 2)
        let intact = try await Commands.verifyAudit(world.config)
        #expect(intact.ok)
        #expect(intact.message == "OK: \(count) entries")

        // Someone who may change the schema drops the append-only guard, then edits an entry.
        try await world.withDatabase { db in
            try await AuditAppendOnly.drop(on: db.db())
            try await db.sql().raw("UPDATE audit_entries SET record_id = 'DP-2026-999999' WHERE seq = 2").run()
        }
        let tampered = try await Commands.verifyAudit(world.config)
        #expect(!tampered.ok)
        #expect(tampered.message.hasPrefix("BROKEN at entry 2:"), "\(tampered.message)")

        // Or removes the last one.
        let other = try await TestWorld.make(database)
        try await other.withDatabase { db in
            try await AuditAppendOnly.drop(on: db.db())
            try await db.sql().raw("DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)").run()
        }
        let cut = try await Commands.verifyAudit(other.config)
        #expect(!cut.ok)
        #expect(cut.message.contains("chain head"), "\(cut.message)")
    }
}
