import FluentKit
import Foundation

/// "Is it one of these?" before a link creates a new person. Names are sealed at rest and found
/// only through a blind index of the exact normalised name (`PersonName.normalise`), which cannot
/// match spelling variants. So the matching happens in two places:
/// - in the database, by blind index, over every person: name and date of birth exactly the same
///   (as before: that links to the existing person, the Verwijsindex way);
/// - in memory, over the persons this user already sees (linked to a report in their scope, or in
///   a case they take part in): their names are opened and compared with `NameMatcher`
///   (transliteration variants, swapped first and last names), and their dates of birth must agree
///   or be missing. Nobody outside the user's scope is ever opened or shown, and each candidate
///   shown is opened as `PersonPolicy` allows this user (`open(_:by:on:)`) and logged as a read.
/// Administrators get no candidates: they read no names by role.
extension PersonStore {
    /// What the user chose on the "is it one of these?" step.
    enum LinkChoice: Sendable, Equatable {
        /// Offer similar persons in scope first (`SimilarPersons`); link or create when there are none.
        case offerCandidates
        /// Link this person (a candidate the user picked; it must be in their scope).
        case existing(String)
        /// The user confirmed it is someone new.
        case newPerson
    }

    struct Candidate: Sendable {
        let person: Person
        let score: Double
        let swappedNames: Bool
        /// The typed or the stored date of birth is missing (rather than the same day).
        let birthDateMissing: Bool
    }

    /// Thrown by `link` when persons in scope look like the one typed: nothing was written.
    struct SimilarPersons: Error, Sendable {
        let candidates: [Candidate]
    }

    static let maxCandidates = 5
    /// How many of the user's persons (most recently linked first) are compared at most.
    static let candidatePool = 2_000

    /// Persons in the user's scope whose name matches the typed one (`NameMatcher`) and whose date
    /// of birth agrees or is missing, best first. Logged as reads with the report as purpose.
    func candidates(name: String, birthDate: String?, for report: Report, by principal: Principal,
                    on db: any Database) async throws -> [Candidate] {
        guard !principal.isAdministrator, principal.reportScope != .none else { return [] }
        let viaReports = try await reports.scoped(principal, on: db)
            .join(PersonReportLink.self, on: \Report.$id == \PersonReportLink.$reportID)
            .filter(PersonReportLink.self, \.$unlinkedAt == nil)
            .sort(PersonReportLink.self, \.$createdAt, .descending).limit(Self.candidatePool).all()
            .map { try $0.joined(PersonReportLink.self).personID }
        var ids: [UUID] = []
        for id in viaReports where !ids.contains(id) { ids.append(id) }
        let viaCases = try await CaseStore.personIDs(reachableBy: principal.userID, on: db)
        for id in viaCases where !ids.contains(id) { ids.append(id) }
        guard !ids.isEmpty else { return [] }
        var found: [(record: PersonRecord, match: NameMatcher.Match, missing: Bool)] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            for record in try await PersonRecord.query(on: db).filter(\.$id ~~ chunk).all() {
                let storedBirthDate = try record.birthDateSealed.map(cipher.open)
                guard NameMatcher.birthDatesAgree(birthDate, storedBirthDate),
                      let match = NameMatcher.match(name, try cipher.open(record.nameSealed)) else { continue }
                found.append((record, match, birthDate == nil || storedBirthDate == nil))
            }
        }
        let best = found.sorted { ($0.match.score, $0.record.createdAt) > ($1.match.score, $1.record.createdAt) }.prefix(Self.maxCandidates)
        var candidates: [Candidate] = []
        for item in best {
            try await Audit.record(.read, "person", item.record.pseudonym, by: principal, purpose: "link candidate for report \(report.reference)", on: db)
            candidates.append(Candidate(person: try await open(item.record, by: principal, on: db), score: item.match.score,
                                        swappedNames: item.match.swapped, birthDateMissing: item.missing))
        }
        return candidates
    }

    /// The row of a candidate the user picked: it must be one they see (else `person` is unknown).
    func picked(_ pseudonym: String, by principal: Principal, on db: any Database) async throws -> PersonRecord {
        guard Pseudonym.isValid(pseudonym.uppercased()),
              let record = try await PersonRecord.query(on: db).filter(\.$pseudonym == pseudonym.uppercased()).first(),
              try await visible([record.id!], by: principal, on: db).contains(record.id!)
        else { throw AppError.invalid([FieldIssue("existing", "unknown")]) }
        return record
    }

    // MARK: Facts for other features (no names, nothing opened)

    static func pseudonyms(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let records = try await PersonRecord.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(uniqueKeysWithValues: records.map { ($0.id!, $0.pseudonym) })
    }

    static func locationID(of id: UUID, on db: any Database) async throws -> UUID? {
        try await PersonRecord.find(id, on: db)?.locationID
    }
}
