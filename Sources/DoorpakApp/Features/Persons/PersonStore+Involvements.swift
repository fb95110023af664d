import FluentKit
import Foundation

/// "Who else is involved", after the Verwijsindex: which other organisations have an open
/// involvement with a person and whom to contact there, never what their involvement is about.
extension PersonStore {
    struct Involvement: Sendable, Equatable {
        let organisationID: UUID
        let organisationName: String
        let contactName: String?
        let contactEmail: String?
        /// The earliest open involvement of this organisation with the person.
        let since: Date
        /// The contact directs an open case about the person ("regiehouder").
        var caseDirector = false
    }

    /// Open involvements of organisations other than the user's own, one row per organisation.
    /// Open = a linked report that is not closed, with the organisation responsible for it.
    /// The contact is the report's owner, else the organisation's manager.
    func involvements(of person: Person, by principal: Principal) async throws -> [Involvement] {
        try await caseDirectors(of: person, by: principal) + reportInvolvements(of: person, by: principal)
    }

    /// The directors of open cases about the person (other than the user): whom to tell first.
    private func caseDirectors(of person: Person, by principal: Principal) async throws -> [Involvement] {
        let db = database.db()
        let caseIDs = try await CasePerson.query(on: db).filter(\.$personID == person.id).all().map(\.caseID)
        guard !caseIDs.isEmpty else { return [] }
        let cases = try await CaseFile.query(on: db).filter(\.$id ~~ caseIDs).filter(\.$phase != CasePhase.closed.rawValue).all()
        let directors = try await User.query(on: db).filter(\.$id ~~ cases.map(\.directorID)).all()
        let organisations = try await Organisation.query(on: db).filter(\.$id ~~ directors.compactMap(\.organisationID)).all()
        return cases.compactMap { file -> Involvement? in
            guard file.directorID != principal.userID, let director = directors.first(where: { $0.id == file.directorID }),
                  let organisation = organisations.first(where: { $0.id == director.organisationID }) else { return nil }
            return Involvement(organisationID: organisation.id!, organisationName: organisation.name, contactName: director.active ? director.name : nil,
                               contactEmail: director.active ? director.email : nil, since: file.openedAt, caseDirector: true)
        }
    }

    private func reportInvolvements(of person: Person, by principal: Principal) async throws -> [Involvement] {
        let db = database.db()
        let reportIDs = try await PersonReportLink.query(on: db).filter(\.$personID == person.id).filter(\.$unlinkedAt == nil).all().map(\.reportID)
        guard !reportIDs.isEmpty else { return [] }
        // Deliberately outside the user's report scope: that is the point of the index. Only
        // organisation, contact and date leave this function.
        let open = try await Report.query(on: db).filter(\.$id ~~ reportIDs).filter(\.$status != ReportStatus.closed.rawValue)
            .sort(\.$createdAt).all()
        var firstByOrganisation: [UUID: Report] = [:]
        var order: [UUID] = []
        for report in open {
            guard let organisation = report.organisationID, organisation != principal.organisationID else { continue }
            if firstByOrganisation[organisation] == nil { order.append(organisation) }
            // The most recently owned report names the contact; the earliest gives the date.
            if firstByOrganisation[organisation] == nil || report.ownerID != nil { firstByOrganisation[organisation] = report }
        }
        guard !order.isEmpty else { return [] }
        let organisations = try await Organisation.query(on: db).filter(\.$id ~~ order).all()
        let contactIDs = open.compactMap(\.ownerID) + organisations.compactMap(\.managerID)
        let users = try await User.query(on: db).filter(\.$id ~~ contactIDs).all()
        let userByID = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0) })
        let since = Dictionary(open.compactMap { r in r.organisationID.map { ($0, r.createdAt) } }, uniquingKeysWith: min)
        return order.compactMap { id in
            guard let organisation = organisations.first(where: { $0.id == id }), let report = firstByOrganisation[id] else { return nil }
            let contact = (report.ownerID.flatMap { userByID[$0] }) ?? organisation.managerID.flatMap { userByID[$0] }
            let active = contact?.active == true ? contact : nil
            return Involvement(organisationID: id, organisationName: organisation.name, contactName: active?.name,
                               contactEmail: active?.email, since: since[id] ?? report.createdAt)
        }
    }
}
