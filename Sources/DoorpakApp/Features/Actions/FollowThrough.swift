import FluentKit
import Foundation

/// Queries that several follow-through features share.
enum FollowThrough {
    /// Reports the user is asked to act on outside their own scope: a pending hand-over addressed to
    /// them (or to their organisation, nobody named) or an open action for them (or their organisation).
    static func reportsAskedOf(_ principal: Principal, on db: any Database) async throws -> [UUID] {
        let me = principal.userID
        let organisation = principal.organisationID
        let handovers = try await Handover.query(on: db)
            .filter(\.$subjectKind == ActionSubjectKind.report.rawValue)
            .filter(\.$status == HandoverStatus.requested.rawValue)
            .group(.or) { or in
                or.filter(\.$toUserID == me)
                if let organisation { or.group(.and) { $0.filter(\.$toOrganisationID == organisation).filter(\.$toUserID == nil) } }
            }
            .field(\.$subjectID).all().map(\.subjectID)
        let actions = try await Action.query(on: db)
            .filter(\.$subjectKind == ActionSubjectKind.report.rawValue)
            .filter(\.$status == ActionStatus.open.rawValue)
            .group(.or) { or in
                or.filter(\.$assigneeID == me)
                if let organisation { or.filter(\.$organisationID == organisation) }
            }
            .field(\.$subjectID).all().map(\.subjectID)
        return Array(Set(handovers + actions))
    }
}
