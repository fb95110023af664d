import Foundation

extension Commands {
    /// `doorpak purge [--dry-run]`: destroys what has expired (or, dry, only counts it) and
    /// returns one line per record type: type, count, period and cut-off date.
    public static func purge(_ config: AppConfig, dryRun: Bool, now: Date = .now) async throws -> [String] {
        try await AppDatabase.with(config) { database in
            try await database.migrate()
            let outcomes = try await RetentionPurge(database: database).run(now: now, dryRun: dryRun, method: "command")
            return outcomes.map { outcome in
                let verb = outcome.type == .auditEntries ? "due for archival (never purged)" : dryRun ? "would be destroyed" : "destroyed"
                return "\(outcome.type.rawValue)\t\(outcome.count)\t\(verb)\tperiod \(outcome.days) days\tbefore \(Formats.iso8601(outcome.cutoff))"
            }
        }
    }
}
