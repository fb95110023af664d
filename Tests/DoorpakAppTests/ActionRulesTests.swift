import Foundation
import Testing
@testable import DoorpakApp

/// The pure rules of actions: field checks of a new action, the end of its due day, who may close it.
@Suite struct ActionRulesTests {
    let organisation = UUID()

    func draft(title: String? = "Gesprek met bewoner", organisation: String? = nil, assignee: String? = nil,
               dueOn: String? = "2026-03-10") -> ActionDraft {
        ActionDraft(title: title, organisation: organisation ?? self.organisation.uuidString, assignee: assignee, dueOn: dueOn)
    }

    func issues(_ draft: ActionDraft, today: String = "2026-03-06") -> [String: String] {
        Dictionary(draft.validate(today: today).1.map { ($0.name, $0.code) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func aCompleteDraftIsValid() {
        let assignee = UUID()
        let (valid, issues) = draft(title: "  Gesprek met bewoner \n", assignee: assignee.uuidString).validate(today: "2026-03-06")
        #expect(issues.isEmpty)
        #expect(valid?.title == "Gesprek met bewoner")
        #expect(valid?.organisationID == organisation && valid?.assigneeID == assignee && valid?.dueOn == "2026-03-10")
        // Today is still allowed.
        #expect(self.issues(draft(dueOn: "2026-03-06")).isEmpty)
    }

    @Test func everyFieldProblemIsReportedAtOnce() {
        let found = issues(ActionDraft(title: " ", organisation: nil, assignee: "nobody", dueOn: ""))
        #expect(found == ["title": "required", "organisation": "required", "assignee": "unknown", "due_on": "required"])
        #expect(issues(draft(organisation: "not-a-uuid"))["organisation"] == "unknown")
        #expect(issues(draft(title: String(repeating: "x", count: ActionDraft.maxTitleLength + 1)))["title"] != nil)
        #expect(issues(draft(title: String(repeating: "x", count: ActionDraft.maxTitleLength))).isEmpty)
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "10-03-2026", "2026-3-10", "morgen", "2026-03-10T10:00"])
    func aDueDayMustBeARealDay(_ day: String) {
        #expect(issues(draft(dueOn: day))["due_on"] == "invalid")
        #expect(ActionDraft.endOfDay(day) == nil)
    }

    @Test func aDueDayInThePastIsRefused() {
        #expect(issues(draft(dueOn: "2026-03-05"))["due_on"] == "in_past")
        #expect(issues(draft(dueOn: "2025-12-31"))["due_on"] == "in_past")
    }

    @Test func anActionIsDueAtTheLastSecondOfItsDayInAmsterdam() {
        // Winter (UTC+1), summer (UTC+2) and the day the clocks go forward.
        for (day, utc) in [("2026-03-10", "2026-03-10T22:59:59Z"), ("2026-07-01", "2026-07-01T21:59:59Z"),
                           ("2026-03-29", "2026-03-29T21:59:59Z"), ("2026-10-25", "2026-10-25T22:59:59Z")] {
            #expect(ActionDraft.endOfDay(day) == ISO8601DateFormatter().date(from: utc), "\(day)")
        }
    }

    @Test func whoMayCloseAnAction() {
        let assignee = UUID(), owner = UUID(), creator = UUID()
        let action = Action()
        action.organisationID = organisation
        action.assigneeID = assignee
        action.createdBy = creator
        let subject = ActionSubject(kind: .report, id: UUID(), reference: "DP-2026-000001", districtID: nil, urgency: .normal, ownerID: owner)
        func person(_ role: Role, _ organisation: UUID? = UUID()) -> Principal { person(UUID(), role, organisation) }
        func person(_ id: UUID, _ role: Role, _ organisation: UUID? = UUID()) -> Principal {
            Principal(userID: id, name: "x", email: "x@test.example", role: role, organisationID: organisation,
                      districtIDs: [], locationIDs: [], via: .session)
        }
        #expect(ActionStore.mayClose(action, subject: subject, person(assignee, .partner)))
        #expect(ActionStore.mayClose(action, subject: subject, person(.partner, organisation)))
        #expect(ActionStore.mayClose(action, subject: subject, person(owner, .locationStaff)))
        #expect(ActionStore.mayClose(action, subject: subject, person(creator, .partner)))
        #expect(ActionStore.mayClose(action, subject: subject, person(.coordinator)))
        #expect(ActionStore.mayClose(action, subject: subject, person(.administrator)))
        #expect(!ActionStore.mayClose(action, subject: subject, person(.partner)))
        #expect(!ActionStore.mayClose(action, subject: subject, person(.locationStaff)))
        // No record access: not even within the organisation or as the one named.
        #expect(!ActionStore.mayClose(action, subject: subject, person(.analyst, organisation)))
        #expect(!ActionStore.mayClose(action, subject: subject, person(assignee, .privacyOfficer, organisation)))
    }
}
