import FluentKit
import Foundation

/// The only door for managing user accounts and their district and location assignments.
/// (Signing in reads users through `AccountStore`; `principal(user:via:on:)` reads the assignments.)
struct UserStore: Sendable {
    private let database: AppDatabase
    let passwords: Passwords

    init(database: AppDatabase, passwords: Passwords) {
        self.database = database
        self.passwords = passwords
    }

    struct Assignments: Sendable {
        let districtIDs: [UUID]
        let locationIDs: [UUID]
    }

    func all() async throws -> [User] {
        try await User.query(on: database.db()).sort(\.$name).sort(\.$email).all()
    }

    func find(_ id: UUID) async throws -> User {
        guard let user = try await User.find(id, on: database.db()) else { throw AppError.notFound }
        return user
    }

    func assignments(of id: UUID) async throws -> Assignments {
        let db = database.db()
        async let districts = UserDistrict.query(on: db).filter(\.$userID == id).all()
        async let locations = UserLocation.query(on: db).filter(\.$userID == id).all()
        return Assignments(districtIDs: try await districts.map(\.districtID), locationIDs: try await locations.map(\.locationID))
    }

    /// Creates an active account with an initial password (hashed; never stored or logged in clear).
    func create(_ draft: UserDraft, by principal: Principal) async throws -> User {
        let (valid, issues) = draft.validate(isNew: true)
        guard let valid, let email = valid.email, let password = valid.password else { throw AppError.invalid(issues) }
        let hash = try await passwords.hash(password)
        return try await NameRules.unique("email") { try await database.db().transaction { tx in
            var problems = try await Self.referenceIssues(valid, on: tx)
            if try await User.query(on: tx).filter(\.$email == email).first() != nil { problems.append(FieldIssue("email", "taken")) }
            if !problems.isEmpty { throw AppError.invalid(problems) }
            let user = User(email: email, name: valid.name, passwordHash: hash, role: valid.role, organisationID: valid.organisationID)
            user.teamLeadID = valid.teamLeadID
            user.teamID = valid.teamID
            try await user.create(on: tx)
            try await Self.replaceAssignments(of: user.id!, with: valid, on: tx)
            try await Audit.record(.create, "user", user.id!.uuidString, by: principal, on: tx)
            return user
        } }
    }

    /// Changes name, role, organisation and assignments. An administrator cannot take away their
    /// own administrator role, so that an installation never loses its last way in by accident.
    func update(_ id: UUID, _ draft: UserDraft, by principal: Principal) async throws {
        let (valid, issues) = draft.validate(isNew: false)
        guard let valid else { throw AppError.invalid(issues) }
        try await database.db().transaction { tx in
            guard let user = try await User.find(id, on: tx) else { throw AppError.notFound }
            var problems = try await Self.referenceIssues(valid, on: tx)
            if id == principal.userID && valid.role != .administrator { problems.append(FieldIssue("role", "own_role")) }
            if !problems.isEmpty { throw AppError.invalid(problems) }
            user.name = valid.name
            user.role = valid.role.rawValue
            user.organisationID = valid.organisationID
            if valid.teamLeadID == id { throw AppError.invalid([FieldIssue("team_lead", "not_self")]) }
            user.teamLeadID = valid.teamLeadID
            user.teamID = valid.teamID
            try await user.update(on: tx)
            try await Self.replaceAssignments(of: id, with: valid, on: tx)
            try await Audit.record(.update, "user", id.uuidString, by: principal, on: tx)
        }
    }

    /// Deactivates or reactivates an account. A deactivated user cannot sign in, and their open
    /// sessions stop working at the next request, and their tokens are revoked (a reactivated user makes new ones). Nobody deactivates themselves.
    func setActive(_ id: UUID, _ active: Bool, by principal: Principal) async throws {
        if id == principal.userID && !active { throw AppError.conflict("An administrator cannot deactivate themselves.") }
        try await database.db().transaction { tx in
            guard let user = try await User.find(id, on: tx) else { throw AppError.notFound }
            guard user.active != active else { return }
            user.active = active
            try await user.update(on: tx)
            if !active { try await APITokenStore.revokeAll(of: id, on: tx) }
            try await Audit.record(.update, "user", id.uuidString, by: principal, purpose: active ? "reactivated" : "deactivated", on: tx)
        }
    }

