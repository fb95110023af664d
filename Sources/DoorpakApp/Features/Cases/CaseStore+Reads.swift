import FluentKit
import Foundation

/// Reads for the case pages and API that need no transaction of their own.
extension CaseStore {
    /// How the user reaches a case already found (`nil`: not at all), as `find` decides it; logs nothing.
    func access(to file: CaseFile, by principal: Principal) async throws -> Access? {
        try await access(to: file, by: principal, on: database.db())
    }
}

/// Facts other features need about a person's cases, without reading any case's content.
extension CaseStore {
    /// Whether the person is in a case that is not closed (a repeat concern is then not raised).
    static func hasOpenCase(personID: UUID, on db: any Database) async throws -> Bool {
        let caseIDs = try await CasePerson.query(on: db).filter(\.$personID == personID).all().map(\.caseID)
        guard !caseIDs.isEmpty else { return false }
        return try await CaseFile.query(on: db).filter(\.$id ~~ caseIDs).filter(\.$phase != CasePhase.closed.rawValue).count() > 0
    }

    /// A case's reference by id (for a record that points to the case it led to).
    func reference(of id: UUID) async throws -> String? {
        try await CaseFile.find(id, on: database.db())?.reference
    }
}

extension CaseStore {
    /// The persons of every case this user directs or is a member of whose consent holds.
    static func personIDs(reachableBy userID: UUID, on db: any Database) async throws -> [UUID] {
        let directed = try await CaseFile.query(on: db).filter(\.$directorID == userID).all().compactMap(\.id)
        let membered = try await CaseMember.query(on: db).filter(\.$userID == userID).filter(\.$endedAt == nil)
            .filter(\.$consentWithdrawnAt == nil).all().map(\.caseID)
        let caseIDs = Array(Set(directed + membered))
        guard !caseIDs.isEmpty else { return [] }
        return try await CasePerson.query(on: db).filter(\.$caseID ~~ caseIDs).all().map(\.personID)
    }
}
