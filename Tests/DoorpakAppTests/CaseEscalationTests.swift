import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// A case's actions go through the same ladder as a report's: an overdue action of a case climbs
/// rung by rung with escalation rows that name the case, notices that link to the case, and once
/// at the breakthrough meeting the district coordinator decides on it, adding actions to the case
/// and a decision to the case's history in one transaction.
@Suite struct CaseEscalationTests {
    func at(_ day: String, _ time: String = "10:00") -> Date { Formats.parse(day: day, time: time)! }

    @Test(arguments: TestDatabase.available)
    func anOverdueCaseActionClimbsToTheBreakthroughMeetingWhichDecidesOnTheCase(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { appDatabase in
            let db = appDatabase.db()
            func principal(_ persona: TestWorld.Persona) async throws -> Principal {
                try #require(try await Principal.load(userID: world.users[persona]!, via: .session, on: db))
            }
            let police = try await principal(.police), coordinator = try await principal(.coordinatorNorth), ggd = try await principal(.ggd)
            let persons = PersonStore(database: appDatabase, cipher: try FieldCipher(world.config.keys))
            let cases = CaseStore(database: appDatabase, persons: persons)
            let report = try await ReportStore(database: appDatabase).find(reference: world.reportNorth, by: police)
            let pseudonym = try await persons.link(PersonDraft(name: "Fictief Ladder"), role: "causing_concern", to: report, by: police).pseudonym
            let file = try await cases.open(.init(pseudonyms: [pseudonym], reason: "Herhaalde incidenten", reportReferences: [world.reportNorth]),
                                            by: police, now: at("2026-03-02"))
            // The world's own reports must not climb in this test's moved clock.
            try await Report.query(on: db).set(\.$status, to: ReportStatus.closed.rawValue).update()

            let actions = ActionStore(database: appDatabase)
            let action = try await actions.add(ActionDraft(title: "Huisbezoek", organisation: world.ggd.uuidString, assignee: ggd.userID.uuidString,
                                                           dueOn: "2026-03-09"), to: ActionSubject(file), by: police, now: at("2026-03-02"))
            #expect(action.subjectKind == "case")
            #expect(try await CaseEvent.query(on: db).filter(\.$caseID == file.id!).filter(\.$kind == "action").count() == 1)
            // Assigned to a person: the action is in their work, linked to the case.
            let work = try await WorkStore(database: appDatabase).inbox(.mine, by: ggd)
            #expect(work.actions.map(\.id) == [action.id])
            #expect(ActionSubjectKind.caseFile.link(file.reference, action: action.id!) == "/cases/\(file.reference)/actions/\(action.id!.uuidString)")

            // Weeks later it has climbed every rung up to the board, each once, each naming the case.
            let job = EscalationJob(database: appDatabase)
            _ = try await job.pass(now: at("2026-04-30"))
            for _ in 0..<6 { _ = try await job.pass(now: at("2026-04-30")) }
            #expect(try await job.pass(now: at("2026-04-30")).steps == 0)
            let rows = try await Escalation.query(on: db).filter(\.$itemID == action.id!).sort(\.$level).all()
            #expect(rows.map(\.level) == Array(1...6))
            #expect(rows.allSatisfy { $0.subjectKind == "case" && $0.subjectID == file.id! && $0.subjectReference == file.reference })
            let links = try await Notification.query(on: db).filter(\.$reference == file.reference).all().map(\.link)
            #expect(!links.isEmpty && links.allSatisfy { $0.hasPrefix("/cases/\(file.reference)") })
            // The report's history holds nothing of the case's action.
            #expect(try await ReportEvent.query(on: db).filter(\.$fromValue == action.id!.uuidString).count() == 0)

            // The coordinator of the case's district has it on the breakthrough agenda; another partner does not.
            let store = EscalationStore(database: appDatabase)
            let agenda = try await store.agenda(.breakthrough, by: coordinator)
            let item = try #require(agenda.first { $0.itemID == action.id })
            await #expect(throws: AppError.self) { try await store.agenda(.breakthrough, by: ggd) }
            let subject = AgendaSubjects(reports: ReportStore(database: appDatabase), cases: cases)
            let found = try await subject.find(item, by: coordinator)
            guard case .caseFile(let agendaCase) = found else { Issue.record("expected the case"); return }
            #expect(agendaCase.id == file.id)
            await #expect(throws: AppError.self) { try await subject.find(item, by: ggd) }

            // A decision with an invalid action writes nothing; a valid one adds the action to the case.
            let bad = ActionDraft(title: "Nieuw plan", organisation: nil, assignee: nil, dueOn: "2026-05-08")
            await #expect(throws: AppError.self) {
                try await store.decide(item, decision: "Zorgmachtiging onderzoeken", actions: [bad], subject: found.action, by: coordinator, now: at("2026-04-30", "14:00"))
            }
            #expect(try await Escalation.find(item.id!, on: db)?.decidedAt == nil)
            let good = ActionDraft(title: "Zorgmachtiging onderzoeken", organisation: world.ggd.uuidString, assignee: nil, dueOn: "2026-05-08")
            try await store.decide(item, decision: "GGD onderzoekt zorgmachtiging", actions: [good], subject: found.action, by: coordinator,
                                   now: at("2026-04-30", "14:00"))
            let caseActions = try await actions.actions(of: ActionSubject(file))
            #expect(caseActions.map(\.title).sorted() == ["Huisbezoek", "Zorgmachtiging onderzoeken"])
            // The decision is in the case's history, sealed at rest and opened by the case's store.
            let decision = try #require(try await CaseEvent.query(on: db).filter(\.$caseID == file.id!).filter(\.$kind == "decision").first())
            #expect(decision.reason?.hasPrefix("dp2.") == true)
            #expect(try cases.opened([decision]).first?.reason == "GGD onderzoekt zorgmachtiging")
        }
    }
}
