import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// The application's connection pools and migrations: the FluentKit set-up without a web framework.
public struct AppDatabase: Sendable {
    public let databases: Databases
    let logger: Logger
    let isPostgres: Bool
    let schema: String?
    /// SQLite only: where this file's writers wait their turn (see `SQLiteWriteQueue`).
    let writeQueue: SQLiteWriteQueue?
    /// Reference data kept per set of pools, shared by every store built on them (`SharedCaches`).
    let caches = SharedCaches()
    /// The model middlewares installed on these pools, by name (each once: `installOnce`).
    private let middlewares = InstalledMiddlewares()
    /// The folder of attachment files: data that lives beside the rows, so whatever holds the
    /// database (the purge, commands, tests) reaches the files too. Only `AttachmentStore` and the
    /// purge use it.
    var attachmentFiles: AttachmentFiles = .none

    /// Installs model middlewares under `name` unless that name was installed on these pools already
    /// (every store built on them may ask; only the first asks the pools).
    func installOnce(_ name: String, _ middlewares: @autoclosure () -> [any AnyModelMiddleware]) {
        guard self.middlewares.claim(name) else { return }
        for middleware in middlewares() { databases.middleware.use(middleware) }
    }

    /// Opens the pools; on SQLite also puts the file in WAL mode and gives every pooled connection
    /// a sleeping busy timeout instead of the driver's spinning busy handler.
    public static func open(_ choice: AppConfig.DatabaseChoice, logger: Logger) async throws -> AppDatabase {
        let database = try AppDatabase(choice, logger: logger)
        do {
            try await database.prepareSQLiteConnections()
        } catch {
            await database.shutdown()
            throw error
        }
        return database
    }

    private init(_ choice: AppConfig.DatabaseChoice, logger: Logger) throws {
        let loops: any EventLoopGroup
        if case .sqlite(.some) = choice { loops = Self.sqliteLoops } else { loops = MultiThreadedEventLoopGroup.singleton }
        databases = Databases(threadPool: Self.blockingThreads, on: loops)
        self.logger = logger
        switch choice {
        case .sqlite(let path):
            if let path {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                databases.use(.sqlite(.file(path), connectionPoolTimeout: Self.poolTimeout, sqlLogLevel: .trace), as: .sqlite)
                writeQueue = SQLiteWriteQueue.forFile(path)
            } else {
                databases.use(.sqlite(.memory, sqlLogLevel: .trace), as: .sqlite)
                writeQueue = SQLiteWriteQueue()
            }
            isPostgres = false
            schema = nil
        case .postgres(let url, let schema, let connectionsPerEventLoop):
            var configuration = try SQLPostgresConfiguration(url: url)
            if let schema { configuration.searchPath = [schema] }
            databases.use(
                .postgres(configuration: configuration, maxConnectionsPerEventLoop: connectionsPerEventLoop,
                          connectionPoolTimeout: Self.poolTimeout, sqlLogLevel: .trace),
                as: .psql
            )
            isPostgres = true
            self.schema = schema
            writeQueue = nil
        }
    }

    /// The fluent-sqlite driver keeps one connection per event loop for the life of the pool, so
    /// setting each loop's connection once covers every statement this process runs.
    private func prepareSQLiteConnections() async throws {
        guard !isPostgres else { return }
        try await sql().raw("PRAGMA journal_mode = WAL").run()
        try await onEveryConnection("PRAGMA busy_timeout = \(unsafeRaw: String(Self.busyTimeoutMilliseconds))")
        // Read pages through a memory map instead of a read() call each: at a million reports a
        // worklist's queries spent more time in those calls than in SQLite (the connections' own
        // page caches are 2 MB). The mapped pages are the kernel's file cache, shared by all
        // connections and given back under memory pressure (they count as file-backed resident memory).
        try await onEveryConnection("PRAGMA mmap_size = \(unsafeRaw: String(Self.mmapBytes))")
    }

    /// Runs a statement on each event loop's pooled connection (SQLite keeps one per loop).
    private func onEveryConnection(_ statement: SQLQueryString) async throws {
        for eventLoop in databases.eventLoopGroup.makeIterator() {
            try await databases.database(logger: logger, on: eventLoop)!.sql.raw(statement).run()
        }
    }

    /// How much of an SQLite file is read through a memory map (address space, not memory).
    static let mmapBytes: Int64 = 8 << 30

