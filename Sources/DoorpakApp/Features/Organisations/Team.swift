import FluentKit
import Foundation

/// A group of users within one organisation (e.g. "wijkteam Oost"): routing rules may send a
/// category's reports to a team instead of the whole organisation, and the team's members find
/// them in their intake queue. A team has an optional lead who sees the team's work.
final class Team: Model, @unchecked Sendable {
    static let schema = "teams"
    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "lead_id") var leadID: UUID?
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(id: UUID? = nil, organisationID: UUID, name: String, leadID: UUID? = nil, active: Bool = true, createdAt: Date) {
        self.id = id
        self.organisationID = organisationID
        self.name = name
        self.leadID = leadID
        self.active = active
        self.createdAt = createdAt
    }
}
