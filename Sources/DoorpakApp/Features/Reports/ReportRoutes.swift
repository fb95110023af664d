import Foundation
import Hummingbird

/// The worklist, the report form and the report page.
struct ReportRoutes {
    let store: ReportStore
    let persons: PersonStore
    let actions: ActionStore
    let handovers: HandoverStore
    let catalog: CatalogStore
    let routing: RoutingStore
    let attachments: AttachmentStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/reports", use: list)
        router.get("/reports/new", use: newForm)
        router.post("/reports", use: create)
        router.get("/reports/:reference", use: show)
        router.post("/reports/:reference/status", use: changeStatus)
        router.post("/reports/:reference/assignment", use: assign)
        router.post("/reports/:reference/notes", use: addNote)
        addFollowThrough(to: router)
        addAttachments(to: router)
    }

    // MARK: Worklist

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        let parameters = request.uri.queryParameters
        let (filter, _) = ReportFilter.parse { parameters.get($0) }
        let cursor = parameters.get("cursor").flatMap(ReportCursor.init(encoded:))
        async let page = store.list(filter, after: cursor, by: principal)
        async let counts = store.statusCounts(filter, by: principal)
        let catalog = try await self.catalog.catalog()
        let reports = try await page.reports
        let names = try await self.catalog.names(ReportPresenter.userIDs(reports: reports))
        let locale = views.locales[context.language]
        var presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: context.language)
        presenter.calendar = try await routing.calendar()
        var statusFilter = filter
        let countList = try await counts
        let statusCounts: [[String: Any]] = ReportStatus.allCases.map { status in
            statusFilter.status = status
            return ["label": locale.text("status.\(status.rawValue)"), "count": Self.count(countList[status] ?? 0, context.language),
                    "href": ViewHelpers.url("/reports", statusFilter.queryItems), "current": filter.status == status]
        }
        var data: [String: Any] = [
            "rows": reports.map(presenter.row),
            "empty": reports.isEmpty,
            "statusCounts": statusCounts,
            "total": Self.count(countList.values.reduce(0, +), context.language, capped: countList.values.contains { $0 > ReportStore.countCap }),
            "filter": filterForm(filter, catalog: catalog, principal: principal, locale: locale, language: context.language),
        ]
        if let next = try await page.next {
            data["nextHref"] = ViewHelpers.url("/reports", filter.queryItems + [("cursor", next.encoded)])
        }
        if cursor != nil { data["firstHref"] = ViewHelpers.url("/reports", filter.queryItems) }
        return try views.page("reports/list", title: locale.text("reports.worklist"), request: request, context: context, data: data)
    }

    /// A count as people read it: `1.234` (nl) or `1,234` (en), with "+" when a cap was reached.
    static func count(_ value: Int, _ language: Language, capped: Bool = false) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: language == .nl ? "nl_NL" : "en_GB")
        let shown = min(value, ReportStore.countCap)
        return (formatter.string(from: NSNumber(value: shown)) ?? "\(shown)") + (capped || value > ReportStore.countCap ? "+" : "")
    }

    private func filterForm(_ filter: ReportFilter, catalog: Catalog, principal: Principal, locale: LocaleTexts,
                            language: Language) -> [String: Any] {
        let any = (value: "", label: locale.text("filter.any"))
        return [
            "locations": ViewHelpers.options([any] + catalog.locations.map { ($0.id!.uuidString, $0.name) }, selected: filter.locationID?.uuidString ?? ""),
            "districts": ViewHelpers.options([any] + catalog.districts.map { ($0.id!.uuidString, $0.name) }, selected: filter.districtID?.uuidString ?? ""),
            "kinds": ViewHelpers.options([any] + ReportKind.allCases.map { ($0.rawValue, locale.text("kinds.\($0.rawValue)")) }, selected: filter.kind?.rawValue ?? ""),
            "categories": ViewHelpers.options([any] + catalog.categories.map { ($0.id!.uuidString, $0.name(language)) }, selected: filter.categoryID?.uuidString ?? ""),
            "statuses": ViewHelpers.options([any] + ReportStatus.allCases.map { ($0.rawValue, locale.text("status.\($0.rawValue)")) }, selected: filter.status?.rawValue ?? ""),
            "urgencies": ViewHelpers.options([any] + Urgency.allCases.reversed().map { ($0.code, locale.text("urgency.\($0.code)")) }, selected: filter.urgency?.code ?? ""),
            "organisations": ViewHelpers.options([any] + catalog.organisations.map { ($0.id!.uuidString, $0.name) }, selected: filter.organisationID?.uuidString ?? ""),
            "owners": ViewHelpers.options([any, (principal.userID.uuidString, locale.text("filter.me"))], selected: filter.ownerID?.uuidString ?? ""),
            "needs": ViewHelpers.options([any] + ReportNeed.allCases.map { ($0.rawValue, locale.text("filter.needs_\($0.rawValue)")) }, selected: filter.needs?.rawValue ?? ""),
            "sorts": ViewHelpers.options(ReportSort.allCases.map { ($0.rawValue, locale.text("sort.\($0.rawValue)")) }, selected: filter.sort.rawValue),
            "from": filter.from.map(Formats.isoDay) ?? "",
            "to": filter.to.map { Formats.isoDay($0.addingTimeInterval(-86_400)) } ?? "",
            "q": filter.text ?? "",
        ]
    }

    // MARK: Register

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        let now = Date.now
        var form = FormFields(pairs: [("kind", "incident"), ("occurred_date", Formats.isoDay(now)), ("occurred_time", Formats.isoTime(now))])
        if principal.locationIDs.count == 1 { form = FormFields(pairs: form.pairs + [("location", principal.locationIDs[0].uuidString)]) }
        return try await renderForm(form, issues: [], request: request, context: context)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let form = context.form
        var draft = ReportDraft(kind: form["kind"], category: form["category"], location: form["location"], place: form["place"],
                                urgency: form["urgency"], source: form["source"], description: form.raw("description"))
        if let day = form["occurred_date"] {
            draft.occurredAt = Formats.parse(day: day, time: form["occurred_time"] ?? "00:00")
            draft.occurredAtInvalid = draft.occurredAt == nil
        }
        return try await FormSubmission.save(request, context) {
            "/reports/\(try await store.create(draft, by: principal).reference)"
        } orShow: { issues in
            try await renderForm(form, issues: issues, request: request, context: context)
        }
    }

    static let formFieldOrder = ["kind", "category", "location", "place", "occurred_date", "urgency", "source", "description"]

    private func renderForm(_ form: FormFields, issues: [FieldIssue], request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let catalog = try await self.catalog.catalog()
        let locale = views.locales[context.language]
        let language = context.language
        let errors = ViewHelpers.errors(issues, locale, rename: ["occurred_at": "occurred_date"])
        let locations = catalog.locations.filter { location in
            location.active && (principal.role == .administrator || principal.role == .partner
                || principal.locationIDs.contains(location.id!) || principal.districtIDs.contains(location.districtID))
        }
        let placeGroups: [[String: Any]] = locations.map { location in
            ["label": location.name,
             "places": ViewHelpers.options(catalog.places(of: location.id).map { ($0.id!.uuidString, $0.name) }, selected: form["place"])]
        }
        let data: [String: Any] = [
            "kinds": ReportKind.allCases.map { ["value": $0.rawValue, "label": locale.text("kinds.\($0.rawValue)"),
                                                 "hint": locale.text("kinds.\($0.rawValue)_hint"), "checked": form["kind"] == $0.rawValue] },
            "categories": ViewHelpers.options([("", locale.text("form.choose"))] + catalog.categories.filter(\.active).map { ($0.id!.uuidString, $0.name(language)) }, selected: form["category"] ?? ""),
            "locations": ViewHelpers.options([("", locale.text("form.choose"))] + locations.map { ($0.id!.uuidString, $0.name) }, selected: form["location"] ?? ""),
            "placeGroups": placeGroups,
            "urgencies": ViewHelpers.options([("", locale.text("report_form.category_default"))] + Urgency.allCases.map { ($0.code, locale.text("urgency.\($0.code)")) }, selected: form["urgency"] ?? ""),
            "sources": ViewHelpers.options([("", locale.text("report_form.first_hand"))] + ReportSource.allCases.map { ($0.rawValue, locale.text("sources.\($0.rawValue)")) }, selected: form["source"] ?? ""),
            "occurred_date": form.raw("occurred_date"),
            "occurred_time": form.raw("occurred_time"),
            "description": form.raw("description"),
            "maxDescription": ReportDraft.maxDescriptionLength,
            "errors": errors,
            "errorSummary": ViewHelpers.summary(errors, order: Self.formFieldOrder, locale),
            "hasErrors": !errors.isEmpty,
        ]
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("reports.new")
        return try views.page("reports/new", title: title, request: request, context: context, data: data,
                              status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: One report

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let report = try await store.find(reference: context.parameters.require("reference"), by: context.principal())
        return try await renderDetail(report, request: request, context: context)
    }

    func renderDetail(_ report: Report, request: Request, context: AppRequestContext, issues: [FieldIssue] = [],
                              form: FormFields = FormFields(), status: HTTPResponse.Status = .ok) async throws -> HTML {
        let principal = try context.principal()
        async let notes = store.notes(of: report, by: principal)
        async let readsContent = store.readsContent(report, by: principal)
        async let events = store.history(of: report)
        async let owners = store.candidateOwners(for: report, me: principal)
        async let actionList = actions.actions(of: ActionSubject(report))
        async let handoverList = handovers.handovers(of: .report, id: report.id!)
        let catalog = try await self.catalog.catalog()
        let names = try await self.catalog.names(ReportPresenter.userIDs(reports: [report], notes: notes, events: events,
                                                                          actions: actionList, handovers: handoverList))
        let locale = views.locales[context.language]
        var presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: context.language)
        presenter.calendar = try await routing.calendar()
        presenter.rules = Dictionary(uniqueKeysWithValues: try await routing.rules().map { ($0.id!, $0) })
        presenter.actions = Dictionary(uniqueKeysWithValues: try await actionList.map { ($0.id!, $0) })
        presenter.handovers = Dictionary(uniqueKeysWithValues: try await handoverList.map { ($0.id!, $0) })
        let errors = ViewHelpers.errors(issues, locale)
        let policy = try await store.policy(for: report, by: principal)
        let noOwner: [(String, String)] = report.ownerID == nil ? [("", locale.text("reports.no_owner"))] : []
        // After a refused assignment the form shows what was chosen, not what is stored.
        let assigning = form.pairs.contains { $0.0 == "assign_reason" }
        var detail = presenter.detail(report)
        let content = try await readsContent
        if !content { detail["description"] = nil }
        var data: [String: Any] = [
            "report": detail,
            "contentWithheld": !content,
            "notes": try await notes.map(presenter.note),
            "history": try await events.reversed().map(presenter.event),
            "nextStatuses": report.reportStatus.next.map { ["value": $0.rawValue, "label": locale.text("status.\($0.rawValue)"),
                                                             "selected": form["status"] == $0.rawValue] },
            "canChangeStatus": !report.reportStatus.next.isEmpty && policy.mayChangeStatus,
            "urgencies": ViewHelpers.options(Urgency.allCases.map { ($0.code, locale.text("urgency.\($0.code)")) },
                                             selected: assigning ? form.raw("urgency") : report.reportUrgency.code),
            "owners": ViewHelpers.options(noOwner + (try await owners).map { ($0.id.uuidString, $0.name) },
                                          selected: assigning ? form.raw("owner") : report.ownerID?.uuidString ?? ""),
            "canReroute": policy.mayReroute,
            "organisations": ViewHelpers.options(catalog.organisations.filter(\.active).map { ($0.id!.uuidString, $0.name) },
                                                 selected: assigning ? form.raw("organisation") : report.organisationID?.uuidString ?? ""),
            "assignReason": form.raw("assign_reason"),
            "errors": errors,
            "statusReason": form.raw("reason"),
            "noteBody": form.raw("body"),
        ]
        // Who reads no content (site staff on another's sensitive report, administrators) sees the
        // facts, not the persons involved, and passes nothing on blind.
        if content {
            let links = try await persons.links(of: report, by: principal)
            data["personsSection"] = PersonReportSection.data(for: report, links: links, locale: locale)
            data.merge(try await AttachmentPresenter.section(.report(report), store: attachments, catalog: self.catalog, principal: principal,
                                                             locale: locale, language: context.language, errors: errors)) { _, new in new }
        }
        if !content && principal.isAdministrator { data["emergencyHref"] = "/break-glass/reports/\(report.reference)" }
        let followThrough = try await FollowThroughPanel(report: report, actions: actionList, handovers: handoverList, principal: principal,
                                                         presenter: presenter, errors: errors, form: form, catalog: self.catalog,
                                                         policy: policy, readsContent: content)
        data.merge(try await followThrough.data()) { _, new in new }
        return try views.page("reports/show", title: report.reference, request: request, context: context, data: data, status: status)
    }

    func changeStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let form = context.form
        guard let target = form["status"].flatMap(ReportStatus.init(rawValue:)) else {
            return try await renderDetail(report, request: request, context: context, issues: [FieldIssue("status", "required")],
                                          form: form, status: .unprocessableContent).response(from: request, context: context)
        }
        do {
            try await store.changeStatus(report, to: target, reason: form["reason"], closeOpenActions: form["close_actions"] == "1", by: principal)
        } catch AppError.invalid(let issues) {
            return try await renderDetail(report, request: request, context: context, issues: issues, form: form,
                                          status: .unprocessableContent).response(from: request, context: context)
        } catch AppError.conflict {
            return try await renderDetail(report, request: request, context: context, issues: [FieldIssue("status", "not_allowed")],
                                          form: form, status: .conflict).response(from: request, context: context)
        }
        return .redirect(to: "/reports/\(report.reference)#history")
    }

    func assign(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let form = context.form
        let owner: UUID?? = form.pairs.contains { $0.0 == "owner" } ? .some(form["owner"].flatMap(UUID.init(uuidString:))) : nil
        do {
            try await store.assign(report, urgency: form["urgency"].flatMap(Urgency.init(code:)), owner: owner,
                                   organisation: form["organisation"].flatMap(UUID.init(uuidString:)), reason: form["assign_reason"], by: principal)
        } catch AppError.invalid(let issues) {
            // The assignment form's reason field is `assign_reason` (the status form has its own `reason`).
            let issues = issues.map { $0.name == "reason" ? FieldIssue("assign_reason", $0.code) : $0 }
            return try await renderDetail(report, request: request, context: context, issues: issues, form: form,
                                          status: .unprocessableContent).response(from: request, context: context)
        }
        return .redirect(to: "/reports/\(report.reference)#history")
    }

    func addNote(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        return try await FormSubmission.save(request, context) {
            _ = try await store.addNote(context.form.raw("body"), to: report, by: principal)
            return "/reports/\(report.reference)#notes"
        } orShow: { issues in
            try await renderDetail(report, request: request, context: context, issues: issues, form: context.form,
                                   status: .unprocessableContent)
        }
    }
}
