import Foundation

/// What an administrator submits for a user account, before checks. Email and the initial
/// password are given at creation only.
struct UserDraft: Sendable {
    var email: String?
    var name: String?
    var role: String?
    var organisation: String?
    var districts: [String] = []
    var locations: [String] = []
    var password: String?
    /// The escalation ladder's first rung above this user.
    var teamLead: String?
    var team: String?

    static let maxEmailLength = 254
    /// Characters (`Passwords` keeps every one of them, also beyond bcrypt's 72 bytes).
    static let maxPasswordBytes = PasswordPolicy.maximumLength

    struct Valid: Sendable {
        let email: String?
        let name: String
        let role: Role
        let organisationID: UUID?
        let districtIDs: [UUID]
        let locationIDs: [UUID]
        let password: String?
        var teamLeadID: UUID? = nil
        var teamID: UUID? = nil
    }

    /// `isNew` decides whether email and password are required (and checked) or ignored.
    func validate(isNew: Bool) -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        var email: String?
        if isNew {
            let raw = (self.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if raw.isEmpty { issues.append(FieldIssue("email", "required")) }
            else if raw.count > Self.maxEmailLength { issues.append(FieldIssue("email", "too_long")) }
            else if raw.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) == nil { issues.append(FieldIssue("email", "invalid")) }
            else { email = raw }
        }
        let name = (self.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("name", issue)) }
        var role: Role?
        if let raw = self.role.nonBlank {
            role = Role(rawValue: raw)
            if role == nil { issues.append(FieldIssue("role", "unknown")) }
        } else {
            issues.append(FieldIssue("role", "required"))
        }
        var organisationID: UUID?
        if let raw = organisation.nonBlank {
            organisationID = UUID(uuidString: raw)
            if organisationID == nil { issues.append(FieldIssue("organisation", "unknown")) }
        } else if role == .partner {
            // A partner's scope is their organisation's reports: without one they would see nothing.
            issues.append(FieldIssue("organisation", "required_for_partner"))
        }
        let districtIDs = Array(Set(districts.compactMap(UUID.init(uuidString:))))
        if districtIDs.count != Set(districts).count { issues.append(FieldIssue("districts", "unknown")) }
        else if role == .coordinator && districtIDs.isEmpty { issues.append(FieldIssue("districts", "required_for_coordinator")) }
        let locationIDs = Array(Set(locations.compactMap(UUID.init(uuidString:))))
        if locationIDs.count != Set(locations).count { issues.append(FieldIssue("locations", "unknown")) }
        else if role == .locationStaff && locationIDs.isEmpty { issues.append(FieldIssue("locations", "required_for_staff")) }
        var password: String?
        if isNew {
            // The NIST SP 800-63B rules (PasswordPolicy): length, the common-password list, no personal words.
            let raw = self.password ?? ""
            if let issue = PasswordPolicy.check(raw, email: email, name: name) { issues.append(FieldIssue("password", issue)) }
            else { password = PasswordPolicy.normalise(raw) }
        }
        var teamLeadID: UUID?
        if let raw = teamLead.nonBlank {
            teamLeadID = UUID(uuidString: raw)
            if teamLeadID == nil { issues.append(FieldIssue("team_lead", "unknown")) }
        }
        var teamID: UUID?
        if let raw = team.nonBlank {
            teamID = UUID(uuidString: raw)
            if teamID == nil { issues.append(FieldIssue("team", "unknown")) }
        }
        guard issues.isEmpty, let role else { return (nil, issues) }
        return (Valid(email: email, name: name, role: role, organisationID: organisationID, districtIDs: districtIDs,
                      locationIDs: locationIDs, password: password, teamLeadID: teamLeadID, teamID: teamID), [])
    }
}
