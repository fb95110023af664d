import FluentKit
import Foundation

/// The signed-in user as every feature sees them: identity, role and the scope that follows.
/// Built once per request; stores take it to decide what a query may return.
struct Principal: Sendable {
    let userID: UUID
    let name: String
    let email: String
    let role: Role
    let organisationID: UUID?
    let districtIDs: [UUID]
    let locationIDs: [UUID]
    /// How the user authenticated: a browser session or a personal access token.
    let via: Via
    /// The team within the organisation whose queue the user works from, if any.
    var teamID: UUID? = nil

    enum Via: Sendable { case session, token }

    var isAdministrator: Bool { role == .administrator }

    /// The same principal, authenticated another way (a cached principal serves sessions and tokens).
    func via(_ via: Via) -> Principal {
        Principal(userID: userID, name: name, email: email, role: role, organisationID: organisationID,
                  districtIDs: districtIDs, locationIDs: locationIDs, via: via, teamID: teamID)
    }

    /// Which reports this user may read, as data every store applies to its queries.
    var reportScope: ReportScope {
        switch role {
        case .administrator: .all
        case .coordinator: .districts(districtIDs)
        case .locationStaff: .locations(locationIDs)
        case .partner: organisationID.map { .organisation($0) } ?? .none
        case .analyst, .privacyOfficer: .none
        }
    }

    /// Privacy officers and administrators read the access log; for anyone else it does not exist.
    var mayReadAuditLog: Bool { role == .privacyOfficer || role == .administrator }

    /// Loads the principal for an active user; `nil` when the user is gone or deactivated
    /// (`UserStore` reads the user and their assignments).
    static func load(userID: UUID, via: Via, on db: any Database) async throws -> Principal? {
        try await UserStore.principal(userID: userID, via: via, on: db)
    }

    /// The principal for a user already read; `nil` when deactivated.
    static func load(user: User, via: Via, on db: any Database) async throws -> Principal? {
        try await UserStore.principal(user: user, via: via, on: db)
    }
}

/// The records of a kind a user may read. `.none` still allows aggregates where a feature offers them.
enum ReportScope: Sendable, Equatable {
    case all
    case districts([UUID])
    case locations([UUID])
    case organisation(UUID)
    case none
}
