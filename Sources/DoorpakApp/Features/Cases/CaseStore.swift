import FluentKit
import Foundation

/// The only door to cases, their members, notes and history. A case is visible to its director,
/// its active members, administrators, and the coordinators of its district (metadata only: no
/// notes); for everyone else it does not exist. Every read is logged; every write is one
/// transaction with its history row and audit entry.
struct CaseStore: Sendable {
    let database: AppDatabase
    let persons: PersonStore

    init(database: AppDatabase, persons: PersonStore) {
        self.database = database
        self.persons = persons
        // Reasons are sealed on their way into the database, whoever writes them (`CaseSealing`).
        CaseSealing.install(on: database, cipher: persons.cipher)
    }

    /// How the user reaches a case; what each may read and do is `CasePolicy`'s (its extension of
    /// `Access`).
    enum Access: Equatable, Sendable {
        case director, member
        /// Administrators: the facts of every case (to configure Doorpak and to see that each case
        /// has a director), not its content: the role alone gives no need to know.
        case administrator
        /// The district coordinator: the case's facts, not its notes.
        case coordinatorMetadata
        /// A member whose consent was withdrawn: reads what was written before that moment,
        /// nothing written since, of any kind, and writes nothing.
        case withdrawnMember(since: Date)

        /// Content written at or after this moment is not for this reader.
        var contentCutoff: Date? {
            if case .withdrawnMember(let since) = self { return since }
            return nil
        }

        /// Whether content written at `date` is for this reader.
        func reads(writtenAt date: Date?) -> Bool {
            guard readsContent else { return false }
            guard let cutoff = contentCutoff, let date else { return contentCutoff == nil }
            return date < cutoff
        }
    }

    func access(to file: CaseFile, by principal: Principal, on db: any Database) async throws -> Access? {
        if file.directorID == principal.userID { return .director }
        if let member = try await activeMember(of: file, userID: principal.userID, on: db) {
            return member.consentWithdrawnAt.map { .withdrawnMember(since: $0) } ?? .member
        }
        return CasePolicy.roleAccess(principal, districtID: file.districtID)
    }

    func activeMember(of file: CaseFile, userID: UUID, on db: any Database) async throws -> CaseMember? {
        try await CaseMember.query(on: db).filter(\.$caseID == file.id!).filter(\.$userID == userID).filter(\.$endedAt == nil).first()
    }

    /// A case by reference, within reach; the read is logged.
    func find(reference: String, by principal: Principal) async throws -> (file: CaseFile, access: Access) {
        let db = database.db()
        guard principal.reportScope != .none,
              let file = try await CaseFile.query(on: db).filter(\.$reference == reference.uppercased()).first(),
              let access = try await access(to: file, by: principal, on: db) else { throw AppError.notFound }
        try await Audit.record(.read, "case", file.reference, by: principal, on: db)
        return (file, access)
    }

    /// Case ids whose persons this user may see as director or active member whose consent still
    /// holds (for `PersonStore`): after a withdrawal the person's details, which may change, are no
    /// longer theirs through the case.
    static func personIDs(reachableBy userID: UUID, among candidates: [UUID], on db: any Database) async throws -> Set<UUID> {
        let links = try await CasePerson.query(on: db).filter(\.$personID ~~ candidates).all()
        guard !links.isEmpty else { return [] }
        let caseIDs = Array(Set(links.map(\.caseID)))
        let directed = try await CaseFile.query(on: db).filter(\.$id ~~ caseIDs).filter(\.$directorID == userID).all().compactMap(\.id)
        let membered = try await CaseMember.query(on: db).filter(\.$caseID ~~ caseIDs).filter(\.$userID == userID).filter(\.$endedAt == nil)
            .filter(\.$consentWithdrawnAt == nil).all().map(\.caseID)
        let reachable = Set(directed + membered)
        return Set(links.filter { reachable.contains($0.caseID) }.map(\.personID))
    }

    // MARK: Lists

