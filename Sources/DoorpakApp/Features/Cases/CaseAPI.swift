import Foundation
import Hummingbird

/// The cases API: my cases (cursor paging), the coordinator's list of cases needing a director,
/// opening a case, one case, its phase, history, direction, members and notes. Every call goes
/// through `CaseStore`, exactly as the case pages do; a case outside reach is 404. Persons appear
/// by pseudonym only; a district coordinator gets the metadata without the opening reason or notes.
struct CaseAPI {
    let store: CaseStore
    let routing: RoutingStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/cases", use: list)
        api.post("/cases", use: open)
        api.get("/cases/needing-director", use: needingDirector)
        api.get("/cases/:case", use: show)
        api.patch("/cases/:case", use: changePhase)
        api.get("/cases/:case/history", use: history)
        addMembers(to: api)
        addPlan(to: api)
        addWork(to: api)
    }

    func path(_ reference: String) -> String { "\(APIInfo.basePath)/cases/\(reference)" }

    /// The store's field names as the API names them.
    static let renames = [
        "persons": "personPseudonyms", "director": "directorId", "member": "userId", "member_role": "role",
        "legal_basis": "legalBasis", "consent_date": "consentDate", "consent_scope": "consentScope",
    ]

    func mapping<T>(_ work: () async throws -> T) async throws -> T {
        try await ReportAPI.renaming(Self.renames, work)
    }

    /// One case as the caller may see it.
    func dto(_ file: CaseFile, access: CaseStore.Access?, by principal: Principal) async throws -> CaseDTO {
        let persons = try await store.persons(of: file).map(\.pseudonym).sorted()
        let members = try await store.members(of: file)
        let reasons = access?.readsContent == true ? try store.reasons(of: file) : nil
        return CaseDTO(file, access: access, reasons: reasons, persons: persons, members: members, by: principal)
    }

    // MARK: Lists

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        let parameters = request.uri.queryParameters
        let value: (String) -> String? = { name in parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        var issues: [FieldIssue] = []
        var limit = CaseStore.defaultPageSize
        if let raw = value("limit") {
            if let number = Int(raw), (1...CaseStore.maxPageSize).contains(number) { limit = number } else { issues.append(FieldIssue("limit", "out_of_range")) }
        }
        var cursor: CaseCursor?
        if let raw = value("cursor") {
            if let parsed = CaseCursor(encoded: raw) { cursor = parsed } else { issues.append(FieldIssue("cursor", "invalid")) }
        }
        guard issues.isEmpty else { throw APIQueryError(issues: issues) }
        let page = try await store.page(by: principal, after: cursor, limit: limit)
        var headers: HTTPFields = [:]
        if let next = page.next {
            let items = (limit == CaseStore.defaultPageSize ? [] : [("limit", "\(limit)")]) + [("cursor", next.encoded)]
            headers[.init("Link")!] = "<\(ViewHelpers.url("\(APIInfo.basePath)/cases", items))>; rel=\"next\""
        }
        return try APIBody.response(CasePageDTO(items: page.items.map { CaseSummaryDTO($0.file, access: $0.access, for: principal) }, next: page.next?.encoded),
                                    headers: headers)
    }

    /// The coordinator's list: open cases of their districts whose director left or whose hand-over waits.
    func needingDirector(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let files = try await store.needingDirector(by: principal)
        var items: [CaseSummaryDTO] = []
        for file in files {
            guard let access = try await store.access(to: file, by: principal) else { continue }
            items.append(CaseSummaryDTO(file, access: access, for: principal))
        }
        return try APIBody.response(ItemsDTO(items: items))
    }

    // MARK: Opening

    func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        let input = try await APIBody.decode(CaseOpenInput.self, from: request)
        guard CasePolicy.mayOpenCase(principal) else { throw AppError.notFound }
        var issues: [FieldIssue] = []
        var directorID: UUID?
        if let raw = input.directorId {
            directorID = UUID(uuidString: raw)
            if directorID == nil { issues.append(FieldIssue("directorId", "invalid")) }
        }
        // A person or report the caller cannot see is named like one that does not exist: it is not
        // the case's 404 (the case does not exist yet) but a value of the request that cannot be used.
        for pseudonym in input.personPseudonyms ?? [] {
            do { _ = try await store.persons.record(pseudonym: pseudonym, by: principal) } catch AppError.notFound {
                issues.append(FieldIssue("personPseudonyms", "unknown"))
                break
            }
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        let file: CaseFile
        do {
            file = try await mapping {
                try await store.open(.init(pseudonyms: input.personPseudonyms ?? [], reason: input.reason, directorID: directorID,
                                           reportReferences: input.reportReferences ?? []), by: principal)
            }
        } catch AppError.notFound {
            // The persons were checked above: what is out of reach is a report.
            throw AppError.invalid([FieldIssue("reportReferences", "unknown")])
        }
        // Opened naming another director, the opener directs the case until that one accepts.
        let access = try await store.access(to: file, by: principal)
        return try APIBody.response(try await dto(file, access: access, by: principal), status: .created, headers: [.location: path(file.reference)])
    }

    // MARK: One case

    /// One case; the one asked to take over the direction (without a part in the case yet) gets its
    /// facts, opening reason and the hand-over's reason, as on the page.
    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let reference = try context.parameters.require("case")
        let found: (file: CaseFile, access: CaseStore.Access)
        do {
            found = try await store.find(reference: reference, by: principal)
        } catch AppError.notFound {
            let (file, reason) = try await store.proposal(reference: reference, by: principal)
            return try APIBody.response(CaseDTO(proposed: file, openingReason: try store.reasons(of: file).opening, handoverReason: reason, by: principal))
        }
        return try APIBody.response(try await dto(found.file, access: found.access, by: principal))
    }

    /// `PATCH /cases/{case}`: a phase change; closing needs `outcome` and `reason` (and, with open
    /// actions, `cancelOpenActions`), reopening `reason`.
    func changePhase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(CasePatch.self, from: request, accepting: [APIBody.json, APIBody.mergePatch])
        var issues: [FieldIssue] = []
        let phase = input.phase.flatMap(CasePhase.init(rawValue:))
        if input.phase != nil && phase == nil { issues.append(FieldIssue("phase", "invalid")) }
        if let outcome = input.outcome, CaseOutcome(rawValue: outcome) == nil { issues.append(FieldIssue("outcome", "invalid")) }
        // The director's change: for anyone else the operation does not exist, whatever the body.
        guard found.access.directs else { throw AppError.notFound }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        try await mapping {
            try await store.changePhase(found.file, access: found.access, to: phase, outcome: input.outcome, reason: input.reason,
                                        cancelOpenActions: input.cancelOpenActions ?? false, by: principal)
        }
        return try APIBody.response(try await dto(found.file, access: found.access, by: principal))
    }

    func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let found = try await store.find(reference: context.parameters.require("case"), by: context.principal())
        return try APIBody.response(ItemsDTO(items: try await store.history(of: found.file, access: found.access).map(CaseEventDTO.init)))
    }
}
