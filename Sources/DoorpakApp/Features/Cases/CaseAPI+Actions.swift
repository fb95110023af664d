import Foundation
import Hummingbird

/// The work on a case in the API: its actions (the shared action mechanism), linked reports, a
/// cooling-off placement requested from the case, and the one timeline. Same store calls as the
/// case page; the district coordinator reads titles and facts, never results, reasons or notes.
extension CaseAPI {
    func addWork(to api: RouterGroup<AppRequestContext>) {
        api.get("/cases/:case/actions", use: actions)
        api.post("/cases/:case/actions", use: addAction)
        api.get("/cases/:case/actions/:action", use: action)
        api.post("/cases/:case/actions/:action/complete") { request, context in
            let input = try await APIBody.decode(ActionResultInput.self, from: request)
            return try await closeAction(request, context: context, .done(result: input.result))
        }
        api.post("/cases/:case/actions/:action/cancel") { request, context in
            let input = try await APIBody.decode(ActionCancelInput.self, from: request)
            return try await closeAction(request, context: context, .cancelled(reason: input.reason))
        }
        api.get("/cases/:case/reports", use: reports)
        api.post("/cases/:case/reports", use: linkReports)
        api.post("/cases/:case/placements", use: requestPlacement)
        api.get("/cases/:case/timeline", use: timeline)
    }

    static let workRenames = ["organisation": "organisationId", "assignee": "assigneeId", "due_on": "dueOn", "goal": "goalId",
                              "report_references": "references", "guidance_organisation": "guidanceOrganisationId", "dwelling": "dwellingId"]

    private func calendar() async throws -> WorkingDayCalendar { try await routing.calendar() }

    private func actionDTOs(_ file: CaseFile, access: CaseStore.Access, by principal: Principal) async throws -> [ActionDTO] {
        let actions = try await store.actions(of: file, access: access)
        let goals = try await store.goalLinks(of: actions)
        let calendar = try await calendar()
        let subject = ActionSubject(file)
        return actions.map { ActionDTO($0, subject: subject, goalID: goals[$0.id!], showsContent: access.readsContent, for: principal, calendar: calendar) }
    }

    // MARK: Actions

    func actions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        return try APIBody.response(ItemsDTO(items: try await actionDTOs(found.file, access: found.access, by: principal)))
    }

    func addAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(CaseActionInput.self, from: request)
        guard found.access.directs else { throw AppError.notFound }
        let action = try await ReportAPI.renaming(Self.workRenames) {
            try await store.addAction(ActionDraft(title: input.title, organisation: input.organisationId, assignee: input.assigneeId, dueOn: input.dueOn),
                                      goal: input.goalId, to: found.file, access: found.access, by: principal)
        }
        let goal = try await store.goalLinks(of: [action])[action.id!]
        return try APIBody.response(ActionDTO(action, subject: ActionSubject(found.file), goalID: goal, showsContent: found.access.readsContent, for: principal,
                                                  calendar: try await calendar()), status: .created)
    }

    /// One action: for those who read the case, as in the list; for its doer outside the case (the
    /// person named, or their organisation), the action and the case's reference only; else 404.
    func action(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let reference = try context.parameters.require("case")
        guard let id = UUID(uuidString: try context.parameters.require("action")) else { throw AppError.notFound }
        guard try await store.readsContent(reference: reference, by: principal) else {
            let (file, action) = try await store.assignedAction(id, reference: reference, by: principal)
            return try APIBody.response(ActionDTO(action, subject: ActionSubject(file), for: principal, calendar: try await calendar()))
        }
        let found = try await store.find(reference: reference, by: principal)
        guard let dto = try await actionDTOs(found.file, access: found.access, by: principal).first(where: { $0.id == id.api }) else {
            throw AppError.notFound
        }
        return try APIBody.response(dto)
    }

    func closeAction(_ request: Request, context: AppRequestContext, _ closing: ActionStore.Closing) async throws -> Response {
        let principal = try context.principal()
        let reference = try context.parameters.require("case")
        guard let id = UUID(uuidString: try context.parameters.require("action")) else { throw AppError.notFound }
        // The doer outside the case closes it through the door made for them (as the page does).
        guard try await store.readsContent(reference: reference, by: principal) else {
            try await store.closeAssignedAction(id, closing, reference: reference, by: principal)
            let (file, action) = try await store.assignedAction(id, reference: reference, by: principal)
            return try APIBody.response(ActionDTO(action, subject: ActionSubject(file), for: principal, calendar: try await calendar()))
        }
        let found = try await store.find(reference: reference, by: principal)
        try await store.closeAction(id, closing, in: found.file, access: found.access, by: principal)
        guard let dto = try await actionDTOs(found.file, access: found.access, by: principal).first(where: { $0.id == id.api }) else {
            throw AppError.notFound
        }
        return try APIBody.response(dto)
    }

    // MARK: Reports

    func reports(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        return try APIBody.response(ItemsDTO(items: try await store.linkedReports(of: found.file, by: principal).map(LinkedReportDTO.init)))
    }

    /// Links more reports (director or administrator), each within the caller's report scope.
    func linkReports(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(LinkReportsInput.self, from: request)
        guard found.access.directs else { throw AppError.notFound }
        try await ReportAPI.renaming(Self.workRenames) {
            _ = try await store.linkReports(input.references ?? [], to: found.file, access: found.access, by: principal)
        }
        return try APIBody.response(ItemsDTO(items: try await store.linkedReports(of: found.file, by: principal).map(LinkedReportDTO.init)))
    }

    // MARK: Cooling-off

    /// Requests a placement for one of the case's persons, bound to the case.
    func requestPlacement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        // The body is read first (an oversized one is 413 for everyone); then who may ask: a member
        // whose consent was withdrawn, or who only sees the facts, gets 404 whatever was asked.
        let input = try await APIBody.decode(CasePlacementInput.self, from: request)
        try await store.requireContentWriter(found.file, access: found.access, by: principal)
        guard let pseudonym = input.personPseudonym else { throw AppError.invalid([FieldIssue("personPseudonym", "required")]) }
        let people = try await store.persons(of: found.file)
        guard let person = people.first(where: { $0.pseudonym == pseudonym.uppercased() }) else {
            throw AppError.invalid([FieldIssue("personPseudonym", "unknown")])
        }
        let placement = try await ReportAPI.renaming(Self.workRenames) {
            try await store.requestPlacement(.init(reason: input.reason, from: input.from, through: input.through,
                                                   guidanceOrganisation: input.guidanceOrganisationId, dwelling: input.dwellingId),
                                             for: person.pseudonym, in: found.file, by: principal)
        }
        return try APIBody.response(PlacementDTO(placement, person: person), status: .created,
                                    headers: [.location: "\(APIInfo.basePath)/cooling-off/placements/\(placement.id!.api)"])
    }

    // MARK: Timeline

    func timeline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let timeline = try await store.timeline(of: found.file, access: found.access, by: principal)
        let page = "/cases/\(found.file.reference)"
        return try APIBody.response(ItemsDTO(items: timeline.sorted.map { TimelineEntryDTO($0, casePage: page) }))
    }
}

