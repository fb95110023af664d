import Foundation
import Hummingbird

/// Person pages: search (with a reason), the person page with "who else is involved", editing,
/// and linking persons to a report from the report page.
struct PersonRoutes {
    let store: PersonStore
    let catalog: CatalogStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/persons", use: searchPage)
        router.post("/persons/search", use: search)
        router.get("/persons/:pseudonym", use: show)
        router.get("/persons/:pseudonym/edit", use: editForm)
        router.post("/persons/:pseudonym", use: update)
        router.get("/reports/:reference/persons/new", use: linkForm)
        router.post("/reports/:reference/persons", use: link)
        router.post("/reports/:reference/persons/:pseudonym/unlink", use: unlink)
    }

    private func presenter(_ context: AppRequestContext) async throws -> PersonPresenter {
        PersonPresenter(catalog: try await catalog.catalog(), locale: views.locales[context.language],
                        language: context.language)
    }

    // MARK: Search

    func searchPage(_ request: Request, context: AppRequestContext) async throws -> HTML {
        guard try context.principal().reportScope != .none else { throw AppError.notFound }
        return try await renderSearch(FormFields(), issues: [], results: nil, request: request, context: context)
    }

    func search(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let form = context.form
        do {
            let found = try await store.search(name: form.raw("name"), birthDate: form["birth_date"], reason: form.raw("reason"), by: principal)
            return try await renderSearch(form, issues: [], results: found, request: request, context: context)
        } catch AppError.invalid(let issues) {
            return try await renderSearch(form, issues: issues, results: nil, request: request, context: context, status: .unprocessableContent)
        }
    }

    private func renderSearch(_ form: FormFields, issues: [FieldIssue], results: [Person]?, request: Request, context: AppRequestContext,
                              status: HTTPResponse.Status = .ok) async throws -> HTML {
        let presenter = try await presenter(context)
        let locale = presenter.locale
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = [
            "name": form.raw("name"), "birth_date": form.raw("birth_date"), "reason": form.raw("reason"),
            "errors": errors, "errorSummary": PersonPresenter.summary(errors, locale),
        ]
        if !errors.isEmpty { data["hasErrors"] = true }
        if let results {
            data["searched"] = true
            data["results"] = results.map(presenter.detail)
            data["resultCount"] = locale.text("persons.result_count", ["count": "\(results.count)"])
            if results.isEmpty { data["noResults"] = true }
        }
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("persons.search_title")
        return try views.page("persons/search", title: title, request: request, context: context, data: data, status: status)
    }

    // MARK: One person

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let person = try await store.find(pseudonym: context.parameters.require("pseudonym"), by: principal)
        let presenter = try await presenter(context)
        let locale = presenter.locale
        let language = context.language
        async let reports = store.reports(of: person, by: principal)
        async let involvements = store.involvements(of: person, by: principal)
        var data: [String: Any] = [
            "person": presenter.detail(person),
            "reports": try await reports.map { item in
                ["reference": item.report.reference, "href": "/reports/\(item.report.reference)", "role": presenter.roleLabel(item.role),
                 "status": locale.text("status.\(item.report.status)"), "occurred": Formats.date(item.report.occurredAt, language)]
            },
            "involvements": try await involvements.map { item -> [String: Any] in
                var row: [String: Any] = ["organisation": item.organisationName, "since": Formats.date(item.since, language)]
                if let name = item.contactName { row["contactName"] = name }
                if let email = item.contactEmail { row["contactEmail"] = email }
                if item.caseDirector { row["caseDirector"] = true }
                return row
            },
        ]
        let parameters = request.uri.queryParameters
        if parameters.get("linked") == "matched" { data["matched"] = true }
        if parameters.get("linked") == "new" { data["created"] = true }
        if parameters.get("saved") == "1" { data["saved"] = true }
        data["mayOpenCase"] = CasePolicy.mayOpenCase(try context.principal())
        if try await involvements.isEmpty { data["noInvolvements"] = true }
        if try await !reports.isEmpty { data["hasReports"] = true }
        return try views.page("persons/show", title: person.pseudonym, request: request, context: context, data: data)
    }

    func editForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let person = try await store.find(pseudonym: context.parameters.require("pseudonym"), by: context.principal(), purpose: "edit")
        // Details another organisation recorded are not edited by someone who cannot read them.
        guard !person.detailsWithheld else { throw AppError.forbidden }
        return try await renderEdit(person.pseudonym, form: PersonPresenter.fields(person), issues: [], request: request, context: context)
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        _ = try await store.record(pseudonym: pseudonym, by: principal)
        let form = context.form
        return try await FormSubmission.save(request, context) {
            let person = try await store.update(pseudonym: pseudonym, with: PersonPresenter.draft(form), reason: form.raw("reason"), by: principal)
            return "/persons/\(person.pseudonym)?saved=1"
        } orShow: { issues in
            try await renderEdit(pseudonym.uppercased(), form: form, issues: issues, request: request, context: context)
        }
    }

    private func renderEdit(_ pseudonym: String, form: FormFields, issues: [FieldIssue], request: Request,
                            context: AppRequestContext) async throws -> HTML {
        let presenter = try await presenter(context)
        var data = presenter.form(form, issues: issues)
        data["action"] = "/persons/\(pseudonym)"
        data["pseudonym"] = pseudonym
        data["cancelHref"] = "/persons/\(pseudonym)"
        data["reason"] = form.raw("reason")
        let title = (issues.isEmpty ? "" : presenter.locale.text("form.error_title_prefix")) + presenter.locale.text("persons.edit_title", ["pseudonym": pseudonym])
        return try views.page("persons/form", title: title, request: request, context: context, data: data,
                              status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: Linking from a report

    func linkForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let report = try await store.reports.find(reference: context.parameters.require("reference"), by: context.principal())
        return try await renderLink(report, form: FormFields(), issues: [], request: request, context: context)
    }

    func link(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.reports.find(reference: context.parameters.require("reference"), by: principal)
        let form = context.form
        let choice: PersonStore.LinkChoice = switch form.raw("existing") {
        case "": .offerCandidates
        case "new": .newPerson
        case let pseudonym: .existing(pseudonym)
        }
        do {
            return try await FormSubmission.save(request, context) {
                let outcome = try await store.link(PersonPresenter.draft(form), role: form["role"], to: report, by: principal, choice: choice)
                return "/persons/\(outcome.pseudonym)?linked=\(outcome.matched ? "matched" : "new")"
            } orShow: { issues in
                try await renderLink(report, form: form, issues: issues, request: request, context: context)
            }
        } catch let similar as PersonStore.SimilarPersons {
            // "Is it one of these?": the form again, everything typed kept, with the candidates to pick from.
            return try await renderLink(report, form: form, issues: [], candidates: similar.candidates, request: request, context: context)
                .response(from: request, context: context)
        }
    }

    private func renderLink(_ report: Report, form: FormFields, issues: [FieldIssue], candidates: [PersonStore.Candidate] = [],
                            request: Request, context: AppRequestContext) async throws -> HTML {
        let presenter = try await presenter(context)
        var data = presenter.form(form, issues: issues)
        data["action"] = "/reports/\(report.reference)/persons"
        data["linking"] = true
        data["reference"] = report.reference
        data["cancelHref"] = "/reports/\(report.reference)"
        if !candidates.isEmpty {
            data["hasCandidates"] = true
            data["candidates"] = candidates.map { candidate -> [String: Any] in
                var row = presenter.detail(candidate.person)
                if candidate.swappedNames { row["swapped"] = true }
                if candidate.birthDateMissing { row["birthDateMissing"] = true }
                return row
            }
        }
        let title = (issues.isEmpty ? "" : presenter.locale.text("form.error_title_prefix"))
            + presenter.locale.text("persons.link_title", ["reference": report.reference])
        return try views.page("persons/form", title: title, request: request, context: context, data: data,
                              status: issues.isEmpty ? .ok : .unprocessableContent)
    }

    func unlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.reports.find(reference: context.parameters.require("reference"), by: principal)
        try await store.unlink(pseudonym: context.parameters.require("pseudonym"), from: report, by: principal)
        return .redirect(to: "/reports/\(report.reference)#persons-heading")
    }
}
