import Foundation

/// Who may change a case's direction, decided in one place: the store guards the transitions
/// with it and the case page asks it which forms to show.
///
/// The direction decides who reads everything in a case, so it never moves to someone without the
/// holder's consent: the current director proposes and the one asked accepts. Nobody proposes
/// themselves. Only when the case has no active director (the director was deactivated) may a
/// district coordinator claim it, with a reason that goes into the history and the access log,
/// and the case's members are told.
struct CasePolicy: Sendable {
    let access: CaseStore.Access
    let principalID: UUID
    let isOpen: Bool
    /// Whether the case's director is an active user.
    let directorActive: Bool

    /// Proposing a new director: the director (the holder), or — only when the director is gone —
    /// the district coordinator or an administrator. An administrator configures Doorpak; while the
    /// director is active the hand-over is theirs alone (the property tests found an administrator
    /// making a member whose consent was withdrawn director again).
    /// (Whether the case is open is the store's own check: a closed case has no hand-over, 409.)
    var mayProposeDirector: Bool {
        switch access {
        case .director: return true
        case .administrator, .coordinatorMetadata: return !directorActive
        case .member, .withdrawnMember: return false
        }
    }

    /// A proposal never names the one proposing (that would widen their own access).
    func mayPropose(_ userID: UUID) -> Bool { mayProposeDirector && userID != principalID }

    /// Opening a case (and so directing it, which opens the person's details): whoever works on
    /// records, but not an administrator: for them it would widen their own access by role alone.
    static func mayOpenCase(_ principal: Principal) -> Bool { principal.reportScope != .none && !principal.isAdministrator }

    /// Who watches over the direction of cases (the list of cases needing a director, the factor
    /// overview): coordinators for their districts, administrators for all. Facts, never content.
    static func overseesDirection(_ principal: Principal) -> Bool { principal.role == .coordinator || principal.isAdministrator }

    /// The districts whose cases this user reaches by role (coordinators); `nil`: every district
    /// (administrators); empty: none (everyone else reaches only their own part in a case).
    static func districtsOverseen(by principal: Principal) -> [UUID]? {
        if principal.isAdministrator { return nil }
        return principal.role == .coordinator ? principal.districtIDs : []
    }

    /// How a user reaches a case by role alone, if at all: administrators the facts of every case,
    /// a coordinator those of their districts'. (Directors and members reach it by relationship.)
    static func roleAccess(_ principal: Principal, districtID: UUID?) -> CaseStore.Access? {
        guard let districts = districtsOverseen(by: principal) else { return .administrator }
        if let districtID, districts.contains(districtID) { return .coordinatorMetadata }
        return nil
    }

    /// Taking over a case without a director: its district's coordinator, with a reason.
    var mayClaimDirection: Bool { isOpen && !directorActive && access == .coordinatorMetadata }
}

/// What each relationship to a case reads and does: the one rule that the store's queries, its
/// transitions, the case page and the API DTOs all ask.
extension CaseStore.Access {
    /// Notes, goals, factors, action results, minutes, reasons: the director and members (a member
    /// whose consent was withdrawn, only what was written before, `reads(writtenAt:)`). Coordinators
    /// and administrators read the facts (phase, director, dates, counts), never the content.
    var readsContent: Bool {
        switch self {
        case .director, .member, .withdrawnMember: true
        case .administrator, .coordinatorMetadata: false
        }
    }

    /// Writes content (notes, actions, their results): the director and members whose basis holds.
    var writes: Bool { self == .director || self == .member }

    /// Directs the case: its members, plan, factors, actions for others, closing. The director only.
    var directs: Bool { self == .director }
}
