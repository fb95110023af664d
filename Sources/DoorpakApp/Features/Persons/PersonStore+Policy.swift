import FluentKit
import Foundation

/// Whose recorded details of a person a user reads. A person is *found* through a report the user
/// may read or a case they take part in (`PersonStore.visible`); their *details* (contact, site,
/// unit, resident since, languages, interpreter) were recorded by one organisation, and another
/// organisation reads them only when its own work gives it access (administrators, who find every
/// person, read details only under an emergency grant):
/// - the user's organisation recorded the person;
/// - the user directs the case about the person, or is a member whose consent still holds;
/// - the user reads a report to which the recording organisation linked the person (the
///   recorder shared them there, as before).
/// Linking a name and date of birth that match someone else's person links to that person — the
/// match works, and "who else is involved" (organisation and contact) shows, as the Verwijsindex
/// does — but never discloses those details: the match is not a relationship of its own.
extension PersonStore {
    func detailsVisible(_ record: PersonRecord, by principal: Principal, on db: any Database) async throws -> Bool {
        if record.createdBy == principal.userID { return true }
        // Administrators configure Doorpak: the role gives no need to know a person's details (an
        // emergency grant opens them, in `find`).
        if principal.isAdministrator { return false }
        let recorder = try await User.find(record.createdBy, on: db)
        if let organisation = principal.organisationID, recorder?.organisationID == organisation { return true }
        if try await CaseStore.personIDs(reachableBy: principal.userID, among: [record.id!], on: db).contains(record.id!) { return true }
        let links = try await PersonReportLink.query(on: db).filter(\.$personID == record.id!).filter(\.$unlinkedAt == nil).all()
        let linkers = try await User.query(on: db).filter(\.$id ~~ Array(Set(links.map(\.createdBy)))).all()
        let recorderSide = Set(linkers.filter { $0.id == record.createdBy || ($0.organisationID != nil && $0.organisationID == recorder?.organisationID) }
            .compactMap(\.id))
        let shared = links.filter { recorderSide.contains($0.createdBy) }.map(\.reportID)
        guard !shared.isEmpty else { return false }
        return try await reports.scoped(principal, on: db).filter(\.$id ~~ shared).count() > 0
    }

    /// The person as this user may see them: without the details when those are not theirs.
    func open(_ record: PersonRecord, by principal: Principal, on db: any Database) async throws -> Person {
        let person = try open(record)
        if try await detailsVisible(record, by: principal, on: db) { return person }
        return principal.isAdministrator ? person.withoutIdentity() : person.withoutDetails()
    }
}

extension Person {
    /// The pseudonym, name and date of birth (what the one who linked typed to match) only.
    func withoutDetails() -> Person {
        Person(id: id, pseudonym: pseudonym, name: name, birthDate: birthDate, contact: nil, locationID: nil, unit: nil, residentSince: nil,
               languages: [], interpreterNeeded: false, createdAt: createdAt, updatedAt: updatedAt, detailsWithheld: true)
    }

    /// Nothing but the pseudonym: an administrator finds every person but, without an emergency
    /// grant, reads none of what was recorded about them (not even the name).
    func withoutIdentity() -> Person {
        Person(id: id, pseudonym: pseudonym, name: pseudonym, birthDate: nil, contact: nil, locationID: nil, unit: nil, residentSince: nil,
               languages: [], interpreterNeeded: false, createdAt: createdAt, updatedAt: updatedAt, detailsWithheld: true, identityWithheld: true)
    }
}
