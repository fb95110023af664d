import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// "Mijn werk": what is waiting for one person (their reports, their organisation's or team's
/// intake queue, hand-overs and actions), for a team lead's or manager's team, or in a
/// coordinator's districts. Each list is one indexed query, sorted by the database (overdue or most
/// urgent first) and paged with a cursor; the navigation count is one query that counts the same
/// conditions. Nothing outside the user's scope appears: the conditions below are the scope.
struct WorkStore: Sendable {
    private let database: AppDatabase
    static let pageSize = 25
    /// The navigation count and the lead of each user, kept while the `counts` version stands:
    /// every page shows the count, and the records it counts change far less often than pages are
    /// opened (any write to reports, hand-overs, actions, concern items, teams or users raises it).
    private let counts = VersionedCache<UUID, Int>(watching: "counts")
    private let leads = VersionedCache<UUID, Lead?>(watching: "counts")

    init(database: AppDatabase) {
        self.database = database
    }

    enum View: String, CaseIterable, Sendable { case mine, team, district }

    /// The lists of a view, in the order the page shows them.
    enum Section: String, CaseIterable, Sendable { case queue, handovers, actions, reports }

    /// Why an item is in someone's work: shown per row, so nobody wonders why it is theirs.
    enum Reason: String, Sendable {
        case owner
        case organisationQueue = "queue_organisation"
        case teamQueue = "queue_team"
        case withoutOwner = "without_owner"
        case escalated
        case teamMember = "team_member"
        case handoverToYou = "handover_you"
        case handoverToOrganisation = "handover_organisation"
        case handoverInDistrict = "handover_district"
        case actionForYou = "action_you"
        case actionForOrganisation = "action_organisation"
        case actionInDistrict = "action_district"
    }

    struct Inbox: Sendable {
        var reports: [Report] = []
        var queue: [Report] = []
        var handovers: [Handover] = []
        var actions: [Action] = []
        /// Why each record is listed, by its id.
        var reasons: [UUID: Reason] = [:]
        /// Where each list goes on, for the lists with more than a page.
        var next: [Section: String] = [:]
        /// "Consider a case" items waiting for a coordinator's decision (`.mine` only).
        var concerns: [ConcernStore.Pending] = []
    }

    /// Which views a user has: everyone with records their own; team leads (of a team, or named as
    /// someone's team lead) and organisation managers their team's; coordinators and administrators
    /// their districts'.
    func views(for principal: Principal) async throws -> [View] {
        guard !Role.withoutRecordAccess.contains(principal.role) else { return [] }
        var views: [View] = [.mine]
        if try await lead(of: principal) != nil { views.append(.team) }
        if principal.role == .coordinator || principal.role == .administrator { views.append(.district) }
        return views
    }

    /// Whom a lead answers for: the people who name them as team lead, the members of the teams they
    /// lead, and for an organisation's manager everyone in it; and which teams' queues they watch
    /// (a manager: the whole organisation's). `nil` for someone who leads nobody.
    struct Lead: Sendable {
        var members: [UUID]
        var teams: [UUID]
        var wholeOrganisation: UUID?
    }

    func lead(of principal: Principal) async throws -> Lead? {
        let db = database.db()
        return try await leads.value(principal.userID, on: db.sql) { try await loadLead(of: principal, on: db) }
    }

    private func loadLead(of principal: Principal, on db: any Database) async throws -> Lead? {
        let me = principal.userID
        let teams = try await Team.query(on: db).filter(\.$leadID == me).filter(\.$active == true).all().compactMap(\.id)
        let manages = try await principal.organisationID.asyncMap { organisation in
            try await Organisation.query(on: db).filter(\.$id == organisation).filter(\.$managerID == me).first() != nil
        } ?? false
        let members = try await User.query(on: db).filter(\.$active == true).filter(\.$id != me).group(.or) { or in
            or.filter(\.$teamLeadID == me)
            if !teams.isEmpty { or.filter(\.$teamID ~~ teams) }
            if manages, let organisation = principal.organisationID { or.filter(\.$organisationID == organisation) }
        }.all().compactMap(\.id)
        guard !members.isEmpty || !teams.isEmpty || manages else { return nil }
        return Lead(members: members, teams: teams, wholeOrganisation: manages ? principal.organisationID : nil)
    }

    // MARK: Lists

