import FluentKit
import Foundation
import NIOCore
import SQLKit
import Synchronization

/// SQLite lets one connection write at a time. Left to itself, a second writer waits in the
/// driver's busy handler, which SQLiteNIO sets to retry at once, forever: on a two-core machine a
/// few such writers burn both cores and hold the blocking threads that the lock's owner needs to
/// commit, so everything stalls (seen as connection-request time-outs after minutes in the tests).
///
/// Here writers queue instead. One queue per database file, shared by every `AppDatabase` on
/// that file in the process; a transaction (and a Fluent create/update/delete outside one)
/// waits its turn without holding a thread or a connection, then runs `BEGIN IMMEDIATE`, so it
/// owns the write lock before it reads, and a read-then-write transaction can no longer be
/// refused with `SQLITE_BUSY` halfway. Reads never queue (WAL mode: readers and the writer do not
/// block each other). Another process on the same file (a CLI command beside the server) is
/// waited for by SQLite's own sleeping busy timeout (`PRAGMA busy_timeout`).
final class SQLiteWriteQueue: Sendable {
    private struct State {
        var busy = false
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
        /// When the turn last passed to a writer: the queue's progress.
        var lastTurn = ContinuousClock.now
    }

    private let state = Mutex(State())
    /// How long the queue may stand still — one writer holding the turn — before a waiting writer
    /// fails: a transaction that waits for itself (a write through another handle inside a
    /// transaction) fails instead of hanging. A long queue that moves never fails, however slow the
    /// machine: on a loaded two-core test run fifty writers in turn took minutes, and a patience per
    /// waiter failed writers that were only waiting behind others.
    let patience: Duration

    init(patience: Duration = .seconds(60)) {
        self.patience = patience
    }

    private static let queues = Mutex<[String: SQLiteWriteQueue]>([:])

    /// The queue of one database file.
    static func forFile(_ path: String) -> SQLiteWriteQueue {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        return queues.withLock { queues in
            if let queue = queues[key] { return queue }
            let queue = SQLiteWriteQueue()
            queues[key] = queue
            return queue
        }
    }

    /// Runs `work` when it is this writer's turn.
    func serialized<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await work()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    private func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if !state.busy {
                state.busy = true
                state.lastTurn = .now
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        let patience = self.patience
        let timer = Task { [weak self] in
            // Sleep until the queue has stood still for `patience`; every turn given restarts it.
            while let queue = self {
                let waited = queue.state.withLock { $0.lastTurn }.duration(to: .now)
                if waited >= patience { queue.expire(id); return }
                try await Task.sleep(for: patience - waited)
            }
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.waiters.append((id, continuation)) }
        }
    }

    /// Gives the turn to the next waiter, in arrival order.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            state.lastTurn = .now
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }

    private func expire(_ id: UInt64) {
        let expired = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        expired?.resume(throwing: SQLiteWriteQueueTimeout())
    }
}

struct SQLiteWriteQueueTimeout: Error, CustomStringConvertible {
    var description: String { "waited too long for SQLite's write lock (is a write waiting for its own transaction?)" }
}

/// A Fluent database on SQLite whose writes go through the file's `SQLiteWriteQueue`. It forwards
/// everything else to the driver's database; inside a transaction it is bound to the
/// transaction's connection.
struct SQLiteQueuedDatabase: Database, SQLDatabase {
    let base: any Database
    let queue: SQLiteWriteQueue
    let inTransaction: Bool

    init(base: any Database, queue: SQLiteWriteQueue, inTransaction: Bool = false) {
        self.base = base
        self.queue = queue
        self.inTransaction = inTransaction
    }

    private var baseSQL: any SQLDatabase { base as! any SQLDatabase }

    // MARK: Database

    var context: DatabaseContext { base.context }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        let writes = switch query.action {
        case .create, .update, .delete: true
        default: false
        }
        guard writes, !inTransaction else { return base.execute(query: query, onOutput: onOutput) }
        return base.eventLoop.makeFutureWithTask { [base, queue] in
            try await queue.serialized { try await base.execute(query: query, onOutput: onOutput).get() }
        }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let queue = self.queue, inTransaction = self.inTransaction
        return base.withConnection { connection in
            closure(SQLiteQueuedDatabase(base: connection, queue: queue, inTransaction: inTransaction))
        }
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if inTransaction { return closure(self) }
        let queue = self.queue, base = self.base
        return base.eventLoop.makeFutureWithTask {
            try await queue.serialized {
                try await base.withConnection { connection in
                    let tx = SQLiteQueuedDatabase(base: connection, queue: queue, inTransaction: true)
                    try await tx.sql.raw("BEGIN IMMEDIATE TRANSACTION").run()
                    do {
                        let result = try await closure(tx).map { UncheckedBox(value: $0) }.get()
                        try await tx.sql.raw("COMMIT TRANSACTION").run()
                        return result
                    } catch {
                        try? await tx.sql.raw("ROLLBACK TRANSACTION").run()
                        throw error
                    }
                }
            }
        }.map(\.value)
    }

    // MARK: SQLDatabase

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { baseSQL.version }
    var dialect: any SQLDialect { baseSQL.dialect }
    var queryLogLevel: Logger.Level? { baseSQL.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        baseSQL.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await baseSQL.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await baseSQL.withSession(closure)
    }
}

/// Carries a transaction's result, whatever its type, across the queue's task (Fluent's
/// `transaction` is generic over non-`Sendable` results; the value is handed over, never shared).
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
}
