import FluentKit
import Foundation

/// What an action ("afspraak") or a hand-over belongs to: a report or a case (a case meeting's
/// actions belong to the case they were agreed on). Each kind has its history writer in
/// `ActionStore.recordHistory` and its links here.
enum ActionSubjectKind: String, Codable, CaseIterable, Sendable {
    case report
    case caseFile = "case"

    /// Where the subject's actions are shown.
    func link(_ reference: String) -> String {
        switch self {
        case .report: "/reports/\(reference)#actions"
        case .caseFile: "/cases/\(reference)#plan"
        }
    }

    /// Where one action is shown.
    func link(_ reference: String, action id: UUID) -> String {
        switch self {
        case .report: "/reports/\(reference)#action-\(id.uuidString)"
        // Its own page: the doer may take no part in the case (it sends those who do to the case page).
        case .caseFile: "/cases/\(reference)/actions/\(id.uuidString)"
        }
    }
}

enum ActionStatus: String, Codable, CaseIterable, Sendable {
    case open, done, cancelled
    var isOpen: Bool { self == .open }
}

/// An agreed action: what must be done, by which organisation (and optionally which person),
/// before which day. It is done only with a result; cancelling needs a reason.
final class Action: Model, @unchecked Sendable {
    static let schema = "actions"
    @ID(key: .id) var id: UUID?
    @Field(key: "subject_kind") var subjectKind: String
    @Field(key: "subject_id") var subjectID: UUID
    /// The subject's readable reference (`DP-2026-000123`), for lists, mails and links.
    @Field(key: "subject_reference") var subjectReference: String
    /// The subject's district, so coordinators' views need no join.
    @OptionalField(key: "district_id") var districtID: UUID?
    @Field(key: "title") var title: String
    /// The subject's urgency when this was made: it picks the escalation timing.
    @Field(key: "urgency") var urgency: Int
    @Field(key: "organisation_id") var organisationID: UUID
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    /// The last day it may be done on, as `yyyy-MM-dd` in Amsterdam: a day, not a moment.
    @Field(key: "due_on") var dueOn: String
    @Field(key: "status") var status: String
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_by") var closedBy: UUID?
    @OptionalField(key: "closed_at") var closedAt: Date?
    /// The order of writing within the same second (`WriteSequence`) of its agreeing and its closing:
    /// the case timeline sorts by `(at, seq)`. `nil` on rows written before the columns existed.
    @OptionalField(key: "created_seq") var createdSeq: Int64?
    @OptionalField(key: "closed_seq") var closedSeq: Int64?
    /// How far up the escalation ladder it went (`EscalationLevel.rawValue`), 0 when never.
    @Field(key: "escalation_level") var escalationLevel: Int

    init() {}

    /// A case's actions keep their result and cancel reason sealed, bound to the row (`CaseSealing`).
    static let encryptedForCases = EncryptedTable(table: schema, columns: ["result", "cancel_reason"], indexes: [], rowBound: true,
                                                  only: (column: "subject_kind", value: ActionSubjectKind.caseFile.rawValue))

    var actionStatus: ActionStatus { ActionStatus(rawValue: status) ?? .open }
    var subject: ActionSubjectKind { ActionSubjectKind(rawValue: subjectKind) ?? .report }
    /// The moment it becomes overdue: the end of its due day in Amsterdam.
    var dueAt: Date? { ActionDraft.endOfDay(dueOn) }
}
