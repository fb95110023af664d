import FluentKit

extension AppDatabase {
    /// Every migration, in order. A feature adds its own at the end; never reorder or edit one that shipped.
    static let migrations: [any Migration] = [
        CreateOrganisations(),
        CreateDistrictsAndLocations(),
        CreateUsers(),
        CreatePersistEntries(),
        CreateLoginAttempts(),
        CreateAPITokens(),
        CreateCategories(),
        CreateReports(),
        CreateAuditEntries(),
        CreateRoutingRules(),
        AddReportRouting(),
        AddAuditChain(),
        AddReportScopeIndexes(),
        CreateFollowThrough(),
        CreateJobLeases(),
        CreateNotifications(),
        CreateTwoFactor(),
        CreatePersons(),
        CreateCoolingOff(),
        CreateRetention(),
        AuditAppendOnly(),
        CreateCases(),
        CreateBreakGlassGrants(),
        CreatePersonCorrections(),
        CreateCaseMeetings(),
        CreateCasePlans(),
        CreateAuditChainAnchors(),
        AddAPITokenExpiry(),
        AddCategorySensitivity(),
        CreateConcernItems(),
    ]
}
