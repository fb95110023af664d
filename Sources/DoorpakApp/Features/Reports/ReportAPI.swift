import Foundation
import Hummingbird

/// The reports API: the worklist with cursor paging, registering, reading, changing, notes and
/// history. Every call goes through `ReportStore`, exactly as the HTML routes do; this file only
/// translates between JSON and the store.
struct ReportAPI {
    let store: ReportStore
    let actions: ActionStore
    let handovers: HandoverStore
    let routing: RoutingStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/reports", use: list)
        api.post("/reports", use: create)
        api.get("/reports/:reference", use: show)
        api.patch("/reports/:reference", use: update)
        api.get("/reports/:reference/notes", use: notes)
        api.post("/reports/:reference/notes", use: addNote)
        api.get("/reports/:reference/history", use: history)
        // The timeline is the history with typed entries; `/history` stays for existing clients.
        api.get("/reports/:reference/timeline", use: history)
        addFollowThrough(to: api)
    }

    private func path(_ reference: String) -> String { "\(APIInfo.basePath)/reports/\(reference)" }

    /// The working-day calendar (with closure days) that `deadlineState` is judged by.
    func calendar() async throws -> WorkingDayCalendar { try await routing.calendar() }

    /// A report in full, with its count of open actions.
    func dto(_ report: Report, by principal: Principal) async throws -> ReportDTO {
        let openActions = try await actions.openCount(of: ActionSubject(report))
        return ReportDTO(report, calendar: try await calendar(), openActions: openActions,
                         readsContent: try await store.readsContent(report, by: principal))
    }

    // MARK: Worklist

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let parameters = request.uri.queryParameters
        let value: (String) -> String? = { name in parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        let (filter, parsedIssues) = ReportFilter.parse(value)
        var issues = parsedIssues
        var limit = ReportStore.defaultPageSize
        if let raw = value("limit") {
            if let number = Int(raw), (1...ReportStore.maxPageSize).contains(number) { limit = number } else { issues.append(FieldIssue("limit", "out_of_range")) }
        }
        var cursor: ReportCursor?
        if let raw = value("cursor") {
            // A cursor belongs to one sort order; one from another order would silently restart the list.
            if let parsed = ReportCursor(encoded: raw), parsed.sort == filter.sort { cursor = parsed } else { issues.append(FieldIssue("cursor", "invalid")) }
        }
        guard issues.isEmpty else { throw APIQueryError(issues: issues) }
        let page = try await store.list(filter, after: cursor, limit: limit, by: principal)
        var headers: HTTPFields = [:]
        if let next = page.next {
            let items = filter.queryItems + (limit == ReportStore.defaultPageSize ? [] : [("limit", "\(limit)")]) + [("cursor", next.encoded)]
            headers[.init("Link")!] = "<\(ViewHelpers.url("\(APIInfo.basePath)/reports", items))>; rel=\"next\""
        }
        let calendar = try await calendar()
        return try APIBody.response(ReportPageDTO(items: page.reports.map { ReportSummaryDTO($0, calendar: calendar) }, next: page.next?.encoded),
                                    headers: headers)
    }

    // MARK: Register

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let input = try await APIBody.decode(ReportInput.self, from: request)
        var draft = ReportDraft(kind: input.kind, category: input.categoryId, location: input.locationId, place: input.placeId,
                                urgency: input.urgency, source: input.source, description: input.description)
        if let occurredAt = input.occurredAt {
            draft.occurredAt = APIDates.read(occurredAt)
            draft.occurredAtInvalid = draft.occurredAt == nil
        }
        let report = try await APIFieldNames.mapping { try await store.create(draft, by: principal) }
        return try APIBody.response(try await dto(report, by: context.principal()), status: .created, headers: [.location: path(report.reference)])
    }

    // MARK: One report

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let report = try await store.find(reference: context.parameters.require("reference"), by: context.principal())
        return try APIBody.response(try await dto(report, by: context.principal()))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let patch = try await APIBody.decode(ReportPatch.self, from: request, accepting: [APIBody.json, APIBody.mergePatch])
        let change = try patch.change()
        try await APIFieldNames.mapping { try await store.update(report, with: change, by: principal) }
        return try APIBody.response(try await dto(report, by: context.principal()))
    }

    func notes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let report = try await store.find(reference: context.parameters.require("reference"), by: context.principal())
        return try APIBody.response(ItemsDTO(items: try await store.notes(of: report, by: context.principal()).map(NoteDTO.init)))
    }

    func addNote(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let input = try await APIBody.decode(NoteInput.self, from: request)
        let note = try await store.addNote(input.body ?? "", to: report, by: principal)
        return try APIBody.response(NoteDTO(note), status: .created)
    }

    func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let report = try await store.find(reference: context.parameters.require("reference"), by: context.principal())
        // Escalation entries name an action or a hand-over by id only: tell which from the report's actions.
        let actionIDs = Set(try await actions.actions(of: ActionSubject(report)).compactMap(\.id))
        return try APIBody.response(ItemsDTO(items: try await store.history(of: report).map { ReportEventDTO($0, actionIDs: actionIDs) }))
    }
}

