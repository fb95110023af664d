import FluentKit
import Foundation

/// What an administrator submits for an organisation.
struct OrganisationDraft: Sendable {
    var name: String?
    var kind: String?
    var active: Bool = true
    /// The escalation ladder's "organisation manager": one of its own people (edit only).
    var manager: String?

    struct Valid: Sendable {
        let name: String
        let kind: OrganisationKind
        let active: Bool
        var managerID: UUID? = nil
    }

    func validate() -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        let name = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("name", issue)) }
        var kind: OrganisationKind?
        if let raw = self.kind.nonBlank {
            kind = OrganisationKind(rawValue: raw)
            if kind == nil { issues.append(FieldIssue("kind", "unknown")) }
        } else {
            issues.append(FieldIssue("kind", "required"))
        }
        var managerID: UUID?
        if let raw = manager.nonBlank {
            managerID = UUID(uuidString: raw)
            if managerID == nil { issues.append(FieldIssue("manager", "unknown")) }
        }
        guard issues.isEmpty, let kind else { return (nil, issues) }
        return (Valid(name: name, kind: kind, active: active, managerID: managerID), [])
    }
}

/// The only door to partner organisations (configuration data, readable by every signed-in user).
struct OrganisationStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    func all() async throws -> [Organisation] {
        try await Organisation.query(on: database.db()).sort(\.$name).all()
    }

    func find(_ id: UUID) async throws -> Organisation {
        guard let organisation = try await Self.find(id, on: database.db()) else { throw AppError.notFound }
        return organisation
    }

    /// For other stores' checks inside their own transaction.
    static func find(_ id: UUID, on db: any Database) async throws -> Organisation? {
        try await Organisation.find(id, on: db)
    }

    func create(_ draft: OrganisationDraft, by principal: Principal) async throws -> Organisation {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        return try await NameRules.unique("name") { try await database.db().transaction { tx in
            try await Self.checkUnique(valid.name, except: nil, on: tx)
            let organisation = Organisation(name: valid.name, kind: valid.kind, active: valid.active)
            try await organisation.create(on: tx)
            try await Audit.record(.create, "organisation", organisation.id!.uuidString, by: principal, on: tx)
            return organisation
        } }
    }

    /// The organisation's active people, for choosing its manager.
    func members(of id: UUID) async throws -> [User] {
        try await User.query(on: database.db()).filter(\.$organisationID == id).filter(\.$active == true).sort(\.$name).all()
    }

    func update(_ id: UUID, _ draft: OrganisationDraft, by principal: Principal) async throws {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        try await NameRules.unique("name") { try await database.db().transaction { tx in
            guard let organisation = try await Organisation.find(id, on: tx) else { throw AppError.notFound }
            try await Self.checkUnique(valid.name, except: id, on: tx)
            organisation.name = valid.name
            organisation.kind = valid.kind.rawValue
            organisation.active = valid.active
            if let manager = valid.managerID {
                let user = try await User.find(manager, on: tx)
                guard user?.active == true, user?.organisationID == id else { throw AppError.invalid([FieldIssue("manager", "not_in_organisation")]) }
            }
            organisation.managerID = valid.managerID
            try await organisation.update(on: tx)
            try await Audit.record(.update, "organisation", id.uuidString, by: principal, on: tx)
        } }
    }

    private static func checkUnique(_ name: String, except id: UUID?, on db: any Database) async throws {
        let taken = try await Organisation.query(on: db).all().contains { $0.id != id && NameRules.sameName($0.name, name) }
        if taken { throw AppError.invalid([FieldIssue("name", "taken")]) }
    }
}
