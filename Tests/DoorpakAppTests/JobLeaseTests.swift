import FluentKit
import Foundation
import Logging
import Testing
@testable import DoorpakApp

/// The database lease that keeps a background job on one server instance.
@Suite(.serialized) struct JobLeaseTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two pools on one database, as two server processes would have.
    func withTwoInstances(_ database: TestDatabase, _ body: (AppDatabase, AppDatabase) async throws -> Void) async throws {
        let config = database.freshConfig()
        try await AppDatabase.with(config) { first in
            try await first.migrate()
            try await AppDatabase.with(config) { second in try await body(first, second) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func ofManyConcurrentAcquirersExactlyOneWins(_ database: TestDatabase) async throws {
        try await withTwoInstances(database) { first, second async throws in
            for round in 0..<10 {
                let name = "job-\(round)"
                let now = t0.addingTimeInterval(Double(round))
                let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                    for index in 0..<8 {
                        let instance = index.isMultiple(of: 2) ? first : second
                        group.addTask {
                            try await JobLease.acquire(name, holder: "holder-\(index)", for: 60, now: now, on: instance.db()) ? "holder-\(index)" : nil
                        }
                    }
                    return try await group.reduce(into: [String]()) { if let winner = $1 { $0.append(winner) } }
                }
                #expect(winners.count == 1, "round \(round): \(winners)")
                #expect(try await JobLease.holder(of: name, now: now, on: first.db()) == winners.first)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func anExpiredLeaseIsHandedOver(_ database: TestDatabase) async throws {
        try await withTwoInstances(database) { first, second async throws in
            #expect(try await JobLease.acquire("escalation", holder: "a", for: 60, now: t0, on: first.db()))
            #expect(try await !JobLease.acquire("escalation", holder: "b", for: 60, now: t0.addingTimeInterval(30), on: second.db()))
            #expect(try await !JobLease.acquire("escalation", holder: "b", for: 60, now: t0.addingTimeInterval(59), on: second.db()))
            #expect(try await JobLease.acquire("escalation", holder: "b", for: 60, now: t0.addingTimeInterval(60), on: second.db()))
            #expect(try await !JobLease.acquire("escalation", holder: "a", for: 60, now: t0.addingTimeInterval(61), on: first.db()))
            #expect(try await JobLease.holder(of: "escalation", now: t0.addingTimeInterval(61), on: first.db()) == "b")
        }
    }

    @Test(arguments: TestDatabase.available)
    func theHolderRenewsAndOtherNamesAreIndependent(_ database: TestDatabase) async throws {
        try await withTwoInstances(database) { first, second async throws in
            #expect(try await JobLease.acquire("mail", holder: "a", for: 60, now: t0, on: first.db()))
            #expect(try await JobLease.acquire("mail", holder: "a", for: 60, now: t0.addingTimeInterval(50), on: first.db()))
            // Renewed until t0 + 110: b is still refused after the first term would have ended.
            #expect(try await !JobLease.acquire("mail", holder: "b", for: 60, now: t0.addingTimeInterval(100), on: second.db()))
            #expect(try await JobLease.acquire("digest", holder: "b", for: 60, now: t0.addingTimeInterval(100), on: second.db()))
            #expect(try await JobLease.acquire("mail", holder: "b", for: 60, now: t0.addingTimeInterval(110), on: second.db()))
        }
    }

    @Test(arguments: TestDatabase.available)
    func releaseLetsAnotherTakeOverAtOnceButOnlyByTheHolder(_ database: TestDatabase) async throws {
        try await withTwoInstances(database) { first, second async throws in
            #expect(try await JobLease.acquire("mail", holder: "a", for: 600, now: t0, on: first.db()))
            try await JobLease.release("mail", holder: "b", on: second.db())
            #expect(try await !JobLease.acquire("mail", holder: "b", for: 600, now: t0.addingTimeInterval(1), on: second.db()))
            try await JobLease.release("mail", holder: "a", on: first.db())
            #expect(try await JobLease.acquire("mail", holder: "b", for: 600, now: t0.addingTimeInterval(2), on: second.db()))
        }
    }

    @Test(arguments: TestDatabase.available)
    func leasedJobsOnTwoInstancesRunOnceAtATimeAndHandOverWhenTheClockMoves(_ database: TestDatabase) async throws {
        try await withTwoInstances(database) { first, second async throws in
            let clock = TestClock(t0)
            let runs = RunLog()
            func job(_ instance: AppDatabase, _ holder: String) -> LeasedJob {
                LeasedJob(name: "escalation", interval: .seconds(60), holder: holder, database: instance, now: { clock.now }) { _, now in
                    await runs.add(holder, now)
                }
            }
            let a = job(first, "a"), b = job(second, "b")
            #expect(a.leaseDuration == .seconds(180))
            for _ in 0..<3 {
                async let ranA = a.runOnce()
                async let ranB = b.runOnce()
                let ran = try await [ranA, ranB]
                #expect(ran.filter { $0 }.count == 1)
                clock.advance(60)
            }
            let holders = Set(await runs.entries.map(\.0))
            #expect(holders.count == 1)
            // The holder stops (dies without releasing): its last run (t0 + 120) holds the lease
            // until t0 + 300; the other takes over then and not before.
            let survivor = holders.first == "a" ? b : a
            #expect(clock.now == t0.addingTimeInterval(180))
            clock.advance(60)
            #expect(try await !survivor.runOnce())
            clock.advance(60)
            #expect(try await survivor.runOnce())
            #expect(await runs.entries.last?.1 == clock.now)
        }
    }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

actor RunLog {
    var entries: [(String, Date)] = []
    func add(_ holder: String, _ at: Date) { entries.append((holder, at)) }
}
