// doorpak-bench: load and latency benchmark for the report store.
//
// Builds a fresh database, migrates it, seeds the demo data (timed), bulk-inserts N synthetic
// reports, then prints p50/p95/p99 latencies of intake (ReportStore.create by location staff),
// the first worklist page, a filtered worklist page and the status counts for an administrator,
// a coordinator and a partner.
//
//   swift run -c release doorpak-bench --reports 1000000                 # SQLite file in a temp folder
//   swift run -c release doorpak-bench --reports 1000000 --postgres-url postgres://user:pw@127.0.0.1:5432/db
//   swift run doorpak-bench --reports 20000 --iterations 50               # quick check (debug build)
//   swift run -c release doorpak-bench --escalation --postgres-url …      # one escalation pass over 1,000,000 open reports
//   swift run -c release doorpak-bench --rate-limiter                     # cost of the API rate limiter per request
//   swift run doorpak-bench --reports 20000 --load-only --sqlite-file /tmp/x/doorpak.sqlite   # data for scripts/bench-http
//   swift run doorpak-bench --load-only --postgres-url postgres://…/empty_db --postgres-schema public  # the same on PostgreSQL
//
// Options: --iterations (default 200) --warmup (10) --max-seconds per measurement (60)
//          --writers (concurrent bulk-insert connections on PostgreSQL, 2)
//          --analyze (run ANALYZE on SQLite after loading) --keep (keep the SQLite file / PostgreSQL schema).
// PostgreSQL: the benchmark works in a new schema `bench_<random>` and drops it at the end.
import ArgumentParser
import DoorpakApp

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doorpak-bench", abstract: "Load and latency benchmark for Doorpak's report store."
    )
    @Option(help: "Reports to bulk-insert on top of the demo seed.") var reports = 1_000_000
    @Option(help: "Use PostgreSQL at this URL (a fresh schema) instead of a temporary SQLite file.") var postgresUrl: String?
    @Option(help: "With --postgres-url: load into this schema (e.g. public of an empty database) instead of a fresh one.")
    var postgresSchema: String?
    @Option(help: "Timed runs per measurement.") var iterations = 200
    @Option(help: "Warm-up runs per measurement.") var warmup = 10
    @Option(help: "Stop a measurement after this many seconds (at least 20 runs).") var maxSeconds = 60.0
    @Option(help: "Concurrent bulk-insert connections on PostgreSQL.") var writers = 2
    @Flag(help: "Run ANALYZE on SQLite after loading.") var analyze = false
    @Flag(help: "Keep the database (SQLite file or PostgreSQL schema) afterwards.") var keep = false
    @Flag(help: "Time escalation passes over the reports (all made open with deadlines) instead of the latency measurements.")
    var escalation = false
    @Option(help: "Steady escalation passes to time (with --escalation).") var escalationRuns = 20
    @Flag(help: "Only measure what the API rate limiter adds per request, then exit.") var rateLimiter = false
    @Option(help: "Load into this SQLite file (kept; it must not exist) instead of a temporary one.") var sqliteFile: String?
    @Flag(help: "Only load the data and keep it (scripts/bench-http serves it), no measurements.") var loadOnly = false

    func execute() async throws {
        if rateLimiter { print(await RateLimiterBenchmark.run()); return }
        var options = Benchmarks.Options()
        options.reports = max(0, reports)
        options.postgresURL = postgresUrl
        options.postgresSchema = postgresSchema
        options.iterations = max(1, iterations)
        options.warmup = max(0, warmup)
        options.maxSecondsPerMeasurement = maxSeconds
        options.postgresWriters = max(1, writers)
        options.analyzeSQLite = analyze
        options.keep = keep
        options.escalation = escalation
        options.escalationRuns = max(1, escalationRuns)
        options.sqlitePath = sqliteFile
        options.loadOnly = loadOnly
        try await Benchmarks.run(options)
    }
}

do {
    try await Bench.parse().execute()
} catch {
    Bench.exit(withError: error)
}