    private static func referenceIssues(_ valid: UserDraft.Valid, on db: any Database) async throws -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let organisation = valid.organisationID, try await OrganisationStore.find(organisation, on: db) == nil {
            issues.append(FieldIssue("organisation", "unknown"))
        }
        if try await LocationStore.existingDistrictIDs(valid.districtIDs, on: db).count != valid.districtIDs.count {
            issues.append(FieldIssue("districts", "unknown"))
        }
        if try await LocationStore.existingLocationIDs(valid.locationIDs, on: db).count != valid.locationIDs.count {
            issues.append(FieldIssue("locations", "unknown"))
        }
        if let lead = valid.teamLeadID, try await User.find(lead, on: db)?.active != true {
            issues.append(FieldIssue("team_lead", "unknown"))
        }
        // A user works from a team of their own organisation only.
        if let issue = try await TeamStore.issue(team: valid.teamID, organisation: valid.organisationID, field: "team", on: db) {
            issues.append(issue)
        }
        return issues
    }

    private static func replaceAssignments(of id: UUID, with valid: UserDraft.Valid, on db: any Database) async throws {
        try await UserDistrict.query(on: db).filter(\.$userID == id).delete()
        try await UserLocation.query(on: db).filter(\.$userID == id).delete()
        for district in valid.districtIDs { try await UserDistrict(userID: id, districtID: district).create(on: db) }
        for location in valid.locationIDs { try await UserLocation(userID: id, locationID: location).create(on: db) }
    }

    // MARK: Command line

    /// `doorpak user create`: a user with a password already checked against the policy; returns
    /// an error message instead of throwing when the e-mail address is taken or the organisation unknown.
    func createFromCommandLine(email: String, name: String, role: Role, password: String, organisation: String?) async throws -> String? {
        let db = database.db()
        if try await User.query(on: db).filter(\.$email == email.lowercased()).first() != nil { return "A user with that e-mail exists." }
        var organisationID: UUID?
        if let organisation {
            guard let found = try await Organisation.query(on: db).filter(\.$name == organisation).first() else {
                return "No organisation named '\(organisation)'."
            }
            organisationID = found.id
        }
        let organisationRef = organisationID
        let hash = try await passwords.hash(PasswordPolicy.normalise(password))
        try await db.transaction { tx in
            let user = User(email: email, name: name, passwordHash: hash, role: role, organisationID: organisationRef)
            try await user.create(on: tx)
            try await Audit.record(.create, "user", user.id?.uuidString, by: nil, purpose: "cli", on: tx)
        }
        return nil
    }

    /// Every user, by e-mail address (`doorpak user list`).
    func allByEmail() async throws -> [User] {
        try await User.query(on: database.db()).sort(\.$email).all()
    }

    /// `doorpak user deactivate`: returns false when there is no such user.
    func deactivateFromCommandLine(email: String) async throws -> Bool {
        try await database.db().transaction { tx in
            guard let user = try await User.query(on: tx).filter(\.$email == email.lowercased()).first() else { return false }
            user.active = false
            try await user.update(on: tx)
            try await APITokenStore.revokeAll(of: user.id!, on: tx)
            try await Audit.record(.update, "user", user.id?.uuidString, by: nil, purpose: "cli: deactivate", on: tx)
            return true
        }
    }

    // MARK: Principals

    /// The principal for an active user; `nil` when the user is gone or deactivated.
    static func principal(userID: UUID, via: Principal.Via, on db: any Database) async throws -> Principal? {
        guard let user = try await User.find(userID, on: db) else { return nil }
        return try await principal(user: user, via: via, on: db)
    }

    /// The principal for a user already read; `nil` when deactivated.
    static func principal(user: User, via: Principal.Via, on db: any Database) async throws -> Principal? {
        guard user.active, let userID = user.id else { return nil }
        let districts = try await UserDistrict.query(on: db).filter(\.$userID == userID).all().map(\.districtID)
        let locations = try await UserLocation.query(on: db).filter(\.$userID == userID).all().map(\.locationID)
        return Principal(
            userID: userID, name: user.name, email: user.email, role: user.userRole,
            organisationID: user.organisationID, districtIDs: districts, locationIDs: locations, via: via,
            teamID: user.teamID
        )
    }
}

extension UserStore {
    /// The active people of an organisation who work with records (not analysts or privacy
    /// officers): who may answer a hand-over to it, and whom its intake queue concerns.
    static func recordWorkers(of organisation: UUID, on db: any Database) -> QueryBuilder<User> {
        User.query(on: db).filter(\.$organisationID == organisation).filter(\.$active == true)
            .filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue))
    }
}
