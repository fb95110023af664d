import FluentKit
import Foundation

/// The only door to persons and their links to reports. A person is visible to whoever may read
/// one of the reports they are linked to (the report scope decides), to the director and members
/// of a case about them, and to administrators; for
/// anyone else the person does not exist. Every read of a person leaves an audit entry, a search
/// leaves one with the reason typed, and names, dates of birth and contact details are sealed
/// before they reach the database.
struct PersonStore: Sendable {
    let database: AppDatabase
    let cipher: FieldCipher
    /// When linked reports make the district coordinator consider a case (`ConcernRules`).
    var concernRule = ConcernRule.default

    var reports: ReportStore { ReportStore(database: database) }

    // MARK: Scope

    /// The ids among `candidates` this user may see.
    func visible(_ candidates: [UUID], by principal: Principal, on db: any Database) async throws -> Set<UUID> {
        guard !candidates.isEmpty else { return [] }
        switch principal.reportScope {
        case .none: return []
        case .all: return Set(candidates)
        default: break
        }
        // Case directors and members see the persons of their cases.
        let throughCases = try await CaseStore.personIDs(reachableBy: principal.userID, among: candidates, on: db)
        let links = try await PersonReportLink.query(on: db).filter(\.$personID ~~ candidates).filter(\.$unlinkedAt == nil).all()
        let reportIDs = Array(Set(links.map(\.reportID)))
        guard !reportIDs.isEmpty else { return throughCases }
        let readable = try await reports.scoped(principal, on: db).filter(\.$id ~~ reportIDs).field(\.$id).all().compactMap(\.id)
        let readableSet = Set(readable)
        return throughCases.union(links.filter { readableSet.contains($0.reportID) }.map(\.personID))
    }

    /// A person by pseudonym, within scope; the read is logged (with the purpose, when given).
    /// Outside scope, an unexpired break-the-glass grant of this user for this person opens it too
    /// (single-record reads only: never in searches or lists); such a read is logged with the
    /// purpose `break-glass: <grant id>`.
    func find(pseudonym: String, by principal: Principal, purpose: String? = nil) async throws -> Person {
        let db = database.db()
        let (record, grant) = try await access(pseudonym: pseudonym, by: principal, on: db)
        let purpose = grant.map { "break-glass: \($0.id!.uuidString.lowercased())" } ?? purpose
        try await Audit.record(.read, "person", record.pseudonym, by: principal, purpose: purpose, on: db)
        // Emergency access opens the whole record (that is what it is for, and it is reviewed).
        return grant == nil ? try await open(record, by: principal, on: db) : try open(record)
    }

    /// The stored row, within scope (or under a break-the-glass grant, for reads only), without
    /// logging (for writes that log themselves).
    func record(pseudonym: String, by principal: Principal, on db: any Database) async throws -> PersonRecord {
        try await access(pseudonym: pseudonym, by: principal, on: db).record
    }

    /// The row and, when it is outside scope, the grant that opens it. A request that writes
    /// (`BreakGlassAccess.writing`) is refused under a grant: emergency access is read-only.
    private func access(pseudonym: String, by principal: Principal, on db: any Database) async throws -> (record: PersonRecord, grant: BreakGlassGrant?) {
        guard principal.reportScope != .none, Pseudonym.isValid(pseudonym.uppercased()),
              let record = try await PersonRecord.query(on: db).filter(\.$pseudonym == pseudonym.uppercased()).first()
        else { throw AppError.notFound }
        if try await visible([record.id!], by: principal, on: db).contains(record.id!) {
            // Administrators find every person but read their details only under a grant (for reading).
            if principal.isAdministrator, !BreakGlassAccess.writing,
               let grant = try await BreakGlassStore.activeGrant(userID: principal.userID, recordType: "person", recordID: record.pseudonym,
                                                                 now: .now, on: db) {
                return (record, grant)
            }
            return (record, nil)
        }
        guard let grant = try await BreakGlassStore.activeGrant(userID: principal.userID, recordType: "person", recordID: record.pseudonym,
                                                                 now: .now, on: db) else { throw AppError.notFound }
        try BreakGlassAccess.refuseWrites()
        return (record, grant)
    }

