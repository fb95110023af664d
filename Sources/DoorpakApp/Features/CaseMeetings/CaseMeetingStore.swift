import FluentKit
import Foundation
import SQLKit

/// The only door to case meetings. A meeting is visible to its organiser, users of the invited
/// organisations, coordinators of the districts of its cases and administrators; for everyone else
/// it does not exist. Per agenda item, what the viewer sees follows their own access to the case
/// (`CaseMeetingPolicy.itemView`). Every read is logged, and so is every case whose content is shown.
struct CaseMeetingStore: Sendable {
    let database: AppDatabase
    let cases: CaseStore

    static let defaultPageSize = 50
    static let maxPageSize = 200

    var cipher: FieldCipher { cases.persons.cipher }

    /// A meeting as one viewer sees it.
    struct Agenda: Sendable {
        let meeting: CaseMeeting
        let invited: [UUID]
        let entries: [Entry]
        let mayOrganise: Bool
    }

    /// One agenda item as the viewer sees it: `file` is always loaded, but only `view` decides what
    /// may be shown (templates and DTOs read the reference and content through it).
    struct Entry: Sendable {
        let item: CaseMeetingItem
        let file: CaseFile
        let view: CaseMeetingPolicy.ItemView
        let minutes: String?
        let decisions: [String]
        let actions: [Action]
        let mayRecord: Bool

        var reference: String? { view == .hidden ? nil : file.reference }
    }

    // MARK: Finding

    /// The meeting with the facts its access rules need, or not found.
    private func visible(_ id: UUID, by principal: Principal, on db: any Database) async throws
        -> (meeting: CaseMeeting, invited: [UUID], items: [CaseMeetingItem], files: [UUID: CaseFile]) {
        guard principal.reportScope != .none, let meeting = try await CaseMeeting.find(id, on: db) else { throw AppError.notFound }
        let invited = try await CaseMeetingInvite.query(on: db).filter(\.$meetingID == id).all().map(\.organisationID)
        let items = try await CaseMeetingItem.query(on: db).filter(\.$meetingID == id).sort(\.$position).all()
        let files = try await CaseFile.query(on: db).filter(\.$id ~~ items.map(\.caseID)).all()
        guard CaseMeetingPolicy.mayView(organiserID: meeting.organiserID, invited: Set(invited),
                                        caseDistricts: Set(files.compactMap(\.districtID)), principal) else { throw AppError.notFound }
        return (meeting, invited, items, Dictionary(uniqueKeysWithValues: files.map { ($0.id!, $0) }))
    }

    /// A meeting within sight, its items opened as far as the viewer may see them. The read of the
    /// meeting and of every case whose content is shown is logged.
    func agenda(_ id: UUID, by principal: Principal) async throws -> Agenda {
        let db = database.db()
        let found = try await visible(id, by: principal, on: db)
        let itemIDs = found.items.compactMap(\.id)
        let decisions = try await CaseMeetingDecision.query(on: db).filter(\.$itemID ~~ itemIDs).sort(\.$position).all()
        let links = try await CaseMeetingAction.query(on: db).filter(\.$itemID ~~ itemIDs).all()
        let actions = try await Action.query(on: db).filter(\.$id ~~ links.map(\.actionID)).sort(\.$createdAt).all()
        let itemOfAction = Dictionary(uniqueKeysWithValues: links.map { ($0.actionID, $0.itemID) })
        var entries: [Entry] = []
        for item in found.items {
            guard let file = found.files[item.caseID] else { continue }
            let access = try await cases.access(to: file, by: principal, on: db)
            let view = CaseMeetingPolicy.itemView(access)
            // A member whose consent was withdrawn reads no outcome recorded since.
            let content = view == .content && access?.reads(writtenAt: item.recordedAt ?? .distantPast) == true
            entries.append(Entry(
                item: item, file: file, view: view,
                minutes: content ? try item.minutesSealed.map(cipher.open) : nil,
                decisions: content ? try decisions.filter { $0.itemID == item.id }.map { try cipher.open($0.textSealed) } : [],
                actions: content ? actions.filter { itemOfAction[$0.id!] == item.id } : [],
                mayRecord: CaseMeetingPolicy.mayRecord(organiserID: found.meeting.organiserID, directorID: file.directorID, principal)))
        }
        let shown = entries.filter { $0.view == .content }.map(\.file.reference)
        try await db.transaction { tx in
            try await Audit.record(.read, "case_meeting", id.uuidString, by: principal, on: tx)
            for reference in shown {
                try await Audit.record(.read, "case", reference, by: principal, purpose: "case meeting \(id.uuidString)", on: tx)
            }
        }
        return Agenda(meeting: found.meeting, invited: found.invited, entries: entries,
                      mayOrganise: CaseMeetingPolicy.mayOrganise(organiserID: found.meeting.organiserID, principal))
    }

