import Foundation
import Hummingbird

/// The case page's answers to a direction proposal beyond accepting it (declining, with a reason),
/// the page of the one asked who has no part in the case yet, and adding a person to the case.
extension CaseRoutes {
    /// The page of the one asked to take over the direction who has no part in the case yet.
    func renderProposed(_ reference: String, issues: [FieldIssue] = [], form: FormFields = FormFields(), status: HTTPResponse.Status = .ok,
                                request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let (file, reason) = try await store.proposal(reference: reference, by: principal)
        let locale = locale(context)
        let names = try await catalog.names([file.directorID])
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = ["reference": file.reference, "phase": locale.text("cases.phases.\(file.phase)"),
                                   "director": names[file.directorID] ?? "–", "opened": Formats.date(file.openedAt, context.language),
                                   "openingReason": try store.reasons(of: file).opening, "errors": errors, "declineReason": form.raw("decline_reason")]
        if let reason, !reason.isEmpty { data["handoverReason"] = reason }
        if let due = try await store.openDirectionProposals(for: principal).first(where: { $0.caseReference == file.reference })?.answerDueAt {
            data["answerDue"] = Formats.dateTime(due, context.language)
        }
        if !errors.isEmpty {
            data["hasErrors"] = true
            data["errorSummary"] = errors.map { ["field": $0.key, "label": locale.text("cases.\($0.key)"), "message": $0.value] }
        }
        return try views.page("cases/proposed", title: (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + file.reference,
                              request: request, context: context, data: data, status: status)
    }

    /// The one asked declines the direction, with a reason; errors show in place (on whichever page they see).
    func declineDirection(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let file = try await store.findProposed(reference: context.parameters.require("case"), by: principal)
        do {
            try await store.declineDirection(file, reason: context.form["decline_reason"], by: principal)
        } catch AppError.invalid(let issues) {
            let html: HTML
            if let access = try await store.access(to: file, by: principal) {
                html = try await render(file, access: access, issues: issues, form: context.form, status: .unprocessableContent, request: request, context: context)
            } else {
                html = try await renderProposed(file.reference, issues: issues, form: context.form, status: .unprocessableContent, request: request, context: context)
            }
            return try html.response(from: request, context: context)
        }
        // Without a part in the case they no longer reach it.
        return .redirect(to: try await store.access(to: file, by: principal) == nil ? "/cases" : "/cases/\(file.reference)")
    }

    /// The director adds a person (by pseudonym) to the open case.
    func addPerson(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "case-facts", conflictField: "person") { file, access, principal in
            try await store.addPerson(pseudonym: context.form["person"], to: file, access: access, by: principal)
        }
    }
}
