import FluentKit
import Foundation
import Logging
import ServiceLifecycle

/// A background job that runs every `interval`, but only on the instance that holds its
/// `JobLease`. The lease lasts a few intervals and is renewed at every run, so the holder keeps
/// it while it lives and another instance takes over within `leaseDuration` after it dies.
/// The clock is injected so tests can move time; the work gets the same `now`.
public struct LeasedJob: Service {
    public let name: String
    public let interval: Duration
    public let leaseDuration: Duration
    let holder: String
    let database: AppDatabase
    let now: @Sendable () -> Date
    let logger: Logger
    let work: @Sendable (_ db: any Database, _ now: Date) async throws -> Void

    public init(name: String, interval: Duration, leaseDuration: Duration? = nil, holder: String = JobLease.processHolder,
                database: AppDatabase, now: @escaping @Sendable () -> Date = { .now }, logger: Logger? = nil,
                work: @escaping @Sendable (_ db: any Database, _ now: Date) async throws -> Void) {
        self.name = name
        self.interval = interval
        self.leaseDuration = leaseDuration ?? interval * 3
        self.holder = holder
        self.database = database
        self.now = now
        self.logger = logger ?? Logger(label: "doorpak.job")
        self.work = work
    }

    /// One turn: take or renew the lease, and run the work when it is held. Returns whether it ran.
    @discardableResult
    public func runOnce() async throws -> Bool {
        try await JobLease.whileHeld(name, holder: holder, for: leaseDuration, now: now(), database: database, work: work)
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            // The first turn waits one interval: the server migrates the database at start-up.
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await runOnce()
                } catch {
                    // The type only: error texts can carry data from the rows being worked on.
                    logger.error("job failed", metadata: ["job": "\(name)", "error": "\(type(of: error))"])
                }
            }
        }
        // The pools may already be gone when the whole application stops at once.
        try? await JobLease.release(name, holder: holder, database: database)
    }
}
