import Foundation
import Hummingbird

/// `GET /api/v1/break-glass` and `POST /api/v1/break-glass/{id}/review`: the privacy officer's
/// review list of emergency access, for privacy officers and administrators (404 for anyone else).
struct BreakGlassAPI {
    let store: BreakGlassStore
    let catalog: CatalogStore

    func add(to router: Router<AppRequestContext>, locales: Locales) {
        let api = router.group(RouterPath(APIInfo.basePath)).add(middleware: APIMiddleware(locales: locales))
        api.get("/break-glass", use: list)
        api.post("/break-glass/:id/review", use: review)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let grants = try await store.list(by: principal)
        let names = try await catalog.names(grants.flatMap { [$0.userID, $0.reviewedBy] })
        let now = store.now()
        return try APIBody.response(BreakGlassListDTO(items: grants.map { BreakGlassGrantDTO($0, names: names, now: now) }))
    }

    func review(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let input = try await APIBody.decode(BreakGlassReviewInput.self, from: request)
        let grant = try await store.review(id: id, note: input.note, by: principal)
        let names = try await catalog.names([grant.userID, grant.reviewedBy])
        return try APIBody.response(BreakGlassGrantDTO(grant, names: names, now: store.now()))
    }
}

struct BreakGlassReviewInput: APIInput {
    var note: String?
    static let members = ["note"]
}

struct BreakGlassListDTO: Encodable {
    var items: [BreakGlassGrantDTO]
}

/// One grant of emergency access and its review.
struct BreakGlassGrantDTO: Encodable {
    let id: String
    let userId: String
    @Nullable var userName: String?
    let role: String
    let recordType: String
    let recordId: String
    let reason: String
    let grantedAt: String
    let expiresAt: String
    let active: Bool
    @Nullable var reviewedAt: String?
    @Nullable var reviewedBy: String?
    @Nullable var reviewNote: String?

    init(_ grant: BreakGlassGrant, names: [UUID: String], now: Date) {
        id = grant.id!.uuidString.lowercased()
        userId = grant.userID.uuidString.lowercased()
        userName = names[grant.userID]
        role = grant.role
        recordType = grant.recordType
        recordId = grant.recordID
        reason = grant.reason
        grantedAt = Formats.iso8601(grant.grantedAt)
        expiresAt = Formats.iso8601(grant.expiresAt)
        active = grant.expiresAt > now
        reviewedAt = grant.reviewedAt.map(Formats.iso8601)
        reviewedBy = grant.reviewedBy.map { $0.uuidString.lowercased() }
        reviewNote = grant.reviewNote
    }
}