    func open(_ record: PersonRecord) throws -> Person {
        Person(id: record.id!, pseudonym: record.pseudonym, name: try cipher.open(record.nameSealed),
               birthDate: try record.birthDateSealed.map(cipher.open), contact: try record.contactSealed.map(cipher.open),
               locationID: record.locationID, unit: record.unit, residentSince: record.residentSince,
               languages: record.languages.split(separator: ",").map(String.init), interpreterNeeded: record.interpreterNeeded,
               createdAt: record.createdAt, updatedAt: record.updatedAt)
    }

    // MARK: Search

    static let maxResults = 20

    /// Persons in scope with this name (normalised, exact) and, when given, this date of birth.
    /// A reason is required; the search is logged with it, and so is every person it returns.
    func search(name: String, birthDate: String?, reason: String, by principal: Principal) async throws -> [Person] {
        guard principal.reportScope != .none else { throw AppError.notFound }
        return try await search(name: name, birthDate: birthDate, reason: reason, by: principal, scoped: true)
    }

    /// The same search over every person, for a data-subject request (privacy officers and
    /// administrators only, `SubjectRights.mayHandle`): the request's subject may be outside any
    /// scope. Logged like every search, with the reason.
    func searchForSubjectRequest(name: String, birthDate: String?, reason: String, by principal: Principal) async throws -> [Person] {
        guard SubjectRights.mayHandle(principal) else { throw AppError.notFound }
        return try await search(name: name, birthDate: birthDate, reason: reason, by: principal, scoped: false)
    }