    /// The pseudonyms of the persons of the items whose content the viewer may see, by case.
    func pseudonyms(of entries: [Entry]) async throws -> [UUID: [String]] {
        let caseIDs = entries.filter { $0.view == .content }.map(\.file.id!)
        guard !caseIDs.isEmpty else { return [:] }
        let db = database.db()
        let links = try await CasePerson.query(on: db).filter(\.$caseID ~~ caseIDs).all()
        let persons = try await PersonRecord.query(on: db).filter(\.$id ~~ links.map(\.personID)).all()
        let pseudonym = Dictionary(uniqueKeysWithValues: persons.map { ($0.id!, $0.pseudonym) })
        return links.reduce(into: [UUID: [String]]()) { result, link in
            if let name = pseudonym[link.personID] { result[link.caseID, default: []].append(name) }
        }.mapValues { $0.sorted() }
    }

    /// The meeting ids a user may see; `nil` means all (administrators). Ids only, in one query:
    /// decoding whole rows here cost a coordinator with 300 meetings about 100 ms a page.
    private func visibleIDs(by principal: Principal, on db: any Database) async throws -> [UUID]? {
        guard principal.reportScope != .none else { throw AppError.notFound }
        if principal.isAdministrator { return nil }
        var query: SQLQueryString = "SELECT id AS meeting FROM case_meetings WHERE organiser_id = \(bind: principal.userID)"
        if let organisation = principal.organisationID {
            query += " UNION SELECT meeting_id AS meeting FROM case_meeting_invites WHERE organisation_id = \(bind: organisation)"
        }
        if principal.role == .coordinator, !principal.districtIDs.isEmpty {
            query += """
                 UNION SELECT i.meeting_id AS meeting FROM case_meeting_items i JOIN cases c ON c.id = i.case_id \
                WHERE c.district_id IN (\(binds: principal.districtIDs))
                """
        }
        return try await db.sql.raw(query).all().map { try $0.decode(column: "meeting", as: UUID.self) }
    }

    private func scoped(by principal: Principal, on db: any Database, ids known: [UUID]?? = nil) async throws -> QueryBuilder<CaseMeeting> {
        let query = CaseMeeting.query(on: db)
        var ids: [UUID]?
        if let known { ids = known } else { ids = try await visibleIDs(by: principal, on: db) }
        if let ids { query.filter(\.$id ~~ ids) }
        return query
    }

    /// The next meeting reference, `CO-2026-000012`.
    static func nextReference(now: Date, on db: any Database) async throws -> String {
        try await CaseStore.nextReference(counter: "meeting", prefix: "CO", now: now, on: db)
    }

    // MARK: Lists

    struct Page: Sendable {
        let items: [CaseMeeting]
        let next: CaseMeetingCursor?
    }

