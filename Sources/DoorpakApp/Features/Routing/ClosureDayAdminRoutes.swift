import Foundation
import Hummingbird

/// Administration of closure days: list, add, remove. Removing is allowed: a closure day is a
/// planning fact, not a record; deadlines already set on reports stay as they were.
struct ClosureDayAdminRoutes {
    let store: RoutingStore
    let pages: AdminPages

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("/closure-days", use: list)
        group.get("/closure-days/new", use: newForm)
        group.post("/closure-days", use: create)
        group.post("/closure-days/:id/delete", use: remove)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let locale = pages.views.locales[context.language]
        let rows: [[AdminPages.Cell]] = try await store.closureDays().map { day in
            let date = Formats.date(day.date, context.language)
            return [.text(date), .text(day.description),
                    .button(locale.text("closure_days.remove"), action: "/admin/closure-days/\(day.id!.uuidString)/delete",
                            hidden: "\(date) \(day.description)")]
        }
        return try pages.list(request, context: context, heading: locale.text("closure_days.title"),
                              columns: [.init(label: locale.text("closure_days.date")),
                                        .init(label: locale.text("closure_days.description")),
                                        .init(label: locale.text("closure_days.actions"), hidden: true)],
                              rows: rows, newHref: "/admin/closure-days/new", newLabel: locale.text("closure_days.new"),
                              intro: locale.text("closure_days.intro"))
    }

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try render(request, context: context, values: FormFields(), issues: [])
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try await FormSubmission.save(request, context) {
            _ = try await store.addClosureDay(ClosureDayDraft(date: context.form["date"], description: context.form["description"]),
                                              by: principal)
            return "/admin/closure-days?saved=1"
        } orShow: { issues in
            try render(request, context: context, values: context.form, issues: issues)
        }
    }

    func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.removeClosureDay(AdminPages.id(context), by: context.principal())
        return .redirect(to: "/admin/closure-days?saved=1")
    }

    private func render(_ request: Request, context: AppRequestContext, values: FormFields, issues: [FieldIssue]) throws -> HTML {
        let locale = pages.views.locales[context.language]
        let form = AdminForm(fields: [
            AdminField("date", label: locale.text("closure_days.date"), required: true, .date),
            AdminField("description", label: locale.text("closure_days.description"), required: true, .text()),
        ], values: values, issues: issues, locale: locale)
        return try pages.form(request, context: context, heading: locale.text("closure_days.new"), form: form,
                              action: "/admin/closure-days", submit: locale.text("form.save"),
                              back: ("/admin/closure-days", locale.text("closure_days.title")), intro: locale.text("closure_days.hint"))
    }
}
