import Foundation
import Hummingbird

/// The case plan in the API: goals per life domain (the district coordinator sees their domains and
/// statuses, never their texts) and the structured factors (content readers only), plus the factor
/// counts policy staff compare cases by. Same store calls as the case page.
extension CaseAPI {
    func addPlan(to api: RouterGroup<AppRequestContext>) {
        api.get("/cases/:case/goals", use: goals)
        api.post("/cases/:case/goals", use: addGoal)
        api.patch("/cases/:case/goals/:goal", use: closeGoal)
        api.get("/cases/:case/factors", use: factors)
        api.put("/cases/:case/factors", use: recordFactors)
        api.get("/case-factors", use: factorCounts)
    }

    static let planRenames = ["goal_domain": "domain", "goal_text": "text", "goal_status": "status", "goal_result": "result", "factors": "present"]

    // MARK: Goals

    func goals(_ request: Request, context: AppRequestContext) async throws -> Response {
        let found = try await store.find(reference: context.parameters.require("case"), by: context.principal())
        return try APIBody.response(ItemsDTO(items: try await store.goals(of: found.file, access: found.access).map(CaseGoalDTO.init)))
    }

    func addGoal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(GoalInput.self, from: request)
        guard found.access.directs else { throw AppError.notFound }
        let goal = try await ReportAPI.renaming(Self.planRenames) {
            try await store.addGoal(domain: input.domain, text: input.text, to: found.file, access: found.access, by: principal)
        }
        let text = (input.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return try APIBody.response(CaseGoalDTO(.init(goal: goal, text: text, result: nil)), status: .created)
    }

    /// `PATCH /cases/{case}/goals/{goal}`: closes an open goal as achieved or dropped, with a result.
    func closeGoal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("goal")) else { throw AppError.notFound }
        let input = try await APIBody.decode(GoalCloseInput.self, from: request, accepting: [APIBody.json, APIBody.mergePatch])
        guard found.access.directs else { throw AppError.notFound }
        try await ReportAPI.renaming(Self.planRenames) {
            try await store.closeGoal(id, status: input.status, result: input.result, in: found.file, access: found.access, by: principal)
        }
        guard let goal = try await store.goals(of: found.file, access: found.access).first(where: { $0.goal.id == id }) else { throw AppError.notFound }
        return try APIBody.response(CaseGoalDTO(goal))
    }

    // MARK: Factors

    /// Every factor on the fixed list with its state. Content readers only: the district coordinator
    /// gets 404 (factors are largely health data).
    func factors(_ request: Request, context: AppRequestContext) async throws -> Response {
        let found = try await store.find(reference: context.parameters.require("case"), by: context.principal())
        guard found.access.readsContent else { throw AppError.notFound }
        return try APIBody.response(CaseFactorDTO.list(try await store.factors(of: found.file, access: found.access)))
    }

    /// `PUT /cases/{case}/factors`: the whole list at once, `present` naming the factors present;
    /// every other factor is then recorded absent.
    func recordFactors(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(FactorsInput.self, from: request)
        guard found.access.directs else { throw AppError.notFound }
        guard let present = input.present else { throw AppError.invalid([FieldIssue("present", "required")]) }
        _ = try await ReportAPI.renaming(Self.planRenames) {
            try await store.recordFactors(present: present, in: found.file, access: found.access, by: principal)
        }
        return try APIBody.response(CaseFactorDTO.list(try await store.factors(of: found.file, access: found.access)))
    }

    /// Per factor, in how many cases it is present and in how many recorded: counts, never a case.
    func factorCounts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let counts = try await store.factorCounts(by: context.principal())
        return try APIBody.response(ItemsDTO(items: CaseFactor.allCases.map { factor in
            FactorCountDTO(code: factor.rawValue, present: counts[factor]?.present ?? SuppressedCount(0),
                           recorded: counts[factor]?.recorded ?? SuppressedCount(0))
        }))
    }
}

// MARK: - Requests

struct GoalInput: APIInput {
    var domain: String?
    var text: String?
    static let members = ["domain", "text"]
}

struct GoalCloseInput: APIInput {
    var status: String?
    var result: String?
    static let members = ["status", "result"]
}

struct FactorsInput: APIInput {
    var present: [String]?
    static let members = ["present"]
}

// MARK: - Responses

/// A goal of the plan; `text` and `result` are `null` for the district coordinator.
struct CaseGoalDTO: Encodable {
    var id: String
    var domain: String
    var status: String
    @Nullable var text: String?
    @Nullable var result: String?
    var createdById: String
    var createdAt: String
    @Nullable var closedById: String?
    @Nullable var closedAt: String?

    init(_ planGoal: CaseStore.PlanGoal) {
        let goal = planGoal.goal
        id = goal.id!.api
        domain = goal.domain
        status = goal.status
        text = planGoal.text
        result = planGoal.result
        createdById = goal.createdBy.api
        createdAt = APIDates.write(goal.createdAt)
        closedById = goal.closedBy.api
        closedAt = goal.closedAt.map(APIDates.write)
    }
}

/// One factor of the fixed list: `present`, `absent`, or `not_recorded` (never recorded is not absent).
struct CaseFactorDTO: Encodable {
    var code: String
    var state: String
    @Nullable var recordedById: String?
    @Nullable var recordedAt: String?

    static func list(_ recorded: [CaseFactor: CaseFactorRecord]) -> ItemsDTO<CaseFactorDTO> {
        ItemsDTO(items: CaseFactor.allCases.map { factor in
            let row = recorded[factor]
            return CaseFactorDTO(code: factor.rawValue, state: row.map { $0.present ? "present" : "absent" } ?? "not_recorded",
                                 recordedById: row?.recordedBy.api, recordedAt: row.map { APIDates.write($0.recordedAt) })
        })
    }
}

struct FactorCountDTO: Encodable {
    var code: String
    /// `null` for 1 to 4 (suppressed), as on the page.
    var present: SuppressedCount
    var recorded: SuppressedCount
}
