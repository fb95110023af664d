import FluentKit
import Foundation
import Logging
import SQLKit

/// The load benchmark behind `doorpak-bench`: a fresh database (an SQLite file in a temporary
/// folder, or a fresh schema in PostgreSQL), the demo seed, N bulk-inserted reports, then latency
/// percentiles of intake, worklist pages and status counts through the real `ReportStore`.
public enum Benchmarks {
    public struct Options: Sendable {
        /// Reports to bulk-insert on top of the demo seed.
        public var reports = 1_000_000
        /// PostgreSQL instead of SQLite; the benchmark works in a schema of its own and drops it afterwards.
        public var postgresURL: String?
        /// Load into this schema (for example `public` of an empty database, which `doorpak serve`
        /// then serves) instead of a fresh `bench_<random>`.
        public var postgresSchema: String?
        /// Timed runs per measurement, after the warm-up runs.
        public var iterations = 200
        public var warmup = 10
        /// A measurement stops early after this many seconds (keeping at least 20 samples).
        public var maxSecondsPerMeasurement = 60.0
        /// Run ANALYZE on SQLite after loading (PostgreSQL is always vacuumed and analysed, as autovacuum would).
        public var analyzeSQLite = false
        /// Concurrent bulk-insert connections on PostgreSQL (SQLite always has one writer).
        public var postgresWriters = 2
        /// Keep the SQLite file or the PostgreSQL schema instead of removing it.
        public var keep = false
        /// Instead of the latency measurements: time escalation passes over the loaded reports, all
        /// made open with deadlines (`EscalationBenchmark.swift`); `escalationRuns` steady passes.
        public var escalation = false
        public var escalationRuns = 20
        /// Put the SQLite file here instead of a temporary folder (it is kept; the file must not exist).
        public var sqlitePath: String?
        /// Only load (migrate, demo seed, bulk insert, analyse) and keep the database: `scripts/bench-http` serves it.
        public var loadOnly = false

        public init() {}
    }

    /// Runs the benchmark and prints the results as a small table.
    public static func run(_ options: Options) async throws {
        var logger = Logger(label: "doorpak-bench")
        logger.logLevel = .warning
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let choice: AppConfig.DatabaseChoice
        var folder: URL?
        var schema: String?
        if let url = options.postgresURL {
            schema = options.postgresSchema ?? "bench_\(tag)"
            choice = .postgres(url: url, schema: schema)
        } else if let path = options.sqlitePath {
            guard !FileManager.default.fileExists(atPath: path) else { throw AppError.conflict("\(path) exists; the benchmark loads a new file.") }
            choice = .sqlite(path: path)
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorpak-bench-\(tag)")
            folder = directory
            choice = .sqlite(path: directory.appendingPathComponent("bench.sqlite").path)
        }
        let database = try await AppDatabase.open(choice, logger: logger)
        var failure: (any Error)?
        do {
            try await bench(database, options: options, label: schema.map { "postgresql (schema \($0))" }
                ?? "sqlite (\(options.sqlitePath ?? folder!.path + "/bench.sqlite"))")
        } catch {
            failure = error
        }
        let keep = options.keep || options.loadOnly
        if !keep, let schema {
            try? await database.sql().raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
        }
        await database.shutdown()
        if !keep, let folder { try? FileManager.default.removeItem(at: folder) }
        if let failure { throw failure }
    }

    // MARK: The run

