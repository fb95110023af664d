import Foundation
import Hummingbird

/// `GET /api/v1/audit`: the access log with the audit page's filters and cursor paging, for
/// privacy officers and administrators (404 for anyone else). Calls the same store as the page,
/// so reading the log through the API is logged too.
struct AuditAPI {
    let store: AuditStore

    /// Registers under its own `/api/v1` group with the shared API middleware.
    func add(to router: Router<AppRequestContext>, locales: Locales) {
        let api = router.group(RouterPath(APIInfo.basePath)).add(middleware: APIMiddleware(locales: locales))
        api.get("/audit", use: list)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        let parameters = request.uri.queryParameters
        let value: (String) -> String? = { name in parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        let (filter, parsedIssues) = AuditFilter.parse(value)
        var issues = parsedIssues
        var limit = AuditStore.defaultPageSize
        if let raw = value("limit") {
            if let number = Int(raw), (1...AuditStore.maxPageSize).contains(number) { limit = number } else { issues.append(FieldIssue("limit", "out_of_range")) }
        }
        var cursor: AuditCursor?
        if let raw = value("cursor") {
            if let parsed = AuditCursor(encoded: raw) { cursor = parsed } else { issues.append(FieldIssue("cursor", "invalid")) }
        }
        guard issues.isEmpty else { throw APIQueryError(issues: issues) }
        let page = try await store.list(filter, after: cursor, limit: limit, by: principal)
        let names = try await store.names(of: page.entries)
        var headers: HTTPFields = [:]
        if let next = page.next {
            let items = filter.queryItems + (limit == AuditStore.defaultPageSize ? [] : [("limit", "\(limit)")]) + [("cursor", next.encoded)]
            headers[.init("Link")!] = "<\(ViewHelpers.url("\(APIInfo.basePath)/audit", items))>; rel=\"next\""
        }
        let items = page.entries.map { AuditEntryDTO($0, userName: $0.userID.flatMap { names[$0] }) }
        return try APIBody.response(AuditPageDTO(items: items, next: page.next?.encoded), headers: headers)
    }
}

struct AuditPageDTO: Encodable {
    var items: [AuditEntryDTO]
    @Nullable var next: String?
}

/// One entry of the access log, with its place in the hash chain.
struct AuditEntryDTO: Encodable {
    let seq: Int
    let at: String
    @Nullable var userId: String?
    @Nullable var userName: String?
    @Nullable var role: String?
    let action: String
    let recordType: String
    @Nullable var recordId: String?
    @Nullable var purpose: String?
    let prevHash: String
    let hash: String

    init(_ entry: AuditEntry, userName: String?) {
        seq = entry.seq ?? 0
        at = APIDates.write(entry.at)
        userId = entry.userID.api
        self.userName = userName
        role = entry.role
        action = entry.action
        recordType = entry.recordType
        recordId = entry.recordID
        purpose = entry.purpose
        prevHash = entry.prevHash ?? ""
        hash = entry.hash ?? ""
    }
}