    /// The meetings a user may see, latest planned first, one page at a time.
    func list(by principal: Principal, after cursor: CaseMeetingCursor?, limit: Int = defaultPageSize) async throws -> Page {
        let query = try await scoped(by: principal, on: database.db())
        if let cursor {
            query.group(.or) { or in
                or.filter(\.$plannedAt < cursor.plannedAt)
                or.group(.and) { $0.filter(\.$plannedAt == cursor.plannedAt).filter(\.$id < cursor.id) }
            }
        }
        let rows = try await query.sort(\.$plannedAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let shown = Array(rows.prefix(limit))
        return Page(items: shown, next: rows.count > limit ? shown.last.map { CaseMeetingCursor(plannedAt: $0.plannedAt, id: $0.id!) } : nil)
    }

    /// Planned meetings from today on (soonest first), and a page of the rest (latest first), for the page.
    func overview(by principal: Principal, now: Date = .now, pastAfter cursor: CaseMeetingCursor? = nil, limit: Int = 50) async throws
        -> (upcoming: [CaseMeeting], past: [CaseMeeting], pastNext: CaseMeetingCursor?) {
        let db = database.db()
        let today = Formats.calendar.startOfDay(for: now)
        let ids = try await visibleIDs(by: principal, on: db)
        let upcoming = try await scoped(by: principal, on: db, ids: ids).filter(\.$status == CaseMeetingStatus.planned.rawValue)
            .filter(\.$plannedAt >= today).sort(\.$plannedAt).limit(Self.maxPageSize).all()
        let query = try await scoped(by: principal, on: db, ids: ids)
            .group(.or) { $0.filter(\.$status != CaseMeetingStatus.planned.rawValue).filter(\.$plannedAt < today) }
        if let cursor {
            query.group(.or) { or in
                or.filter(\.$plannedAt < cursor.plannedAt)
                or.group(.and) { $0.filter(\.$plannedAt == cursor.plannedAt).filter(\.$id < cursor.id) }
            }
        }
        let rows = try await query.sort(\.$plannedAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let past = Array(rows.prefix(limit))
        return (upcoming, past, rows.count > limit ? past.last.map { CaseMeetingCursor(plannedAt: $0.plannedAt, id: $0.id!) } : nil)
    }

    /// How many items each meeting has (the number is part of what every viewer may see).
    func itemCounts(_ meetings: [CaseMeeting]) async throws -> [UUID: Int] {
        guard !meetings.isEmpty else { return [:] }
        let rows = try await database.sql().raw("""
            SELECT meeting_id, COUNT(*) AS n FROM case_meeting_items WHERE meeting_id IN (\(binds: meetings.compactMap(\.id))) GROUP BY meeting_id
            """).all()
        return try rows.reduce(into: [:]) { $0[try $1.decode(column: "meeting_id", as: UUID.self)] = try $1.decode(column: "n", as: Int.self) }
    }

    func invited(_ meetings: [CaseMeeting]) async throws -> [UUID: [UUID]] {
        let rows = try await CaseMeetingInvite.query(on: database.db()).filter(\.$meetingID ~~ meetings.compactMap(\.id)).all()
        return rows.reduce(into: [:]) { $0[$1.meetingID, default: []].append($1.organisationID) }
    }

    /// Whether the user may plan meetings: coordinators, administrators, directors of an open case.
    func mayPlan(_ principal: Principal) async throws -> Bool {
        if CaseMeetingPolicy.plansWithoutCases(principal) { return true }
        guard principal.reportScope != .none else { return false }
        let directs = try await CaseFile.query(on: database.db()).filter(\.$directorID == principal.userID)
            .filter(\.$phase != CasePhase.closed.rawValue).count()
        return CaseMeetingPolicy.mayPlan(principal, directsCases: directs > 0)
    }

    // MARK: The case's side

    /// A meeting a case was on, for the case page and its timeline.
    struct TimelineEntry: Sendable {
        let meetingID: UUID
        let plannedAt: Date
        let status: CaseMeetingStatus
        let decisionsCount: Int
        /// The case was discussed there (minutes recorded).
        var discussed: Bool = false
        /// Minutes were recorded and this user may read them.
        let minutesReadable: Bool
        /// Whether the user may open the meeting (else: show it without a link).
        let meetingVisible: Bool
        var href: String? { meetingVisible ? "/meetings/\(meetingID.uuidString.lowercased())" : nil }
    }

    /// The meetings a case was on, oldest first; empty when the user has no access to the case.
    /// The caller has shown (and logged) the case itself.
    func timelineEntries(caseID: UUID, by principal: Principal) async throws -> [TimelineEntry] {
        let db = database.db()
        guard let file = try await CaseFile.find(caseID, on: db), let access = try await cases.access(to: file, by: principal, on: db) else { return [] }
        let items = try await CaseMeetingItem.query(on: db).filter(\.$caseID == caseID).all()
        guard !items.isEmpty else { return [] }
        let meetings = try await CaseMeeting.query(on: db).filter(\.$id ~~ items.map(\.meetingID)).all()
        let decisions = try await CaseMeetingDecision.query(on: db).filter(\.$itemID ~~ items.compactMap(\.id)).all()
        let visible = Set(try await visibleIDs(by: principal, on: db) ?? meetings.compactMap(\.id))
        return meetings.compactMap { meeting -> TimelineEntry? in
            guard let item = items.first(where: { $0.meetingID == meeting.id }) else { return nil }
            return TimelineEntry(meetingID: meeting.id!, plannedAt: meeting.plannedAt, status: meeting.meetingStatus,
                                 decisionsCount: decisions.filter { $0.itemID == item.id }.count, discussed: item.isRecorded,
                                 minutesReadable: access.reads(writtenAt: item.recordedAt ?? .distantPast) && item.minutesSealed != nil,
                                 meetingVisible: visible.contains(meeting.id!))
        }.sorted { $0.plannedAt < $1.plannedAt }
    }
}

/// Where the next page of meetings starts: after this planned moment and id.
struct CaseMeetingCursor: Equatable, Sendable {
    let plannedAt: Date
    let id: UUID

    init(plannedAt: Date, id: UUID) {
        self.plannedAt = plannedAt
        self.id = id
    }

    var encoded: String { PageToken.encode("m1", [PageToken.seconds(plannedAt), id.uuidString.lowercased()]) }

    init?(encoded: String) {
        guard let fields = PageToken.decode(encoded, tag: "m1", fields: 2, maxLength: 120),
              let plannedAt = PageToken.date(fields[0]), let id = UUID(uuidString: fields[1]) else { return nil }
        self.init(plannedAt: plannedAt, id: id)
    }
}