    private static func bench(_ database: AppDatabase, options: Options, label: String) async throws {
        let clock = ContinuousClock()
        print("doorpak-bench · \(label) · \(ProcessInfo.processInfo.activeProcessorCount) cores")

        var started = clock.now
        try await database.migrate()
        let migrateTime = started.duration(to: clock.now)

        started = clock.now
        let seeded = try await DemoSeeder(database: database, passwords: Passwords(cost: 12)).seedIfEmpty()
        let seedTime = started.duration(to: clock.now)
        guard seeded else { throw AppError.conflict("The benchmark database was not empty.") }
        let db = database.db()
        let demoReports = try await Report.query(on: db).count()
        let demoEvents = try await ReportEvent.query(on: db).count()
        let demoNotes = try await ReportNote.query(on: db).count()

        started = clock.now
        let planTime = try await bulkInsert(options.reports, into: database, writers: options.postgresWriters)
        let loadTime = started.duration(to: clock.now)

        started = clock.now
        var analysed = "no"
        if database.isPostgres {
            for table in [Report.schema, ReportEvent.schema, ReportNote.schema] {
                try await database.sql().raw("VACUUM (ANALYZE) \(ident: table)").run()
            }
            analysed = "VACUUM ANALYZE"
        } else if !options.analyzeSQLite {
            // What the server does at every start-up.
            try await database.optimize()
            analysed = "PRAGMA optimize"
        } else {
            try await database.sql().raw("ANALYZE").run()
            analysed = "ANALYZE"
        }
        let analyseTime = started.duration(to: clock.now)
        let total = try await Report.query(on: db).count()

        print("setup: migrate \(seconds(migrateTime)) · demo seed \(seconds(seedTime)) (\(number(demoReports)) reports, "
              + "\(number(demoEvents)) events, \(number(demoNotes)) notes, 1 bcrypt hash)")
        let rate = options.reports > 0 ? " = \(number(Int(Double(options.reports) / max(loadTime.seconds, 0.001)))) rows/s" : ""
        print("bulk insert: \(number(options.reports)) reports in \(seconds(loadTime)) (of which planning \(seconds(planTime)))"
              + "\(rate) · analyse: \(analysed)\(analysed == "no" ? "" : " \(seconds(analyseTime))") · total reports \(number(total))")

        if options.loadOnly { return }
        if options.escalation {
            try await benchEscalation(database, options: options, now: .now)
            return
        }

        // The people whose worklists are measured.
        func principal(_ email: String) async throws -> Principal {
            guard let user = try await User.query(on: db).filter(\.$email == email).first(),
                  let principal = try await Principal.load(userID: user.id!, via: .session, on: db) else {
                throw AppError.conflict("Demo user \(email) is missing.")
            }
            return principal
        }
        let staff = try await principal("locatie@doorpak.example")
        let viewers = [
            ("administrator", try await principal("beheerder@doorpak.example")),
            ("coordinator", try await principal("coordinator@doorpak.example")),
            ("partner GGD", try await principal("ggd@doorpak.example")),
        ]
        let catalog = try await Catalog.load(on: db)
        guard let noise = catalog.categories.first(where: { $0.code == "noise_nuisance" }),
              let confused = catalog.categories.first(where: { $0.code == "confused_behaviour" }),
              let site = catalog.locations.first(where: { $0.name == "Startblok Noorderhaven" }),
              let staffSite = staff.locationIDs.first else {
            throw AppError.conflict("The demo catalogue is incomplete.")
        }
        let store = ReportStore(database: database)
        var filtered = ReportFilter()
        filtered.status = .new
        filtered.categoryID = confused.id
        filtered.locationID = site.id

        var results: [Result] = []
        results.append(try await measure("intake: create (location staff)", options) {
            var draft = ReportDraft()
            draft.kind = ReportKind.incident.rawValue
            draft.category = noise.id!.uuidString
            draft.location = staffSite.uuidString
            draft.occurredAt = Date.now.addingTimeInterval(-3600)
            draft.source = ReportSource.residentReport.rawValue
            draft.description = "Bewoner meldt harde muziek na middernacht op de 2e verdieping van Blok A, derde keer deze week."
            _ = try await store.create(draft, by: staff)
            return 1
        })
        for (name, viewer) in viewers {
            results.append(try await measure("worklist page 1: \(name)", options) {
                try await store.list(ReportFilter(), after: nil, by: viewer).reports.count
            })
        }
        for (name, viewer) in viewers {
            results.append(try await measure("filtered page 1: \(name)", options) {
                try await store.list(filtered, after: nil, by: viewer).reports.count
            })
        }
        for (name, viewer) in viewers {
            results.append(try await measure("status counts: \(name)", options) {
                try await store.statusCounts(ReportFilter(), by: viewer).values.reduce(0, +)
            })
        }
        // What every signed-in page pays for its navigation: the unread notices, Mijn werk and the
        // open "consider a case" items, as NavigationCountMiddleware asks them (issue 12).
        let stores = Stores(database: database, config: AppConfig())
        let notifications = stores.notifications, work = stores.work
        for (name, viewer) in viewers + [("location staff", staff)] {
            results.append(try await measure("navigation counts: \(name)", options) {
                try await notifications.unreadCount(of: viewer.userID) + work.count(for: viewer)
            })
        }
        for (name, viewer) in viewers + [("location staff", staff)] {
            results.append(try await measure("Mijn werk lists: \(name)", options) {
                let inbox = try await work.inbox(.mine, by: viewer)
                return inbox.queue.count + inbox.reports.count + inbox.handovers.count + inbox.actions.count
            })
        }
        print("filtered = status new + category confused_behaviour + location \(site.name); "
              + "rows = rows on the page (counts: sum of the counts; navigation counts: the number in the menu)")
        print(table(results))
    }