    private func search(name: String, birthDate: String?, reason: String, by principal: Principal, scoped: Bool) async throws -> [Person] {
        var issues: [FieldIssue] = []
        let normalised = PersonName.normalise(name)
        if normalised.isEmpty { issues.append(FieldIssue("name", "required")) }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 500) { issues.append(FieldIssue("reason", issue)) }
        else if reason.count < 5 { issues.append(FieldIssue("reason", "too_short")) }
        let birthDate = birthDate.flatMap { $0.isEmpty ? nil : $0 }
        if let birthDate, Formats.parse(day: birthDate) == nil { issues.append(FieldIssue("birth_date", "invalid")) }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        let db = database.db()
        let query = PersonRecord.query(on: db).filter(\.$nameIndex ~~ (try cipher.blindIndexes(normalised)))
        if let birthDate { query.filter(\.$birthDateIndex ~~ (try cipher.blindIndexes(birthDate))) }
        let found = try await query.sort(\.$createdAt).limit(200).all()
        let visible = scoped ? try await visible(found.compactMap(\.id), by: principal, on: db) : Set(found.compactMap(\.id))
        let shown = Array(found.filter { visible.contains($0.id!) }.prefix(Self.maxResults))
        try await db.transaction { tx in
            try await Audit.record(.read, "person_search", nil, by: principal, purpose: reason, on: tx)
            for record in shown { try await Audit.record(.read, "person", record.pseudonym, by: principal, purpose: reason, on: tx) }
        }
        var people: [Person] = []
        for record in shown { people.append(scoped ? try await open(record, by: principal, on: db) : try open(record)) }
        return people
    }

    // MARK: Links

    struct Link: Sendable {
        let person: PersonRecord
        let role: PersonRole
        let linkedAt: Date
    }

    /// The persons linked to a report the caller has already opened (so within scope). Pseudonyms
    /// and roles only: nothing is decrypted. Who is involved is part of the report's content: who
    /// does not read that (`ReportPolicy.readsContent`) gets none.
    func links(of report: Report, by principal: Principal) async throws -> [Link] {
        guard try await reports.readsContent(report, by: principal) else { return [] }
        let db = database.db()
        let links = try await PersonReportLink.query(on: db).filter(\.$reportID == report.id!).filter(\.$unlinkedAt == nil)
            .sort(\.$createdAt).all()
        guard !links.isEmpty else { return [] }
        let persons = try await PersonRecord.query(on: db).filter(\.$id ~~ links.map(\.personID)).all()
        let byID = Dictionary(uniqueKeysWithValues: persons.map { ($0.id!, $0) })
        return links.compactMap { link in byID[link.personID].map { Link(person: $0, role: link.personRole, linkedAt: link.createdAt) } }
    }

    /// The reports of a person that this user may read, with the person's role in each.
    func reports(of person: Person, by principal: Principal) async throws -> [(report: Report, role: PersonRole)] {
        let db = database.db()
        let links = try await PersonReportLink.query(on: db).filter(\.$personID == person.id).filter(\.$unlinkedAt == nil).all()
        guard !links.isEmpty else { return [] }
        let readable = try await reports.scoped(principal, on: db).filter(\.$id ~~ links.map(\.reportID)).sort(\.$occurredAt, .descending).all()
        let roles = Dictionary(links.map { ($0.reportID, $0.personRole) }, uniquingKeysWith: { first, _ in first })
        return readable.map { ($0, roles[$0.id!] ?? .affected) }
    }

    struct LinkOutcome: Sendable {
        let pseudonym: String
        /// An existing person matched on name and date of birth (rather than a new record).
        let matched: Bool
    }

    /// Links a person to a report the user has opened: an existing person when name and date of
    /// birth match one exactly (as the Verwijsindex matches); otherwise, with `.offerCandidates`,
    /// similar persons in the user's scope are offered first (`SimilarPersons` is thrown, nothing is
    /// written); `.existing` links a picked candidate and `.newPerson` creates a new person. In the
    /// same transaction the link may raise a "consider a case" item (`ConcernStore.detect`).
    func link(_ draft: PersonDraft, role: String?, to report: Report, by principal: Principal, now: Date = .now,
              choice: LinkChoice = .offerCandidates) async throws -> LinkOutcome {
        guard principal.reportScope != .none else { throw AppError.notFound }
        // Linking someone to a report whose content one does not read would be acting on it blind.
        guard try await reports.readsContent(report, by: principal) else { throw AppError.forbidden }
        let db = database.db()
        let role = role.flatMap(PersonRole.init(rawValue:))
        if case .existing(let pseudonym) = choice {
            // A picked candidate: the typed fields were only for finding them.
            guard let role else { throw AppError.invalid([FieldIssue("role", "required")]) }
            let record = try await picked(pseudonym, by: principal, on: db)
            return try await write(record, isNew: false, role: role, to: report, by: principal, now: now, on: db)
        }
        let (valid, draftIssues) = draft.validate(now: now)
        var existing: PersonRecord?
        var issues = draftIssues
        if role == nil { issues.append(FieldIssue("role", "required")) }
        if let locationID = valid?.locationID, try await Location.find(locationID, on: db) == nil { issues.append(FieldIssue("location", "unknown")) }
        guard issues.isEmpty, let valid, let role else { throw AppError.invalid(issues) }
        if let birthDate = valid.birthDate {
            existing = try await PersonRecord.query(on: db)
                .filter(\.$nameIndex ~~ (try cipher.blindIndexes(PersonName.normalise(valid.name))))
                .filter(\.$birthDateIndex ~~ (try cipher.blindIndexes(birthDate))).sort(\.$createdAt).first()
        }
        if existing == nil, choice == .offerCandidates {
            let candidates = try await candidates(name: valid.name, birthDate: valid.birthDate, for: report, by: principal, on: db)
            if !candidates.isEmpty { throw SimilarPersons(candidates: candidates) }
        }
        if let existing { return try await write(existing, isNew: false, role: role, to: report, by: principal, now: now, on: db) }
        return try await write(try newRecord(valid, by: principal, now: now), isNew: true, role: role, to: report, by: principal, now: now, on: db)
    }

    private func write(_ record: PersonRecord, isNew: Bool, role: PersonRole, to report: Report, by principal: Principal, now: Date,
                       on db: any Database) async throws -> LinkOutcome {
        let rule = concernRule
        return try await db.transaction { tx in
            if isNew { try await record.create(on: tx) }
            let already = try await PersonReportLink.query(on: tx).filter(\.$personID == record.id!).filter(\.$reportID == report.id!).first()
            if let already {
                already.role = role.rawValue
                already.unlinkedAt = nil
                already.unlinkedBy = nil
                try await already.update(on: tx)
            } else {
                try await PersonReportLink(personID: record.id!, reportID: report.id!, role: role, createdBy: principal.userID,
                                           createdAt: now.wholeSeconds).create(on: tx)
            }
            if isNew { try await Audit.record(.create, "person", record.pseudonym, by: principal, on: tx) }
            try await Audit.record(.update, "person", record.pseudonym, by: principal, purpose: "linked to report \(report.reference)", on: tx)
            try await Audit.record(.update, "report", report.reference, by: principal, purpose: "person linked", on: tx)
            try await ConcernStore.detect(personID: record.id!, pseudonym: record.pseudonym, after: principal, persons: self, rule: rule,
                                          now: now, on: tx)
            return LinkOutcome(pseudonym: record.pseudonym, matched: !isNew)
        }
    }

    /// Ends a person's link to a report (the person stays; the link is kept as ended). The report
    /// must be in scope and the person linked to it; ending an ended link changes nothing.
    func unlink(pseudonym: String, from report: Report, by principal: Principal, now: Date = .now) async throws {
        guard try await reports.readsContent(report, by: principal) else { throw AppError.forbidden }
        let db = database.db()
        guard Pseudonym.isValid(pseudonym.uppercased()),
              let record = try await PersonRecord.query(on: db).filter(\.$pseudonym == pseudonym.uppercased()).first(),
              let link = try await PersonReportLink.query(on: db).filter(\.$personID == record.id!).filter(\.$reportID == report.id!).first()
        else { throw AppError.notFound }
        guard link.unlinkedAt == nil else { return }
        try await db.transaction { tx in
            link.unlinkedAt = now.wholeSeconds
            link.unlinkedBy = principal.userID
            try await link.update(on: tx)
            try await Audit.record(.update, "person", record.pseudonym, by: principal, purpose: "unlinked from report \(report.reference)", on: tx)
            try await Audit.record(.update, "report", report.reference, by: principal, purpose: "person unlinked", on: tx)
        }
    }

    private func newRecord(_ valid: PersonDraft.Valid, by principal: Principal, now: Date) throws -> PersonRecord {
        let record = PersonRecord()
        record.id = UUID()
        record.pseudonym = Pseudonym.make()
        record.createdBy = principal.userID
        record.createdAt = now.wholeSeconds
        try apply(valid, to: record, now: now)
        return record
    }

    private func apply(_ valid: PersonDraft.Valid, to record: PersonRecord, now: Date) throws {
        record.nameSealed = try cipher.seal(valid.name)
        record.nameIndex = try cipher.blindIndex(PersonName.normalise(valid.name))
        record.birthDateSealed = try valid.birthDate.map(cipher.seal)
        record.birthDateIndex = try valid.birthDate.map(cipher.blindIndex)
        record.contactSealed = try valid.contact.map(cipher.seal)
        record.locationID = valid.locationID
        record.unit = valid.unit
        record.residentSince = valid.residentSince
        record.languages = valid.languages.joined(separator: ",")
        record.interpreterNeeded = valid.interpreterNeeded
        record.updatedAt = now.wholeSeconds
    }

    // MARK: Edit

    /// Corrects a person (GDPR art. 16): every changed field keeps its old and new value, sealed,
    /// with who, when and the `reason`, which a change requires (`PersonCorrections`); the change,
    /// the trail and the audit entry are one transaction. Saving without a change writes nothing.
    func update(pseudonym: String, with draft: PersonDraft, reason: String? = nil, by principal: Principal,
                now: Date = .now) async throws -> Person {
        let db = database.db()
        let (record, grant) = try await access(pseudonym: pseudonym, by: principal, on: db)
        // Emergency access never changes a person, whoever calls (not only a request that writes).
        guard grant == nil else { throw AppError.breakGlassReadOnly }
        // Details another organisation recorded are corrected by them, never blind by someone who cannot read them.
        guard try await detailsVisible(record, by: principal, on: db) else { throw AppError.forbidden }
        let (valid, draftIssues) = draft.validate(now: now)
        var issues = draftIssues
        if let locationID = valid?.locationID, try await Location.find(locationID, on: db) == nil { issues.append(FieldIssue("location", "unknown")) }
        let current = try open(record)
        let changes = valid.map { PersonCorrections.changes(from: current, to: $0) }
        if changes?.isEmpty != true, let issue = PersonCorrections.checkReason(reason) { issues.append(issue) }
        guard issues.isEmpty, let valid, let changes else { throw AppError.invalid(issues) }
        guard !changes.isEmpty else { return try open(record) }
        try apply(valid, to: record, now: now)
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        try await db.transaction { tx in
            try await record.update(on: tx)
            try await PersonCorrections.record(changes, person: record, reason: reason, cipher: cipher, by: principal, at: now.wholeSeconds, on: tx)
        }
        return try open(record)
    }
}

extension PersonStore {
    /// The stored row by pseudonym, within scope (or under a break-the-glass grant, for reads only),
    /// without logging: for pages and calls that check the person before they show a form or write.
    func record(pseudonym: String, by principal: Principal) async throws -> PersonRecord {
        try await record(pseudonym: pseudonym, by: principal, on: database.db())
    }
}
