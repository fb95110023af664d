import Foundation
import Hummingbird

/// The page of one case action for whoever must do it: `/cases/:case/actions/:action`. Those who
/// read the case go to the action on the case page; the action's doer who takes no part in the case
/// (the person named, or their organisation) sees the action and the case's reference only, and
/// completes or cancels it here. Mijn werk and the notices link to this page.
extension CaseRoutes {
    func addAssignedAction(to router: Router<AppRequestContext>) {
        router.get("/cases/:case/actions/:action", use: assignedAction)
    }

    func assignedAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let reference = try context.parameters.require("case").uppercased()
        guard let id = UUID(uuidString: try context.parameters.require("action")) else { throw AppError.notFound }
        let access = try await store.access(reference: reference, by: principal)
        if access?.readsContent == true { return .redirect(to: "/cases/\(reference)#action-\(id.uuidString)") }
        do {
            return try await renderAssigned(id, reference: reference, issues: [], form: FormFields(), request: request, context: context)
                .response(from: request, context: context)
        } catch AppError.notFound where access != nil {
            // The district coordinator (an escalation notice links here): the case's facts, its actions among them.
            return .redirect(to: "/cases/\(reference)#action-\(id.uuidString)")
        }
    }

    /// Completing or cancelling by the doer outside the case: back to this page, or its form again with the message.
    func closeAssignedAction(_ id: UUID, _ closing: ActionStore.Closing, request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let reference = try context.parameters.require("case").uppercased()
        let prefix = "action_\(id.uuidString)_"
        return try await FormSubmission.save(request, context) {
            do {
                try await store.closeAssignedAction(id, closing, reference: reference, by: principal)
            } catch AppError.conflict {
                throw AppError.invalid([FieldIssue("page", "not_allowed")])
            }
            return "/cases/\(reference)/actions/\(id.uuidString)"
        } orShow: { issues in
            let renamed = issues.map { FieldIssue(["result": prefix + "result", "reason": prefix + "cancel_reason"][$0.name] ?? $0.name, $0.code) }
            return try await renderAssigned(id, reference: reference, issues: renamed, form: context.form, request: request, context: context)
        }
    }

    private func renderAssigned(_ id: UUID, reference: String, issues: [FieldIssue], form: FormFields, request: Request,
                                context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let (file, action) = try await store.assignedAction(id, reference: reference, by: principal)
        let locale = views.locales[context.language]
        var presenter = ReportPresenter(catalog: try await catalog.catalog(), names: try await catalog.names([action.assigneeID]),
                                        locale: locale, language: context.language)
        presenter.calendar = try await routing.calendar()
        let errors = ViewHelpers.errors(issues, locale)
        // The doer reads their own action's result and closes it (`ActionStore.mayClose`), nothing else of the case.
        let row = ActionViews(presenter: presenter, people: []).row(action, subject: ActionSubject(file), base: "/cases/\(file.reference)",
                                                                    principal: principal, form: form, errors: errors)
        let data: [String: Any] = ["reference": file.reference, "action": row, "errors": errors]
        return try views.page("cases/action", title: (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + action.title,
                              request: request, context: context, data: data, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
