import Foundation
import Hummingbird

/// `/privacy`: the request form (pseudonym and the request's reference);
/// `GET /privacy/persons/{pseudonym}/export?reason=…`: the printable export page (art. 15) with the
/// erasure form; `POST /privacy/persons/{pseudonym}/erase`: erasure (art. 17), or the reasons it
/// is refused; `GET /privacy/persons/{pseudonym}/export.json?reason=…`: the same export as a JSON
/// file to download (`Content-Disposition: attachment`).
/// Privacy officers and administrators only (everyone else: 404); export and erasure need a recent sign-in.
///
/// There is deliberately no API route for the export: an export needs a recent sign-in (password
/// or identity provider, and the second factor) that an API token can never give, so a token
/// that leaked could otherwise pull everything held about anyone. The JSON comes from the browser
/// session instead (docs/threat-model.md, "Data-subject export").
struct SubjectRightsRoutes {
    let store: SubjectRightsStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/privacy", use: index)
        router.post("/privacy/search", use: search)
        router.get("/privacy/persons/:pseudonym/export", use: exportPage)
        router.get("/privacy/persons/:pseudonym/export.json", use: exportJSON)
        router.post("/privacy/persons/:pseudonym/erase", use: erase)
    }

    /// A query parameter as a browser's GET form sends it (`+` is a space), percent-decoded.
    static func formQuery(_ request: Request, _ name: String) -> String? {
        guard let query = request.uri.query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first.map(String.init) == name else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
        }
        return nil
    }

    private func guardRole(_ context: AppRequestContext) throws -> Principal {
        let principal = try context.principal()
        guard SubjectRights.mayHandle(principal) else { throw AppError.notFound }
        return principal
    }

    func index(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try guardRole(context)
        let pseudonym = (Self.formQuery(request, "pseudonym") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        let reason = Self.formQuery(request, "reason") ?? ""
        guard Self.formQuery(request, "pseudonym") != nil || Self.formQuery(request, "reason") != nil else {
            return try form(request, context: context, pseudonym: "", reason: "", issues: [], erased: Self.formQuery(request, "erased"))
                .response(from: request, context: context)
        }
        var issues: [FieldIssue] = []
        if !Pseudonym.isValid(pseudonym) { issues.append(FieldIssue("pseudonym", pseudonym.isEmpty ? "required" : "invalid")) }
        do { _ = try SubjectRights.checkReason(reason) } catch AppError.invalid(let found) { issues += found }
        guard issues.isEmpty else {
            return try form(request, context: context, pseudonym: pseudonym, reason: reason, issues: issues, erased: nil,
                            status: .unprocessableContent).response(from: request, context: context)
        }
        let encoded = reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return Response.redirect(to: "/privacy/persons/\(pseudonym)/export?reason=\(encoded)", type: .normal)
    }

    /// Finding the request's subject by name (and date of birth): a POST, so that names stay out of
    /// URLs and logs; every person is searched (not a scope), the search and each person shown are
    /// logged with the request's reference (`PersonStore.searchForSubjectRequest`).
    func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try guardRole(context)
        let form = context.form
        let reason = form.raw("search_reason")
        var issues: [FieldIssue] = []
        if PersonName.normalise(form.raw("name")).isEmpty { issues.append(FieldIssue("name", "required")) }
        do { _ = try SubjectRights.checkReason(reason) } catch AppError.invalid(let found) { issues += found.map { FieldIssue("search_reason", $0.code) } }
        var results: [Person] = []
        if issues.isEmpty {
            do {
                results = try await store.persons.searchForSubjectRequest(name: form.raw("name"), birthDate: form["birth_date"], reason: reason,
                                                                          by: principal)
            } catch AppError.invalid(let found) {
                issues += found.map { $0.name == "reason" ? FieldIssue("search_reason", $0.code) : $0 }
            }
        }
        let search = Search(name: form.raw("name"), birthDate: form.raw("birth_date"), reason: reason, results: issues.isEmpty ? results : nil)
        return try self.form(request, context: context, pseudonym: "", reason: "", issues: issues, erased: nil, search: search,
                             status: issues.isEmpty ? .ok : .unprocessableContent).response(from: request, context: context)
    }

    /// The search form as typed and, after a search, what it found.
    struct Search {
        var name = "", birthDate = "", reason = ""
        var results: [Person]?
    }

    private func form(_ request: Request, context: AppRequestContext, pseudonym: String, reason: String, issues: [FieldIssue],
                      erased: String?, search: Search = Search(), status: HTTPResponse.Status = .ok) throws -> HTML {
        let locale = views.locales[context.language]
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = ["pseudonym": pseudonym, "reason": reason,
                                   "searchName": search.name, "searchBirthDate": search.birthDate, "searchReason": search.reason]
        for field in ["name", "birth_date", "search_reason"] { if let error = errors[field] { data["error_\(field)"] = error } }
        if let results = search.results {
            let encoded = search.reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            data["searched"] = true
            data["resultCount"] = locale.text("subjectrights.result_count", ["count": "\(results.count)"])
            data["results"] = results.map { person -> [String: Any] in
                var row: [String: Any] = ["pseudonym": person.pseudonym, "name": person.name,
                                          "href": "/privacy/persons/\(person.pseudonym)/export?reason=\(encoded)"]
                if let birth = person.birthDate { row["birthDate"] = birth }
                return row
            }
        }
        if !errors.isEmpty {
            data["hasErrors"] = true
            data["errorSummary"] = ["pseudonym", "reason", "name", "birth_date", "search_reason"].compactMap { name in
                errors[name].map { ["field": name, "label": locale.text("subjectrights.labels.\(name)"), "message": $0] }
            }
        }
        if let error = errors["pseudonym"] { data["pseudonymError"] = error }
        if let error = errors["reason"] { data["reasonError"] = error }
        if let erased, Pseudonym.isValid(erased) { data["erased"] = locale.text("subjectrights.erased", ["pseudonym": erased]) }
        let title = (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("subjectrights.title")
        return try views.page("subjectrights/index", title: title, request: request, context: context, data: data, status: status)
    }

    func exportPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try guardRole(context)
        try context.requireRecentAuthentication(request)
        let pseudonym = context.parameters.get("pseudonym") ?? ""
        let reason = Self.formQuery(request, "reason") ?? ""
        let export: SubjectRightsStore.Export
        do {
            export = try await store.export(pseudonym: pseudonym, reason: reason, by: principal)
        } catch AppError.invalid(let issues) {
            return try form(request, context: context, pseudonym: pseudonym.uppercased(), reason: reason, issues: issues, erased: nil,
                            status: .unprocessableContent).response(from: request, context: context)
        }
        return try render(export, reason: reason, request: request, context: context).response(from: request, context: context)
    }

    private func render(_ export: SubjectRightsStore.Export, reason: String, request: Request, context: AppRequestContext,
                        refused: Bool = false, status: HTTPResponse.Status = .ok) throws -> HTML {
        let locale = views.locales[context.language]
        let language = context.language
        let person = export.person
        func day(_ date: Date?) -> String? { date.map { Formats.date($0, language) } }
        var fields: [[String: Any]] = [
            ["label": locale.text("subjectrights.fields.pseudonym"), "value": person.pseudonym],
            ["label": locale.text("subjectrights.fields.name"), "value": person.name],
        ]
        if let birth = person.birthDate { fields.append(["label": locale.text("subjectrights.fields.birth_date"), "value": birth]) }
        if let contact = person.contact { fields.append(["label": locale.text("subjectrights.fields.contact"), "value": contact]) }
        if let unit = person.unit { fields.append(["label": locale.text("subjectrights.fields.unit"), "value": unit]) }
        if let since = day(person.residentSince) { fields.append(["label": locale.text("subjectrights.fields.resident_since"), "value": since]) }
        if !person.languages.isEmpty { fields.append(["label": locale.text("subjectrights.fields.languages"), "value": person.languages.joined(separator: ", ")]) }
        fields.append(["label": locale.text("subjectrights.fields.interpreter_needed"),
                       "value": locale.text(person.interpreterNeeded ? "subjectrights.yes" : "subjectrights.no")])
        fields.append(["label": locale.text("subjectrights.fields.created_at"), "value": Formats.dateTime(person.createdAt, language)])
        fields.append(["label": locale.text("subjectrights.fields.updated_at"), "value": Formats.dateTime(person.updatedAt, language)])
        let encodedReason = reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var data: [String: Any] = [
            "pseudonym": person.pseudonym, "reason": reason, "fields": fields,
            "jsonHref": "/privacy/persons/\(person.pseudonym)/export.json?reason=\(encodedReason)",
            "generated": Formats.dateTime(.now, language),
            "reports": export.reports.map { report -> [String: Any] in
                var row: [String: Any] = ["reference": report.reference, "role": locale.text("subjectrights.roles.\(report.role)"),
                                          "occurred": Formats.dateTime(report.occurredAt, language), "category": report.category,
                                          "status": locale.text("subjectrights.statuses.\(report.status)"), "description": report.description]
                if let ended = day(report.unlinkedAt) { row["unlinked"] = ended }
                return row
            },
            "cases": export.cases.map { file -> [String: Any] in
                var row: [String: Any] = ["reference": file.reference, "phase": locale.text("subjectrights.phases.\(file.phase)"),
                                          "opened": Formats.date(file.openedAt, language)]
                if let closed = day(file.closedAt) { row["closed"] = closed }
                if !file.notes.isEmpty {
                    row["notes"] = file.notes.map { note -> [String: Any] in
                        var n: [String: Any] = ["at": Formats.dateTime(note.at, language), "body": note.body]
                        if note.sensitive { n["sensitive"] = true }
                        return n
                    }
                }
                return row
            },
            "placements": export.placements.map { placement -> [String: Any] in
                var row: [String: Any] = ["status": locale.text("subjectrights.placement_statuses.\(placement.status)"), "reason": placement.reason,
                                          "start": Formats.date(placement.proposedStart, language), "end": Formats.date(placement.plannedEnd, language)]
                if let started = day(placement.startedOn) { row["started"] = started }
                if let ended = day(placement.endedOn) { row["ended"] = ended }
                return row
            },
            "corrections": export.corrections.map { correction -> [String: Any] in
                var row: [String: Any] = ["at": Formats.dateTime(correction.at, language), "iso": Formats.iso8601(correction.at),
                                          "field": locale.text("subjectrights.fields.\(correction.field)"), "reason": correction.reason,
                                          "by": correction.by, "role": locale.text("roles.\(correction.role)")]
                func shown(_ value: String) -> String {
                    correction.field == "interpreter_needed" ? locale.text(value == "true" ? "subjectrights.yes" : "subjectrights.no") : value
                }
                if let old = correction.old { row["old"] = shown(old) }
                if let new = correction.new { row["new"] = shown(new) }
                return row
            },
            "accesses": export.accesses.map { access -> [String: Any] in
                var row: [String: Any] = ["at": Formats.dateTime(access.at, language), "iso": Formats.iso8601(access.at), "action": access.action]
                if let role = access.role { row["role"] = role }
                if let purpose = access.purpose { row["purpose"] = purpose }
                return row
            },
        ]
        if export.reports.isEmpty { data["noReports"] = true }
        if export.cases.isEmpty { data["noCases"] = true }
        if export.placements.isEmpty { data["noPlacements"] = true }
        if export.corrections.isEmpty { data["noCorrections"] = true }
        if export.refusals.isEmpty {
            data["mayErase"] = true
        } else {
            data["refusals"] = export.refusals.map { Self.text($0, locale: locale, language: language) }
        }
        if refused { data["refused"] = true }
        return try views.page("subjectrights/export", title: locale.text("subjectrights.export_title", ["pseudonym": person.pseudonym]),
                              request: request, context: context, data: data, status: status)
    }

    static func text(_ refusal: ErasureRefusal, locale: LocaleTexts, language: Language) -> String {
        switch refusal {
        case .openCase(let reference), .closedCase(let reference), .openReport(let reference):
            locale.text("subjectrights.refusals.\(refusal.code)", ["reference": reference])
        case .reportRetained(let reference, let until):
            locale.text("subjectrights.refusals.\(refusal.code)", ["reference": reference, "until": Formats.date(until, language)])
        case .placementOpen(let status):
            locale.text("subjectrights.refusals.\(refusal.code)", ["status": locale.text("subjectrights.placement_statuses.\(status)")])
        }
    }

    func erase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try guardRole(context)
        let pseudonym = (context.parameters.get("pseudonym") ?? "").uppercased()
        try context.requireRecentAuthentication(request, returnTo: "/privacy")
        let reason = context.form.raw("reason")
        do {
            switch try await store.erase(pseudonym: pseudonym, reason: reason, by: principal) {
            case .erased:
                return Response.redirect(to: "/privacy?erased=\(pseudonym)", type: .normal)
            case .refused:
                // Show the export again (logged as such) with the reasons, as 409.
                let export = try await store.export(pseudonym: pseudonym, reason: reason, by: principal)
                return try render(export, reason: reason, request: request, context: context, refused: true, status: .conflict)
                    .response(from: request, context: context)
            }
        } catch AppError.invalid(let issues) {
            return try form(request, context: context, pseudonym: pseudonym, reason: reason, issues: issues, erased: nil,
                            status: .unprocessableContent).response(from: request, context: context)
        }
    }

    /// The export as a JSON file (the same content as the page), for the subject or their representative.
    func exportJSON(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try guardRole(context)
        try context.requireRecentAuthentication(request)
        let pseudonym = context.parameters.get("pseudonym") ?? ""
        let reason = Self.formQuery(request, "reason") ?? ""
        let export: SubjectRightsStore.Export
        do {
            export = try await store.export(pseudonym: pseudonym, reason: reason, format: .json, by: principal)
        } catch AppError.invalid(let issues) {
            return try form(request, context: context, pseudonym: pseudonym.uppercased(), reason: reason, issues: issues, erased: nil,
                            status: .unprocessableContent).response(from: request, context: context)
        }
        let filename = "art15-\(export.person.pseudonym)-\(Formats.isoDay(.now)).json"
        return try APIBody.response(SubjectExportDTO(export), headers: [
            .contentDisposition: "attachment; filename=\"\(filename)\"",
            .cacheControl: "no-store",
        ])
    }
}

