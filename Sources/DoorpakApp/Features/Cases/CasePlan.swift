import FluentKit
import Foundation
import SQLKit

/// The life domains a case plan sets goals in (issue 5). Mental and physical health are one domain,
/// `health`: the field plans them together (one GGZ/GP route, one consent) and a goal such as
/// "sleeps and eats regularly again" belongs to both; the goal text says which is meant.
enum LifeDomain: String, Codable, CaseIterable, Sendable {
    case safety, housing, health
    case dailyActivityIncome = "daily_activity_income"
    case socialNetwork = "social_network"
    case finances
}

/// A goal is open until it is achieved or dropped; both need a short result.
enum GoalStatus: String, Codable, CaseIterable, Sendable {
    case open, achieved, dropped
    var isOpen: Bool { self == .open }
}

/// One goal of a case plan, in one life domain. Text and result are personal content and sealed
/// like case notes; the district coordinator (metadata access) never reads them.
final class CaseGoal: Model, @unchecked Sendable {
    static let schema = "case_goals"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "domain") var domain: String
    @Field(key: "text_sealed") var textSealed: String
    @Field(key: "status") var status: String
    @OptionalField(key: "result_sealed") var resultSealed: String?
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_by") var closedBy: UUID?
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}

    var goalStatus: GoalStatus { GoalStatus(rawValue: status) ?? .open }
    var lifeDomain: LifeDomain { LifeDomain(rawValue: domain) ?? .safety }

    /// What key rotation re-encrypts in this table.
    static let encrypted = EncryptedTable(table: schema, columns: ["text_sealed", "result_sealed"], indexes: [])
}

/// An action of a case that serves a goal. The shared `actions` table stays as it is; the tie lives here.
final class CaseActionGoal: Model, @unchecked Sendable {
    static let schema = "case_action_goals"
    @ID(key: .id) var id: UUID?
    @Field(key: "action_id") var actionID: UUID
    @Field(key: "goal_id") var goalID: UUID
    init() {}
    init(actionID: UUID, goalID: UUID) { self.actionID = actionID; self.goalID = goalID }
}

/// The plan's goals, the goal tie of actions, and the structured factors (see `CaseFactor`).
struct CreateCasePlans: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseGoal.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("domain", .string, .required)
            .field("text_sealed", .string, .required)
            .field("status", .string, .required)
            .field("result_sealed", .string)
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("closed_by", .uuid, .references(User.schema, "id"))
            .field("closed_at", .datetime)
            .create()
        try await database.schema(CaseActionGoal.schema).id()
            .field("action_id", .uuid, .required, .references(Action.schema, "id"))
            .field("goal_id", .uuid, .required, .references(CaseGoal.schema, "id"))
            .unique(on: "action_id")
            .create()
        try await database.schema(CaseFactorRecord.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("code", .string, .required)
            .field("present", .bool, .required)
            .field("recorded_by", .uuid, .required, .references(User.schema, "id"))
            .field("recorded_at", .datetime, .required)
            .unique(on: "case_id", "code")
            .create()
        let sql = database.sql
        try await sql.create(index: "case_goals_case").on(CaseGoal.schema).column("case_id").run()
        try await sql.create(index: "case_action_goals_goal").on(CaseActionGoal.schema).column("goal_id").run()
        try await sql.create(index: "case_factors_code").on(CaseFactorRecord.schema).column("code").column("present").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [CaseFactorRecord.schema, CaseActionGoal.schema, CaseGoal.schema] { try await database.schema(schema).delete() }
    }
}
