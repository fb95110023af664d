import Foundation

/// A meeting is planned, then held (once an outcome is recorded or the organiser says so) or
/// cancelled. Only a planned meeting's agenda changes; a cancelled one takes no outcome.
enum CaseMeetingStatus: String, Codable, CaseIterable, Sendable {
    case planned, held, cancelled

    /// The statuses the organiser may set from this one (besides staying).
    var next: [CaseMeetingStatus] {
        switch self {
        case .planned: [.held, .cancelled]
        case .held, .cancelled: []
        }
    }

    var agendaOpen: Bool { self == .planned }
    var takesOutcome: Bool { self != .cancelled }
}

/// Who may do what with a meeting, as plain rules over facts the store has looked up: the one
/// policy for case meetings, which the store's queries and transitions and the pages all ask.
/// Administrators see meetings, may step in for the organiser (date, place, invitations, agenda),
/// but record minutes and decisions only as a meeting's organiser: the role alone gives no access
/// to a case's content (`CaseStore.Access`).
enum CaseMeetingPolicy {
    /// The meeting (date, place, invited organisations, number of items): its organiser, users of
    /// an invited organisation, coordinators of a district of one of its cases, administrators.
    static func mayView(organiserID: UUID, invited: Set<UUID>, caseDistricts: Set<UUID>, _ principal: Principal) -> Bool {
        guard principal.reportScope != .none else { return false }
        if principal.isAdministrator || organiserID == principal.userID { return true }
        if let organisation = principal.organisationID, invited.contains(organisation) { return true }
        return principal.role == .coordinator && !caseDistricts.isDisjoint(with: principal.districtIDs)
    }

    /// Changing the meeting and its agenda: the organiser (administrators may step in).
    static func mayOrganise(organiserID: UUID, _ principal: Principal) -> Bool {
        principal.reportScope != .none && (organiserID == principal.userID || principal.isAdministrator)
    }

    /// Planning a meeting: coordinators, administrators and case directors.
    static func mayPlan(_ principal: Principal, directsCases: Bool) -> Bool {
        if plansWithoutCases(principal) { return true }
        return principal.reportScope != .none && directsCases
    }

    /// Roles that plan meetings without directing a case (the store then needs no look-up).
    static func plansWithoutCases(_ principal: Principal) -> Bool {
        principal.role == .coordinator || principal.isAdministrator
    }

    /// Putting a case on an agenda (its reference and facts, which they see anyway): the case's
    /// director, a coordinator of its district, or an administrator.
    static func mayPutOnAgenda(directorID: UUID, districtID: UUID?, _ principal: Principal) -> Bool {
        if directorID == principal.userID || principal.isAdministrator { return true }
        return principal.role == .coordinator && districtID.map(principal.districtIDs.contains) == true
    }

    /// Recording an item's minutes, decisions and actions: the organiser or the case's director
    /// (not an administrator by role).
    static func mayRecord(organiserID: UUID, directorID: UUID, _ principal: Principal) -> Bool {
        principal.reportScope != .none && (organiserID == principal.userID || directorID == principal.userID)
    }

    /// What of an agenda item a viewer sees: content (minutes, decisions, actions) only with a
    /// content-reading access to the case; the reference also with the coordinator's metadata access
    /// (they see the case's reference and facts on the case page anyway); otherwise nothing but
    /// "a case you have no access to".
    enum ItemView: Equatable, Sendable { case content, referenceOnly, hidden }

    static func itemView(_ access: CaseStore.Access?) -> ItemView {
        guard let access else { return .hidden }
        return access.readsContent ? .content : .referenceOnly
    }
}

/// What a meeting needs to be planned or changed, as typed.
struct CaseMeetingDraft: Sendable {
    var day: String?
    var time: String?
    var place: String?
    var organisations: [String]?
    var status: String?

    static let maxPlace = 200

    struct Valid: Sendable {
        var plannedAt: Date?
        var place: String??
        var organisations: [UUID]?
        var status: CaseMeetingStatus?
    }

    /// Field checks without the database. `partial` (a PATCH) checks only what was given.
    func validate(now: Date, partial: Bool) -> (Valid, [FieldIssue]) {
        var issues: [FieldIssue] = []
        var valid = Valid()
        let dayText = (day ?? "").trimmingCharacters(in: .whitespaces), timeText = (time ?? "").trimmingCharacters(in: .whitespaces)
        if !partial || day != nil || time != nil {
            if dayText.isEmpty { issues.append(FieldIssue("day", "required")) }
            if timeText.isEmpty { issues.append(FieldIssue("time", "required")) }
            if !dayText.isEmpty, !timeText.isEmpty {
                if let at = Formats.parse(day: dayText, time: timeText) {
                    if at < now.addingTimeInterval(-366 * 86_400) { issues.append(FieldIssue("day", "too_old")) }
                    else if at > now.addingTimeInterval(2 * 366 * 86_400) { issues.append(FieldIssue("day", "out_of_range")) }
                    else { valid.plannedAt = at }
                } else if Formats.parse(day: dayText) == nil { issues.append(FieldIssue("day", "invalid")) }
                else { issues.append(FieldIssue("time", "invalid")) }
            }
        }
        if let place {
            let text = place.trimmingCharacters(in: .whitespacesAndNewlines)
            if let issue = TextRules.check(text, required: false, max: Self.maxPlace) { issues.append(FieldIssue("place", issue)) }
            else { valid.place = .some(text.isEmpty ? nil : text) }
        }
        if !partial || organisations != nil {
            let given = (organisations ?? []).filter { !$0.isEmpty }
            let ids = given.compactMap(UUID.init(uuidString:))
            if given.isEmpty { issues.append(FieldIssue("organisations", "required")) }
            else if ids.count != given.count || ids.count > 30 { issues.append(FieldIssue("organisations", "unknown")) }
            else { valid.organisations = Array(Set(ids)) }
        }
        if let status {
            if let parsed = CaseMeetingStatus(rawValue: status) { valid.status = parsed } else { issues.append(FieldIssue("status", "unknown")) }
        }
        return (valid, issues)
    }
}