/// The export as JSON: the same content as the page.
struct SubjectExportDTO: Encodable {
    struct PersonDTO: Encodable {
        let pseudonym: String, name: String, birthDate: String?, contact: String?, unit: String?, residentSince: String?
        let languages: [String], interpreterNeeded: Bool, createdAt: String, updatedAt: String
    }
    struct ReportDTO: Encodable {
        let reference: String, role: String, occurredAt: String, category: String, status: String, description: String
        let linkedAt: String, unlinkedAt: String?
    }
    struct NoteDTO: Encodable { let at: String, sensitive: Bool, body: String }
    struct CaseDTO: Encodable { let reference: String, phase: String, openedAt: String, closedAt: String?, notes: [NoteDTO] }
    struct PlacementDTO: Encodable {
        let status: String, reason: String, proposedStart: String, plannedEnd: String, startedOn: String?, endedOn: String?
    }
    struct AccessDTO: Encodable { let at: String, role: String?, action: String, purpose: String? }
    /// A corrected field (art. 16): `old`/`new` absent when the field was empty.
    struct CorrectionDTO: Encodable { let at: String, field: String, old: String?, new: String?, reason: String, by: String, role: String }

    let person: PersonDTO
    let reports: [ReportDTO]
    let cases: [CaseDTO]
    let placements: [PlacementDTO]
    let corrections: [CorrectionDTO]
    let accessLog: [AccessDTO]
    /// Why erasure would be refused now (codes); empty when it is allowed.
    let erasureRefusals: [String]