    /// One view's lists: the first page of each, or with `section` only that list from `cursor` on.
    func inbox(_ view: View, by principal: Principal, section: Section? = nil, after cursor: String? = nil,
               limit: Int = pageSize) async throws -> Inbox {
        let views = try await views(for: principal)
        guard views.contains(view) else { throw AppError.notFound }
        let conditions = try await self.conditions(view, for: principal)
        let db = database.db()
        var inbox = Inbox()
        if view == .mine && section == nil { inbox.concerns = try await ConcernStore.pending(for: principal, on: db) }
        let wanted = section.map { [$0] } ?? Section.allCases
        let from = section == nil ? nil : cursor
        for section in wanted {
            switch section {
            case .reports, .queue:
                guard let condition = section == .reports ? conditions.reports : conditions.queue else { continue }
                let query = Report.query(on: db).filter(.sql(embed: condition.sql))
                let order = section == .queue ? ReportOrder.urgency : .due
                if let from { guard let keyset = order.after(from) else { throw AppError.invalid([FieldIssue("cursor", "invalid")]) }
                    query.filter(.sql(embed: keyset)) }
                order.sort(query)
                let rows = try await query.limit(limit + 1).all()
                let shown = Array(rows.prefix(limit))
                if rows.count > limit, let last = shown.last { inbox.next[section] = order.cursor(last) }
                for report in shown { inbox.reasons[report.id!] = condition.reason(report) }
                if section == .reports { inbox.reports = shown } else { inbox.queue = shown }
            case .handovers:
                guard let condition = conditions.handovers else { continue }
                let query = Handover.query(on: db).filter(.sql(embed: condition.sql))
                if let from {
                    guard let parts = PageToken.decode(from, tag: "h", fields: 2), let due = Double(parts[0]), let id = UUID(uuidString: parts[1])
                    else { throw AppError.invalid([FieldIssue("cursor", "invalid")]) }
                    query.filter(.sql(embed: "(answer_due_at > \(bind: Date(timeIntervalSince1970: due)) OR (answer_due_at = \(bind: Date(timeIntervalSince1970: due)) AND id > \(bind: id)))"))
                }
                let rows = try await query.sort(\.$answerDueAt).sort(\.$id).limit(limit + 1).all()
                inbox.handovers = Array(rows.prefix(limit))
                if rows.count > limit, let last = inbox.handovers.last {
                    inbox.next[.handovers] = PageToken.encode("h", [String(last.answerDueAt.timeIntervalSince1970), last.id!.uuidString])
                }
                for handover in inbox.handovers { inbox.reasons[handover.id!] = condition.reason(handover) }
            case .actions:
                guard let condition = conditions.actions else { continue }
                let query = Action.query(on: db).filter(.sql(embed: condition.sql))
                if let from {
                    guard let parts = PageToken.decode(from, tag: "a", fields: 3), let created = Double(parts[1]), let id = UUID(uuidString: parts[2])
                    else { throw AppError.invalid([FieldIssue("cursor", "invalid")]) }
                    let at = Date(timeIntervalSince1970: created)
                    query.filter(.sql(embed: """
                        (due_on > \(bind: parts[0]) OR (due_on = \(bind: parts[0]) AND (created_at > \(bind: at) OR (created_at = \(bind: at) AND id > \(bind: id)))))
                        """))
                }
                let rows = try await query.sort(\.$dueOn).sort(\.$createdAt).sort(\.$id).limit(limit + 1).all()
                inbox.actions = Array(rows.prefix(limit))
                if rows.count > limit, let last = inbox.actions.last {
                    inbox.next[.actions] = PageToken.encode("a", [last.dueOn, String(last.createdAt.timeIntervalSince1970), last.id!.uuidString])
                }
                for action in inbox.actions { inbox.reasons[action.id!] = condition.reason(action) }
            }
        }
        return inbox
    }

    /// The number in the navigation: everything in the user's own view (their reports, their queue,
    /// hand-overs and actions waiting for them, a coordinator's "consider a case" items), counted by
    /// one query of indexed sub-counts.
    func count(for principal: Principal) async throws -> Int {
        guard !Role.withoutRecordAccess.contains(principal.role) else { return 0 }
        return try await counts.value(principal.userID, on: database.sql()) { try await countWork(for: principal) }
    }

