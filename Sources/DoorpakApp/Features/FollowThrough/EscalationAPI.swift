import Foundation
import Hummingbird

/// The escalation API: the timing of the ladder per urgency (everyone reads it, administrators
/// set it) and the breakthrough meeting's agenda with its decisions (district coordinators and
/// administrators; to everyone else the agenda does not exist). Calls `EscalationStore` (and `ActionStore`).
struct EscalationAPI {
    let store: EscalationStore
    let subjects: AgendaSubjects
    let actions: ActionStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/escalation-policies", use: policies)
        api.put("/escalation-policies/:urgency", use: setPolicy)
        api.get("/breakthrough", use: agenda)
        api.post("/breakthrough/:id/decision", use: decide)
    }

    // MARK: Timing

    func policies(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.principal()
        let timings = try await store.timings()
        return try APIBody.response(ItemsDTO(items: Urgency.allCases.map { EscalationPolicyDTO($0, timing: timings[$0] ?? .defaults($0)) }))
    }

    func setPolicy(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        // Checked before the body is read: to others this resource does not exist.
        guard principal.isAdministrator, let urgency = Urgency(code: try context.parameters.require("urgency")) else { throw AppError.notFound }
        let input = try await APIBody.decode(EscalationPolicyInput.self, from: request)
        let timing = try input.timing()
        do {
            try await store.setTiming(timing, for: urgency, by: principal)
        } catch AppError.invalid(let issues) where issues.contains(where: { $0.name == "timing" }) {
            throw AppError.invalid([FieldIssue(EscalationPolicyInput.firstOutOfOrder(timing), "not_ordered")])
        }
        return try APIBody.response(EscalationPolicyDTO(urgency, timing: timing))
    }

    // MARK: Breakthrough meeting

    func agenda(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        var level = EscalationLevel.breakthrough
        if let raw = request.uri.queryParameters.get("level"), !raw.isEmpty {
            guard let parsed = [EscalationLevel.breakthrough, .board].first(where: { $0.code == raw }) else {
                throw APIQueryError(issues: [FieldIssue("level", "invalid")])
            }
            level = parsed
        }
        let items = try await store.agenda(level, by: principal)
        return try APIBody.response(ItemsDTO(items: items.map(AgendaItemDTO.init)))
    }

    func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let escalation = try await store.agendaItem(id, by: principal)
        let subject = try await subjects.find(escalation, by: principal)
        let input = try await APIBody.decode(DecisionInput.self, from: request)
        let drafts = (input.actions ?? []).map(\.draft)
        // Each agreed action is checked on its own first, so that a problem names its place in the list.
        var issues: [FieldIssue] = []
        for (index, draft) in drafts.enumerated() {
            do {
                _ = try await actions.check(draft, by: principal, now: .now)
            } catch AppError.invalid(let found) {
                issues += found.map { FieldIssue("actions[\(index)].\(ReportAPI.actionFields[$0.name] ?? $0.name)", $0.code) }
            }
        }
        if !issues.isEmpty {
            if (input.decision ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { issues.insert(FieldIssue("decision", "required"), at: 0) }
            throw AppError.invalid(issues)
        }
        try await ReportAPI.renaming(ReportAPI.actionFields) {
            try await store.decide(escalation, decision: input.decision, actions: drafts, subject: subject.action, by: principal)
        }
        return try APIBody.response(AgendaItemDTO(escalation))
    }
}

// MARK: - Requests

/// `PUT /escalation-policies/{urgency}`: the whole timing of one urgency.
struct EscalationPolicyInput: APIInput {
    var reminderHours: Int?
    var teamLeadDays: Int?
    var managerDays: Int?
    var coordinatorDays: Int?
    var breakthroughDays: Int?
    var boardDays: Int?
    var handoverAnswerDays: Int?

    static let members = ["reminderHours", "teamLeadDays", "managerDays", "coordinatorDays", "breakthroughDays", "boardDays", "handoverAnswerDays"]