// MARK: - Requests

/// `POST /reports`. Every member is read as text so that a missing or unknown value is reported
/// by the shared validation (422, naming the member) rather than as a malformed body.
struct ReportInput: APIInput {
    var kind: String?
    var categoryId: String?
    var locationId: String?
    var placeId: String?
    var occurredAt: String?
    var urgency: String?
    var source: String?
    var description: String?

    static let members = ["kind", "categoryId", "locationId", "placeId", "occurredAt", "urgency", "source", "description"]
}

/// `PATCH /reports/{reference}` (JSON merge patch): members left out are left alone; `ownerId: null` clears the owner.
struct ReportPatch: APIInput {
    var status: String?
    var reason: String?
    var urgency: String?
    var ownerId: String??
    var organisationId: String?
    /// With a status that ends the report: cancel its open actions with `reason` (coordinators and administrators).
    var closeOpenActions: Bool?
    /// Members sent as `null` that cannot be cleared.
    var nulls: [String] = []

    static let members = ["status", "reason", "urgency", "ownerId", "organisationId", "closeOpenActions"]

    enum CodingKeys: String, CodingKey { case status, reason, urgency, ownerId, organisationId, closeOpenActions }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ key: CodingKeys, nullable: Bool = false) throws -> String? {
            guard container.contains(key) else { return nil }
            if try container.decodeNil(forKey: key) {
                if !nullable { nulls.append(key.rawValue) }
                return nil
            }
            return try container.decode(String.self, forKey: key)
        }
        status = try value(.status)
        reason = try value(.reason, nullable: true)
        urgency = try value(.urgency)
        organisationId = try value(.organisationId)
        if container.contains(.ownerId) { ownerId = .some(try value(.ownerId, nullable: true)) }
        if container.contains(.closeOpenActions) {
            if try container.decodeNil(forKey: .closeOpenActions) { nulls.append("closeOpenActions") }
            else { closeOpenActions = try container.decode(Bool.self, forKey: .closeOpenActions) }
        }
    }

    /// The change for the store; every value that does not parse is reported with its member name.
    func change() throws -> ReportChange {
        var issues = nulls.map { FieldIssue($0, "required") }
        var change = ReportChange(reason: reason)
        change.closeOpenActions = closeOpenActions ?? false
        if let status {
            if let parsed = ReportStatus(rawValue: status) { change.status = parsed } else { issues.append(FieldIssue("status", "invalid")) }
        }
        if let urgency {
            if let parsed = Urgency(code: urgency) { change.urgency = parsed } else { issues.append(FieldIssue("urgency", "invalid")) }
        }
        if let organisationId {
            if let parsed = UUID(uuidString: organisationId) { change.organisation = parsed } else { issues.append(FieldIssue("organisationId", "invalid")) }
        }
        if let ownerId {
            if let id = ownerId {
                if let parsed = UUID(uuidString: id) { change.owner = .some(parsed) } else { issues.append(FieldIssue("ownerId", "invalid")) }
            } else {
                change.owner = .some(nil)
            }
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        return change
    }
}

/// `POST /reports/{reference}/notes`.
struct NoteInput: APIInput {
    var body: String?
    static let members = ["body"]
}

// MARK: - Responses

/// A report as the worklist shows it: no description, so that a list is not a bulk read of
/// personal data; opening one report (which is logged) gives the full text.
struct ReportSummaryDTO: Encodable {
    var reference: String
    var kind: String
    var categoryId: String
    var locationId: String
    var districtId: String
    @Nullable var placeId: String?
    var occurredAt: String
    var urgency: String
    @Nullable var source: String?
    var status: String
    @Nullable var organisationId: String?
    @Nullable var ownerId: String?
    var reporterId: String
    var createdAt: String
    var updatedAt: String
    /// The routing rule that chose the organisation at intake; `null` for reports routed before rules existed.
    @Nullable var routingRuleId: String?
    @Nullable var acknowledgeDueAt: String?
    @Nullable var resolveDueAt: String?
    /// The worse of the running deadlines: acknowledging while new, resolving while open.
    var deadlineState: String
    /// Each deadline on its own (`none` when it does not run).
    var acknowledgeState: String
    var resolveState: String
    /// The highest escalation rung reached against the running deadline (`EscalationLevel.code`).
    var escalationLevel: String

