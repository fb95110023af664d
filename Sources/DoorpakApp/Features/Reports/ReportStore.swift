import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// The only door to reports, their notes and history. Every read takes the acting user and
/// applies their scope in the query itself; a report outside it is "not found".
struct ReportStore: Sendable {
    let database: AppDatabase
    /// The clock for break-the-glass grants; tests move it to see a grant expire.
    var now: @Sendable () -> Date = { .now }
    /// Status counts per user and filter, kept while the `counts` version stands (`statusCounts`).
    private let statusCountCache = VersionedCache<String, [ReportStatus: Int]>(watching: "counts", capacity: 5_000)

    static let defaultPageSize = 50
    static let maxPageSize = 100

    struct Page: Sendable {
        let reports: [Report]
        let next: ReportCursor?
    }

    // MARK: Scope

    /// Reports this user may read: their scope, plus what they reported or own themselves, plus
    /// reports they are asked to act on (a hand-over waiting for their answer, an open action for
    /// them or their organisation): they need the report to decide or to act.
    /// Analysts read aggregates only, so any record read is refused as not found.
    func scoped(_ principal: Principal, on db: any Database) async throws -> QueryBuilder<Report> {
        let query = Report.query(on: db)
        let me = principal.userID
        let asked: [UUID]
        switch principal.reportScope {
        case .all: return query
        case .none: throw AppError.notFound
        default: asked = try await FollowThrough.reportsAskedOf(principal, on: db)
        }
        return query.group(.or) { or in
            switch principal.reportScope {
            case .districts(let ids): or.filter(\.$districtID ~~ ids)
            case .locations(let ids): or.filter(\.$locationID ~~ ids)
            case .organisation(let id): or.filter(\.$organisationID == id)
            case .all, .none: break
            }
            or.filter(\.$reporterID == me).filter(\.$ownerID == me)
            if !asked.isEmpty { or.filter(\.$id ~~ asked) }
        }
    }

    // MARK: Lists

    /// One page of the worklist.
    func list(_ filter: ReportFilter, after cursor: ReportCursor?, limit: Int = defaultPageSize,
              by principal: Principal) async throws -> Page {
        let db = database.db()
        let query = try await apply(filter, to: scoped(principal, on: db), includeStatus: true, by: principal)
        if let cursor, cursor.sort == filter.sort { after(cursor, query) }
        sort(filter.sort, query)
        let rows = try await query.limit(limit + 1).all()
        let shown = Array(rows.prefix(limit))
        let next = rows.count > limit ? shown.last.map { cursorAfter($0, sort: filter.sort) } : nil
        return Page(reports: shown, next: next)
    }

    /// Counting every match of a broad filter means reading every matching row: about a second at a
    /// million reports. Nobody needs "812.345 gesloten" exactly, so each status is counted up to this
    /// cap and shown as "10.000+" above it.
    static let countCap = 10_000

    /// How many reports match the filter per status (ignoring the status filter itself), each
    /// capped at `countCap + 1`. The counting query is the worklist's own scoped, filtered query,
    /// limited and wrapped in `COUNT(*)`, so counts and list can never disagree on scope.
    ///
    /// Counting costs tens of milliseconds at a million reports, and the same worklist is opened
    /// far more often than reports change: the counts are kept per user and filter while the
    /// `counts` version stands (any write to reports, their follow-through or users raises it).
    /// A filter on passed deadlines also depends on the clock: its counts are kept for a minute.
    func statusCounts(_ filter: ReportFilter, by principal: Principal) async throws -> [ReportStatus: Int] {
        let db = database.db()
        var key = filter
        key.status = nil
        var parts = ["\(principal.userID)"] + key.queryItems.map { "\($0.0)=\($0.1)" }
        if filter.needs == .overdue { parts.append("minute=\(Int(now().timeIntervalSince1970 / 60))") }
        return try await statusCountCache.value(parts.joined(separator: "&"), on: db.sql) {
            try await countStatuses(filter, by: principal, on: db)
        }
    }

    private func countStatuses(_ filter: ReportFilter, by principal: Principal, on db: any Database) async throws -> [ReportStatus: Int] {
        var counts: [ReportStatus: Int] = [:]
        for status in ReportStatus.allCases {
            let query = try await apply(filter, to: scoped(principal, on: db), includeStatus: false, by: principal)
                .filter(\.$status == status.rawValue).field(\.$id).limit(Self.countCap + 1)
            let select = SQLQueryConverter(delegate: PlainSQLConverter()).convert(query.query)
            let row = try await db.sql.raw("SELECT COUNT(*) AS n FROM (\(select)) AS capped").first()
            counts[status] = try row?.decode(column: "n", as: Int.self) ?? 0
        }
        return counts
    }