    init(_ export: SubjectRightsStore.Export) {
        let iso = Formats.iso8601
        let p = export.person
        person = PersonDTO(pseudonym: p.pseudonym, name: p.name, birthDate: p.birthDate, contact: p.contact, unit: p.unit,
                           residentSince: p.residentSince.map(Formats.isoDay), languages: p.languages, interpreterNeeded: p.interpreterNeeded,
                           createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt))
        reports = export.reports.map { ReportDTO(reference: $0.reference, role: $0.role, occurredAt: iso($0.occurredAt), category: $0.category,
                                                 status: $0.status, description: $0.description, linkedAt: iso($0.linkedAt),
                                                 unlinkedAt: $0.unlinkedAt.map(iso)) }
        cases = export.cases.map { CaseDTO(reference: $0.reference, phase: $0.phase, openedAt: iso($0.openedAt), closedAt: $0.closedAt.map(iso),
                                           notes: $0.notes.map { NoteDTO(at: iso($0.at), sensitive: $0.sensitive, body: $0.body) }) }
        placements = export.placements.map { PlacementDTO(status: $0.status, reason: $0.reason, proposedStart: Formats.isoDay($0.proposedStart),
                                                          plannedEnd: Formats.isoDay($0.plannedEnd), startedOn: $0.startedOn.map(Formats.isoDay),
                                                          endedOn: $0.endedOn.map(Formats.isoDay)) }
        corrections = export.corrections.map { CorrectionDTO(at: iso($0.at), field: $0.field, old: $0.old, new: $0.new, reason: $0.reason,
                                                             by: $0.by, role: $0.role) }
        accessLog = export.accesses.map { AccessDTO(at: iso($0.at), role: $0.role, action: $0.action, purpose: $0.purpose) }
        erasureRefusals = export.refusals.map(\.code)
    }
}