    /// How long SQLite sleeps (with back-off) for another process's write lock before answering busy.
    static let busyTimeoutMilliseconds = 10_000

    /// SQLite runs its (blocking) calls on these threads. NIO's shared pool has one thread per core:
    /// with two cores, two statements waiting on SQLite's lock (busy wait) block every other
    /// database in the process, and under load connection requests time out.
    static let blockingThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// The SQLite driver keeps one connection per event loop of its group. On NIO's shared group
    /// (one loop per core) that made two connections on two cores, so one slow query (a count on
    /// a cache miss) held up every other request's reads. A file database gets a group of its own:
    /// eight connections, reading side by side in WAL mode while writers take turns
    /// (`SQLiteWriteQueue`). An in-memory database stays on the shared group: its connections
    /// share one cache, where more connections only wait for each other's table locks.
    static let sqliteLoops = MultiThreadedEventLoopGroup(numberOfThreads: 8)

    /// How long a query waits for a pooled connection before failing. The drivers' 10 s default
    /// was hit on a loaded 2-core machine (the whole test suite at once) without any deadlock.
    static let poolTimeout: TimeAmount = .seconds(30)

    /// A database handle for one unit of work.
    public func db() -> any Database {
        dbIfRunning()!
    }

    /// A handle, or `nil` once the pools are shut down: for clean-up that may run while the
    /// application stops (a job giving back its lease), where `db()` would trap.
    func dbIfRunning() -> (any Database)? {
        guard let database = databases.database(logger: logger, on: databases.eventLoopGroup.any()) else { return nil }
        guard let writeQueue else { return database }
        return SQLiteQueuedDatabase(base: database, queue: writeQueue)
    }

    /// The same handle as raw SQL, for the few statements the query builder cannot express.
    func sql() -> any SQLDatabase { db().sql }

    /// Runs every migration that has not run yet.
    public func migrate() async throws {
        if let schema {
            try await sql().raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
        let migrations = Migrations()
        migrations.add(Self.migrations)
        let migrator = Migrator(
            databases: databases, migrations: migrations, logger: logger, on: databases.eventLoopGroup.any()
        )
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
        try await optimize()
    }

    /// Gives SQLite's query planner statistics for tables that lack them or have grown tenfold
    /// since (`PRAGMA optimize` runs ANALYZE only then; seconds at a million reports, otherwise
    /// nothing). Without statistics SQLite picks poor plans for scoped worklists at scale.
    /// PostgreSQL keeps its own statistics (autovacuum).
    public func optimize() async throws {
        guard !isPostgres else { return }
        try await sql().raw("PRAGMA optimize=0x10002").run()
        // Other connections keep the statistics they loaded when they opened: make each reload them.
        try await onEveryConnection("ANALYZE sqlite_schema")
    }

    public func shutdown() async {
        await databases.shutdownAsync()
    }

    /// Opens the configured database for one piece of work outside the server (commands, tests)
    /// and closes it afterwards, also when the work fails.
    static func with<T: Sendable>(_ config: AppConfig, _ work: (AppDatabase) async throws -> T) async throws -> T {
        var logger = Logger(label: "doorpak")
        logger.logLevel = .warning
        var database = try await AppDatabase.open(config.database, logger: logger)
        database.attachmentFiles = AttachmentFiles(directory: config.attachments.directory)
        do {
            let result = try await work(database)
            await database.shutdown()
            return result
        } catch {
            await database.shutdown()
            throw error
        }
    }
}

extension Database {
    /// Every driver we use speaks SQL; this is the door to SQLKit for indexes and counters.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Which model middlewares an `AppDatabase` has installed (a reference, shared by its copies).
private final class InstalledMiddlewares: Sendable {
    private let names = Mutex<Set<String>>([])

    /// True the first time a name is claimed.
    func claim(_ name: String) -> Bool { names.withLock { $0.insert(name).inserted } }
}

/// Reference data that most requests (and every intake) read and that rarely changes, kept per set
/// of pools so that every store built on them shares it, each under the `catalog` version of
/// `cache_versions` (`VersionedCache`).
final class SharedCaches: Sendable {
    let catalog = VersionedCache<Int, Catalog>(watching: "catalog", capacity: 1)
    let routingRules = VersionedCache<Int, [RoutingRule]>(watching: "catalog", capacity: 1)
    let calendar = VersionedCache<Int, WorkingDayCalendar>(watching: "catalog", capacity: 1)
}
