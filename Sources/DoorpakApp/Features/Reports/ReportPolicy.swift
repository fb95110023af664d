import Foundation

/// Who may change a report's owner and status, decided in one place: `ReportStore` guards its
/// transitions with it, and the report page asks it which forms to show.
///
/// The owner decides who else reads a report, so ownership never leaves the responsible
/// organisation without the other side's consent: set directly only to a colleague in that
/// organisation (by the owner passing it on, the colleague's team lead, the organisation's manager,
/// or a coordinator or administrator), never cleared once set; to anyone else it goes through a
/// hand-over they accept. Status changes belong to the responsible organisation, the owner,
/// coordinators and administrators.
struct ReportPolicy: Sendable {
    let principal: Principal
    let report: Report
    /// The responsible organisation's manager, if it has one.
    let organisationManagerID: UUID?

    private var inResponsibleOrganisation: Bool {
        principal.organisationID != nil && principal.organisationID == report.organisationID
    }

    private var coordinates: Bool { Self.coordinates(principal.role) }

    /// Coordinators and administrators coordinate follow-through: they re-route, pick up, take
    /// over and close the open actions of any report they reach.
    static func coordinates(_ role: Role) -> Bool { role == .coordinator || role == .administrator }

    /// Moving a report to another responsible organisation (with a reason).
    var mayReroute: Bool { coordinates }

    /// Closing a report's open actions together with the report.
    var mayCloseOpenActions: Bool { coordinates }

    /// Taking the report on: the responsible organisation's people, coordinators, administrators.
    var mayPickUp: Bool {
        guard report.reportStatus.isOpen, !Role.withoutRecordAccess.contains(principal.role) else { return false }
        return coordinates || inResponsibleOrganisation
    }

    /// Asking another organisation or person to take the report over (a hand-over they accept):
    /// its owner, coordinators, or — while nobody owns it — the responsible organisation.
    var mayAskHandover: Bool {
        guard report.reportStatus.isOpen, !Role.withoutRecordAccess.contains(principal.role) else { return false }
        return report.ownerID == principal.userID || coordinates || (report.ownerID == nil && inResponsibleOrganisation)
    }

    /// Asking someone to act (an action): whoever works on reports and reads this one's content.
    /// Who does not read the content does not ask others to act on it blind.
    func mayAddAction(readsContent: Bool) -> Bool {
        report.reportStatus.isOpen && !Role.withoutRecordAccess.contains(principal.role) && readsContent
    }

    var mayChangeStatus: Bool {
        guard !Role.withoutRecordAccess.contains(principal.role) else { return false }
        return coordinates || inResponsibleOrganisation || report.ownerID == principal.userID
    }

    /// Whether this user may set the owner at all (the form and the API field); which owner is
    /// checked by `refusal(owner:)`.
    var mayAssignOwner: Bool {
        guard !Role.withoutRecordAccess.contains(principal.role) else { return false }
        return coordinates || report.ownerID == principal.userID || inResponsibleOrganisation
    }

    enum OwnerRefusal: Equatable, Sendable {
        /// Not someone this user may hand the report to directly (outside the responsible
        /// organisation: a hand-over, which they accept).
        case notAColleague
        /// Ownership is not cleared once set.
        case cannotClear
        /// This user may not set the owner at all.
        case notAllowed
    }

    /// Checks setting the owner to `candidate` (nil: clearing it).
    func refusal(owner candidate: User?) -> OwnerRefusal? {
        guard let candidate else { return report.ownerID == nil ? nil : .cannotClear }
        guard mayAssignOwner else { return .notAllowed }
        // A coordinator or administrator taking it themselves, as picking it up does.
        if candidate.id == principal.userID && coordinates { return nil }
        guard candidate.active, !Role.withoutRecordAccess.contains(candidate.userRole),
              candidate.organisationID != nil, candidate.organisationID == report.organisationID else { return .notAColleague }
        // A team lead assigns within their own team; the owner, the manager, coordinators and
        // administrators to anyone in the organisation.
        if !coordinates, report.ownerID != principal.userID, principal.userID != organisationManagerID,
           candidate.teamLeadID != principal.userID, candidate.id != principal.userID {
            return .notAllowed
        }
        return nil
    }

    /// Whether a user reads a report's description and notes. Site staff see the facts of every
    /// report at their site, but the content of a report in a sensitive category (set by
    /// administrators on the category) only when they registered it, own it or are asked to act on
    /// it. Administrators configure Doorpak and see every report's facts, but its content only when
    /// they registered or own it, or under an emergency (break-the-glass) grant, for reading. Every other role reads
    /// the content of what its scope lets it find.
    static func readsContent(role: Role, sensitiveCategory: Bool, registeredOrOwns: Bool, asked: Bool, emergencyRead: Bool) -> Bool {
        switch role {
        case .administrator: return emergencyRead || registeredOrOwns
        case .locationStaff: return !sensitiveCategory || registeredOrOwns || asked
        default: return true
        }
    }

    /// Whether a role's content reading depends on the record (the store then looks it up).
    static func contentDependsOnRecord(_ role: Role) -> Bool { role == .administrator || role == .locationStaff }

    /// How a role's free-text search may match descriptions: all it finds, only outside sensitive
    /// categories (unless it is theirs), or references only (administrators: no content by role).
    enum TextSearch { case content, contentOutsideSensitive, referencesOnly }

    static func textSearch(_ role: Role) -> TextSearch {
        switch role {
        case .administrator: .referencesOnly
        case .locationStaff: .contentOutsideSensitive
        default: .content
        }
    }
}