    init(_ report: Report, calendar: WorkingDayCalendar = WorkingDayCalendar(), now: Date = .now) {
        reference = report.reference
        kind = report.kind
        categoryId = report.categoryID.api
        locationId = report.locationID.api
        districtId = report.districtID.api
        placeId = report.placeID.api
        occurredAt = APIDates.write(report.occurredAt)
        urgency = report.reportUrgency.code
        source = report.source
        status = report.status
        organisationId = report.organisationID.api
        ownerId = report.ownerID.api
        reporterId = report.reporterID.api
        createdAt = APIDates.write(report.createdAt)
        updatedAt = APIDates.write(report.updatedAt)
        routingRuleId = report.routingRuleID.api
        acknowledgeDueAt = report.acknowledgeDueAt.map(APIDates.write)
        resolveDueAt = report.resolveDueAt.map(APIDates.write)
        let deadlines = ReportDeadlines(report, now: now, calendar: calendar)
        deadlineState = deadlines.overall.rawValue
        acknowledgeState = deadlines.acknowledge.rawValue
        resolveState = deadlines.resolve.rawValue
        escalationLevel = (EscalationLevel(rawValue: report.escalationLevel) ?? .none).code
    }
}

/// One page of the worklist; `next` is the cursor for the following page, `null` on the last.
struct ReportPageDTO: Encodable {
    var items: [ReportSummaryDTO]
    @Nullable var next: String?
}

/// One report in full, with the statuses it may move to next.
struct ReportDTO: Encodable {
    let summary: ReportSummaryDTO
    /// `nil` for site staff and a report in a sensitive category they did not register, own or
    /// get asked to act on (`ReportPolicy.readsContent`); `contentWithheld` then says so.
    let description: String?
    let contentWithheld: Bool
    let allowedStatuses: [String]
    /// Actions still open: the report cannot be resolved or closed while this is above zero
    /// (unless a coordinator cancels them with `closeOpenActions`).
    let openActions: Int

    init(_ report: Report, calendar: WorkingDayCalendar = WorkingDayCalendar(), openActions: Int, readsContent: Bool) {
        summary = ReportSummaryDTO(report, calendar: calendar)
        description = readsContent ? report.description : nil
        contentWithheld = !readsContent
        allowedStatuses = report.reportStatus.next.map(\.rawValue)
        self.openActions = openActions
    }

    enum CodingKeys: String, CodingKey { case description, contentWithheld, allowedStatuses, openActions }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(description, forKey: .description)
        try container.encode(contentWithheld, forKey: .contentWithheld)
        try container.encode(allowedStatuses, forKey: .allowedStatuses)
        try container.encode(openActions, forKey: .openActions)
    }
}

struct NoteDTO: Encodable {
    var id: String
    var authorId: String
    var body: String
    var createdAt: String

    init(_ note: ReportNote) {
        id = note.id!.api
        authorId = note.authorID.api
        body = note.body
        createdAt = APIDates.write(note.createdAt)
    }
}

/// One entry of a report's timeline. `from` and `to` are status or urgency codes, or user or
/// organisation ids, depending on `field`; follow-through entries also say which item (action or
/// hand-over) and which escalation rung they are about.
struct ReportEventDTO: Encodable {
    var at: String
    @Nullable var actorId: String?
    var field: String
    @Nullable var from: String?
    @Nullable var to: String?
    @Nullable var reason: String?
    /// `action` or `handover` for their entries and their escalations; `report` for the report's own escalations.
    @Nullable var itemKind: String?
    @Nullable var itemId: String?
    /// The escalation rung (`escalated`, `decision`).
    @Nullable var level: String?

    init(_ event: ReportEvent, actionIDs: Set<UUID> = []) {
        at = APIDates.write(event.at)
        actorId = event.actorID.api
        field = event.field
        let idTo = [ReportField.owner, .organisation, .routed].map(\.rawValue).contains(event.field)
        let idFrom = idTo || [ReportField.handover, .action, .escalated].map(\.rawValue).contains(event.field)
        from = idFrom ? event.fromValue?.lowercased() : event.fromValue
        to = idTo ? event.toValue?.lowercased() : event.toValue
        reason = event.reason
        let item = event.fromValue.flatMap(UUID.init(uuidString:))
        switch ReportField(rawValue: event.field) {
        case .handover?: (itemKind, itemId) = ("handover", item.api)
        case .action?: (itemKind, itemId) = ("action", item.api)
        case .escalated?:
            itemKind = item.map { actionIDs.contains($0) ? "action" : "handover" } ?? "report"
            itemId = item.api
            level = event.toValue
        case .decision?: level = event.fromValue
        default: break
        }
    }
}
