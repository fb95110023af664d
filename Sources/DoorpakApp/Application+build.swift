import FluentKit
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging

/// The shared services every feature's routes are built from.
struct AppServices: Sendable {
    let config: AppConfig
    let database: AppDatabase
    let views: Views
    let passwords: Passwords
    /// Field encryption (persons' names, dates of birth, contact details). Fails closed until
    /// `buildApplication` loads the configured keys.
    var cipher: FieldCipher = .unavailable
}

/// Builds the whole application; the CLI and the tests both call this.
public func buildApplication(_ config: AppConfig, onReady: @escaping @Sendable () -> Void = {}) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "doorpak")
    logger.logLevel = config.logLevel
    let database = try await AppDatabase.open(config.database, logger: logger)
    let services = AppServices(config: config, database: database, views: try await Views.load(),
                               passwords: Passwords(cost: UInt8(config.bcryptCost)), cipher: try FieldCipher(config.keys))
    let sessions = DatabasePersistDriver(database: database)
    let router = buildRouter(services, sessions: sessions)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.hostname, port: config.port), serverName: "Doorpak"),
        services: [sessions],
        onServerRunning: { _ in onReady() },
        logger: logger
    )
    app.addServices(database.databases)
    app.addServices(RetentionPurge.job(database: database, logger: logger))
    for job in NotificationJobs.services(config, database: database, logger: logger) { app.addServices(job) }
    // The escalation ladder, once a minute, by whichever instance holds the lease.
    app.addServices(LeasedJob(name: EscalationJob.name, interval: .seconds(60), database: database, logger: logger) { _, now in
        try await EscalationJob(database: database).pass(now: now)
    })
    // Upkeep every ten minutes: expired sessions go, and SQLite's planner statistics stay fresh
    // (a no-op unless a table grew tenfold).
    app.addServices(PeriodicTask(interval: .seconds(600)) {
        try await sessions.removeExpired()
        try await database.optimize()
    })
    app.beforeServerStarts {
        if config.migrateOnStart { try await database.migrate() }
        if config.seedDemoData { try await DemoSeeder(database: database, passwords: services.passwords, cipher: services.cipher).seedIfEmpty() }
    }
    return app
}

func buildRouter(_ services: AppServices, sessions: DatabasePersistDriver) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Failing to read the shipped assets is a broken installation: stop at start-up.
    let staticFiles = try! StaticFilesMiddleware<AppRequestContext>(directory: Views.assets.appendingPathComponent("static"))
    let secure = services.config.secureCookies
    router.addMiddleware {
        ClientAddressMiddleware(proxies: services.config.trustedProxies)
        SecurityHeadersMiddleware(secure: secure)
        staticFiles
        APIRateLimitMiddleware(limit: services.config.auth.apiRateLimit, locales: services.views.locales)
        WebContextMiddleware(secure: secure)
        SessionMiddleware(storage: sessions, configuration: .init(
            sessionCookieParameters: .init(name: secure ? "__Host-dp_session" : "dp_session", secure: secure, sameSite: .lax),
            defaultSessionExpiration: services.config.sessionIdleTimeout
        ))
        AuthenticationMiddleware(database: services.database, idleTimeout: services.config.sessionIdleTimeout,
                                 maxAge: services.config.auth.sessionMaxAge)
        NavigationCountMiddleware(store: NotificationStore(database: services.database))
        ErrorMiddleware(views: services.views)
        FormMiddleware()
        BreakGlassWriteGuard()
    }
    router.get("/health") { _, _ in "ok" }
    let reports = ReportStore(database: services.database)
    AccountRoutes(services: services).add(to: router)
    SignInRoutes(services: services).add(to: router)
    SingleSignOnRoutes(services: services).add(to: router)
    RetentionRoutes(store: RetentionStore(database: services.database), views: services.views).add(to: router)
    ReportRoutes(store: reports, views: services.views).add(to: router)
    WorkRoutes(store: WorkStore(database: services.database), views: services.views).add(to: router)
    BreakthroughRoutes(store: EscalationStore(database: services.database), subjects: AgendaSubjects(services), views: services.views).add(to: router)
    LocationRoutes(store: LocationStore(database: services.database), reports: reports, views: services.views).add(to: router)
    AdminRoutes(services: services).add(to: router)
    AuditRoutes(store: AuditStore(database: services.database), views: services.views).add(to: router)
    AuditAPI(store: AuditStore(database: services.database)).add(to: router, locales: services.views.locales)
    BreakGlassRoutes(store: BreakGlassStore(database: services.database, duration: services.config.auth.breakGlassSeconds), views: services.views,
                     recentWindow: services.config.auth.recentAuthentication).add(to: router)
    BreakGlassAPI(store: BreakGlassStore(database: services.database)).add(to: router, locales: services.views.locales)
    PersonRoutes(store: PersonStore(database: services.database, cipher: services.cipher), views: services.views).add(to: router)
    SubjectRightsRoutes(store: SubjectRightsStore(database: services.database, cipher: services.cipher), views: services.views).add(to: router)
    CoolingOffRoutes(store: CoolingOffStore(database: services.database, persons: PersonStore(database: services.database, cipher: services.cipher)),
                     views: services.views).add(to: router)
    CaseRoutes(store: CaseStore(database: services.database, persons: PersonStore(database: services.database, cipher: services.cipher)),
               views: services.views).add(to: router)
    CaseMeetingRoutes(store: CaseMeetingStore(database: services.database, cases: CaseStore(database: services.database, persons: PersonStore(database: services.database, cipher: services.cipher))), views: services.views).add(to: router)
    NotificationRoutes(store: NotificationStore(database: services.database), views: services.views,
                       mailEnabled: services.config.mail.enabled).add(to: router)
    APIRoutes(services: services).add(to: router)
    return router
}
