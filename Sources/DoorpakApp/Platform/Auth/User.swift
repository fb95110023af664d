import FluentKit
import Foundation

/// What a user may do and see. Scope beyond the role comes from the user's districts,
/// locations and organisation.
enum Role: String, Codable, CaseIterable, Sendable {
    /// Everything, including configuration.
    case administrator
    /// All reports in their districts.
    case coordinator
    /// Reports of their locations.
    case locationStaff = "location_staff"
    /// Reports whose responsible organisation is theirs.
    case partner
    /// Aggregates only: no descriptions, no names.
    case analyst
    /// Reads the access log (who looked at what); no records.
    case privacyOfficer = "privacy_officer"
}

extension Role {
    /// Roles that read no records at all (aggregates or the access log only): they never own reports.
    static let withoutRecordAccess: [Role] = [.analyst, .privacyOfficer]
}

/// A person who signs in. Residents do not have accounts here.
final class User: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "active") var active: Bool
    /// Who this user's work escalates to first (the escalation ladder's "team lead").
    @OptionalField(key: "team_lead_id") var teamLeadID: UUID?
    /// The team within the organisation whose intake queue the user works from, if any.
    @OptionalField(key: "team_id") var teamID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Set by an administrator's reset: the password is a one-time password, to be replaced at the next sign-in.
    @OptionalField(key: "password_must_change") var passwordMustChange: Bool?
    @OptionalField(key: "password_changed_at") var passwordChangedAt: Date?

    init() {}
    init(id: UUID? = nil, email: String, name: String, passwordHash: String, role: Role, organisationID: UUID?) {
        self.id = id
        self.email = email.lowercased()
        self.name = name
        self.passwordHash = passwordHash
        self.role = role.rawValue
        self.organisationID = organisationID
        self.active = true
    }

    var userRole: Role { Role(rawValue: role) ?? .analyst }
}

/// A district a coordinator (or anyone) is assigned to.
final class UserDistrict: Model, @unchecked Sendable {
    static let schema = "user_districts"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "district_id") var districtID: UUID
    init() {}
    init(userID: UUID, districtID: UUID) { self.userID = userID; self.districtID = districtID }
}

/// A location a member of location staff works at.
final class UserLocation: Model, @unchecked Sendable {
    static let schema = "user_locations"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "location_id") var locationID: UUID
    init() {}
    init(userID: UUID, locationID: UUID) { self.userID = userID; self.locationID = locationID }
}

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("organisation_id", .uuid, .references(Organisation.schema, "id"))
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(UserDistrict.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("district_id", .uuid, .required, .references(District.schema, "id"))
            .unique(on: "user_id", "district_id")
            .create()
        try await database.schema(UserLocation.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("location_id", .uuid, .required, .references(Location.schema, "id"))
            .unique(on: "user_id", "location_id")
            .create()
    }
    func revert(on database: any Database) async throws {
        try await database.schema(UserLocation.schema).delete()
        try await database.schema(UserDistrict.schema).delete()
        try await database.schema(User.schema).delete()
    }
}