    /// The coordinator's list: open cases in their districts whose director is deactivated (someone
    /// must take them over) or whose hand-over waits for acceptance. Administrators see all.
    func needingDirector(by principal: Principal) async throws -> [CaseFile] {
        try await directionQuery(by: principal, includingWaitingHandOvers: true)
    }

    /// Open cases in the districts the user oversees whose director is deactivated and, if asked,
    /// those whose hand-over waits for acceptance.
    func directionQuery(by principal: Principal, includingWaitingHandOvers: Bool) async throws -> [CaseFile] {
        guard CasePolicy.overseesDirection(principal) else { throw AppError.notFound }
        let db = database.db()
        let inactive = try await User.query(on: db).filter(\.$active == false).all().compactMap(\.id)
        let query = CaseFile.query(on: db).filter(\.$phase != CasePhase.closed.rawValue)
        if includingWaitingHandOvers {
            query.group(.or) { $0.filter(\.$directorID ~~ inactive).filter(\.$proposedDirectorID != nil) }
        } else {
            query.filter(\.$directorID ~~ inactive)
        }
        if let districts = CasePolicy.districtsOverseen(by: principal) { query.filter(\.$districtID ~~ districts) }
        return try await query.sort(\.$openedAt).all()
    }

    // MARK: Opening

    struct Opening: Sendable {
        var pseudonyms: [String]
        var reason: String?
        /// Default: the user opening the case.
        var directorID: UUID?
        var reportReferences: [String] = []
    }

