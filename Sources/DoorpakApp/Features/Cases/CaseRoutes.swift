import Foundation
import Hummingbird

/// Case pages: my cases (and, for coordinators, cases that need a director), opening a case from
/// a person's page, and the case page with phase, direction, members and notes.
struct CaseRoutes {
    let store: CaseStore
    let meetings: CaseMeetingStore
    let placements: CoolingOffStore
    let catalog: CatalogStore
    let routing: RoutingStore
    let attachments: AttachmentStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/cases", use: list)
        router.get("/persons/:pseudonym/cases/new", use: newForm)
        router.post("/persons/:pseudonym/cases", use: create)
        router.get("/cases/:case", use: show)
        router.post("/cases/:case/phase", use: phase)
        router.post("/cases/:case/members", use: addMember)
        router.post("/cases/:case/members/:id/withdraw-consent", use: withdraw)
        router.post("/cases/:case/members/:id/end", use: endMembership)
        router.post("/cases/:case/notes", use: addNote)
        router.post("/cases/:case/director", use: proposeDirector)
        router.post("/cases/:case/director/accept", use: acceptDirection)
        router.post("/cases/:case/director/claim", use: claimDirection)
        router.post("/cases/:case/director/decline", use: declineDirection)
        router.post("/cases/:case/persons", use: addPerson)
        addPlan(to: router)
        addAssignedAction(to: router)
        addAttachments(to: router)
    }

    func locale(_ context: AppRequestContext) -> LocaleTexts { views.locales[context.language] }

    /// The cases the user directs, takes part in or is asked to direct and, for a district
    /// coordinator, every case of their districts (facts only), newest first, a page at a time
    /// (`?cursor=`); below, for coordinators, the cases whose director left or whose hand-over waits.
    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        let locale = locale(context)
        let cursor = request.uri.queryParameters.get("cursor").flatMap { CaseCursor(encoded: String($0)) }
        let page = try await store.page(by: principal, after: cursor, limit: 50)
        let names = try await catalog.names(page.items.map { Optional($0.file.directorID) })
        let roleKey: (CaseStore.Access?) -> String = { access in
            switch access {
            case .director: "director"
            case .member, .withdrawnMember: "member"
            case .administrator: "administrator"
            case .coordinatorMetadata: "district"
            case nil: "proposed"
            }
        }
        var data: [String: Any] = ["cases": page.items.map { item -> [String: Any] in
            ["reference": item.file.reference, "href": "/cases/\(item.file.reference)", "phase": locale.text("cases.phases.\(item.file.phase)"),
             "director": names[item.file.directorID] ?? "–", "role": locale.text("cases.roles.\(roleKey(item.access))"),
             "opened": Formats.date(item.file.openedAt, context.language), "updated": Formats.date(item.file.updatedAt, context.language)]
        }]
        if page.items.isEmpty { data["noCases"] = true }
        if let next = page.next { data["next"] = "/cases?cursor=\(next.encoded)" }
        if cursor != nil { data["first"] = "/cases" }
        if page.next != nil || cursor != nil { data["hasPager"] = true }
        if CasePolicy.overseesDirection(principal) {
            let needing = try await store.needingDirector(by: principal)
            data["showNeeding"] = true
            data["factorOverview"] = "/cases/factors"
            data["needing"] = needing.map { file -> [String: Any] in
                ["reference": file.reference, "href": "/cases/\(file.reference)", "phase": locale.text("cases.phases.\(file.phase)"),
                 "opened": Formats.date(file.openedAt, context.language)]
            }
            if needing.isEmpty { data["noneNeeding"] = true }
        }
        return try views.page("cases/list", title: locale.text("cases.title"), request: request, context: context, data: data)
    }

    // MARK: Opening

    func newForm(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        guard CasePolicy.mayOpenCase(principal) else { throw AppError.notFound }
        _ = try await store.persons.record(pseudonym: pseudonym, by: principal)
        return try renderNew(pseudonym.uppercased(), form: FormFields(), issues: [], request: request, context: context)
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        _ = try await store.persons.record(pseudonym: pseudonym, by: principal)
        let form = context.form
        return try await FormSubmission.save(request, context) {
            let references = form.raw("reports").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            let file = try await store.open(.init(pseudonyms: [pseudonym], reason: form.raw("reason"), reportReferences: references), by: principal)
            return "/cases/\(file.reference)"
        } orShow: { issues in try renderNew(pseudonym.uppercased(), form: form, issues: issues, request: request, context: context) }
    }

    private func renderNew(_ pseudonym: String, form: FormFields, issues: [FieldIssue], request: Request, context: AppRequestContext) throws -> HTML {
        let locale = locale(context)
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = ["pseudonym": pseudonym, "reason": form.raw("reason"), "reports": form.raw("reports"), "errors": errors]
        if !errors.isEmpty { data["hasErrors"] = true }
        data["errorSummary"] = ["reason", "reports"].compactMap { name in errors[name].map { ["field": name, "label": locale.text("cases.fields.\(name)"), "message": $0] } }
        return try views.page("cases/new", title: (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + locale.text("cases.new"),
                              request: request, context: context, data: data, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: One case

    func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let reference = try context.parameters.require("case")
        let found: (file: CaseFile, access: CaseStore.Access)
        do {
            found = try await store.find(reference: reference, by: principal)
        } catch AppError.notFound {
            // Asked to take over the direction without a part in the case yet: its facts, the acceptance and the refusal.
            return try await renderProposed(reference, request: request, context: context)
        }
        return try await render(found.file, access: found.access, request: request, context: context)
    }

    func render(_ file: CaseFile, access: CaseStore.Access, issues: [FieldIssue] = [], form: FormFields = FormFields(),
                        status: HTTPResponse.Status = .ok, request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let locale = locale(context)
        let language = context.language
        let members = try await store.members(of: file)
        let notes = try await store.notes(of: file, access: access, by: principal)
        let people = try await store.persons(of: file)
        let names = try await catalog.names(members.map { Optional($0.userID) } + [file.directorID, file.proposedDirectorID]
                                            + notes.map { Optional($0.note.authorID) })
        let candidates = try await store.directorCandidates()
        let director = access.directs
        var data: [String: Any] = [
            "reference": file.reference, "phase": locale.text("cases.phases.\(file.phase)"), "phaseCode": file.phase,
            "director": names[file.directorID] ?? "–", "opened": Formats.date(file.openedAt, language),
            "persons": people.map { ["pseudonym": $0.pseudonym, "href": "/persons/\($0.pseudonym)"] },
            "members": members.map { member -> [String: Any] in
                var row: [String: Any] = ["name": names[member.userID] ?? "–", "role": member.role,
                                          "basis": locale.text("cases.bases.\(member.legalBasis)")]
                if let date = member.consentDate { row["consent"] = "\(Formats.date(date, language)) · \(member.consentScope ?? "")" }
                if let ended = member.endedAt { row["ended"] = Formats.date(ended, language) }
                else if director { row["endAction"] = "/cases/\(file.reference)/members/\(member.id!.uuidString)/end" }
                if let withdrawn = member.consentWithdrawnAt { row["withdrawn"] = Formats.date(withdrawn, language) }
                else if member.basis == .consent && director { row["withdrawAction"] = "/cases/\(file.reference)/members/\(member.id!.uuidString)/withdraw-consent" }
                return row
            },
            "errors": ViewHelpers.errors(issues, locale),
            "noteBody": form.raw("body"), "claimReason": form.raw("claim_reason"), "declineReason": form.raw("decline_reason"),
            "personPseudonym": form.raw("person"),
        ]
        if access.readsContent {
            data["content"] = true
            data["openingReason"] = try store.reasons(of: file).opening
            data["notes"] = notes.map { item -> [String: Any] in
                var row: [String: Any] = ["body": item.body, "author": names[item.note.authorID] ?? "–",
                                          "at": Formats.dateTime(item.note.createdAt, language)]
                if item.note.sensitive { row["sensitive"] = true }
                return row
            }
            data["memberChoices"] = members.filter { $0.endedAt == nil }.map { ["value": $0.userID.uuidString, "label": names[$0.userID] ?? "–"] }
        } else {
            data["metadataOnly"] = locale.text(access == .administrator ? "cases.metadata_only_administrator" : "cases.metadata_only")
        }
        if let outcome = file.outcome, file.casePhase == .closed { data["outcome"] = locale.text("cases.outcomes.\(outcome)") }
        if file.casePhase == .closed, access.readsContent, let reason = try store.reasons(of: file).closing { data["closingReason"] = reason }
        if let proposed = file.proposedDirectorID { data["proposed"] = names[proposed] ?? "–" }
        if file.proposedDirectorID == principal.userID {
            data["mayAccept"] = true
            if let due = try await store.openDirectionProposals(for: principal).first(where: { $0.caseReference == file.reference })?.answerDueAt {
                data["answerDue"] = Formats.dateTime(due, language)
            }
        }
        if director {
            data["isDirector"] = true
            if file.casePhase != .closed { data["mayAddPerson"] = true }
            let targets = file.casePhase == .closed ? [CasePhase.analysis] : file.casePhase.neighbours + [.closed]
            data["phases"] = targets.map { ["value": $0.rawValue, "label": locale.text("cases.phases.\($0.rawValue)")] }
            data["outcomes"] = CaseOutcome.allCases.map { ["value": $0.rawValue, "label": locale.text("cases.outcomes.\($0.rawValue)")] }
            data["bases"] = LegalBasis.allCases.map { ["value": $0.rawValue, "label": locale.text("cases.bases.\($0.rawValue)")] }
            data["users"] = candidates.filter { $0.id != file.directorID }.map { ["value": $0.id!.uuidString, "label": $0.name] }
        }
        let policy = try await store.policy(for: file, access: access, by: principal)
        if policy.mayProposeDirector && file.casePhase != .closed {
            data["mayPropose"] = true
            data["directorChoices"] = candidates.filter { $0.id != file.directorID && policy.mayPropose($0.id!) }
                .map { ["value": $0.id!.uuidString, "label": $0.name] }
        }
        if policy.mayClaimDirection { data["mayClaim"] = true }
        let errors = ViewHelpers.errors(issues, locale)
        data.merge(try await AttachmentPresenter.section(.caseFile(file, access), store: attachments, catalog: catalog, principal: principal,
                                                         locale: locale, language: language, errors: errors)) { _, new in new }
        let substance = try await CasePagePresenter(store: store, meetings: meetings, catalog: catalog, routing: routing, file: file,
                                                    access: access, principal: principal, locale: locale,
                                                    language: language, errors: errors, form: form).data()
        data.merge(substance) { current, _ in current }
        return try views.page("cases/show", title: (errors.isEmpty ? "" : locale.text("form.error_title_prefix")) + file.reference, request: request, context: context, data: data, status: status)
    }

    /// Runs a change and shows the case again, with errors in place when it fails: field names are
    /// renamed to the form's own (`rename`), a state conflict shows beside `conflictField`.
    func change(_ request: Request, _ context: AppRequestContext, anchor: String, rename: [String: String] = [:], conflictField: String = "phase",
                _ work: (CaseFile, CaseStore.Access, Principal) async throws -> Void) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        do {
            try await work(found.file, found.access, principal)
        } catch AppError.invalid(let issues) {
            // Reload: a refused write may have touched the in-memory case before it was refused.
            let file = try await store.find(reference: found.file.reference, by: principal).file
            return try await render(file, access: found.access, issues: issues.map { FieldIssue(rename[$0.name] ?? $0.name, $0.code) },
                                    form: context.form, status: .unprocessableContent,
                                    request: request, context: context).response(from: request, context: context)
        } catch AppError.conflict {
            let file = try await store.find(reference: found.file.reference, by: principal).file
            return try await render(file, access: found.access, issues: [FieldIssue(conflictField, "not_allowed")], form: context.form,
                                    status: .conflict, request: request, context: context).response(from: request, context: context)
        }
        return .redirect(to: "/cases/\(found.file.reference)#\(anchor)")
    }

    func phase(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "phase-heading") { file, access, principal in
            try await store.changePhase(file, access: access, to: context.form["phase"].flatMap(CasePhase.init(rawValue:)), outcome: context.form["outcome"],
                                        reason: context.form["reason"], cancelOpenActions: context.form["cancel_open_actions"] == "1", by: principal)
        }
    }

    func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "members-heading") { file, access, principal in
            let form = context.form
            _ = try await store.addMember(.init(userID: form["member"].flatMap(UUID.init(uuidString:)), role: form["member_role"],
                                                legalBasis: form["legal_basis"], consentDate: form["consent_date"], consentScope: form["consent_scope"]),
                                          to: file, access: access, by: principal)
        }
    }

    func endMembership(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "members-heading") { file, access, principal in
            try await store.endMembership(try context.parameters.require("id", as: UUID.self), in: file, access: access, by: principal)
        }
    }

    func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "members-heading") { file, access, principal in
            try await store.withdrawConsent(try context.parameters.require("id", as: UUID.self), in: file, access: access, by: principal)
        }
    }

    func addNote(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "notes-heading") { file, access, principal in
            let readers = context.form.all("readers").compactMap(UUID.init(uuidString:))
            try await store.addNote(context.form.raw("body"), sensitive: context.form["sensitive"] == "1", readers: readers, to: file,
                                    access: access, by: principal)
        }
    }

    func proposeDirector(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "director-heading") { file, access, principal in
            try await store.proposeDirector(file, access: access, userID: context.form["director"].flatMap(UUID.init(uuidString:)), reason: context.form["director_reason"], by: principal)
        }
    }

    func claimDirection(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await change(request, context, anchor: "claim-heading") { file, access, principal in
            try await store.claimDirection(file, access: access, reason: context.form["claim_reason"], by: principal)
        }
    }

    func acceptDirection(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let file = try await store.findProposed(reference: context.parameters.require("case"), by: principal)
        try await store.acceptDirection(file, by: principal)
        return .redirect(to: "/cases/\(file.reference)")
    }
}
