import Foundation
import Hummingbird

/// The follow-through forms on a report's page: pick up, hand over (and answer), actions.
/// Every route finds the report within the user's scope first; errors re-render the page with the
/// message beside the field and everything typed kept.
extension ReportRoutes {
    func addFollowThrough(to router: Router<AppRequestContext>) {
        router.post("/reports/:reference/pickup", use: pickUp)
        router.post("/reports/:reference/handovers", use: requestHandover)
        for answer in ["accept", "decline", "withdraw"] {
            router.post("/reports/:reference/handovers/:id/\(answer)") { request, context in
                try await answerHandover(request, context: context, answer: HandoverRules.Answer(rawValue: answer)!)
            }
        }
        router.post("/reports/:reference/actions", use: addAction)
        router.post("/reports/:reference/actions/:id/complete") { request, context in
            try await closeAction(request, context: context) { .done(result: $0.raw("result")) }
        }
        router.post("/reports/:reference/actions/:id/cancel") { request, context in
            try await closeAction(request, context: context) { .cancelled(reason: $0.raw("cancel_reason")) }
        }
    }

    func pickUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        try await store.pickUp(report, by: principal)
        return .redirect(to: "/reports/\(report.reference)#history")
    }

    func requestHandover(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let form = context.form
        return try await save(report, request, context, rename: ["reason": "handover_reason", "organisation": "handover_organisation",
                                                                  "person": "handover_person"]) {
            _ = try await handovers.request(.init(organisation: form["handover_organisation"], person: form["handover_person"],
                                                  reason: form.raw("handover_reason")), for: report, by: principal)
            return "/reports/\(report.reference)#handover"
        }
    }

    func answerHandover(_ request: Request, context: AppRequestContext, answer: HandoverRules.Answer) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let handover = try await handovers.find(id)
        guard handover.subject == .report, handover.subjectID == report.id else { throw AppError.notFound }
        return try await save(report, request, context, rename: ["reason": "answer_reason"]) {
            try await handovers.answer(handover, answer, reason: context.form.raw("answer_reason"), report: report, by: principal)
            return "/reports/\(report.reference)#handover"
        }
    }

    func addAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        try await store.requireMayAddAction(report, by: principal)
        let form = context.form
        let draft = ActionForm.draft(form)
        return try await save(report, request, context, rename: ActionForm.rename()) {
            _ = try await actions.add(draft, to: ActionSubject(report), by: principal)
            return "/reports/\(report.reference)#actions"
        }
    }

    func closeAction(_ request: Request, context: AppRequestContext, closing: (FormFields) -> ActionStore.Closing) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let action = try await actions.find(id)
        guard action.subject == .report, action.subjectID == report.id else { throw AppError.notFound }
        let closing = closing(context.form)
        let prefix = "action_\(id.uuidString)_"
        return try await save(report, request, context, rename: ["result": prefix + "result", "reason": prefix + "cancel_reason"]) {
            try await actions.close(action, closing, subject: ActionSubject(report), by: principal)
            return "/reports/\(report.reference)#actions"
        }
    }

    /// Runs a write; a refused one shows the report page again with the problems under the form's
    /// own field names (several forms on one page), a state conflict as a message on the page.
    private func save(_ report: Report, _ request: Request, _ context: AppRequestContext, rename: [String: String],
                      _ write: () async throws -> String) async throws -> Response {
        do {
            return .redirect(to: try await write())
        } catch AppError.invalid(let issues) {
            let renamed = issues.map { FieldIssue(rename[$0.name] ?? $0.name, $0.code) }
            return try await renderDetail(report, request: request, context: context, issues: renamed, form: context.form,
                                          status: .unprocessableContent).response(from: request, context: context)
        } catch AppError.conflict {
            return try await renderDetail(report, request: request, context: context, issues: [FieldIssue("page", "conflict")],
                                          form: context.form, status: .conflict).response(from: request, context: context)
        }
    }
}