    /// Bulk-inserts `count` generated reports in transactions of 30,000 rows (1,666 rows per
    /// INSERT), then moves the reference counters past them. Returns the time spent planning.
    private static func bulkInsert(_ count: Int, into database: AppDatabase, writers: Int) async throws -> Duration {
        guard count > 0 else { return .zero }
        let clock = ContinuousClock()
        let started = clock.now
        let db = database.db()
        let world = try await DemoWorld.load(on: db)
        let counters = try await DemoBulk.counters(on: db)
        // Keep references within six digits: at most ~450,000 reports per year.
        let days = max(DemoData.historyDays, Int((Double(count) / 450_000 * 365).rounded(.up)))
        let generator = DemoReportGenerator(world: world, now: .now, days: days)
        let plans = generator.plan(count: count, seed: 0xBE4C_2026, continuing: counters)
        let planTime = started.duration(to: clock.now)

        let perTransaction = 30_000
        if database.isPostgres {
            // PostgreSQL takes concurrent writers: each builds its slices and inserts them in its
            // own transactions, so the server works on two connections at once.
            let writers = max(1, writers)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var start = writer * perTransaction
                        while start < plans.count {
                            let batch = generator.materialise(plans[start..<min(start + perTransaction, plans.count)], history: false)
                            try await database.db().transaction { tx in try await DemoBulk.insert(batch.reports, on: tx.sql) }
                            start += writers * perTransaction
                        }
                    }
                }
                try await group.waitForAll()
            }
        } else {
            // SQLite has one writer: build the next slice while the current one is written.
            func slice(from start: Int) -> Task<DemoReportGenerator.Batch, Never> {
                Task.detached { generator.materialise(plans[start..<min(start + perTransaction, plans.count)], history: false) }
            }
            var start = 0
            var pending: Task<DemoReportGenerator.Batch, Never>? = slice(from: 0)
            while let task = pending {
                let batch = await task.value
                let end = start + batch.reports.count
                pending = end < plans.count ? slice(from: end) : nil
                try await db.transaction { tx in
                    try await tx.sql.raw("PRAGMA cache_size = -262144").run()
                    try await DemoBulk.insert(batch.reports, on: tx.sql)
                    try await tx.sql.raw("PRAGMA cache_size = -2000").run()
                }
                start = end
            }
        }
        try await DemoBulk.setCounters(DemoReportGenerator.counters(after: plans, continuing: counters), on: db.sql)
        return planTime
    }

    // MARK: Measuring

    private struct Result {
        let name: String
        let samples: [Double]
        let rows: Int
    }

    private static func measure(_ name: String, _ options: Options, _ body: () async throws -> Int) async throws -> Result {
        let clock = ContinuousClock()
        for _ in 0..<options.warmup { _ = try await body() }
        var samples: [Double] = []
        var rows = 0
        let started = clock.now
        for index in 0..<options.iterations {
            let before = clock.now
            rows = try await body()
            samples.append(before.duration(to: clock.now).seconds * 1000)
            if index >= 19, started.duration(to: clock.now).seconds > options.maxSecondsPerMeasurement { break }
        }
        return Result(name: name, samples: samples, rows: rows)
    }

    private static func table(_ results: [Result]) -> String {
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + fill : fill + text
        }
        func percentile(_ sorted: [Double], _ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            return sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        func ms(_ value: Double) -> String { String(format: "%.2f", value) }
        var lines = [pad("measurement", 36, left: true) + pad("n", 6) + pad("rows", 12) + pad("p50 ms", 10) + pad("p95 ms", 10)
                     + pad("p99 ms", 10)]
        lines.append(String(repeating: "-", count: lines[0].count))
        for result in results {
            let sorted = result.samples.sorted()
            lines.append(pad(result.name, 36, left: true) + pad("\(sorted.count)", 6) + pad(number(result.rows), 12)
                         + pad(ms(percentile(sorted, 0.5)), 10) + pad(ms(percentile(sorted, 0.95)), 10)
                         + pad(ms(percentile(sorted, 0.99)), 10))
        }
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }

    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
