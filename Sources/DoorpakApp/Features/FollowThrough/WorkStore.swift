import FluentKit
import Foundation

/// "Mijn werk": what is waiting for one person, for a team lead's team, or in a coordinator's
/// districts. Reads reports through `ReportStore.scoped`, so nothing outside the user's scope
/// appears; overdue first.
struct WorkStore: Sendable {
    private let database: AppDatabase
    static let limit = 200

    init(database: AppDatabase) {
        self.database = database
    }

    struct Inbox: Sendable {
        var reports: [Report] = []
        var handovers: [Handover] = []
        var actions: [Action] = []
        /// "Consider a case" items waiting for a coordinator's decision (`.mine` only).
        var concerns: [ConcernStore.Pending] = []
    }

    enum View: String, CaseIterable, Sendable { case mine, team, district }

    /// Which views a user has: everyone with records their own; team leads (someone names them as
    /// team lead) their team's; coordinators and administrators their districts'.
    func views(for principal: Principal) async throws -> [View] {
        guard !Role.withoutRecordAccess.contains(principal.role) else { return [] }
        var views: [View] = [.mine]
        if try await !teamMembers(of: principal).isEmpty { views.append(.team) }
        if principal.role == .coordinator || principal.role == .administrator { views.append(.district) }
        return views
    }

    func teamMembers(of principal: Principal) async throws -> [UUID] {
        try await User.query(on: database.db()).filter(\.$teamLeadID == principal.userID).filter(\.$active == true)
            .all().compactMap(\.id)
    }

    func inbox(_ view: View, by principal: Principal) async throws -> Inbox {
        guard try await views(for: principal).contains(view) else { throw AppError.notFound }
        let db = database.db()
        let open = [ReportStatus.new.rawValue, ReportStatus.inProgress.rawValue]
        let reports = ReportStore(database: database)
        var inbox = Inbox()
        switch view {
        case .mine:
            let me = principal.userID
            inbox.reports = try await reports.scoped(principal, on: db).filter(\.$ownerID == me).filter(\.$status ~~ open)
                .limit(Self.limit).all()
            inbox.handovers = try await Handover.query(on: db).filter(\.$status == HandoverStatus.requested.rawValue)
                .group(.or) { or in
                    or.filter(\.$toUserID == me)
                    if let organisation = principal.organisationID {
                        or.group(.and) { $0.filter(\.$toOrganisationID == organisation).filter(\.$toUserID == nil) }
                    }
                }.limit(Self.limit).all()
            inbox.actions = try await Action.query(on: db).filter(\.$status == ActionStatus.open.rawValue)
                .group(.or) { or in
                    or.filter(\.$assigneeID == me)
                    if let organisation = principal.organisationID {
                        or.group(.and) { $0.filter(\.$organisationID == organisation).filter(\.$assigneeID == nil) }
                    }
                }.limit(Self.limit).all()
            inbox.concerns = try await ConcernStore.pending(for: principal, on: db)
        case .team:
            let team = try await teamMembers(of: principal)
            inbox.reports = try await reports.scoped(principal, on: db).filter(\.$ownerID ~~ team).filter(\.$status ~~ open)
                .limit(Self.limit).all()
            inbox.handovers = try await Handover.query(on: db).filter(\.$status == HandoverStatus.requested.rawValue)
                .filter(\.$toUserID ~~ team).limit(Self.limit).all()
            inbox.actions = try await Action.query(on: db).filter(\.$status == ActionStatus.open.rawValue)
                .filter(\.$assigneeID ~~ team).limit(Self.limit).all()
        case .district:
            // Only what needs a coordinator's eye: escalated or overdue reports, unanswered
            // hand-overs and open actions, in their districts.
            let districts = principal.isAdministrator ? nil : principal.districtIDs
            let query = try await reports.scoped(principal, on: db).filter(\.$status ~~ open).filter(\.$escalationLevel >= EscalationLevel.teamLead.rawValue)
            if let districts { query.filter(\.$districtID ~~ districts) }
            inbox.reports = try await query.limit(Self.limit).all()
            let handovers = Handover.query(on: db).filter(\.$status == HandoverStatus.requested.rawValue)
            if let districts { handovers.filter(\.$districtID ~~ districts) }
            inbox.handovers = try await handovers.limit(Self.limit).all()
            let actions = Action.query(on: db).filter(\.$status == ActionStatus.open.rawValue)
            if let districts { actions.filter(\.$districtID ~~ districts) }
            inbox.actions = try await actions.limit(Self.limit).all()
        }
        let now = Date.now
        inbox.reports.sort { Self.dueKey($0, now) < Self.dueKey($1, now) }
        inbox.handovers.sort { $0.answerDueAt < $1.answerDueAt }
        inbox.actions.sort { ($0.dueOn, $0.createdAt) < ($1.dueOn, $1.createdAt) }
        return inbox
    }

    /// Overdue first, then by the running deadline; reports without one last.
    static func dueKey(_ report: Report, _ now: Date) -> Date {
        (report.reportStatus == .new ? report.acknowledgeDueAt : report.resolveDueAt) ?? .distantFuture
    }

    /// The number in the navigation: my open reports, hand-overs waiting for my answer and my open actions.
    func count(for principal: Principal) async throws -> Int {
        guard !Role.withoutRecordAccess.contains(principal.role) else { return 0 }
        let inbox = try await inbox(.mine, by: principal)
        return inbox.reports.count + inbox.handovers.count + inbox.actions.count
    }
}
