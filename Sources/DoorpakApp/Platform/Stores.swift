import Foundation

/// Every feature's store, each built once (in `buildRouter`) with its dependencies and handed to
/// the routes, APIs and middleware. They hold no database of their own: a store is the only door
/// to its tables.
struct Stores: Sendable {
    let accounts: AccountStore
    let passwords: PasswordStore
    let twoFactor: TwoFactorStore
    let users: UserStore
    let throttle: LoginThrottle
    let lockouts: AccountLockouts
    let sessions: DatabasePersistDriver
    let audit: AuditStore
    let catalog: CatalogStore
    let reports: ReportStore
    let persons: PersonStore
    let cases: CaseStore
    let caseMeetings: CaseMeetingStore
    let coolingOff: CoolingOffStore
    let subjectRights: SubjectRightsStore
    let retention: RetentionStore
    let work: WorkStore
    let escalation: EscalationStore
    let actions: ActionStore
    let handovers: HandoverStore
    let locations: LocationStore
    let organisations: OrganisationStore
    let teams: TeamStore
    let categories: CategoryStore
    let routing: RoutingStore
    let breakGlass: BreakGlassStore
    let notifications: NotificationStore
    let attachments: AttachmentStore
    let concerns: ConcernStore

    init(database: AppDatabase, cipher: FieldCipher, config: AppConfig, passwords: Passwords, sessions: DatabasePersistDriver) {
        throttle = LoginThrottle(database: database)
        lockouts = AccountLockouts(database: database, policy: config.auth)
        accounts = AccountStore(database: database, passwords: passwords, throttle: throttle, lockouts: lockouts)
        self.passwords = PasswordStore(database: database, passwords: passwords)
        twoFactor = TwoFactorStore(database: database, cipher: cipher)
        users = UserStore(database: database, passwords: passwords)
        self.sessions = sessions
        audit = AuditStore(database: database)
        catalog = CatalogStore(database: database)
        reports = ReportStore(database: database)
        persons = PersonStore(database: database, cipher: cipher, concernRule: config.repeatConcern.rule)
        cases = CaseStore(database: database, persons: persons)
        caseMeetings = CaseMeetingStore(database: database, cases: cases)
        coolingOff = CoolingOffStore(database: database, persons: persons)
        subjectRights = SubjectRightsStore(database: database, cipher: cipher)
        retention = RetentionStore(database: database)
        work = WorkStore(database: database)
        escalation = EscalationStore(database: database)
        actions = ActionStore(database: database)
        handovers = HandoverStore(database: database)
        locations = LocationStore(database: database)
        organisations = OrganisationStore(database: database)
        teams = TeamStore(database: database)
        categories = CategoryStore(database: database)
        routing = RoutingStore(database: database)
        breakGlass = BreakGlassStore(database: database, duration: config.auth.breakGlassSeconds)
        notifications = NotificationStore(database: database)
        attachments = AttachmentStore(database: database, cipher: cipher, reports: reports, cases: cases, maxBytes: config.attachments.maxBytes)
        concerns = ConcernStore(database: database, persons: persons, cases: cases)
    }

    /// The stores for a command-line command: no field cipher (commands that need it load the keys
    /// themselves) and a database-backed session store nobody serves.
    init(database: AppDatabase, config: AppConfig) {
        self.init(database: database, cipher: .unavailable, config: config, passwords: Passwords(cost: UInt8(config.bcryptCost)),
                  sessions: DatabasePersistDriver(database: database))
    }

    /// What an item on the breakthrough or board agenda belongs to, through the subject's own store.
    var agendaSubjects: AgendaSubjects { AgendaSubjects(reports: reports, cases: cases) }
}
