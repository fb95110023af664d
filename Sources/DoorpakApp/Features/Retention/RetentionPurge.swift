import Foundation
import Logging

/// The retention purge, as the daily job and the `retention purge` command: destroys what has
/// outlived its retention period through `RetentionStore.purge` (`RetentionStore+Purge.swift`
/// says what is destroyed and what never is).
struct RetentionPurge: Sendable {
    let database: AppDatabase
    /// Rows per delete statement and transaction.
    var batch = 500

    struct Outcome: Sendable, Equatable {
        let type: RetentionRecordType
        let count: Int
        let days: Int
        let cutoff: Date
    }

    /// Runs the purge at `now`; `method` is `job` or `command`. Returns what was (or, for a dry
    /// run, would be) destroyed per type, and for the access log what is due for archival.
    func run(now: Date, dryRun: Bool, method: String) async throws -> [Outcome] {
        try await RetentionStore(database: database).purge(now: now, dryRun: dryRun, method: method, batch: batch)
    }

    /// The periodic purge: once a day, on the one instance that holds the lease.
    static func job(database: AppDatabase, logger: Logger) -> LeasedJob {
        LeasedJob(name: "retention-purge", interval: .seconds(86_400), leaseDuration: .seconds(3 * 3600), database: database,
                  logger: logger) { _, now in
            _ = try await RetentionPurge(database: database).run(now: now, dryRun: false, method: "job")
        }
    }
}
