import FluentKit
import Foundation
import SQLKit

/// What can escalate: a report (against its running deadline), an action, an unanswered hand-over,
/// an unanswered proposal to take over a case's direction.
enum EscalationItemKind: String, Codable, CaseIterable, Sendable {
    case report, action, handover
    case directionProposal = "direction_proposal"
}

/// One rung reached by one item against one deadline. The unique key (item, deadline, level) makes
/// an escalation happen once however often, and by however many servers, the job runs.
/// Breakthrough and board rungs carry the meeting's decision once taken.
final class Escalation: Model, @unchecked Sendable {
    static let schema = "escalations"
    @ID(key: .id) var id: UUID?
    @Field(key: "item_kind") var itemKind: String
    @Field(key: "item_id") var itemID: UUID
    /// The report the item belongs to (the report itself, or the report of an action or hand-over).
    @Field(key: "subject_kind") var subjectKind: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "subject_reference") var subjectReference: String
    @OptionalField(key: "district_id") var districtID: UUID?
    @Field(key: "level") var level: Int
    @Field(key: "deadline") var deadline: Date
    @Field(key: "at") var at: Date
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    /// The order of writing within the same second (`WriteSequence`); `nil` on older rows.
    @OptionalField(key: "seq") var seq: Int64?

    init() {}

    var escalationLevel: EscalationLevel { EscalationLevel(rawValue: level) ?? .none }
    var item: EscalationItemKind { EscalationItemKind(rawValue: itemKind) ?? .report }
}

/// Per urgency, when each rung is reached. Administrators edit it; defaults are seeded.
final class EscalationPolicy: Model, @unchecked Sendable {
    static let schema = "escalation_policies"
    @ID(key: .id) var id: UUID?
    @Field(key: "urgency") var urgency: Int
    @Field(key: "reminder_hours") var reminderHours: Int
    @Field(key: "team_lead_days") var teamLeadDays: Int
    @Field(key: "manager_days") var managerDays: Int
    @Field(key: "coordinator_days") var coordinatorDays: Int
    @Field(key: "breakthrough_days") var breakthroughDays: Int
    @Field(key: "board_days") var boardDays: Int
    @Field(key: "handover_answer_days") var handoverAnswerDays: Int

    init() {}
    init(urgency: Urgency, timing: EscalationTiming) {
        self.urgency = urgency.rawValue
        apply(timing)
    }

    func apply(_ timing: EscalationTiming) {
        reminderHours = timing.reminderHours
        teamLeadDays = timing.teamLeadDays
        managerDays = timing.managerDays
        coordinatorDays = timing.coordinatorDays
        breakthroughDays = timing.breakthroughDays
        boardDays = timing.boardDays
        handoverAnswerDays = timing.handoverAnswerDays
    }

    var timing: EscalationTiming {
        .init(reminderHours: reminderHours, teamLeadDays: teamLeadDays, managerDays: managerDays, coordinatorDays: coordinatorDays,
              breakthroughDays: breakthroughDays, boardDays: boardDays, handoverAnswerDays: handoverAnswerDays)
    }
}