    /// Opens a case. `alsoOn` runs inside the opening's transaction (the record that led to the case
    /// notes it there, so both or neither are written).
    func open(_ opening: Opening, by principal: Principal, now: Date = .now,
              alsoOn: (@Sendable (any Database, CaseFile) async throws -> Void)? = nil) async throws -> CaseFile {
        guard CasePolicy.mayOpenCase(principal) else { throw AppError.notFound }
        let db = database.db()
        var issues: [FieldIssue] = []
        let reason = (opening.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 4000) { issues.append(FieldIssue("reason", issue)) }
        var people: [PersonRecord] = []
        for pseudonym in opening.pseudonyms { people.append(try await persons.record(pseudonym: pseudonym, by: principal, on: db)) }
        if people.isEmpty { issues.append(FieldIssue("persons", "required")) }
        // Naming another director is a proposal they accept (`CasePolicy`): until then the one
        // opening the case directs it.
        let proposedID = opening.directorID.flatMap { $0 == principal.userID ? nil : $0 }
        if let proposedID, try await !Self.mayDirect(proposedID, on: db) { issues.append(FieldIssue("director", "unknown")) }
        if try await !Self.mayDirect(principal.userID, on: db) { throw AppError.notFound }
        var reports: [Report] = []
        for reference in opening.reportReferences { reports.append(try await persons.reports.find(reference: reference, by: principal)) }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        var district = reports.first?.districtID
        if district == nil, let location = people.first?.locationID { district = try await Location.find(location, on: db)?.districtID }
        let file = CaseFile()
        file.id = UUID()
        file.openingReason = reason
        file.phase = CasePhase.registration.rawValue
        file.directorID = principal.userID
        file.proposedDirectorID = proposedID
        file.districtID = district
        file.openedBy = principal.userID
        file.openedAt = now.wholeSeconds
        file.updatedAt = now.wholeSeconds
        let peopleIDs = people.map { $0.id! }, reportIDs = reports.map { $0.id! }
        let terms = try await proposedID.asyncMap { try await Self.proposalTerms(to: $0, now: now, on: db) }
        try await db.transaction { tx in
            file.reference = try await Self.nextReference(now: now, on: tx)
            try await file.create(on: tx)
            for id in peopleIDs { try await CasePerson(caseID: file.id!, personID: id).create(on: tx) }
            for id in reportIDs { try await CaseReport(caseID: file.id!, reportID: id).create(on: tx) }
            try await CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "opened", to: principal.userID.uuidString).create(on: tx)
            if let proposedID {
                try await CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "director_proposed",
                                    from: principal.userID.uuidString, to: proposedID.uuidString).create(on: tx)
                if let terms { try await Self.startProposal(file, to: proposedID, terms: terms, by: principal, now: now, on: tx) }
                try await Notifications.send([Notice(recipient: proposedID, kind: .caseDirectorRequested, reference: file.reference,
                                                     link: "/cases/\(file.reference)")], on: tx, now: now)
            }
            try await Audit.record(.create, "case", file.reference, by: principal, on: tx)
            try await alsoOn?(tx, file)
        }
        return file
    }

    /// Only active users with record access can direct a case.
    static func mayDirect(_ userID: UUID, on db: any Database) async throws -> Bool {
        guard let user = try await User.find(userID, on: db) else { return false }
        return user.active && !Role.withoutRecordAccess.contains(user.userRole)
    }

    static func nextReference(now: Date, on db: any Database) async throws -> String {
        try await nextReference(counter: "case", prefix: "CS", now: now, on: db)
    }

    /// The next `PREFIX-YEAR-NNNNNN` of a yearly counter (cases, case meetings).
    static func nextReference(counter: String, prefix: String, now: Date, on db: any Database) async throws -> String {
        let year = Formats.calendar.component(.year, from: now)
        let row = try await db.sql.raw("""
            INSERT INTO reference_counters (name, value) VALUES (\(bind: "\(counter)-\(year)"), 1)
            ON CONFLICT (name) DO UPDATE SET value = reference_counters.value + 1
            RETURNING value
            """).first()
        return String(format: "\(prefix)-%04d-%06d", year, try row?.decode(column: "value", as: Int.self) ?? 1)
    }

    // MARK: Reading

    /// Who may direct or join a case: active users with record access, by name.
    func directorCandidates() async throws -> [User] {
        try await User.query(on: database.db()).filter(\.$active == true).filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue))
            .sort(\.$name).all()
    }

    func persons(of file: CaseFile) async throws -> [PersonRecord] {
        let db = database.db()
        let ids = try await CasePerson.query(on: db).filter(\.$caseID == file.id!).all().map(\.personID)
        return try await PersonRecord.query(on: db).filter(\.$id ~~ ids).all()
    }

    func members(of file: CaseFile) async throws -> [CaseMember] {
        try await CaseMember.query(on: database.db()).filter(\.$caseID == file.id!).sort(\.$addedAt).all()
    }

    /// The case's history as this reader may see it: a member whose consent was withdrawn sees
    /// nothing from that moment on; who reads no content (the district coordinator) sees what
    /// happened and when, without reasons, results or factor codes (the same as the timeline).
    func history(of file: CaseFile, access: Access) async throws -> [CaseEvent] {
        let events = try opened(try await CaseEvent.query(on: database.db()).filter(\.$caseID == file.id!).sort(\.$at).sort(\.$seq).all())
        let cutoff = access.contentCutoff
        return events.filter { event in cutoff.map { event.at < $0 } ?? true }.map { event in
            guard !access.readsContent else { return event }
            return event.withoutContent()
        }
    }

    /// The policy for this reader's changes to the case's direction.
    func policy(for file: CaseFile, access: Access, by principal: Principal) async throws -> CasePolicy {
        let director = try await User.find(file.directorID, on: database.db())
        return CasePolicy(access: access, principalID: principal.userID, isOpen: file.casePhase != .closed,
                          directorActive: director?.active == true)
    }

    /// The notes this user may read, opened. Coordinators and administrators (facts) read none.
    func notes(of file: CaseFile, access: Access, by principal: Principal) async throws -> [(note: CaseNote, body: String)] {
        guard access.readsContent else { return [] }
        let db = database.db()
        let member = try await activeMember(of: file, userID: principal.userID, on: db)
        let all = try await CaseNote.query(on: db).filter(\.$caseID == file.id!).sort(\.$createdAt).all()
        let readable = all.filter { note in
            CaseNoteAccess.mayRead(note, userID: principal.userID, directorID: file.directorID, member: member)
        }
        return try readable.map { ($0, try persons.cipher.open($0.bodySealed)) }
    }
}
