import Foundation
import Hummingbird

/// "Mijn werk": the personal inbox, the team view and the district view, as a page and in the API.
struct WorkRoutes {
    let store: WorkStore
    let catalog: CatalogStore
    let routing: RoutingStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/work") { request, context in try await page(.mine, request, context) }
        router.get("/work/team") { request, context in try await page(.team, request, context) }
        router.get("/work/district") { request, context in try await page(.district, request, context) }
        router.get("\(APIInfo.basePath)/work") { request, context in try await api(request, context) }
    }

    func page(_ view: WorkStore.View, _ request: Request, _ context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let inbox = try await store.inbox(view, by: principal)
        let catalog = try await self.catalog.catalog()
        let names = try await self.catalog.names(inbox.reports.flatMap { [$0.ownerID] } + inbox.actions.map(\.assigneeID)
                                                 + inbox.handovers.flatMap { [$0.toUserID, $0.fromUserID] })
        let locale = views.locales[context.language]
        var presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: context.language)
        presenter.calendar = try await routing.calendar()
        let tabs = try await store.views(for: principal).map { other -> [String: Any] in
            let href = other == .mine ? "/work" : "/work/\(other.rawValue)"
            return ["href": href, "label": locale.text("work.view_\(other.rawValue)"), "current": other == view]
        }
        let data: [String: Any] = [
            "tabs": tabs,
            "heading": locale.text("work.view_\(view.rawValue)"),
            "intro": locale.text("work.intro_\(view.rawValue)"),
            "reports": inbox.reports.map { report -> [String: Any] in
                var row = presenter.row(report)
                let state = ReportDeadlines(report, now: presenter.now, calendar: presenter.calendar).overall
                presenter.markDeadline(state, in: &row)
                if report.escalationLevel > 0 { row["escalation"] = locale.text("followthrough.level.\(EscalationLevel(rawValue: report.escalationLevel)?.code ?? "none")") }
                return row
            },
            "handovers": inbox.handovers.map { handover -> [String: Any] in
                var row: [String: Any] = ["reference": handover.subjectReference, "href": "/reports/\(handover.subjectReference)#handover",
                                          "target": presenter.handoverTarget(handover), "from": names[handover.fromUserID] ?? "—",
                                          "due": Formats.dateTime(handover.answerDueAt, context.language)]
                let state = DeadlineState.of(handover.answerDueAt, now: presenter.now, calendar: presenter.calendar)
                presenter.markDeadline(state, in: &row)
                return row
            },
            "actions": inbox.actions.map { action -> [String: Any] in
                var row: [String: Any] = ["reference": action.subjectReference, "href": action.subject.link(action.subjectReference, action: action.id!),
                                          "title": action.title, "organisation": catalog.organisation(action.organisationID)?.name ?? "—",
                                          "due": Formats.date(action.dueAt ?? presenter.now, context.language)]
                if let assignee = action.assigneeID.flatMap({ names[$0] }) { row["assignee"] = assignee }
                let state = DeadlineState.of(action.dueAt, now: presenter.now, calendar: presenter.calendar)
                presenter.markDeadline(state, in: &row)
                return row
            },
            "concerns": inbox.concerns.map { item -> [String: Any] in
                ["href": "/concerns/\(item.id.uuidString.lowercased())", "pseudonym": item.pseudonym, "raised": Formats.date(item.raisedAt, context.language),
                 "counts": locale.text("concerns.counts", ["reports": "\(item.reportCount)", "organisations": "\(item.organisationCount)"])]
            },
            "hasConcerns": !inbox.concerns.isEmpty,
            "hasReports": !inbox.reports.isEmpty, "hasHandovers": !inbox.handovers.isEmpty, "hasActions": !inbox.actions.isEmpty,
        ]
        return try views.page("work/inbox", title: locale.text("work.view_\(view.rawValue)"), request: request, context: context, data: data)
    }

    func api(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let view = request.uri.queryParameters.get("view").map { WorkStore.View(rawValue: $0) } ?? .mine
        guard let view else { throw AppError.invalid([FieldIssue("view", "unknown")]) }
        let inbox = try await store.inbox(view, by: principal)
        let calendar = try await routing.calendar()
        let now = Date.now
        let body = WorkJSON(
            view: view.rawValue,
            reports: inbox.reports.map { report in
                .init(reference: report.reference, status: report.status, urgency: report.reportUrgency.code,
                      deadline: ReportDeadlines(report, now: now, calendar: calendar).overall.apiCode,
                      escalationLevel: EscalationLevel(rawValue: report.escalationLevel)?.code ?? "none",
                      acknowledgeDueAt: report.acknowledgeDueAt.map(Formats.iso8601), resolveDueAt: report.resolveDueAt.map(Formats.iso8601))
            },
            handovers: inbox.handovers.map { handover in
                .init(id: handover.id!.uuidString.lowercased(), reference: handover.subjectReference, toOrganisationId: handover.toOrganisationID.uuidString.lowercased(),
                      toUserId: handover.toUserID?.uuidString.lowercased(), answerDueAt: Formats.iso8601(handover.answerDueAt),
                      deadline: DeadlineState.of(handover.answerDueAt, now: now, calendar: calendar).apiCode)
            },
            actions: inbox.actions.map { action in
                .init(id: action.id!.uuidString.lowercased(), subjectKind: action.subjectKind, reference: action.subjectReference, title: action.title, organisationId: action.organisationID.uuidString.lowercased(),
                      assigneeId: action.assigneeID?.uuidString.lowercased(), dueOn: action.dueOn,
                      deadline: DeadlineState.of(action.dueAt, now: now, calendar: calendar).apiCode)
            })
        return try APIBody.response(body)
    }
}

/// `GET /api/v1/work`.
struct WorkJSON: Encodable {
    struct ReportItem: Encodable {
        let reference, status, urgency, deadline, escalationLevel: String
        let acknowledgeDueAt, resolveDueAt: String?
    }
    struct HandoverItem: Encodable {
        let id, reference, toOrganisationId: String
        let toUserId: String?
        let answerDueAt, deadline: String
    }
    struct ActionItem: Encodable {
        let id, subjectKind, reference, title, organisationId: String
        let assigneeId: String?
        let dueOn, deadline: String
    }
    let view: String
    let reports: [ReportItem]
    let handovers: [HandoverItem]
    let actions: [ActionItem]
}

extension DeadlineState {
    /// The API's spelling: `onTime`, `dueSoon`, `overdue`, `none`.
    var apiCode: String {
        switch self {
        case .onTime: "onTime"
        case .dueSoon: "dueSoon"
        case .overdue: "overdue"
        case .none: "none"
        }
    }
}
