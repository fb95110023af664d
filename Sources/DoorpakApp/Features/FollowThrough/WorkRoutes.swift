import Foundation
import Hummingbird

/// "Mijn werk": the personal inbox, the team view and the district view, as a page and in the API.
struct WorkRoutes {
    let store: WorkStore
    let cases: CaseStore
    let catalog: CatalogStore
    let routing: RoutingStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/work") { request, context in try await page(.mine, request, context) }
        router.get("/work/team") { request, context in try await page(.team, request, context) }
        router.get("/work/district") { request, context in try await page(.district, request, context) }
        router.get("\(APIInfo.basePath)/work") { request, context in try await api(request, context) }
    }

    /// The page of one view: every list's first page, or with `?section=…&after=…` one list's next page.
    func page(_ view: WorkStore.View, _ request: Request, _ context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let query = request.uri.queryParameters
        let section = query.get("section").flatMap(WorkStore.Section.init(rawValue:))
        let after = section == nil ? nil : query.get("after")
        let inbox = try await store.inbox(view, by: principal, section: section, after: after)
        let catalog = try await self.catalog.catalog()
        let names = try await self.catalog.names(inbox.reports.flatMap { [$0.ownerID] } + inbox.actions.map(\.assigneeID)
                                                 + inbox.handovers.flatMap { [$0.toUserID, $0.fromUserID] })
        let locale = views.locales[context.language]
        var presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: context.language)
        presenter.calendar = try await routing.calendar()
        let path = view == .mine ? "/work" : "/work/\(view.rawValue)"
        let tabs = try await store.views(for: principal).map { other -> [String: Any] in
            let href = other == .mine ? "/work" : "/work/\(other.rawValue)"
            return ["href": href, "label": locale.text("work.view_\(other.rawValue)"), "current": other == view]
        }
        let why = { (id: UUID?) -> String in id.flatMap { inbox.reasons[$0] }.map { locale.text("work.reasons.\($0.rawValue)") } ?? "" }
        let reportRow = { (report: Report) -> [String: Any] in
            var row = presenter.row(report)
            let state = ReportDeadlines(report, now: presenter.now, calendar: presenter.calendar).overall
            presenter.markDeadline(state, in: &row)
            if report.escalationLevel > 0 { row["escalation"] = locale.text("followthrough.level.\(EscalationLevel(rawValue: report.escalationLevel)?.code ?? "none")") }
            row["why"] = why(report.id)
            row["received"] = Formats.dateTime(report.createdAt, context.language)
            row["pickUpLabel"] = locale.text("work.pick_up_label", ["reference": report.reference])
            return row
        }
        let (proposals, directorless) = try await caseDirection(view, section: section, by: principal)
        var data: [String: Any] = [
            "proposals": proposals.map { proposal -> [String: Any] in
                var row: [String: Any] = ["reference": proposal.caseReference, "href": "/cases/\(proposal.caseReference)",
                                          "due": Formats.dateTime(proposal.answerDueAt, context.language)]
                presenter.markDeadline(DeadlineState.of(proposal.answerDueAt, now: presenter.now, calendar: presenter.calendar), in: &row)
                return row
            },
            "hasProposals": !proposals.isEmpty,
            "directorless": directorless.map { ["reference": $0.reference, "href": "/cases/\($0.reference)"] },
            "hasDirectorless": !directorless.isEmpty,
            "tabs": tabs,
            "heading": locale.text("work.view_\(view.rawValue)"),
            "intro": locale.text("work.intro_\(view.rawValue)"),
            "queue": inbox.queue.map(reportRow),
            "reports": inbox.reports.map(reportRow),
            "handovers": inbox.handovers.map { handover -> [String: Any] in
                var row: [String: Any] = ["reference": handover.subjectReference, "href": "/reports/\(handover.subjectReference)#handover",
                                          "target": presenter.handoverTarget(handover), "from": names[handover.fromUserID] ?? "—",
                                          "due": Formats.dateTime(handover.answerDueAt, context.language), "why": why(handover.id)]
                let state = DeadlineState.of(handover.answerDueAt, now: presenter.now, calendar: presenter.calendar)
                presenter.markDeadline(state, in: &row)
                return row
            },
            "actions": inbox.actions.map { action -> [String: Any] in
                var row: [String: Any] = ["reference": action.subjectReference, "href": action.subject.link(action.subjectReference, action: action.id!),
                                          "title": action.title, "organisation": catalog.organisation(action.organisationID)?.name ?? "—",
                                          "due": Formats.date(action.dueAt ?? presenter.now, context.language), "why": why(action.id)]
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
            "hasQueue": !inbox.queue.isEmpty, "hasReports": !inbox.reports.isEmpty, "hasHandovers": !inbox.handovers.isEmpty, "hasActions": !inbox.actions.isEmpty,
        ]
        // Which lists the page shows: all of the view's, or the one being paged through.
        for shown in WorkStore.Section.allCases where section == nil || section == shown {
            data["show_\(shown.rawValue)"] = true
            if let next = inbox.next[shown] {
                let cursor = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next
                data["more_\(shown.rawValue)"] = ["href": "\(path)?section=\(shown.rawValue)&after=\(cursor)",
                                                  "label": locale.text("work.more", ["count": String(WorkStore.pageSize)])]
            }
        }
        if let section {
            data["paging"] = ["back": path, "label": locale.text("work.page_of", ["list": locale.text("work.\(section.rawValue)")])]
        }
        return try views.page("work/inbox", title: locale.text("work.view_\(view.rawValue)"), request: request, context: context, data: data)
    }

    /// Case direction, on the personal view's first page only: proposals waiting for my answer; for a
    /// coordinator, their districts' cases without an active director.
    private func caseDirection(_ view: WorkStore.View, section: WorkStore.Section?, by principal: Principal) async throws
        -> (proposals: [CaseStore.OpenDirectionProposal], directorless: [CaseFile]) {
        guard view == .mine && section == nil else { return ([], []) }
        let proposals = try await cases.openDirectionProposals(for: principal)
        let directorless = principal.role == .coordinator ? try await cases.casesWithoutActiveDirector(by: principal) : []
        return (proposals, directorless)
    }

    func api(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let query = request.uri.queryParameters
        let view = query.get("view").map { WorkStore.View(rawValue: $0) } ?? .mine
        guard let view else { throw AppError.invalid([FieldIssue("view", "unknown")]) }
        let section = try query.get("section").map { raw in
            guard let section = WorkStore.Section(rawValue: raw) else { throw AppError.invalid([FieldIssue("section", "unknown")]) }
            return section
        }
        let cursor = query.get("cursor")
        if cursor != nil && section == nil { throw AppError.invalid([FieldIssue("section", "required")]) }
        let inbox = try await store.inbox(view, by: principal, section: section, after: cursor)
        let (proposals, directorless) = try await caseDirection(view, section: section, by: principal)
        let calendar = try await routing.calendar()
        let now = Date.now
        let reason = { (id: UUID?) in id.flatMap { inbox.reasons[$0] }?.rawValue ?? "" }
        let reportItem = { (report: Report) in
            WorkJSON.ReportItem(reference: report.reference, status: report.status, urgency: report.reportUrgency.code,
                                deadline: ReportDeadlines(report, now: now, calendar: calendar).overall.apiCode,
                                escalationLevel: EscalationLevel(rawValue: report.escalationLevel)?.code ?? "none",
                                acknowledgeDueAt: report.acknowledgeDueAt.map(Formats.iso8601), resolveDueAt: report.resolveDueAt.map(Formats.iso8601),
                                reason: reason(report.id))
        }
        let body = WorkJSON(
            view: view.rawValue,
            queue: inbox.queue.map(reportItem),
            reports: inbox.reports.map(reportItem),
            handovers: inbox.handovers.map { handover in
                .init(id: handover.id!.uuidString.lowercased(), reference: handover.subjectReference, toOrganisationId: handover.toOrganisationID.uuidString.lowercased(),
                      toUserId: handover.toUserID?.uuidString.lowercased(), answerDueAt: Formats.iso8601(handover.answerDueAt),
                      deadline: DeadlineState.of(handover.answerDueAt, now: now, calendar: calendar).apiCode, reason: reason(handover.id))
            },
            actions: inbox.actions.map { action in
                .init(id: action.id!.uuidString.lowercased(), subjectKind: action.subjectKind, reference: action.subjectReference, title: action.title, organisationId: action.organisationID.uuidString.lowercased(),
                      assigneeId: action.assigneeID?.uuidString.lowercased(), dueOn: action.dueOn,
                      deadline: DeadlineState.of(action.dueAt, now: now, calendar: calendar).apiCode, reason: reason(action.id))
            },
            concerns: inbox.concerns.map(ConcernSummaryDTO.init),
            directionProposals: proposals.map { proposal in
                .init(caseReference: proposal.caseReference, proposedAt: APIDates.write(proposal.proposedAt),
                      answerDueAt: APIDates.write(proposal.answerDueAt),
                      deadline: DeadlineState.of(proposal.answerDueAt, now: now, calendar: calendar).apiCode)
            },
            casesWithoutDirector: directorless.map { .init(reference: $0.reference, phase: $0.phase) },
            next: Dictionary(uniqueKeysWithValues: inbox.next.map { ($0.key.rawValue, $0.value) }))
        return try APIBody.response(body)
    }
}

