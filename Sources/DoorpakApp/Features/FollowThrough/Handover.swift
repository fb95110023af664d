import FluentKit
import Foundation

enum HandoverStatus: String, Codable, CaseIterable, Sendable {
    case requested, accepted, declined, withdrawn
    var isPending: Bool { self == .requested }
}

/// A request to pass an item (a report now; a case later) to another organisation and/or person.
/// Until the receiver accepts, the sender stays the owner. Declining needs a reason.
final class Handover: Model, @unchecked Sendable {
    static let schema = "handovers"
    @ID(key: .id) var id: UUID?
    @Field(key: "subject_kind") var subjectKind: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "subject_reference") var subjectReference: String
    @OptionalField(key: "district_id") var districtID: UUID?
    @Field(key: "from_user_id") var fromUserID: UUID
    @OptionalField(key: "from_organisation_id") var fromOrganisationID: UUID?
    @Field(key: "to_organisation_id") var toOrganisationID: UUID
    /// `nil`: anyone of the receiving organisation may accept (and then owns the item).
    @OptionalField(key: "to_user_id") var toUserID: UUID?
    @Field(key: "reason") var reason: String
    /// The subject's urgency when this was made: it picks the escalation timing.
    @Field(key: "urgency") var urgency: Int
    @Field(key: "status") var status: String
    @OptionalField(key: "answer_reason") var answerReason: String?
    @Field(key: "requested_at") var requestedAt: Date
    /// When the receiver should have answered (working days by the escalation timing of its urgency).
    @Field(key: "answer_due_at") var answerDueAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answered_by") var answeredBy: UUID?
    /// How far up the escalation ladder an unanswered request went.
    @Field(key: "escalation_level") var escalationLevel: Int

    init() {}

    var handoverStatus: HandoverStatus { HandoverStatus(rawValue: status) ?? .requested }
    var subject: ActionSubjectKind { ActionSubjectKind(rawValue: subjectKind) ?? .report }
}
/// Who may do what with a hand-over: the one place that decides.
enum HandoverRules {
    enum Answer: String, Sendable { case accept, decline, withdraw }

    enum Outcome: Equatable, Sendable { case allowed, notPending, notReceiver, notSender, reasonRequired }

    /// The receiver answers: the named person, or anyone of the receiving organisation when nobody
    /// was named. The sender (or a coordinator or administrator) may withdraw.
    static func check(_ answer: Answer, status: HandoverStatus, toUser: UUID?, toOrganisation: UUID, fromUser: UUID,
                      reason: String?, by principal: Principal) -> Outcome {
        guard status.isPending else { return .notPending }
        let hasReason = !(reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        switch answer {
        case .accept, .decline:
            let receiver = toUser.map { $0 == principal.userID } ?? (principal.organisationID == toOrganisation
                && !Role.withoutRecordAccess.contains(principal.role))
            guard receiver else { return .notReceiver }
            if answer == .decline && !hasReason { return .reasonRequired }
            return .allowed
        case .withdraw:
            let sender = fromUser == principal.userID || principal.role == .coordinator || principal.role == .administrator
            return sender ? .allowed : .notSender
        }
    }

    /// The status an allowed answer leads to.
    static func status(after answer: Answer) -> HandoverStatus {
        switch answer {
        case .accept: .accepted
        case .decline: .declined
        case .withdraw: .withdrawn
        }
    }
}
