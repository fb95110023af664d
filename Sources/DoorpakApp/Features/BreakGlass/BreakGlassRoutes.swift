import Foundation
import Hummingbird

/// Break-the-glass on the web: the request form for a report or a person outside scope (offered
/// from its 404 page) and the privacy officer's review page.
struct BreakGlassRoutes {
    let store: BreakGlassStore
    let catalog: CatalogStore
    let views: Views
    var recentWindow: Duration = AuthPolicy().recentAuthentication

    func add(to router: Router<AppRequestContext>) {
        router.get("/break-glass/reports/:reference", use: form)
        router.post("/break-glass/reports/:reference", use: request)
        router.get("/break-glass/persons/:pseudonym", use: personForm)
        router.post("/break-glass/persons/:pseudonym", use: personRequest)
        router.get("/audit/break-glass", use: list)
        router.post("/audit/break-glass/:id/review", use: review)
    }

    /// What the request is for: a report by reference or a person by pseudonym.
    enum Target {
        case report(String), person(String)

        var id: String { switch self { case .report(let id), .person(let id): id } }
        var path: String {
            switch self {
            case .report(let reference): "/break-glass/reports/\(reference)"
            case .person(let pseudonym): "/break-glass/persons/\(pseudonym)"
            }
        }
        var recordPath: String {
            switch self {
            case .report(let reference): "/reports/\(reference)"
            case .person(let pseudonym): "/persons/\(pseudonym)"
            }
        }
        var cancelPath: String { if case .report = self { "/reports" } else { "/persons" } }
        var kind: String { if case .report = self { "report" } else { "person" } }
    }

    // MARK: Asking

    /// The form is shown for any well-formed reference (it never tells whether the report exists),
    /// to users with record access only, after a recent sign-in.
    func form(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await show(.report(try Self.reference(context)), request: request, context: context)
    }

    func request(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await ask(.report(try Self.reference(context)), request: request, context: context)
    }

    /// The same for a person: any well-formed pseudonym, existing or not.
    func personForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await show(.person(try Self.pseudonym(context)), request: request, context: context)
    }

    func personRequest(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await ask(.person(try Self.pseudonym(context)), request: request, context: context)
    }

    private func show(_ target: Target, request: Request, context: AppRequestContext) async throws -> HTML {
        try context.requireRecentAuthentication(request, within: recentWindow)
        return try render(target, form: FormFields(), issues: [], request: request, context: context)
    }

    private func ask(_ target: Target, request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireRecentAuthentication(request, within: recentWindow, returnTo: target.path)
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            let reason = context.form.raw("reason")
            switch target {
            case .report(let reference): _ = try await store.grantReport(reference: reference, reason: reason, by: principal)
            case .person(let pseudonym): _ = try await store.grantPerson(pseudonym: pseudonym, reason: reason, by: principal)
            }
            return target.recordPath
        } orShow: { issues in
            try render(target, form: context.form, issues: issues, request: request, context: context)
        }
    }

    private static func reference(_ context: AppRequestContext) throws -> String {
        let principal = try context.principal()
        let reference = try context.parameters.require("reference").uppercased()
        guard principal.reportScope != .none, BreakGlassStore.isReportReference(reference) else { throw AppError.notFound }
        return reference
    }

    private static func pseudonym(_ context: AppRequestContext) throws -> String {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym").uppercased()
        guard principal.reportScope != .none, Pseudonym.isValid(pseudonym) else { throw AppError.notFound }
        return pseudonym
    }

    private func render(_ target: Target, form: FormFields, issues: [FieldIssue], request: Request,
                        context: AppRequestContext) throws -> HTML {
        let locale = views.locales[context.language]
        let errors = ViewHelpers.errors(issues, locale)
        let minutes = Int(store.duration / 60)
        let data: [String: Any] = [
            "reference": target.id,
            "action": target.path,
            "cancelHref": target.cancelPath,
            "heading": locale.text("breakglass.request_heading_\(target.kind)"),
            "intro": locale.text("breakglass.request_intro", ["minutes": "\(minutes)"]),
            "reason": form.raw("reason"),
            "minReason": BreakGlassStore.minReasonLength,
            "maxReason": BreakGlassStore.maxReasonLength,
            "errors": errors,
            "hasErrors": !errors.isEmpty,
            "errorSummary": errors["reason"].map { [["field": "reason", "label": locale.text("breakglass.reason"), "message": $0]] } ?? [],
        ]
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix"))
            + locale.text("breakglass.request_title_\(target.kind)", ["reference": target.id])
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
        let names = try await catalog.names(grants.flatMap { [$0.userID, $0.reviewedBy] })
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
            "minutes": Int(store.duration / 60),
            "maxNote": BreakGlassStore.maxNoteLength,
        ]
        return try views.page("breakglass/review", title: locale.text("breakglass.review_title"), request: request, context: context,
                              data: data, status: failed == nil ? .ok : .unprocessableContent)
    }
}
