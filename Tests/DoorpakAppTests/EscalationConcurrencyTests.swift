import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// Two server processes on one database run the escalation job at the same moment: each step is
/// still taken once. Two `AppDatabase` instances are two connection pools, as two processes have.
@Suite(.serialized) struct EscalationConcurrencyTests {
    /// Monday 2 March 2026, 10:00 in Amsterdam.
    let created = Formats.parse(day: "2026-03-02", time: "10:00")!

    func at(_ day: String, _ time: String = "10:00") -> Date { Formats.parse(day: day, time: time)! }

    struct Items {
        var reports: [UUID] = []
        var actions: [UUID] = []
        var handovers: [UUID] = []
    }

    /// `count` reports made through the stores at `created`, all urgencies, half picked up by the
    /// police; every other report gets an action for the GGD, every third a hand-over request.
    func populate(_ world: TestWorld, _ database: AppDatabase, count: Int) async throws -> Items {
        let db = database.db()
        // The world's own reports were made at the real time: out of the way of the moved clock.
        try await Report.query(on: db).set(\.$status, to: ReportStatus.closed.rawValue).update()
        let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db)!
        let police = try await Principal.load(userID: world.users[.police]!, via: .session, on: db)!
        let reports = ReportStore(database: database)
        let actions = ActionStore(database: database)
        let handovers = HandoverStore(database: database)
        var items = Items()
        for index in 0..<count {
            let now = created.addingTimeInterval(Double(index) * 7)
            let urgency = Urgency.allCases[index % Urgency.allCases.count]
            var draft = TestWorld.draft(category: index.isMultiple(of: 2) ? world.categoryViolence : world.categoryConfused,
                                        location: index.isMultiple(of: 3) ? world.locationSouth : world.locationNorth, text: "Melding \(index)")
            draft.urgency = urgency.code
            draft.occurredAt = now.addingTimeInterval(-3600)
            var report = try await reports.create(draft, by: admin, now: now)
            items.reports.append(report.id!)
            if index.isMultiple(of: 2) {
                report = try await Report.find(report.id!, on: db)!
                try await reports.pickUp(report, by: police, now: now)
            }
            report = try await Report.find(report.id!, on: db)!
            if index.isMultiple(of: 2) {
                let action = try await actions.add(ActionDraft(title: "Actie \(index)", organisation: world.ggd.uuidString, assignee: nil,
                                                               dueOn: "2026-03-0\(3 + index % 4)"), to: ActionSubject(report), by: admin, now: now)
                items.actions.append(action.id!)
            }
            if index.isMultiple(of: 3) {
                let handover = try await handovers.request(.init(organisation: world.ggd.uuidString, person: nil, reason: "Overdracht \(index)"),
                                                           for: report, by: admin, now: now)
                items.handovers.append(handover.id!)
            }
        }
        return items
    }

    /// Every item has exactly one escalation row per rung it reached (1 up to its level, none
    /// missing, none twice) and, for its report, exactly one history entry per rung.
    func expectEachStepOnce(_ items: Items, on db: any Database, round: Int) async throws -> Int {
        let rows = try await Escalation.query(on: db).all()
        let events = try await ReportEvent.query(on: db).filter(\.$field == ReportField.escalated.rawValue).all()
        var levels: [UUID: Int] = [:]
        for report in try await Report.query(on: db).filter(\.$id ~~ items.reports).all() { levels[report.id!] = report.escalationLevel }
        for action in try await Action.query(on: db).filter(\.$id ~~ items.actions).all() { levels[action.id!] = action.escalationLevel }
        for handover in try await Handover.query(on: db).filter(\.$id ~~ items.handovers).all() { levels[handover.id!] = handover.escalationLevel }
        // (item, deadline, level) is unique by constraint; (item, level) must be too here (one deadline per item so far).
        var rowsPerStep: [String: Int] = [:]
        for row in rows { rowsPerStep["\(row.itemID) \(row.level)", default: 0] += 1 }
        #expect(rowsPerStep.values.allSatisfy { $0 == 1 }, "round \(round): an escalation row twice")
        // History: reports write (nil, level); actions and hand-overs (item id, level).
        var eventsPerStep: [String: Int] = [:]
        for event in events { eventsPerStep["\(event.fromValue ?? event.reportID.uuidString) \(event.toValue ?? "")", default: 0] += 1 }
        #expect(eventsPerStep.values.allSatisfy { $0 == 1 }, "round \(round): a history entry twice")
        var expectedSteps = 0
        for (id, level) in levels {
            let reached = EscalationLevel.steps.filter { $0.rawValue <= level }
            expectedSteps += reached.count
            for rung in reached {
                #expect(rowsPerStep["\(id) \(rung.rawValue)"] == 1, "round \(round): \(id) rung \(rung)")
                #expect(eventsPerStep["\(id) \(rung.code)"] == 1, "round \(round): history of \(id) rung \(rung)")
            }
        }
        #expect(rows.count == expectedSteps && events.count == expectedSteps, "round \(round)")
        return expectedSteps
    }

    @Test(arguments: TestDatabase.available)
    func twoServersPassingAtTheSameMomentTakeEachStepOnce(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await AppDatabase.with(world.config) { first in
            try await AppDatabase.with(world.config) { second in
                let items = try await populate(world, first, count: 200)
                #expect(items.actions.count == 100 && items.handovers.count == 67)
                // Each round moves the clock on: new rungs come due for many items at once.
                let moments = [at("2026-03-03", "09:00"), at("2026-03-04", "12:00"), at("2026-03-06", "12:00"),
                               at("2026-03-11", "12:00"), at("2026-03-20", "12:00"), at("2026-04-30", "12:00")]
                var total = 0
                for (round, now) in moments.enumerated() {
                    async let a = EscalationJob(database: first).pass(now: now)
                    async let b = EscalationJob(database: second).pass(now: now)
                    let (stepsA, stepsB) = try await (a.steps, b.steps)
                    let steps = try await expectEachStepOnce(items, on: first.db(), round: round)
                    // Together they took exactly the new steps: none twice, none lost.
                    #expect(stepsA + stepsB == steps - total, "round \(round): \(stepsA) + \(stepsB)")
                    total = steps
                    // Nothing is left for a third pass at the same moment.
                    #expect(try await EscalationJob(database: second).pass(now: now).steps == 0)
                }
                #expect(total > 1000)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func twoLeasedJobsOnTwoServersOnlyOneRunsThePass(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await AppDatabase.with(world.config) { first in
            try await AppDatabase.with(world.config) { second in
                let items = try await populate(world, first, count: 40)
                let clock = TestClock(at("2026-03-04", "12:00"))
                let runs = RunLog()
                func job(_ instance: AppDatabase, _ holder: String) -> LeasedJob {
                    // The lease lasts three intervals (six days): the holder renews it at every turn.
                    LeasedJob(name: EscalationJob.name, interval: .seconds(2 * 86_400), holder: holder, database: instance, now: { clock.now }) { _, now in
                        await runs.add(holder, now)
                        try await EscalationJob(database: instance).pass(now: now)
                    }
                }
                let a = job(first, "server-a"), b = job(second, "server-b")
                var total = 0
                for round in 0..<4 {
                    async let ranA = a.runOnce()
                    async let ranB = b.runOnce()
                    let ran = try await [ranA, ranB]
                    #expect(ran.filter { $0 }.count == 1, "round \(round)")
                    total = try await expectEachStepOnce(items, on: first.db(), round: round)
                    clock.advance(2 * 86_400)
                }
                #expect(Set(await runs.entries.map(\.0)).count == 1)
                #expect(await runs.entries.count == 4)
                #expect(total > 0)
            }
        }
    }
}
