import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// Closed cases have a retention period of their own: after it the purge destroys the case's whole
/// file (members, notes, plan, factors, history, actions, escalations, meeting items, placements)
/// and leaves a destruction record; a case with a placement still running stays, and so does an
/// open case; the reports and persons the case held are then free to follow their own periods.
@Suite struct CaseRetentionTests {
    static let day: TimeInterval = 86_400

    @Test(arguments: TestDatabase.available)
    func aClosedCaseGoesWithItsWholeFileAfterItsPeriod(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let s = try await CasePlanTests.setting(world, db)
            let (store, file, now) = (s.store, s.file, Date.now)
            _ = try await store.addGoal(domain: "housing", text: "Woning behouden", to: file, access: .director, by: s.police)
            try await store.addNote("Gesprek gevoerd", sensitive: false, readers: [], to: file, access: .director, by: s.police)
            _ = try await store.addAction(ActionDraft(title: "Huisbezoek", organisation: world.ggd.uuidString, dueOn: Formats.isoDay(now.addingTimeInterval(7 * Self.day))),
                                          goal: nil, to: file, access: .director, by: s.police)
            let meetings = CaseMeetingStore(database: db, cases: store)
            let meeting = try await meetings.plan(.init(day: Formats.isoDay(now.addingTimeInterval(Self.day)), time: "10:00",
                                                        organisations: [world.police.uuidString]), agenda: [file.reference], by: s.admin)
            let agenda = try await meetings.agenda(meeting.id!, by: s.police)
            let item = try #require(try await CaseMeetingItem.query(on: db.db()).filter(\.$caseID == file.id!).first())
            try await meetings.record(.init(minutes: "Besproken", decisions: ["Doorgaan"], actions: []), item: item.id!, of: agenda, by: s.police)
            let draft = CoolingOffStore.RequestDraft(reason: "Afkoelen", from: Formats.isoDay(now), through: Formats.isoDay(now.addingTimeInterval(14 * Self.day)),
                                                     guidanceOrganisation: world.ggd.uuidString)
            let placement = try await store.requestPlacement(draft, for: s.pseudonym, in: file, by: s.police)
            // A second, open case of the same person stays whatever happens to the first.
            let other = try await store.open(.init(pseudonyms: [s.pseudonym], reason: "Nieuw incident"), by: s.police)
            try await store.changePhase(file, access: .director, to: .closed, outcome: "stabilised", reason: "Rust op de locatie",
                                        cancelOpenActions: true, by: s.police, now: now)
            let purge = RetentionPurge(database: db)
            func count(_ outcomes: [RetentionPurge.Outcome]) -> Int? { outcomes.first { $0.type == .closedCases }?.count }

            // Within five years nothing is due; after them the running placement still holds the case.
            #expect(count(try await purge.run(now: now.addingTimeInterval(1825 * Self.day), dryRun: true, method: "command")) == 0)
            let later = now.addingTimeInterval(1827 * Self.day)
            #expect(count(try await purge.run(now: later, dryRun: false, method: "command")) == 0)
            #expect(try await CaseFile.find(file.id!, on: db.db()) != nil)

            try await CoolingOffStore(database: db, persons: store.persons)
                .perform(.cancel, on: try #require(try await CoolingOffPlacement.find(placement.id!, on: db.db())), with: .init(reason: "Niet meer nodig"), by: s.police)
            #expect(count(try await purge.run(now: later, dryRun: true, method: "command")) == 1)
            #expect(count(try await purge.run(now: later, dryRun: false, method: "command")) == 1)

            let sql = db.db()
            #expect(try await CaseFile.find(file.id!, on: sql) == nil)
            #expect(try await CaseFile.find(other.id!, on: sql) != nil)
            for (name, remaining) in [
                ("members", try await CaseMember.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("notes", try await CaseNote.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("events", try await CaseEvent.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("goals", try await CaseGoal.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("persons", try await CasePerson.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("reports", try await CaseReport.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("actions", try await Action.query(on: sql).filter(\.$subjectID == file.id!).count()),
                ("meeting items", try await CaseMeetingItem.query(on: sql).filter(\.$caseID == file.id!).count()),
                ("decisions", try await CaseMeetingDecision.query(on: sql).filter(\.$itemID == item.id!).count()),
                ("placements", try await CoolingOffPlacement.query(on: sql).filter(\.$id == placement.id!).count()),
                ("notifications", try await Notification.query(on: sql).filter(\.$reference == file.reference).count()),
            ] { #expect(remaining == 0, "\(name) of the destroyed case") }
            // The meeting itself (date, place, invitations) stays; the destruction record names no case.
            #expect(try await CaseMeeting.find(meeting.id!, on: sql) != nil)
            let record = try #require(try await DestructionRecord.query(on: sql).filter(\.$recordType == "cases_closed").first())
            #expect(record.count == 1 && record.periodDays == 1826)
        }
    }

    /// A person whose reports have gone goes after their own period with their ended placements; a
    /// placement still requested holds them.
    @Test(arguments: TestDatabase.available)
    func aPersonGoesWithTheirEndedPlacementsAndAnOpenOneHoldsThem(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let (placementID, personID) = try await world.withDatabase { db -> (UUID, UUID) in
            let police = try #require(try await Principal.load(userID: world.users[.police]!, via: .session, on: db.db()))
            let persons = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
            let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: police)
            let pseudonym = try await persons.link(PersonDraft(name: "Fictief Verblijf"), role: "causing_concern", to: report, by: police, now: now).pseudonym
            let placements = CoolingOffStore(database: db, persons: persons)
            let placement = try await placements.request(.init(reason: "Afkoelen", from: Formats.isoDay(now), through: Formats.isoDay(now.addingTimeInterval(7 * Self.day)),
                                                               guidanceOrganisation: world.ggd.uuidString), for: pseudonym, by: police, now: now)
            let person = try #require(try await PersonRecord.query(on: db.db()).filter(\.$pseudonym == pseudonym).first())
            return (placement.id!, person.id!)
        }
        _ = try await RetentionTests.closeNorth(world, now: now)
        let later = now.addingTimeInterval(731 * Self.day)
        try await world.withDatabase { db in
            let purge = RetentionPurge(database: db)
            // The report goes; the requested placement holds the person.
            _ = try await purge.run(now: later, dryRun: false, method: "command")
            #expect(try await PersonRecord.find(personID, on: db.db()) != nil)
            let placement = try #require(try await CoolingOffPlacement.find(placementID, on: db.db()))
            placement.status = PlacementStatus.cancelled.rawValue
            try await placement.update(on: db.db())
            _ = try await purge.run(now: later, dryRun: false, method: "command")
            #expect(try await PersonRecord.find(personID, on: db.db()) == nil)
            #expect(try await CoolingOffPlacement.find(placementID, on: db.db()) == nil)
            #expect(try await CoolingOffEvent.query(on: db.db()).filter(\.$placementID == placementID).count() == 0)
        }
    }
}