    func timing() throws -> EscalationTiming {
        let values = [reminderHours, teamLeadDays, managerDays, coordinatorDays, breakthroughDays, boardDays, handoverAnswerDays]
        let missing = zip(Self.members, values).filter { $0.1 == nil }.map { FieldIssue($0.0, "required") }
        guard missing.isEmpty, let reminderHours, let teamLeadDays, let managerDays, let coordinatorDays, let breakthroughDays,
              let boardDays, let handoverAnswerDays else { throw AppError.invalid(missing) }
        return EscalationTiming(reminderHours: reminderHours, teamLeadDays: teamLeadDays, managerDays: managerDays,
                                coordinatorDays: coordinatorDays, breakthroughDays: breakthroughDays, boardDays: boardDays,
                                handoverAnswerDays: handoverAnswerDays)
    }

    /// The member to name when the store finds the timing out of order: the first negative one, or
    /// the first rung that comes before the rung below it.
    static func firstOutOfOrder(_ timing: EscalationTiming) -> String {
        if timing.reminderHours < 0 { return "reminderHours" }
        if timing.handoverAnswerDays < 1 { return "handoverAnswerDays" }
        let rungs = [("teamLeadDays", timing.teamLeadDays), ("managerDays", timing.managerDays), ("coordinatorDays", timing.coordinatorDays),
                     ("breakthroughDays", timing.breakthroughDays), ("boardDays", timing.boardDays)]
        if timing.teamLeadDays < 0 { return "teamLeadDays" }
        for (earlier, later) in zip(rungs, rungs.dropFirst()) where later.1 < earlier.1 { return later.0 }
        return "teamLeadDays"
    }
}

/// `POST /breakthrough/{id}/decision`: the meeting's decision and the actions agreed with it.
struct DecisionInput: APIInput {
    var decision: String?
    var actions: [ActionInput]?
    static let members = ["decision", "actions"]
}

// MARK: - Responses

struct EscalationPolicyDTO: Encodable {
    var urgency: String
    var reminderHours: Int
    var teamLeadDays: Int
    var managerDays: Int
    var coordinatorDays: Int
    var breakthroughDays: Int
    var boardDays: Int
    var handoverAnswerDays: Int

    init(_ urgency: Urgency, timing: EscalationTiming) {
        self.urgency = urgency.code
        reminderHours = timing.reminderHours
        teamLeadDays = timing.teamLeadDays
        managerDays = timing.managerDays
        coordinatorDays = timing.coordinatorDays
        breakthroughDays = timing.breakthroughDays
        boardDays = timing.boardDays
        handoverAnswerDays = timing.handoverAnswerDays
    }
}

/// One item on the breakthrough (or board) agenda: which report or case, what escalated against which
/// deadline, and the decision once taken.
struct AgendaItemDTO: Encodable {
    var id: String
    var level: String
    /// `report` or `case`.
    var subjectKind: String
    var subjectReference: String
    @Nullable var reportReference: String?
    @Nullable var districtId: String?
    /// What escalated: the report itself, one of its actions or an unanswered hand-over.
    var itemKind: String
    /// The action's or hand-over's id; `null` for the report itself (reports are named by reference).
    @Nullable var itemId: String?
    var deadline: String
    var escalatedAt: String
    @Nullable var decision: String?
    @Nullable var decidedAt: String?
    @Nullable var decidedById: String?

    init(_ escalation: Escalation) {
        id = escalation.id!.api
        level = escalation.escalationLevel.code
        subjectKind = escalation.subjectKind
        subjectReference = escalation.subjectReference
        reportReference = escalation.subjectKind == ActionSubjectKind.report.rawValue ? escalation.subjectReference : nil
        districtId = escalation.districtID.api
        itemKind = escalation.item.rawValue
        itemId = escalation.item == .report ? nil : escalation.itemID.api
        deadline = APIDates.write(escalation.deadline)
        escalatedAt = APIDates.write(escalation.at)
        decision = escalation.decision
        decidedAt = escalation.decidedAt.map(APIDates.write)
        decidedById = escalation.decidedBy.api
    }
}
