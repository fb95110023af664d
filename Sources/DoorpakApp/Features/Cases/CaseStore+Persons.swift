import FluentKit
import Foundation

/// The persons a case is about after it was opened: the director adds one (a household member, a
/// partner in the conflict) by pseudonym, within their own reach of persons (`PersonStore`): a
/// person they cannot see is named like one that does not exist.
extension CaseStore {
    /// Adds the person with `pseudonym` to an open case; the history and the access log keep it.
    /// Field errors on `person`: `required`, `unknown` (absent or out of reach), `taken` (already in it).
    @discardableResult
    func addPerson(pseudonym: String?, to file: CaseFile, access: Access, by principal: Principal, now: Date = .now) async throws -> PersonRecord {
        try requireDirector(access)
        guard file.casePhase != .closed else { throw AppError.conflict("A closed case takes no persons.") }
        let text = (pseudonym ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw AppError.invalid([FieldIssue("person", "required")]) }
        let db = database.db()
        let record: PersonRecord
        do { record = try await persons.record(pseudonym: text, by: principal, on: db) } catch AppError.notFound {
            throw AppError.invalid([FieldIssue("person", "unknown")])
        }
        if try await CasePerson.query(on: db).filter(\.$caseID == file.id!).filter(\.$personID == record.id!).count() > 0 {
            throw AppError.invalid([FieldIssue("person", "taken")])
        }
        file.updatedAt = now.wholeSeconds
        let link = CasePerson(caseID: file.id!, personID: record.id!)
        do {
            try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "person_added", to: record.pseudonym),
                            by: principal, purpose: "person \(record.pseudonym) added") { tx in
                try await link.create(on: tx)
                try await Audit.record(.update, "person", record.pseudonym, by: principal, purpose: "added to case \(file.reference)", on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Added by someone else a moment earlier.
            throw AppError.invalid([FieldIssue("person", "taken")])
        }
        return record
    }
}
