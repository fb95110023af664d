import Foundation

/// The case page's substance: the plan (goals per life domain), its actions, the factors, linked
/// reports, the timeline and the forms for them. What a section shows follows the user's access:
/// the coordinator sees goals' domains and statuses and the actions, no goal texts, no factors.
/// Failed forms keep what was typed (`form`) and show `errors` beside their fields.
struct CasePagePresenter {
    let store: CaseStore
    let meetings: CaseMeetingStore
    let catalog: CatalogStore
    let routing: RoutingStore
    let file: CaseFile
    let access: CaseStore.Access
    let principal: Principal
    let locale: LocaleTexts
    let language: Language
    let errors: [String: String]
    let form: FormFields
    var now = Date.now

    private var directs: Bool { access.directs }
    private var isOpen: Bool { file.casePhase != .closed }
    private var reference: String { file.reference }

    func data() async throws -> [String: Any] {
        let goals = try await store.goals(of: file, access: access)
        let actions = try await store.actions(of: file, access: access)
        let goalOf = try await store.goalLinks(of: actions)
        let factors = try await store.factors(of: file, access: access)
        let meetings = try await self.meetings.timelineEntries(caseID: file.id!, by: principal)
        let timeline = try await store.timeline(of: file, access: access, by: principal, actions: actions, meetings: meetings)
        let linked = try await store.linkedReports(of: file, by: principal)
        let catalog = try await self.catalog.catalog()
        let names = try await self.catalog.names(goals.flatMap { [$0.goal.createdBy, $0.goal.closedBy] }
            + actions.flatMap { [$0.assigneeID, $0.createdBy] } + factors.values.map { Optional($0.recordedBy) }
            + timeline.entries.map(\.actorID))
        var presenter = ReportPresenter(catalog: catalog, names: names, locale: locale, language: language)
        presenter.calendar = try await routing.calendar()
        presenter.now = now

        var data: [String: Any] = CaseMeetingPresenter.caseSection(meetings, locale: locale, language: language)
        let goalLabels = Dictionary(goals.map { ($0.goal.id!, goalLabel($0)) }, uniquingKeysWith: { a, _ in a })
        // Domains with goals each get a heading; the others are named in one line.
        let planned = LifeDomain.allCases.filter { domain in goals.contains { $0.goal.lifeDomain == domain } }
        data["domains"] = planned.map { domain -> [String: Any] in
            ["code": domain.rawValue, "label": locale.text("cases.domains.\(domain.rawValue)"),
             "goals": goals.filter { $0.goal.lifeDomain == domain }.map { goal -> [String: Any] in
                var row = goalRow(goal, names: names)
                let served = actions.filter { goalOf[$0.id!] == goal.goal.id }
                    .map { ["title": $0.title, "href": "#action-\($0.id!.uuidString)", "status": locale.text("followthrough.action_status.\($0.status)")] }
                if !served.isEmpty { row["goalActions"] = served }
                return row
            }]
        }
        let unplanned = LifeDomain.allCases.filter { !planned.contains($0) }.map { locale.text("cases.domains.\($0.rawValue)") }
        if !unplanned.isEmpty { data["unplannedDomains"] = unplanned.joined(separator: ", ") }
        if directs && isOpen {
            let adding = form.pairs.contains { $0.0 == "goal_text" }
            data["goalForm"] = [
                "domains": ViewHelpers.options([("", locale.text("form.choose"))] + LifeDomain.allCases.map { ($0.rawValue, locale.text("cases.domains.\($0.rawValue)")) },
                                               selected: adding ? form.raw("goal_domain") : ""),
                "text": adding ? form.raw("goal_text") : "",
            ] as [String: Any]
        }

        // The people (a query) only for the form that names one.
        let views = ActionViews(presenter: presenter, people: directs && isOpen ? try await self.catalog.people() : [])
        data["actions"] = actions.map {
            views.row($0, subject: ActionSubject(file), base: "/cases/\(reference)", showsContent: access.readsContent,
                      goal: goalOf[$0.id!].flatMap { goalLabels[$0] }, principal: principal, form: form, errors: errors)
        }
        if actions.isEmpty { data["noActions"] = true }
        let open = actions.filter { $0.actionStatus.isOpen }.count
        if open > 0 { data["openActionCount"] = open }
        if directs && isOpen {
            var fields = views.fields(prefix: ActionForm.single, form: form, errors: errors, defaultOrganisation: principal.organisationID,
                                      goals: goals.filter { $0.goal.goalStatus.isOpen }.map { ($0.goal.id!.uuidString, goalLabels[$0.goal.id!] ?? "") })
            fields["base"] = "/cases/\(reference)"
            data["actionForm"] = fields
        }

        if access.readsContent {
            data["showFactors"] = true
            let ticked = form.pairs.contains { $0.0 == "factors_form" } ? Set(form.all("factors")) : nil
            data["factors"] = CaseFactor.allCases.map { factor -> [String: Any] in
                var values: [String: Any] = ["code": factor.rawValue, "label": locale.text("cases.factor_codes.\(factor.rawValue)")]
                if let record = factors[factor] {
                    values["state"] = locale.text("cases.factor_states.\(record.present ? "present" : "absent")")
                    values["recorded"] = "\(names[record.recordedBy] ?? "–") · \(Formats.date(record.recordedAt, language))"
                    if record.present { values["present"] = true }
                } else {
                    values["state"] = locale.text("cases.factor_states.not_recorded")
                }
                if let ticked { values["checked"] = ticked.contains(factor.rawValue) } else { values["checked"] = factors[factor]?.present == true }
                return values
            }
            if directs && isOpen { data["mayEditFactors"] = true }
        }

        data["linkedReports"] = linked.map { report -> [String: Any] in
            var values: [String: Any] = ["reference": report.reference]
            if report.readable { values["href"] = "/reports/\(report.reference)" } else { values["hidden"] = true }
            return values
        }
        if linked.isEmpty { data["noLinkedReports"] = true }
        if directs && isOpen { data["reportForm"] = ["references": form.raw("report_references")] }

        data["timeline"] = timeline.sorted.map { entry -> [String: Any] in
            var values: [String: Any] = ["at": Formats.dateTime(entry.at, language), "what": locale.text(entry.what), "kind": entry.kind.rawValue,
                                         "kindLabel": locale.text("cases.timeline.kinds.\(entry.kind.rawValue)")]
            let label = entry.parts.map { part in
                switch part {
                case .text(let text): text
                case .key(let key): locale.text(key)
                }
            }.joined(separator: " · ")
            if !label.isEmpty { values["label"] = label }
            if let detail = entry.detail, !detail.isEmpty { values["detail"] = detail }
            if let actor = entry.actorID.flatMap({ names[$0] }) { values["actor"] = actor }
            if let href = entry.href { values["href"] = href }
            return values
        }
        if timeline.entries.isEmpty { data["noTimeline"] = true }
        if open > 0 && directs { data["hasOpenActions"] = true }
        if isOpen, (try? await store.requireContentWriter(file, access: access, by: principal)) != nil {
            let people = try await store.persons(of: file).map(\.pseudonym).sorted()
            data["placementLinks"] = people.map { ["pseudonym": $0, "href": "/cases/\(reference)/placements/new?person=\($0)"] }
            if !people.isEmpty { data["hasPlacementLinks"] = true }
        }
        return data
    }

