import Foundation

/// An action ("afspraak") in the API, whatever it belongs to: a report or a case (a case
/// meeting's and a breakthrough decision's actions belong to their case or report).
struct ActionDTO: Encodable {
    var id: String
    /// `report` or `case`.
    var subjectType: String
    var subjectReference: String
    /// Deprecated: `subjectReference` of a report's action (`null` on a case's).
    @Nullable var reportReference: String?
    /// Deprecated: `subjectReference` of a case's action (`null` on a report's).
    @Nullable var caseReference: String?
    var title: String
    var organisationId: String
    @Nullable var assigneeId: String?
    /// The last day it may be done on (Europe/Amsterdam).
    var dueOn: String
    var status: String
    /// Against the end of the due day while open; `none` once done or cancelled.
    var deadlineState: String
    @Nullable var result: String?
    @Nullable var cancelReason: String?
    /// The case plan's goal it serves; `null` on a report's action and for who does not read the case.
    @Nullable var goalId: String?
    var createdById: String
    var createdAt: String
    @Nullable var closedById: String?
    @Nullable var closedAt: String?
    var escalationLevel: String
    /// Whether the caller may complete or cancel it now.
    var mayClose: Bool

    /// `showsContent`: the result, the cancel reason and closing, for those who read the subject's
    /// content (always on a report, whose store already checked the read; on a case, who reads its
    /// content or does the action).
    init(_ action: Action, subject: ActionSubject, goalID: UUID? = nil, showsContent: Bool = true, for principal: Principal,
         calendar: WorkingDayCalendar, now: Date = .now) {
        id = action.id!.api
        subjectType = action.subject.rawValue
        subjectReference = action.subjectReference
        reportReference = action.subject == .report ? action.subjectReference : nil
        caseReference = action.subject == .caseFile ? action.subjectReference : nil
        title = action.title
        organisationId = action.organisationID.api
        assigneeId = action.assigneeID.api
        dueOn = action.dueOn
        status = action.status
        deadlineState = (action.actionStatus.isOpen ? DeadlineState.of(action.dueAt, now: now, calendar: calendar) : .none).rawValue
        result = showsContent ? action.result : nil
        cancelReason = showsContent ? action.cancelReason : nil
        goalId = goalID.api
        createdById = action.createdBy.api
        createdAt = APIDates.write(action.createdAt)
        closedById = action.closedBy.api
        closedAt = action.closedAt.map(APIDates.write)
        escalationLevel = (EscalationLevel(rawValue: action.escalationLevel) ?? .none).code
        mayClose = action.actionStatus.isOpen && showsContent && ActionStore.mayClose(action, subject: subject, principal)
    }
}
