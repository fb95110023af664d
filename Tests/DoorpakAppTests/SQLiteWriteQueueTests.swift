import Foundation
import Testing
@testable import DoorpakApp

/// SQLite's writers wait their turn; a queue that moves never times a writer out, however long it
/// is, while a queue that stands still (a writer waiting for its own transaction) fails its waiters.
@Suite struct SQLiteWriteQueueTests {
    @Test func aLongQueueThatMovesNeverTimesOut() async throws {
        let queue = SQLiteWriteQueue(patience: .seconds(2))
        // Thirty writers of 0.1 s each: the last waits about three seconds, longer than the patience.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 {
                group.addTask { try await queue.serialized { try await Task.sleep(for: .milliseconds(100)) } }
            }
            try await group.waitForAll()
        }
    }

    @Test func aQueueThatStandsStillFailsItsWaiter() async throws {
        let queue = SQLiteWriteQueue(patience: .milliseconds(300))
        let holding = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await queue.serialized {
                holding.continuation.yield()
                // Holds the turn until the waiter has given up (as a transaction waiting for itself would).
                try await Task.sleep(for: .seconds(30))
            }
        }
        var started = holding.stream.makeAsyncIterator()
        _ = await started.next()
        await #expect(throws: SQLiteWriteQueueTimeout.self) {
            try await queue.serialized {}
        }
        holder.cancel()
    }
}
