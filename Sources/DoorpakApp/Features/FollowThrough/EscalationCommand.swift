import Foundation

extension Commands {
    /// One escalation pass now, or as if it were `at` (to catch up after an outage, or in a drill
    /// against a copy of the data). It does not wait for the servers' job lease: a pass claims each
    /// step with a conditional update, so running beside a server still escalates every step once.
    public static func escalate(_ config: AppConfig, at moment: Date?) async throws -> String {
        try await AppDatabase.with(config) { database in
            try await database.migrate()
            let now = moment ?? .now
            let outcome = try await EscalationJob(database: database).pass(now: now)
            return "Escalation pass at \(Formats.iso8601(now)): \(outcome.steps) step(s) taken."
        }
    }
}
