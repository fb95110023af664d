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

    /// Taking over a case without a director: its district's coordinator, with a reason.
    var mayClaimDirection: Bool { isOpen && !directorActive && access == .coordinatorMetadata }
}