// MARK: - Requests

/// A new action on a case, optionally serving one of its open goals.
struct CaseActionInput: APIInput {
    var title: String?
    var organisationId: String?
    var assigneeId: String?
    var dueOn: String?
    var goalId: String?
    static let members = ["title", "organisationId", "assigneeId", "dueOn", "goalId"]
}

struct LinkReportsInput: APIInput {
    var references: [String]?
    static let members = ["references"]
}

struct CasePlacementInput: APIInput {
    var personPseudonym: String?
    var reason: String?
    var from: String?
    var through: String?
    var guidanceOrganisationId: String?
    var dwellingId: String?
    static let members = ["personPseudonym", "reason", "from", "through", "guidanceOrganisationId", "dwellingId"]
}

// MARK: - Responses

/// A report linked to the case; one outside the caller's scope shows only its reference.
struct LinkedReportDTO: Encodable {
    var reference: String
    var readable: Bool
    var createdAt: String

    init(_ report: CaseTimeline.LinkedReport) {
        reference = report.reference
        readable = report.readable
        createdAt = APIDates.write(report.createdAt)
    }
}

/// One entry of the case's timeline, newest first. `what` is a text key (`cases.events.phase`,
/// `cases.timeline.action_created`, ...); `parts` are plain texts or further keys; `detail` is
/// content (a note, a result, a reason) and `null` for the district coordinator.
struct TimelineEntryDTO: Encodable {
    struct Part: Encodable {
        var type: String
        var value: String
    }

    var at: String
    var kind: String
    var what: String
    var parts: [Part]
    @Nullable var detail: String?
    @Nullable var actorId: String?
    /// The web page the entry points to (a report, a placement, an action on the case page).
    @Nullable var link: String?

    init(_ entry: CaseTimeline.Entry, casePage: String) {
        at = APIDates.write(entry.at)
        kind = entry.kind.rawValue
        what = entry.what
        parts = entry.parts.map { part in
            switch part {
            case .text(let text): Part(type: "text", value: text)
            case .key(let key): Part(type: "key", value: key)
            }
        }
        detail = entry.detail
        actorId = entry.actorID.api
        link = entry.href.map { $0.hasPrefix("#") ? casePage + $0 : $0 }
    }
}