/// `GET /api/v1/work`.
struct WorkJSON: Encodable {
    struct ReportItem: Encodable {
        let reference, status, urgency, deadline, escalationLevel: String
        let acknowledgeDueAt, resolveDueAt: String?
        let reason: String
    }
    struct HandoverItem: Encodable {
        let id, reference, toOrganisationId: String
        let toUserId: String?
        let answerDueAt, deadline, reason: String
    }
    struct ActionItem: Encodable {
        let id, subjectKind, reference, title, organisationId: String
        let assigneeId: String?
        let dueOn, deadline, reason: String
    }
    struct ProposalItem: Encodable {
        let caseReference, proposedAt, answerDueAt, deadline: String
    }
    struct CaseItem: Encodable {
        let reference, phase: String
    }
    let view: String
    let queue: [ReportItem]
    let reports: [ReportItem]
    let handovers: [HandoverItem]
    let actions: [ActionItem]
    /// A coordinator's open "consider a case" items (the personal view's first page).
    let concerns: [ConcernSummaryDTO]
    /// Proposals to take over a case's direction, waiting for my answer.
    let directionProposals: [ProposalItem]
    /// A coordinator's districts' cases without an active director.
    let casesWithoutDirector: [CaseItem]
    /// The next page's cursor of each list that has more.
    let next: [String: String]
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