    private func goalLabel(_ goal: CaseStore.PlanGoal) -> String {
        let domain = locale.text("cases.domains.\(goal.goal.domain)")
        guard let text = goal.text else { return domain }
        return "\(domain): \(text.count > 60 ? String(text.prefix(60)) + "…" : text)"
    }

    private func goalRow(_ item: CaseStore.PlanGoal, names: [UUID: String]) -> [String: Any] {
        let goal = item.goal
        let id = goal.id!.uuidString
        let prefix = "goal_\(id)_"
        var values: [String: Any] = [
            "id": id, "status": locale.text("cases.goal_statuses.\(goal.status)"), "statusCode": goal.status,
            "created": "\(names[goal.createdBy] ?? "–") · \(Formats.date(goal.createdAt, language))",
            "statusField": prefix + "status", "resultField": prefix + "result",
        ]
        if let text = item.text { values["text"] = text } else { values["hiddenText"] = true }
        if let result = item.result { values["result"] = result }
        if let closedAt = goal.closedAt { values["closed"] = "\(goal.closedBy.flatMap { names[$0] } ?? "–") · \(Formats.date(closedAt, language))" }
        if goal.goalStatus.isOpen && directs && isOpen {
            values["canClose"] = true
            values["statuses"] = ViewHelpers.options([("", locale.text("form.choose"))] + [GoalStatus.achieved, .dropped].map { ($0.rawValue, locale.text("cases.goal_statuses.\($0.rawValue)")) },
                                                     selected: form.raw(prefix + "status"))
            values["resultValue"] = form.raw(prefix + "result")
            if let error = errors[prefix + "status"] { values["statusError"] = error }
            if let error = errors[prefix + "result"] { values["resultError"] = error }
        }
        return values
    }
}