    private func apply(_ filter: ReportFilter, to query: QueryBuilder<Report>, includeStatus: Bool,
                       by principal: Principal) async throws -> QueryBuilder<Report> {
        if let id = filter.locationID { query.filter(\.$locationID == id) }
        if let id = filter.districtID { query.filter(\.$districtID == id) }
        if let kind = filter.kind { query.filter(\.$kind == kind.rawValue) }
        if let id = filter.categoryID { query.filter(\.$categoryID == id) }
        if includeStatus, let status = filter.status { query.filter(\.$status == status.rawValue) }
        if let urgency = filter.urgency { query.filter(\.$urgency == urgency.rawValue) }
        if let id = filter.organisationID { query.filter(\.$organisationID == id) }
        if let id = filter.ownerID { query.filter(\.$ownerID == id) }
        if let needs = filter.needs { query.filter(.sql(embed: Self.condition(needs, now: now()))) }
        if let from = filter.from { query.filter(\.$occurredAt >= from) }
        if let to = filter.to { query.filter(\.$occurredAt < to) }
        if let text = filter.text {
            let lowered = text.lowercased()
            if lowered.range(of: #"^dp-\d{4}-\d{6}$"#, options: .regularExpression) != nil {
                query.filter(\.$reference == text.uppercased())
            } else {
                switch ReportPolicy.textSearch(principal.role) {
                case .content:
                    query.filter(.sql(embed: ReportSearch.condition(text, postgres: database.isPostgres)))
                case .contentOutsideSensitive:
                    // Site staff: free text matches a sensitive category's content only in their own
                    // reports, so a search cannot probe what they may not read.
                    let sensitive = try await CategoryStore.sensitiveIDs(on: database.db())
                    query.filter(.sql(embed: ReportSearch.condition(text, postgres: database.isPostgres)))
                    if !sensitive.isEmpty {
                        query.group(.or) { or in
                            or.filter(\.$categoryID !~ sensitive).filter(\.$reporterID == principal.userID).filter(\.$ownerID == principal.userID)
                        }
                    }
                case .referencesOnly:
                    // Administrators read no content by role: free text finds nothing but a reference.
                    query.filter(\.$reference == text.uppercased())
                }
            }
        }
        return query
    }

    /// An open report waiting for `need`, as a condition on the reports table.
    static func condition(_ need: ReportNeed, now: Date) -> SQLQueryString {
        switch need {
        case .overdue: "\(WorkStore.openReport) AND \(ReportOrder.dueKey) < \(bind: now)"
        case .escalated: "\(WorkStore.openReport) AND escalation_level > 0"
        case .unowned: "\(WorkStore.openReport) AND owner_id IS NULL"
        case .handover: """
            \(WorkStore.openReport) AND EXISTS (SELECT 1 FROM \(ident: Handover.schema) h WHERE h.subject_kind = \(bind: ActionSubjectKind.report.rawValue)
            AND h.subject_id = \(ident: Report.schema).id AND h.status = \(bind: HandoverStatus.requested.rawValue))
            """
        }
    }

    private func sort(_ sort: ReportSort, _ query: QueryBuilder<Report>) {
        switch sort {
        case .newest: query.sort(\.$occurredAt, .descending).sort(\.$id, .descending)
        case .oldest: query.sort(\.$occurredAt, .ascending).sort(\.$id, .ascending)
        case .urgency: query.sort(\.$urgency, .descending).sort(\.$occurredAt, .descending).sort(\.$id, .descending)
        case .updated: query.sort(\.$updatedAt, .descending).sort(\.$id, .descending)
        }
    }

    /// Keyset condition: rows strictly after the cursor in the sort's order.
    private func after(_ cursor: ReportCursor, _ query: QueryBuilder<Report>) {
        let date = Date(timeIntervalSince1970: TimeInterval(cursor.seconds))
        let id = cursor.id
        switch cursor.sort {
        case .newest:
            query.group(.or) { or in
                or.filter(\.$occurredAt < date).group(.and) { $0.filter(\.$occurredAt == date).filter(\.$id < id) }
            }
        case .oldest:
            query.group(.or) { or in
                or.filter(\.$occurredAt > date).group(.and) { $0.filter(\.$occurredAt == date).filter(\.$id > id) }
            }
        case .updated:
            query.group(.or) { or in
                or.filter(\.$updatedAt < date).group(.and) { $0.filter(\.$updatedAt == date).filter(\.$id < id) }
            }
        case .urgency:
            let level = cursor.urgency
            query.group(.or) { or in
                or.filter(\.$urgency < level)
                    .group(.and) { same in
                        same.filter(\.$urgency == level).group(.or) { inner in
                            inner.filter(\.$occurredAt < date)
                                .group(.and) { $0.filter(\.$occurredAt == date).filter(\.$id < id) }
                        }
                    }
            }
        }
    }

    private func cursorAfter(_ report: Report, sort: ReportSort) -> ReportCursor {
        let date = sort == .updated ? report.updatedAt : report.occurredAt
        return ReportCursor(sort: sort, seconds: Int(date.timeIntervalSince1970), urgency: report.urgency, id: report.id!)
    }

    // MARK: One report

