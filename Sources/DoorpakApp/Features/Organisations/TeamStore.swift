import FluentKit
import Foundation

/// What an administrator types for a team.
struct TeamDraft: Sendable {
    var name: String?
    var organisation: String?
    var lead: String?
    var active: Bool = true
}

/// Teams within organisations: the only door to the `teams` table. A team's lead is one of the
/// organisation's own people; users and routing rules name a team of their own organisation only.
struct TeamStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    func all() async throws -> [Team] {
        try await Team.query(on: database.db()).sort(\.$name).all()
    }

    func find(_ id: UUID) async throws -> Team {
        guard let team = try await Team.find(id, on: database.db()) else { throw AppError.notFound }
        return team
    }

    /// How many active users work from each team.
    func memberCounts() async throws -> [UUID: Int] {
        let users = try await User.query(on: database.db()).filter(\.$teamID != nil).filter(\.$active == true).all()
        return users.reduce(into: [:]) { counts, user in counts[user.teamID!, default: 0] += 1 }
    }

    func create(_ draft: TeamDraft, by principal: Principal) async throws -> Team {
        try await NameRules.unique("name") { try await database.db().transaction { tx in
            let valid = try await Self.validate(draft, except: nil, on: tx)
            let team = Team(organisationID: valid.organisation, name: valid.name, leadID: valid.lead, active: draft.active, createdAt: Date.now.wholeSeconds)
            try await team.create(on: tx)
            try await Audit.record(.create, "team", team.id!.uuidString, by: principal, on: tx)
            return team
        } }
    }

    func update(_ id: UUID, _ draft: TeamDraft, by principal: Principal) async throws {
        try await NameRules.unique("name") { try await database.db().transaction { tx in
            guard let team = try await Team.find(id, on: tx) else { throw AppError.notFound }
            let valid = try await Self.validate(draft, except: id, on: tx)
            let people = try await User.query(on: tx).filter(\.$teamID == id).first()
            let rules = try await RoutingRule.query(on: tx).filter(\.$teamID == id).first()
            if valid.organisation != team.organisationID, people != nil || rules != nil {
                // Its people and rules belong to the organisation it was made for.
                throw AppError.invalid([FieldIssue("organisation", "in_use")])
            }
            team.name = valid.name
            team.organisationID = valid.organisation
            team.leadID = valid.lead
            team.active = draft.active
            try await team.update(on: tx)
            try await Audit.record(.update, "team", id.uuidString, by: principal, on: tx)
        } }
    }

    private static func validate(_ draft: TeamDraft, except id: UUID?, on db: any Database) async throws
        -> (name: String, organisation: UUID, lead: UUID?) {
        var issues: [FieldIssue] = []
        let name = (draft.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: 100) { issues.append(FieldIssue("name", issue)) }
        let organisation = draft.organisation.nonBlank.flatMap(UUID.init(uuidString:))
        let found = try await organisation.asyncMap { try await Organisation.find($0, on: db) } ?? nil
        if draft.organisation.nonBlank == nil { issues.append(FieldIssue("organisation", "required")) }
        else if found == nil { issues.append(FieldIssue("organisation", "unknown")) }
        var lead: UUID?
        if let raw = draft.lead.nonBlank {
            lead = UUID(uuidString: raw)
            let user = try await lead.asyncMap { try await User.find($0, on: db) } ?? nil
            if user == nil || user?.active != true { issues.append(FieldIssue("lead", "unknown")) }
            else if let organisation, user?.organisationID != organisation { issues.append(FieldIssue("lead", "not_in_organisation")) }
        }
        if let organisation, !name.isEmpty {
            let same = Team.query(on: db).filter(\.$organisationID == organisation).filter(\.$name == name)
            if let id { same.filter(\.$id != id) }
            if try await same.first() != nil { issues.append(FieldIssue("name", "taken")) }
        }
        guard issues.isEmpty, let organisation else { throw AppError.invalid(issues) }
        return (name, organisation, lead)
    }

    /// The problem with naming `team` for someone or something of `organisation`, if any.
    static func issue(team: UUID?, organisation: UUID?, field: String, on db: any Database) async throws -> FieldIssue? {
        guard let team else { return nil }
        guard let found = try await Team.find(team, on: db) else { return FieldIssue(field, "unknown") }
        return found.organisationID == organisation ? nil : FieldIssue(field, "other_organisation")
    }
}