    private func countWork(for principal: Principal) async throws -> Int {
        let conditions = try await conditions(.mine, for: principal)
        var parts: [SQLQueryString] = []
        if let c = conditions.reports { parts.append("(SELECT COUNT(*) FROM \(ident: Report.schema) WHERE \(c.sql))") }
        if let c = conditions.queue { parts.append("(SELECT COUNT(*) FROM \(ident: Report.schema) WHERE \(c.sql))") }
        if let c = conditions.handovers { parts.append("(SELECT COUNT(*) FROM \(ident: Handover.schema) WHERE \(c.sql))") }
        if let c = conditions.actions { parts.append("(SELECT COUNT(*) FROM \(ident: Action.schema) WHERE \(c.sql))") }
        if let c = ConcernStore.openItems(for: principal) { parts.append("(SELECT COUNT(*) FROM \(ident: ConcernItem.schema) WHERE \(c))") }
        guard !parts.isEmpty else { return 0 }
        let sum = parts.joined(separator: " + ")
        let row = try await database.db().sql.raw("SELECT \(sum) AS n").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    // MARK: Conditions

    struct Condition<Record>: Sendable {
        let sql: SQLQueryString
        let reason: @Sendable (Record) -> Reason
    }

    struct Conditions: Sendable {
        var reports: Condition<Report>?
        var queue: Condition<Report>?
        var handovers: Condition<Handover>?
        var actions: Condition<Action>?
    }

    static let openReport: SQLQueryString = "status IN (\(bind: ReportStatus.new.rawValue), \(bind: ReportStatus.inProgress.rawValue))"
    static let pendingHandover: SQLQueryString = "status = \(bind: HandoverStatus.requested.rawValue)"
    static let openAction: SQLQueryString = "status = \(bind: ActionStatus.open.rawValue)"

    /// The WHERE conditions of a view's lists, for the lists and the count alike.
    func conditions(_ view: View, for principal: Principal) async throws -> Conditions {
        let me = principal.userID
        var conditions = Conditions()
        switch view {
        case .mine:
            conditions.reports = Condition(sql: "owner_id = \(bind: me) AND \(Self.openReport)") { _ in .owner }
            conditions.queue = Self.queue(of: principal)
            var handovers: SQLQueryString = "to_user_id = \(bind: me)"
            var actions: SQLQueryString = "assignee_id = \(bind: me)"
            if let organisation = principal.organisationID {
                handovers = "(\(handovers) OR (to_organisation_id = \(bind: organisation) AND to_user_id IS NULL))"
                actions = "(\(actions) OR (organisation_id = \(bind: organisation) AND assignee_id IS NULL))"
            }
            conditions.handovers = Condition(sql: "\(handovers) AND \(Self.pendingHandover)") { $0.toUserID == me ? .handoverToYou : .handoverToOrganisation }
            conditions.actions = Condition(sql: "\(actions) AND \(Self.openAction)") { $0.assigneeID == me ? .actionForYou : .actionForOrganisation }
        case .team:
            guard let team = try await lead(of: principal) else { throw AppError.notFound }
            if !team.members.isEmpty {
                let members: [any Encodable & Sendable] = team.members
                conditions.reports = Condition(sql: "owner_id IN (\(binds: members)) AND \(Self.openReport)") { _ in .teamMember }
                conditions.handovers = Condition(sql: "to_user_id IN (\(binds: members)) AND \(Self.pendingHandover)") { _ in .teamMember }
                conditions.actions = Condition(sql: "assignee_id IN (\(binds: members)) AND \(Self.openAction)") { _ in .teamMember }
            }
            if let organisation = team.wholeOrganisation {
                conditions.queue = Condition(sql: "organisation_id = \(bind: organisation) AND owner_id IS NULL AND \(Self.openReport)") {
                    $0.teamID == nil ? .organisationQueue : .teamQueue
                }
            } else if !team.teams.isEmpty {
                let teams: [any Encodable & Sendable] = team.teams
                conditions.queue = Condition(sql: "team_id IN (\(binds: teams)) AND owner_id IS NULL AND \(Self.openReport)") { _ in .teamQueue }
            }
        case .district:
            // What needs a coordinator's eye in their districts: reports nobody owns, escalated
            // reports, unanswered hand-overs and open actions. Administrators: everywhere.
            let districts: SQLQueryString? = principal.isAdministrator ? nil
                : (principal.districtIDs.isEmpty ? "1 = 0" : "district_id IN (\(binds: principal.districtIDs.map { $0 as any Encodable & Sendable }))")
            let within = { (sql: SQLQueryString) -> SQLQueryString in districts.map { "\($0) AND \(sql)" } ?? sql }
            conditions.queue = Condition(sql: within("owner_id IS NULL AND \(Self.openReport)")) { _ in .withoutOwner }
            conditions.reports = Condition(sql: within("escalation_level >= \(bind: EscalationLevel.teamLead.rawValue) AND owner_id IS NOT NULL AND \(Self.openReport)")) { _ in .escalated }
            conditions.handovers = Condition(sql: within(Self.pendingHandover)) { _ in .handoverInDistrict }
            conditions.actions = Condition(sql: within(Self.openAction)) { _ in .actionInDistrict }
        }
        return conditions
    }

    /// A user's intake queue: the open reports of their organisation that nobody owns yet (a team's
    /// only for its members), within what they may see: site staff their sites, coordinators their
    /// districts. `nil` for who has no organisation or may not pick up.
    static func queue(of principal: Principal) -> Condition<Report>? {
        guard let organisation = principal.organisationID, !Role.withoutRecordAccess.contains(principal.role) else { return nil }
        var sql: SQLQueryString = "organisation_id = \(bind: organisation) AND owner_id IS NULL AND \(openReport)"
        if let team = principal.teamID {
            sql = "\(sql) AND (team_id IS NULL OR team_id = \(bind: team))"
        } else {
            sql = "\(sql) AND team_id IS NULL"
        }
        switch principal.reportScope {
        case .locations(let ids):
            guard !ids.isEmpty else { return nil }
            sql = "\(sql) AND location_id IN (\(binds: ids.map { $0 as any Encodable & Sendable }))"
        case .districts(let ids):
            guard !ids.isEmpty else { return nil }
            sql = "\(sql) AND district_id IN (\(binds: ids.map { $0 as any Encodable & Sendable }))"
        case .organisation, .all: break
        case .none: return nil
        }
        return Condition(sql: sql) { $0.teamID == nil ? .organisationQueue : .teamQueue }
    }
}

/// How a list of reports is ordered, and its cursor: by the running deadline (overdue first; without
/// one last), or most urgent and oldest first (the queues).
enum ReportOrder: Sendable {
    case due, urgency

