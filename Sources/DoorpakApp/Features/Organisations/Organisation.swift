import FluentKit
import Foundation

/// The kinds of partner organisation in the field (`domain.md`). Labels live in the locale files.
enum OrganisationKind: String, Codable, CaseIterable, Sendable {
    case city, housingCorporation = "housing_corporation", police, publicHealth = "public_health"
    case mentalHealthCare = "mental_health_care", youthWork = "youth_work"
    case statusHolderGuidance = "status_holder_guidance", wpi, safetyHouse = "safety_house"
    case veiligThuis = "veilig_thuis", other
}

/// A partner organisation: a housing corporation, the police, the GGD, ...
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "active") var active: Bool
    /// The organisation's manager: the escalation ladder's rung after the team lead.
    @OptionalField(key: "manager_id") var managerID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    init(id: UUID? = nil, name: String, kind: OrganisationKind, active: Bool = true) {
        self.id = id
        self.name = name
        self.kind = kind.rawValue
        self.active = active
    }

    var organisationKind: OrganisationKind { OrganisationKind(rawValue: kind) ?? .other }
}

struct CreateOrganisations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Organisation.schema)
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "name")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Organisation.schema).delete() }
}
