import Foundation
import Hummingbird

/// `/admin/escalation`: per urgency, when the ladder's rungs are reached. One form per urgency,
/// so a mistake in one row keeps the others as they are.
struct EscalationAdminRoutes {
    let store: EscalationStore
    let views: Views

    static let fields = ["reminder_hours", "team_lead_days", "manager_days", "coordinator_days", "breakthrough_days", "board_days",
                         "handover_answer_days"]

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/escalation") { request, context in try await render(request, context, failed: nil) }
        group.post("/escalation/:urgency", use: save)
    }

    func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard let urgency = Urgency(code: try context.parameters.require("urgency")) else { throw AppError.notFound }
        let form = context.form
        return try await FormSubmission.save(request, context) {
            var values: [Int] = []
            var issues: [FieldIssue] = []
            for field in Self.fields {
                if let value = Int(form.raw(field).trimmingCharacters(in: .whitespaces)), (0...365).contains(value) { values.append(value) }
                else { issues.append(FieldIssue(field, "out_of_range")) }
            }
            guard issues.isEmpty else { throw AppError.invalid(issues) }
            let timing = EscalationTiming(reminderHours: values[0], teamLeadDays: values[1], managerDays: values[2], coordinatorDays: values[3],
                                          breakthroughDays: values[4], boardDays: values[5], handoverAnswerDays: values[6])
            try await store.setTiming(timing, for: urgency, by: principal)
            return "/admin/escalation?saved=\(urgency.code)"
        } orShow: { issues in
            try await render(request, context, failed: (urgency, form, issues))
        }
    }

    private func render(_ request: Request, _ context: AppRequestContext,
                        failed: (urgency: Urgency, form: FormFields, issues: [FieldIssue])?) async throws -> HTML {
        let locale = views.locales[context.language]
        let timings = try await store.timings()
        let rows: [[String: Any]] = Urgency.allCases.reversed().map { urgency in
            let timing = timings[urgency] ?? .defaults(urgency)
            let stored = [timing.reminderHours, timing.teamLeadDays, timing.managerDays, timing.coordinatorDays, timing.breakthroughDays,
                          timing.boardDays, timing.handoverAnswerDays]
            let mine = failed?.urgency == urgency ? failed : nil
            let errors = mine.map { ViewHelpers.errors($0.issues, locale) } ?? [:]
            var row: [String: Any] = [
                "code": urgency.code, "label": locale.text("urgency.\(urgency.code)"),
                "inputs": Self.fields.enumerated().map { index, field -> [String: Any] in
                    var input: [String: Any] = ["name": field, "id": "\(urgency.code)-\(field)", "label": locale.text("escalation_admin.\(field)"),
                                                "value": mine.map { $0.form.raw(field) } ?? String(stored[index])]
                    if let error = errors[field] { input["error"] = error }
                    return input
                },
            ]
            if let error = errors["timing"] { row["error"] = error }
            if request.uri.queryParameters.get("saved") == urgency.code { row["saved"] = true }
            return row
        }
        return try views.page("admin/escalation", title: locale.text("escalation_admin.title"), request: request, context: context,
                              data: ["rows": rows], status: failed == nil ? .ok : .unprocessableContent)
    }
}
