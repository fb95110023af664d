import Foundation
import Hummingbird

/// Break-the-glass on the web: the request form for a report outside scope (offered from its 404
/// page) and the privacy officer's review page.
struct BreakGlassRoutes {
    let store: BreakGlassStore
    let views: Views
    var recentWindow: Duration = AuthPolicy().recentAuthentication

    func add(to router: Router<AppRequestContext>) {
        router.get("/break-glass/reports/:reference", use: form)
        router.post("/break-glass/reports/:reference", use: request)
        router.get("/audit/break-glass", use: list)
        router.post("/audit/break-glass/:id/review", use: review)
    }

    // MARK: Asking

    /// The form is shown for any well-formed reference (it never tells whether the report exists),
    /// to users with record access only, after a recent sign-in.
    func form(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let reference = try Self.reference(context)
        try context.requireRecentAuthentication(request, within: recentWindow)
        return try render(reference, form: FormFields(), issues: [], request: request, context: context)
    }

    func request(_ request: Request, context: AppRequestContext) async throws -> Response {
        let reference = try Self.reference(context)
        try context.requireRecentAuthentication(request, within: recentWindow, returnTo: "/break-glass/reports/\(reference)")
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            let grant = try await store.grantReport(reference: reference, reason: context.form.raw("reason"), by: principal)
            return "/reports/\(grant.recordID)"
        } orShow: { issues in
            try render(reference, form: context.form, issues: issues, request: request, context: context)
        }
    }

    private static func reference(_ context: AppRequestContext) throws -> String {
        let principal = try context.principal()
        let reference = try context.parameters.require("reference").uppercased()
        guard principal.reportScope != .none, BreakGlassStore.isReportReference(reference) else { throw AppError.notFound }
        return reference
    }

    private func render(_ reference: String, form: FormFields, issues: [FieldIssue], request: Request,
                        context: AppRequestContext) throws -> HTML {
        let locale = views.locales[context.language]
        let errors = ViewHelpers.errors(issues, locale)
        let minutes = Int(BreakGlassStore.duration / 60)
        let data: [String: Any] = [
            "reference": reference,
            "intro": locale.text("breakglass.request_intro", ["minutes": "\(minutes)"]),
            "reason": form.raw("reason"),
            "minReason": BreakGlassStore.minReasonLength,
            "maxReason": BreakGlassStore.maxReasonLength,
            "errors": errors,
            "hasErrors": !errors.isEmpty,
            "errorSummary": errors["reason"].map { [["field": "reason", "label": locale.text("breakglass.reason"), "message": $0]] } ?? [],
        ]
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("breakglass.request_title", ["reference": reference])
        return try views.page("breakglass/request", title: title, request: request, context: context, data: data,
                              status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: Review

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await renderList(request: request, context: context)
    }

    func review(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        do {
            try await store.review(id: id, note: context.form.raw("note"), by: principal)
        } catch AppError.invalid(let issues) {
            return try await renderList(request: request, context: context, failed: (id, issues)).response(from: request, context: context)
        }
        return .redirect(to: "/audit/break-glass#grant-\(id.uuidString.lowercased())")
    }

    private func renderList(request: Request, context: AppRequestContext, failed: (UUID, [FieldIssue])? = nil) async throws -> HTML {
        let principal = try context.principal()
        let grants = try await store.list(by: principal)
        let names = try await UserNames.load(grants.flatMap { [$0.userID, $0.reviewedBy] }, on: store.database.db())
        let locale = views.locales[context.language]
        let language = context.language
        let now = store.now()
        let rows: [[String: Any]] = grants.map { grant in
            let id = grant.id!.uuidString.lowercased()
            var row: [String: Any] = [
                "id": id,
                "user": names[grant.userID] ?? grant.userID.uuidString.lowercased(),
                "role": locale.text("roles.\(grant.role)"),
                "recordType": locale.text("audit.record_types.\(grant.recordType)"),
                "recordID": grant.recordID,
                "recordHref": ViewHelpers.url("/audit", [("recordType", grant.recordType), ("recordId", grant.recordID)]),
                "reason": grant.reason,
                "from": Formats.dateTime(grant.grantedAt, language), "fromISO": Formats.iso8601(grant.grantedAt),
                "until": Formats.dateTime(grant.expiresAt, language), "untilISO": Formats.iso8601(grant.expiresAt),
                "state": locale.text(grant.expiresAt > now ? "breakglass.active" : "breakglass.expired"),
            ]
            if let reviewed = grant.reviewedAt {
                row["reviewed"] = [
                    "at": Formats.dateTime(reviewed, language), "iso": Formats.iso8601(reviewed),
                    "by": grant.reviewedBy.flatMap { names[$0] } ?? "",
                ] as [String: Any]
                if let note = grant.reviewNote { row["reviewNote"] = note }
            } else {
                var open: [String: Any] = ["grant": id]
                if let (failedID, issues) = failed, failedID == grant.id {
                    let errors = ViewHelpers.errors(issues, locale)
                    if let message = errors["note"] { open["error"] = message }
                    open["note"] = context.form.raw("note")
                }
                row["open"] = open
            }
            return row
        }
        let data: [String: Any] = [
            "rows": rows,
            "empty": rows.isEmpty,
            "minutes": Int(BreakGlassStore.duration / 60),
            "maxNote": BreakGlassStore.maxNoteLength,
        ]
        return try views.page("breakglass/review", title: locale.text("breakglass.review_title"), request: request, context: context,
                              data: data, status: failed == nil ? .ok : .unprocessableContent)
    }
}
