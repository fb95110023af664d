import Foundation
import Hummingbird

/// The case meetings API: the list (cursor paging), one meeting with its agenda as the caller may
/// see it, planning, changing (details, status, the whole agenda) and recording an item's outcome.
/// The same store calls as the pages.
struct CaseMeetingAPI {
    let store: CaseMeetingStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/case-meetings", use: list)
        api.post("/case-meetings", use: create)
        api.get("/case-meetings/:id", use: get)
        api.patch("/case-meetings/:id", use: update)
        api.post("/case-meetings/:id/items/:item/outcome", use: record)
    }

    static let renames = ["day": "plannedAt", "time": "plannedAt", "organisations": "invitedOrganisationIds", "case": "agenda"]

    private func mapping<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch AppError.invalid(let issues) {
            var seen = Set<String>()
            throw AppError.invalid(issues.map { FieldIssue(Self.renames[$0.name] ?? $0.name, $0.code) }.filter { seen.insert($0.name + $0.code).inserted })
        }
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let parameters = request.uri.queryParameters
        let value: (String) -> String? = { name in parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var issues: [FieldIssue] = []
        var limit = CaseMeetingStore.defaultPageSize
        if let raw = value("limit") {
            if let number = Int(raw), (1...CaseMeetingStore.maxPageSize).contains(number) { limit = number } else { issues.append(FieldIssue("limit", "out_of_range")) }
        }
        var cursor: CaseMeetingCursor?
        if let raw = value("cursor") {
            if let parsed = CaseMeetingCursor(encoded: raw) { cursor = parsed } else { issues.append(FieldIssue("cursor", "invalid")) }
        }
        guard issues.isEmpty else { throw APIQueryError(issues: issues) }
        let page = try await store.list(by: principal, after: cursor, limit: limit)
        let counts = try await store.itemCounts(page.items), invited = try await store.invited(page.items)
        var headers: HTTPFields = [:]
        if let next = page.next {
            let items = (limit == CaseMeetingStore.defaultPageSize ? [] : [("limit", "\(limit)")]) + [("cursor", next.encoded)]
            headers[.init("Link")!] = "<\(ViewHelpers.url("\(APIInfo.basePath)/case-meetings", items))>; rel=\"next\""
        }
        return try APIBody.response(CaseMeetingPageDTO(
            items: page.items.map { CaseMeetingSummaryDTO($0, invited: invited[$0.id!] ?? [], itemCount: counts[$0.id!] ?? 0) },
            next: page.next?.encoded), headers: headers)
    }

    func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agenda = try await store.agenda(try Self.id(context), by: context.principal())
        return try APIBody.response(CaseMeetingDTO(agenda))
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard try await store.mayPlan(principal) else { throw AppError.notFound }
        let input = try await APIBody.decode(CaseMeetingInput.self, from: request)
        let (draft, issues) = Self.draft(plannedAt: input.plannedAt, place: input.place, organisations: input.invitedOrganisationIds, status: nil, partial: false)
        let meeting = try await mapping {
            do { return try await store.plan(draft, agenda: input.agenda ?? [], by: principal) } catch AppError.invalid(let found) {
                // A missing or unreadable `plannedAt` is said once, as such.
                throw AppError.invalid(issues + found.filter { !(["day", "time"].contains($0.name) && !issues.isEmpty) })
            }
        }
        let agenda = try await store.agenda(meeting.id!, by: principal)
        return try APIBody.response(CaseMeetingDTO(agenda), status: .created,
                                    headers: [.location: "\(APIInfo.basePath)/case-meetings/\(meeting.id!.api)"])
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let agenda = try await store.agenda(try Self.id(context), by: principal)
        guard agenda.mayOrganise else { throw AppError.notFound }
        let input = try await APIBody.decode(CaseMeetingPatchInput.self, from: request, accepting: [APIBody.json, APIBody.mergePatch])
        let (draft, issues) = Self.draft(plannedAt: input.plannedAt, place: input.place, organisations: input.invitedOrganisationIds,
                                         status: input.status, partial: true)
        try await mapping {
            if !issues.isEmpty { throw AppError.invalid(issues) }
            try await store.change(agenda, draft, agendaReferences: input.agenda, by: principal)
        }
        return try APIBody.response(CaseMeetingDTO(try await store.agenda(agenda.meeting.id!, by: principal)))
    }

    func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let agenda = try await store.agenda(try Self.id(context), by: principal)
        let itemID = try Self.id(context, "item")
        let input = try await APIBody.decode(CaseMeetingOutcomeInput.self, from: request)
        guard let entry = agenda.entries.first(where: { $0.item.id == itemID }), entry.mayRecord else { throw AppError.notFound }
        let outcome = CaseMeetingStore.Outcome(minutes: input.minutes, decisions: input.decisions ?? [], actions: (input.actions ?? []).map(\.draft))
        do {
            try await store.record(outcome, item: itemID, of: agenda, by: principal)
        } catch AppError.invalid(let issues) {
            throw AppError.invalid(issues.map { issue in
                let parts = issue.name.split(separator: "_", maxSplits: 2).map(String.init)
                if parts.count == 2, parts[0] == "decision" { return FieldIssue("decisions[\(parts[1])]", issue.code) }
                if parts.count == 3, parts[0] == "action" { return FieldIssue("actions[\(parts[1])].\(ReportAPI.actionFields[parts[2]] ?? parts[2])", issue.code) }
                return issue
            })
        }
        return try APIBody.response(CaseMeetingDTO(try await store.agenda(agenda.meeting.id!, by: principal)))
    }

    static func id(_ context: AppRequestContext, _ name: String = "id") throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require(name)) else { throw AppError.notFound }
        return id
    }

    /// The store's draft from the API's members: `plannedAt` is a date-time with an offset.
    static func draft(plannedAt: String?, place: String?, organisations: [String]?, status: String?, partial: Bool) -> (CaseMeetingDraft, [FieldIssue]) {
        var draft = CaseMeetingDraft(place: place, organisations: organisations, status: status)
        var issues: [FieldIssue] = []
        if let plannedAt {
            if let date = APIDates.read(plannedAt) { draft.day = Formats.isoDay(date); draft.time = Formats.isoTime(date) }
            else { issues.append(FieldIssue("plannedAt", "invalid")) }
        } else if !partial {
            issues.append(FieldIssue("plannedAt", "required"))
        }
        return (draft, issues)
    }
}
