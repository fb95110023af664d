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

    private var coordinates: Bool { principal.role == .coordinator || principal.role == .administrator }

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
    /// it; every other role reads the content of what its scope lets it find.
    static func readsContent(role: Role, sensitiveCategory: Bool, registeredOrOwns: Bool, asked: Bool) -> Bool {
        guard role == .locationStaff, sensitiveCategory else { return true }
        return registeredOrOwns || asked
    }
}
