import FluentKit
import Foundation

enum DirectionProposalStatus: String, Codable, CaseIterable, Sendable {
    case requested, accepted, declined, withdrawn
}

/// One proposal to take over a case's direction, with the day the one asked should have answered
/// by (working days, as for a hand-over) and how far up the escalation ladder it went unanswered.
/// The case's `proposed_director_id` says who is asked now; this row keeps the deadline and the
/// ladder's rung. Its reason is in the case's history (sealed), never here.
final class CaseDirectionProposal: Model, @unchecked Sendable {
    static let schema = "case_direction_proposals"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "case_reference") var caseReference: String
    @OptionalField(key: "district_id") var districtID: UUID?
    /// Who asked (the director, or the coordinator of a case whose director left).
    @Field(key: "proposed_by") var proposedBy: UUID
    @Field(key: "proposed_to") var proposedTo: UUID
    /// The organisation of the one asked, when proposed: its manager is a rung of the ladder.
    @OptionalField(key: "to_organisation_id") var toOrganisationID: UUID?
    /// Picks the escalation timing (cases have no urgency of their own: normal).
    @Field(key: "urgency") var urgency: Int
    @Field(key: "status") var status: String
    @Field(key: "proposed_at") var proposedAt: Date
    @Field(key: "answer_due_at") var answerDueAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answered_by") var answeredBy: UUID?
    @Field(key: "escalation_level") var escalationLevel: Int

    init() {}

    var proposalStatus: DirectionProposalStatus { DirectionProposalStatus(rawValue: status) ?? .requested }
}
