import Foundation
import Hummingbird

/// "Consider a case" items in the API: the caller's open items, one item, opening a case from it
/// and dismissing it with a reason. The same `ConcernStore` calls as the page; anyone but the
/// district's coordinator gets 404.
struct ConcernAPI {
    let store: ConcernStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/concerns", use: list)
        api.get("/concerns/:id", use: show)
        api.post("/concerns/:id/open-case", use: openCase)
        api.post("/concerns/:id/dismiss", use: dismiss)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        return try APIBody.response(ItemsDTO(items: try await store.pending(for: principal).map(ConcernSummaryDTO.init)))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try APIBody.response(ConcernDTO(try await store.find(context.parameters.require("id"), by: context.principal())))
    }

    func openCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try context.parameters.require("id")
        let file = try await store.openCase(id, by: principal)
        return try APIBody.response(ConcernDTO(try await store.find(id, by: principal)), status: .created,
                                    headers: [.location: "\(APIInfo.basePath)/cases/\(file.reference)"])
    }

    func dismiss(_ request: Request, context: AppRequestContext) async throws -> Response {
        // The body first: a malformed or oversized one is refused before anything else is looked at.
        let input = try await APIBody.decode(ConcernDismissInput.self, from: request)
        let principal = try context.principal()
        let id = try context.parameters.require("id")
        try await store.dismiss(id, reason: input.reason, by: principal)
        return try APIBody.response(ConcernDTO(try await store.find(id, by: principal)))
    }
}

/// `POST /concerns/{id}/dismiss`.
struct ConcernDismissInput: APIInput {
    var reason: String?
    static let members = ["reason"]
}

struct ConcernSummaryDTO: Encodable {
    var id: String
    var pseudonym: String
    var raisedAt: String
    var reportCount: Int
    var organisationCount: Int

    init(_ pending: ConcernStore.Pending) {
        id = pending.id.api
        pseudonym = pending.pseudonym
        raisedAt = APIDates.write(pending.raisedAt)
        reportCount = pending.reportCount
        organisationCount = pending.organisationCount
    }
}

/// One item: the person by pseudonym, the organisations by id, the linked reports the caller may
/// read (reference, date, category) and how many others there are.
struct ConcernDTO: Encodable {
    struct ReportFact: Encodable {
        var reference: String
        var occurredAt: String
        var categoryId: String
    }

    var id: String
    var pseudonym: String
    var status: String
    var trigger: String
    @Nullable var districtId: String?
    var organisationIds: [String]
    var reports: [ReportFact]
    var hiddenReportCount: Int
    var raisedAt: String
    @Nullable var decidedBy: String?
    @Nullable var decidedAt: String?
    @Nullable var dismissalReason: String?
    @Nullable var caseReference: String?

    init(_ page: ConcernStore.Page) {
        let item = page.item
        id = item.id!.api
        pseudonym = page.pseudonym
        status = item.status
        trigger = item.trigger
        districtId = item.districtID.api
        organisationIds = item.organisations.map(\.api)
        reports = page.reports.map { ReportFact(reference: $0.reference, occurredAt: APIDates.write($0.occurredAt), categoryId: $0.categoryID.api) }
        hiddenReportCount = page.hiddenReports
        raisedAt = APIDates.write(item.raisedAt)
        decidedBy = item.decidedBy.api
        decidedAt = item.decidedAt.map(APIDates.write)
        dismissalReason = page.dismissalReason
        caseReference = page.caseReference
    }
}
