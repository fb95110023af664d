import FluentKit
import Foundation
import Hummingbird
import HummingbirdAuth
import Logging

/// What the application is built from: `buildRouter` turns the database into `Stores` for the
/// routes; the jobs and the demo seeder use the database directly.
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
    var opened = try await AppDatabase.open(config.database, logger: logger)
    opened.attachmentFiles = AttachmentFiles(directory: config.attachments.directory)
    let database = opened
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
    app.beforeServerStarts { [logger] in
        if config.migrateOnStart { try await database.migrate() }
        // Case reasons written before they were sealed at rest are sealed now (a no-op afterwards).
        let sealed = try await KeyRotation(cipher: services.cipher, database: database).sealWrittenBeforeSealing()
        if sealed.rewritten > 0 || sealed.failed > 0 {
            logger.notice("sealed case reasons at rest", metadata: ["rows": "\(sealed.rewritten)", "failed": "\(sealed.failed)"])
        }
        if config.seedDemoData { try await DemoSeeder(database: database, passwords: services.passwords, cipher: services.cipher).seedIfEmpty() }
    }
    return app
}

func buildRouter(_ services: AppServices, sessions: DatabasePersistDriver) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Each store once, with its dependencies; routes, APIs and middleware get stores, never the database.
    let stores = Stores(database: services.database, cipher: services.cipher, config: services.config,
                        passwords: services.passwords, sessions: sessions)
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
        AuthenticationMiddleware(accounts: stores.accounts, idleTimeout: services.config.sessionIdleTimeout,
                                 maxAge: services.config.auth.sessionMaxAge)
        NavigationCountMiddleware(store: stores.notifications, work: stores.work)
        ErrorMiddleware(views: services.views)
        FormMiddleware(uploadLimit: services.config.attachments.maxBytes)
        BreakGlassWriteGuard()
    }
    router.get("/health") { _, _ in "ok" }
    let views = services.views
    AccountRoutes(stores: stores, config: services.config, views: views).add(to: router)
    SignInRoutes(stores: stores, config: services.config, views: views).add(to: router)
    SingleSignOnRoutes(stores: stores, config: services.config, views: views).add(to: router)
    RetentionRoutes(store: stores.retention, views: views).add(to: router)
    ReportRoutes(store: stores.reports, persons: stores.persons, actions: stores.actions, handovers: stores.handovers,
                 catalog: stores.catalog, routing: stores.routing, attachments: stores.attachments, views: views).add(to: router)
    WorkRoutes(store: stores.work, cases: stores.cases, catalog: stores.catalog, routing: stores.routing, views: views).add(to: router)
    BreakthroughRoutes(store: stores.escalation, subjects: stores.agendaSubjects, actions: stores.actions, catalog: stores.catalog,
                       views: views).add(to: router)
    LocationRoutes(store: stores.locations, reports: stores.reports, catalog: stores.catalog, views: views).add(to: router)
    AdminRoutes(stores: stores, views: views).add(to: router)
    AuditRoutes(store: stores.audit, views: views).add(to: router)
    AuditAPI(store: stores.audit).add(to: router, locales: views.locales)
    BreakGlassRoutes(store: stores.breakGlass, catalog: stores.catalog, views: views,
                     recentWindow: services.config.auth.recentAuthentication).add(to: router)
    BreakGlassAPI(store: stores.breakGlass, catalog: stores.catalog).add(to: router, locales: views.locales)
    PersonRoutes(store: stores.persons, catalog: stores.catalog, views: views).add(to: router)
    SubjectRightsRoutes(store: stores.subjectRights, views: views).add(to: router)
    CoolingOffRoutes(store: stores.coolingOff, catalog: stores.catalog, views: views).add(to: router)
    CaseRoutes(store: stores.cases, meetings: stores.caseMeetings, placements: stores.coolingOff, catalog: stores.catalog,
               routing: stores.routing, attachments: stores.attachments, views: views).add(to: router)
    CaseMeetingRoutes(store: stores.caseMeetings, catalog: stores.catalog, views: views).add(to: router)
    ConcernRoutes(store: stores.concerns, catalog: stores.catalog, views: views).add(to: router)
    NotificationRoutes(store: stores.notifications, views: views, mailEnabled: services.config.mail.enabled).add(to: router)
    APIRoutes(stores: stores, config: services.config, locales: views.locales).add(to: router)
    return router
}
