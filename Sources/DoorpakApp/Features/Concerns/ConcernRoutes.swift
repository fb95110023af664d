import Foundation
import Hummingbird

/// The district coordinator's "consider a case" page: the pseudonym, the organisations involved,
/// the linked reports they may read (facts only), and the decision: open a case, or dismiss with
/// a reason. Anyone else gets 404.
struct ConcernRoutes {
    let store: ConcernStore
    let catalog: CatalogStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/concerns/:id", use: show)
        router.post("/concerns/:id/open-case", use: openCase)
        router.post("/concerns/:id/dismiss", use: dismiss)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let page = try await store.find(context.parameters.require("id"), by: context.principal())
        return try await render(page, reason: "", issues: [], request: request, context: context)
    }

    func openCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let file = try await store.openCase(context.parameters.require("id"), by: context.principal())
        return .redirect(to: "/cases/\(file.reference)")
    }

    func dismiss(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let id = try context.parameters.require("id")
        let form = context.form
        return try await FormSubmission.save(request, context) {
            try await store.dismiss(id, reason: form.raw("reason"), by: principal)
            return "/concerns/\(id)"
        } orShow: { issues in
            try await render(try await store.find(id, by: principal), reason: form.raw("reason"), issues: issues, request: request, context: context)
        }
    }

    private func render(_ page: ConcernStore.Page, reason: String, issues: [FieldIssue], request: Request,
                        context: AppRequestContext) async throws -> HTML {
        let catalog = try await self.catalog.catalog()
        let locale = views.locales[context.language]
        let language = context.language
        let item = page.item
        let names = try await self.catalog.names([item.decidedBy])
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = [
            "id": item.id!.uuidString.lowercased(),
            "pseudonym": page.pseudonym,
            "personHref": "/persons/\(page.pseudonym)",
            "raised": Formats.dateTime(item.raisedAt, language),
            "trigger": locale.text("concerns.trigger.\(item.trigger)"),
            "status": locale.text("concerns.status.\(item.status)"),
            "organisations": item.organisations.map { catalog.organisation($0)?.name ?? "—" },
            "reports": page.reports.map { report -> [String: Any] in
                ["reference": report.reference, "href": "/reports/\(report.reference)", "occurred": Formats.date(report.occurredAt, language),
                 "category": catalog.category(report.categoryID)?.name(language) ?? "—"]
            },
            "reason": reason, "errors": errors,
        ]
        if page.hiddenReports > 0 { data["hidden"] = locale.text("concerns.hidden_reports", ["count": "\(page.hiddenReports)"]) }
        if item.concernStatus == .open { data["isOpen"] = true }
        if let decidedAt = item.decidedAt {
            data["decided"] = ["by": item.decidedBy.flatMap { names[$0] } ?? "—", "at": Formats.dateTime(decidedAt, language)]
        }
        if let reference = page.caseReference { data["caseReference"] = reference; data["caseHref"] = "/cases/\(reference)" }
        if let reason = page.dismissalReason { data["dismissalReason"] = reason }
        if !errors.isEmpty {
            data["hasErrors"] = true
            data["errorSummary"] = errors.map { ["field": $0.key, "label": locale.text("concerns.fields.\($0.key)"), "message": $0.value] }
        }
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("concerns.title", ["pseudonym": page.pseudonym])
        return try views.page("concerns/show", title: title, request: request, context: context, data: data,
                              status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