    /// A report by reference, within scope; its opening is logged as a read of its description.
    /// Outside scope, an unexpired break-the-glass grant of this user for this report opens it too
    /// (single-record reads only, never the worklist or counts); such a read is logged with the
    /// purpose `break-glass: <grant id>`.
    func find(reference: String, by principal: Principal) async throws -> Report {
        let db = database.db()
        let wanted = reference.uppercased()
        if let report = try await scoped(principal, on: db).filter(\.$reference == wanted).first() {
            // An administrator reads the content only under a grant: that read carries its purpose.
            let grant = principal.isAdministrator
                ? try await BreakGlassStore.activeGrant(userID: principal.userID, recordType: "report", recordID: wanted, now: now(), on: db)
                : nil
            try await Audit.record(.read, "report", report.reference, by: principal,
                                   purpose: grant.map { "break-glass: \($0.id!.uuidString.lowercased())" }, on: db)
            return report
        }
        guard let grant = try await BreakGlassStore.activeGrant(userID: principal.userID, recordType: "report", recordID: wanted,
                                                                 now: now(), on: db),
              let report = try await Report.query(on: db).filter(\.$reference == wanted).first() else {
            throw AppError.notFound
        }
        // Emergency access is read-only: a request that writes is refused (403, `BreakGlassAccess`).
        try BreakGlassAccess.refuseWrites()
        try await Audit.record(.read, "report", report.reference, by: principal,
                               purpose: "break-glass: \(grant.id!.uuidString.lowercased())", on: db)
        return report
    }

    /// The report's notes, for those who read its content (`readsContent`); none for others.
    func notes(of report: Report, by principal: Principal) async throws -> [ReportNote] {
        guard try await readsContent(report, by: principal) else { return [] }
        return try await ReportNote.query(on: database.db()).filter(\.$reportID == report.id!).sort(\.$createdAt, .ascending).all()
    }

    /// Whether this user reads the report's description and notes (`ReportPolicy.readsContent`).
    /// An administrator's emergency grant counts for reading only: a request that writes does not
    /// read (or add to) the content under it.
    func readsContent(_ report: Report, by principal: Principal) async throws -> Bool {
        guard ReportPolicy.contentDependsOnRecord(principal.role) else { return true }
        let db = database.db()
        let sensitive = try await CategoryStore.isSensitive(report.categoryID, on: db)
        let mine = report.reporterID == principal.userID || report.ownerID == principal.userID
        let asked = principal.role == .locationStaff && sensitive && !mine
            ? try await FollowThrough.reportsAskedOf(principal, on: db).contains(report.id!) : false
        let emergency = principal.isAdministrator && !BreakGlassAccess.writing
            ? try await BreakGlassStore.activeGrant(userID: principal.userID, recordType: "report", recordID: report.reference,
                                                    now: now(), on: db) != nil
            : false
        return ReportPolicy.readsContent(role: principal.role, sensitiveCategory: sensitive, registeredOrOwns: mine, asked: asked,
                                         emergencyRead: emergency)
    }

    /// Asking someone to act on a report is for who reads its content (`ReportPolicy.mayAddAction`):
    /// nobody passes on, blind, what they may not read (403). Whether the report still takes
    /// actions is `ActionStore`'s check (409).
    func requireMayAddAction(_ report: Report, by principal: Principal) async throws {
        guard try await readsContent(report, by: principal) else { throw AppError.forbidden }
    }

    func history(of report: Report) async throws -> [ReportEvent] {
        try await ReportEvent.query(on: database.db()).filter(\.$reportID == report.id!).sort(\.$at, .ascending).sort(\.$seq, .ascending).all()
    }
}

extension ReportStore {
    /// People a report can be given to: active staff of its responsible organisation, and the
    /// user themselves (who may pick it up).
    /// Whom this user may make the report's owner directly (`ReportPolicy`): colleagues in the
    /// responsible organisation; anyone else only through a hand-over.
    func candidateOwners(for report: Report, me principal: Principal) async throws -> [(id: UUID, name: String)] {
        let db = database.db()
        guard let organisation = report.organisationID else { return [] }
        let policy = try await policy(for: report, by: principal)
        let users = try await User.query(on: db).filter(\.$organisationID == organisation).filter(\.$active == true)
            .filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue)).sort(\.$name).all()
        return users.filter { $0.id == report.ownerID || policy.refusal(owner: $0) == nil }.compactMap { user in user.id.map { (id: $0, name: user.name) } }
    }
}

extension ReportStore {
    /// The policy for this user's changes to a report.
    func policy(for report: Report, by principal: Principal) async throws -> ReportPolicy {
        let manager = try await report.organisationID.asyncMap { try await Organisation.find($0, on: database.db())?.managerID } ?? nil
        return ReportPolicy(principal: principal, report: report, organisationManagerID: manager)
    }
}

/// Turns a FluentKit query into plain SQL for wrapping (queries only: no schema types involved).
private struct PlainSQLConverter: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
}