    /// The running deadline: acknowledging a new report, resolving one in progress.
    static let dueKey: SQLQueryString = """
        COALESCE(CASE WHEN status = \(bind: ReportStatus.new.rawValue) THEN acknowledge_due_at ELSE resolve_due_at END, \(bind: ReportOrder.never))
        """
    /// Stands in for "no deadline" so that those sort last on SQLite and PostgreSQL alike.
    static let never = Date(timeIntervalSince1970: 32_503_680_000)  // 3000-01-01

    func sort(_ query: QueryBuilder<Report>) {
        switch self {
        case .due: query.sort(.sql(embed: Self.dueKey)).sort(\.$createdAt).sort(\.$id)
        case .urgency: query.sort(\.$urgency, .descending).sort(\.$createdAt).sort(\.$id)
        }
    }

    func cursor(_ report: Report) -> String {
        switch self {
        case .due:
            let due = (report.reportStatus == .new ? report.acknowledgeDueAt : report.resolveDueAt) ?? Self.never
            return PageToken.encode("d", [String(due.timeIntervalSince1970), String(report.createdAt.timeIntervalSince1970), report.id!.uuidString])
        case .urgency:
            return PageToken.encode("u", [String(report.urgency), String(report.createdAt.timeIntervalSince1970), report.id!.uuidString])
        }
    }

    /// The keyset condition for rows after `cursor`, or `nil` when the cursor is not one of this order.
    func after(_ cursor: String) -> SQLQueryString? {
        switch self {
        case .due:
            guard let parts = PageToken.decode(cursor, tag: "d", fields: 3), let due = Double(parts[0]), let created = Double(parts[1]),
                  let id = UUID(uuidString: parts[2]) else { return nil }
            let d = Date(timeIntervalSince1970: due), c = Date(timeIntervalSince1970: created)
            return "(\(Self.dueKey) > \(bind: d) OR (\(Self.dueKey) = \(bind: d) AND (created_at > \(bind: c) OR (created_at = \(bind: c) AND id > \(bind: id)))))"
        case .urgency:
            guard let parts = PageToken.decode(cursor, tag: "u", fields: 3), let urgency = Int(parts[0]), let created = Double(parts[1]),
                  let id = UUID(uuidString: parts[2]) else { return nil }
            let c = Date(timeIntervalSince1970: created)
            return "(urgency < \(bind: urgency) OR (urgency = \(bind: urgency) AND (created_at > \(bind: c) OR (created_at = \(bind: c) AND id > \(bind: id)))))"
        }
    }
}
