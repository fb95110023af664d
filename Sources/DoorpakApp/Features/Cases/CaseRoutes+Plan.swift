import Foundation
import Hummingbird

/// The case page's forms for the plan (goals), actions, factors, linked reports, and a cooling-off
/// placement requested from the case. Each finds the case within the user's reach first (else
/// 404); a refused form shows the case page again with the message beside its field (422).
extension CaseRoutes {
    func addPlan(to router: Router<AppRequestContext>) {
        router.get("/cases/factors", use: factorOverview)
        router.post("/cases/:case/goals", use: addGoal)
        router.post("/cases/:case/goals/:goal", use: closeGoal)
        router.post("/cases/:case/factors", use: recordFactors)
        router.post("/cases/:case/actions", use: addAction)
        router.post("/cases/:case/actions/:action/complete") { request, context in
            try await closeAction(request, context: context) { .done(result: $0.raw("result")) }
        }
        router.post("/cases/:case/actions/:action/cancel") { request, context in
            try await closeAction(request, context: context) { .cancelled(reason: $0.raw("cancel_reason")) }
        }
        router.post("/cases/:case/reports", use: linkReports)
        router.get("/cases/:case/placements/new", use: placementForm)
        router.post("/cases/:case/placements", use: requestPlacement)
    }

    /// Per factor, in how many cases it is present and recorded, for policy staff (analysts,
    /// coordinators over their districts, administrators); small counts are suppressed.
    func factorOverview(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let counts = try await store.factorCounts(by: try context.principal())
        let locale = views.locales[context.language]
        let suppressed = locale.text("cases.factor_overview.suppressed")
        let rows = CaseFactor.allCases.map { factor -> [String: Any] in
            let count = counts[factor] ?? (SuppressedCount(0), SuppressedCount(0))
            return ["label": locale.text("cases.factor_codes.\(factor.rawValue)"), "code": factor.rawValue,
                    "present": count.present.shown.map(String.init) ?? suppressed,
                    "recorded": count.recorded.shown.map(String.init) ?? suppressed]
        }
        return try views.page("cases/factors", title: locale.text("cases.factor_overview.title"), request: request, context: context,
                              data: ["rows": rows, "minimum": SuppressedCount.smallestShown])
    }

    func addGoal(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "plan") { file, access, principal in
            _ = try await store.addGoal(domain: context.form["goal_domain"], text: context.form.raw("goal_text"), to: file, access: access, by: principal)
        }
    }

    func closeGoal(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = UUID(uuidString: try context.parameters.require("goal")) else { throw AppError.notFound }
        let prefix = "goal_\(id.uuidString)_"
        return try await change(request, context, anchor: "goal-\(id.uuidString)", rename: ["goal_status": prefix + "status", "goal_result": prefix + "result"],
                                conflictField: "page") { file, access, principal in
            try await store.closeGoal(id, status: context.form[prefix + "status"], result: context.form.raw(prefix + "result"), in: file,
                                      access: access, by: principal)
        }
    }

    func recordFactors(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "factors-heading", conflictField: "page") { file, access, principal in
            // Unticked boxes are not sent: only the form's own marker says "all others absent" (a garbled
            // post, e.g. invalid UTF-8, arrives without it and records nothing).
            try store.requireDirector(access)
            guard context.form["factors_form"] == "1" else { throw AppError.invalid([FieldIssue("factors", "required")]) }
            try await store.recordFactors(present: context.form.all("factors"), in: file, access: access, by: principal)
        }
    }

    func addAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form
        let draft = ActionForm.draft(form)
        return try await change(request, context, anchor: "actions-heading", rename: ActionForm.rename(), conflictField: "page") { file, access, principal in
            _ = try await store.addAction(draft, goal: form["action_goal"], to: file, access: access, by: principal)
        }
    }

    func closeAction(_ request: Request, context: AppRequestContext, closing: (FormFields) -> ActionStore.Closing) async throws -> Response {
        guard let id = UUID(uuidString: try context.parameters.require("action")) else { throw AppError.notFound }
        let prefix = "action_\(id.uuidString)_"
        let closing = closing(context.form)
        // The action's doer who takes no part in the case closes it from the action's own page.
        if try await !store.readsContent(reference: context.parameters.require("case"), by: try context.principal()) {
            return try await closeAssignedAction(id, closing, request: request, context: context)
        }
        return try await change(request, context, anchor: "action-\(id.uuidString)", rename: ["result": prefix + "result", "reason": prefix + "cancel_reason"],
                                conflictField: "page") { file, access, principal in
            try await store.closeAction(id, closing, in: file, access: access, by: principal)
        }
    }

    func linkReports(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "reports-heading", conflictField: "page") { file, access, principal in
            let references = context.form.raw("report_references").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
            try await store.linkReports(references, to: file, access: access, by: principal)
        }
    }

    // MARK: Cooling-off placement from the case

    private var coolingOff: CoolingOffRoutes {
        CoolingOffRoutes(store: placements, catalog: catalog, views: views)
    }

    /// The case and the person the placement is for (`?person=`, else the case's first person):
    /// for the director, administrators and members whose basis still holds, while the case is open.
    private func placementTarget(_ context: AppRequestContext, _ request: Request) async throws -> (file: CaseFile, pseudonym: String) {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        try await store.requireContentWriter(found.file, access: found.access, by: principal)
        guard found.file.casePhase != .closed else { throw AppError.notFound }
        let people = try await store.persons(of: found.file).map(\.pseudonym).sorted()
        let wanted = request.uri.queryParameters.get("person")?.uppercased()
        guard let pseudonym = wanted.map({ people.contains($0) ? $0 : "" }) ?? people.first, !pseudonym.isEmpty else { throw AppError.notFound }
        return (found.file, pseudonym)
    }

    func placementForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let (file, pseudonym) = try await placementTarget(context, request)
        let today = Date.now
        let form = FormFields(pairs: [("from", Formats.isoDay(today)), ("through", Formats.isoDay(PlacementDays.adding(14, to: today)))])
        return try await coolingOff.renderRequest(pseudonym, form: form, issues: [], request: request, context: context,
                                                  action: "/cases/\(file.reference)/placements?person=\(pseudonym)", cancelHref: "/cases/\(file.reference)")
    }

    func requestPlacement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let (file, pseudonym) = try await placementTarget(context, request)
        let form = context.form
        let routes = coolingOff
        return try await FormSubmission.save(request, context) {
            let draft = CoolingOffStore.RequestDraft(reason: form.raw("reason"), from: form["from"], through: form["through"],
                                                     guidanceOrganisation: form["guidance_organisation"], dwelling: form["dwelling"], caseID: file.id)
            let placement = try await store.requestPlacement(draft, for: pseudonym, in: file, by: principal)
            return "/cooling-off/placements/\(placement.id!.uuidString)"
        } orShow: { issues in
            try await routes.renderRequest(pseudonym, form: form, issues: issues, request: request, context: context,
                                           action: "/cases/\(file.reference)/placements?person=\(pseudonym)", cancelHref: "/cases/\(file.reference)")
        }
    }
}
