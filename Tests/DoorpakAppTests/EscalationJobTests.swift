import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// The escalation job against a real database with a moved clock: a report made through
/// `ReportStore` (routed, with deadlines) climbs the ladder one rung at the moments the ladder
/// says, each step once however often the pass runs, with its escalation row, its history entry
/// and its notices; picking up starts the ladder again, resolving stops it; actions and hand-overs
/// climb too.
@Suite struct EscalationJobTests {
    /// Friday 6 March 2026, 10:00 in Amsterdam: acknowledgement (1 working day) is due Monday 9 March 10:00.
    let created = Formats.parse(day: "2026-03-06", time: "10:00")!
    let calendar = WorkingDayCalendar()

    func at(_ day: String, _ time: String = "10:00") -> Date { Formats.parse(day: day, time: time)! }

    /// The world, the people the ladder reaches and the stores, on one database.
    struct Setup {
        let world: TestWorld
        let database: AppDatabase
        let admin: Principal, police: Principal, ggd: Principal
        let policeLead: UUID, policeManager: UUID, ggdManager: UUID

        var job: EscalationJob { EscalationJob(database: database) }
        var reports: ReportStore { ReportStore(database: database) }
        var db: any Database { database.db() }
    }

    func withSetup(_ database: TestDatabase, _ body: (Setup) async throws -> Void) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { appDatabase in
            let db = appDatabase.db()
            func user(_ email: String, _ organisation: UUID) async throws -> UUID {
                let user = User(email: email, name: email, passwordHash: "x", role: .partner, organisationID: organisation)
                try await user.create(on: db)
                return user.id!
            }
            // The world's own reports were made at the real time: out of the way of the moved clock.
            try await Report.query(on: db).set(\.$status, to: ReportStatus.closed.rawValue).update()
            let lead = try await user("lead@police.test", world.police)
            let manager = try await user("manager@police.test", world.police)
            let ggdManager = try await user("manager@ggd.test", world.ggd)
            // The police partner's team lead, and each organisation's manager.
            let officer = try await User.find(world.users[.police]!, on: db)!
            officer.teamLeadID = lead
            try await officer.update(on: db)
            for (organisation, person) in [(world.police, manager), (world.ggd, ggdManager)] {
                let row = try await Organisation.find(organisation, on: db)!
                row.managerID = person
                try await row.update(on: db)
            }
            func principal(_ persona: TestWorld.Persona) async throws -> Principal {
                try await Principal.load(userID: world.users[persona]!, via: .session, on: db)!
            }
            try await body(Setup(world: world, database: appDatabase, admin: try await principal(.admin),
                                 police: try await principal(.police), ggd: try await principal(.ggd),
                                 policeLead: lead, policeManager: manager, ggdManager: ggdManager))
        }
    }

    /// A violence report at the northern site (routed to the police), made at `now`.
    func newReport(_ setup: Setup, urgency: Urgency = .normal, at now: Date) async throws -> Report {
        var draft = TestWorld.draft(category: setup.world.categoryViolence, location: setup.world.locationNorth, text: "Ruzie in de gang")
        draft.urgency = urgency.code
        draft.occurredAt = now.addingTimeInterval(-3600)
        return try await setup.reports.create(draft, by: setup.admin, now: now)
    }

    func reload(_ report: Report, _ setup: Setup) async throws -> Report { try await Report.find(report.id!, on: setup.db)! }

    func escalations(ofItem id: UUID, _ setup: Setup) async throws -> [Escalation] {
        try await Escalation.query(on: setup.db).filter(\.$itemID == id).sort(\.$deadline).sort(\.$level).all()
    }

    /// The report's `escalated` history entries as (from, to), oldest first.
    func history(_ report: Report, _ setup: Setup) async throws -> [(String?, String?)] {
        try await ReportEvent.query(on: setup.db).filter(\.$reportID == report.id!).filter(\.$field == ReportField.escalated.rawValue)
            .sort(\.$at).all().map { ($0.fromValue, $0.toValue) }
    }

    func notices(to user: UUID, _ kind: NotificationKind, _ setup: Setup) async throws -> Int {
        try await Notification.query(on: setup.db).filter(\.$recipientID == user).filter(\.$kind == kind.rawValue).count()
    }

    /// Runs the pass twice at `now`: the second run has nothing left to do.
    @discardableResult
    func passTwice(_ setup: Setup, at now: Date) async throws -> Int {
        let first = try await setup.job.pass(now: now)
        let second = try await setup.job.pass(now: now)
        #expect(second.steps == 0, "second pass at \(now)")
        return first.steps
    }

    // MARK: A report's acknowledgement ladder

    @Test(arguments: TestDatabase.available)
    func aNewReportClimbsEachRungOnceAtTheMomentTheLadderSays(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let report = try await newReport(setup, at: created)
            let deadline = try #require(report.acknowledgeDueAt)
            #expect(deadline == at("2026-03-09"))
            #expect(report.organisationID == setup.world.police)
            let timing = EscalationTiming.defaults(.normal)
            // (moment, level expected afterwards): reminder 24 h before; then 1, 2, 5, 10, 20 working days.
            let moments: [(Date, EscalationLevel)] = [
                (at("2026-03-06", "12:00"), .none),
                (at("2026-03-08", "09:59"), .none),
                (at("2026-03-08", "10:01"), .reminder),           // Sunday: the reminder ignores working days
                (at("2026-03-09", "10:01"), .reminder),           // just overdue
                (at("2026-03-10", "09:59"), .reminder),
                (at("2026-03-10", "10:01"), .teamLead),
                (at("2026-03-11", "10:01"), .manager),
                (at("2026-03-14", "12:00"), .manager),            // Saturday after the 5th day would be, had weekends counted
                (at("2026-03-16", "10:01"), .coordinator),
                // Breakthrough (10 days: 23 March) and board (20 days, past Easter Monday: 7 April) in one pass.
                (at("2026-04-07", "10:01"), .board),
                (at("2026-06-01", "10:00"), .board),
            ]
            var expectedRungs: [EscalationLevel] = []
            for (now, expected) in moments {
                let steps = try await passTwice(setup, at: now)
                let stored = try await reload(report, setup)
                #expect(stored.escalationLevel == expected.rawValue, "at \(Formats.isoDay(now)) \(Formats.isoTime(now))")
                // The job and the pure ladder agree.
                #expect(EscalationLadder.level(deadline: deadline, timing: timing, now: now, calendar: calendar) == expected)
                let newRungs = EscalationLevel.steps.filter { $0 <= expected && !expectedRungs.contains($0) }
                #expect(steps == newRungs.count)
                expectedRungs += newRungs
            }
            let rows = try await escalations(ofItem: report.id!, setup)
            #expect(rows.map(\.level) == EscalationLevel.steps.map(\.rawValue))
            #expect(rows.allSatisfy { $0.itemKind == "report" && $0.subjectID == report.id! && $0.deadline == deadline })
            #expect(rows.allSatisfy { $0.subjectReference == report.reference && $0.districtID == setup.world.districtNorth })
            #expect(rows.first { $0.level == EscalationLevel.teamLead.rawValue }?.at == at("2026-03-10", "10:01"))
            #expect(try await history(report, setup).map(\.1) == EscalationLevel.steps.map(\.code))
            #expect(try await history(report, setup).allSatisfy { $0.0 == nil })
            // Nobody owns it yet: reminder and team lead go to the police manager; then the manager,
            // the northern coordinator twice (coordinator, breakthrough) and the administrator.
            #expect(try await notices(to: setup.policeManager, .actionDue, setup) == 1)
            #expect(try await notices(to: setup.policeManager, .escalated, setup) == 2)
            #expect(try await notices(to: setup.world.users[.coordinatorNorth]!, .escalated, setup) == 2)
            #expect(try await notices(to: setup.world.users[.admin]!, .escalated, setup) == 1)
            #expect(try await notices(to: setup.policeLead, .escalated, setup) == 0)
        }
    }

    // MARK: Picking up, resolving

    /// The job's query and the pure ladder agree for acknowledgement deadlines on a Saturday and on
    /// King's Day: the team lead's rung comes one working day later at the deadline's own clock time
    /// (`WorkingDayCalendar.adding`), not at midnight a day after.
    @Test(arguments: TestDatabase.available)
    func aDeadlineOnADayOffReachesTheTeamLeadWhenAddingSays(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            for (deadline, before, after) in [
                (at("2026-03-07", "14:00"), at("2026-03-09", "13:59"), at("2026-03-09", "14:01")),   // Saturday → Monday 14:00
                (at("2026-04-27", "12:00"), at("2026-04-28", "11:59"), at("2026-04-28", "12:01")),   // King's Day → Tuesday 12:00
            ] {
                let report = try await newReport(setup, at: deadline.addingTimeInterval(-7 * 86400))
                try await Report.query(on: setup.db).filter(\.$id == report.id!).set(\.$acknowledgeDueAt, to: deadline).update()
                #expect(calendar.adding(workingDays: EscalationTiming.defaults(.normal).teamLeadDays, to: deadline) == after.addingTimeInterval(-60))
                try await passTwice(setup, at: before)
                #expect(try await reload(report, setup).escalationLevel == EscalationLevel.reminder.rawValue, "\(Formats.isoDay(deadline))")
                try await passTwice(setup, at: after)
                #expect(try await reload(report, setup).escalationLevel == EscalationLevel.teamLead.rawValue, "\(Formats.isoDay(deadline))")
                #expect(EscalationLadder.level(deadline: deadline, timing: .defaults(.normal), now: after, calendar: calendar) == .teamLead)
                try await Report.query(on: setup.db).filter(\.$id == report.id!).set(\.$status, to: ReportStatus.closed.rawValue).update()
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func pickingUpStartsTheLadderAgainForTheResolutionDeadlineWithTheOwnersTeamLead(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let report = try await newReport(setup, at: created)
            try await passTwice(setup, at: at("2026-03-10", "10:01"))
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.teamLead.rawValue)

            let mine = try await reload(report, setup)
            try await setup.reports.pickUp(mine, by: setup.police, now: at("2026-03-10", "11:00"))
            let picked = try await reload(report, setup)
            #expect(picked.reportStatus == .inProgress && picked.ownerID == setup.police.userID && picked.escalationLevel == 0)
            // Violence routes with 3 working days to resolve: Wednesday 11 March 10:00.
            let resolveDue = try #require(picked.resolveDueAt)
            #expect(resolveDue == at("2026-03-11"))
            // The acknowledgement ladder does not go on; the resolution reminder (24 h before) is due at once.
            #expect(try await passTwice(setup, at: at("2026-03-10", "11:00")) == 1)
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.reminder.rawValue)
            #expect(try await passTwice(setup, at: at("2026-03-12", "09:59")) == 0)
            // One working day past the resolution deadline: the team lead's rung.
            #expect(try await passTwice(setup, at: at("2026-03-12", "10:01")) == 1)
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.teamLead.rawValue)
            let rows = try await escalations(ofItem: report.id!, setup)
            let acknowledgeDue = try #require(report.acknowledgeDueAt)
            #expect(rows.map(\.deadline) == [acknowledgeDue, acknowledgeDue, resolveDue, resolveDue])
            #expect(rows.map(\.level) == [1, 2, 1, 2])
            #expect(try await history(report, setup).map(\.1) == ["reminder", "team_lead", "reminder", "team_lead"])
            // Now owned: the reminder goes to the owner, the team-lead rung to their team lead.
            #expect(try await notices(to: setup.police.userID, .actionDue, setup) == 1)
            #expect(try await notices(to: setup.policeLead, .escalated, setup) == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aResolvedOrClosedReportStopsEscalating(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let resolved = try await newReport(setup, at: created)
            let closed = try await newReport(setup, at: created)
            try await passTwice(setup, at: at("2026-03-10", "10:01"))
            try await setup.reports.changeStatus(try await reload(resolved, setup), to: .resolved, reason: nil, by: setup.admin,
                                                 now: at("2026-03-10", "11:00"))
            try await setup.reports.changeStatus(try await reload(closed, setup), to: .closed, reason: "Dubbele melding", by: setup.admin,
                                                 now: at("2026-03-10", "11:00"))
            for now in [at("2026-03-11", "10:01"), at("2026-04-30"), at("2026-12-01")] {
                #expect(try await passTwice(setup, at: now) == 0)
            }
            for report in [resolved, closed] {
                #expect(try await escalations(ofItem: report.id!, setup).map(\.level) == [1, 2])
                #expect(try await history(report, setup).count == 2)
            }
            // Reopened (in progress again, with a reason): its resolution deadline has long passed.
            try await setup.reports.changeStatus(try await reload(resolved, setup), to: .inProgress, reason: "Opnieuw overlast",
                                                 by: setup.admin, now: at("2026-12-01"))
            #expect(try await passTwice(setup, at: at("2026-12-01", "10:01")) > 0)
            #expect(try await reload(resolved, setup).escalationLevel > EscalationLevel.teamLead.rawValue)
        }
    }

    // MARK: Actions and hand-overs

    @Test(arguments: TestDatabase.available)
    func anOverdueActionAndAnUnansweredHandoverEscalateAndStopOnceAnswered(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let report = try await newReport(setup, at: created)
            try await setup.reports.pickUp(try await reload(report, setup), by: setup.police, now: at("2026-03-06", "10:30"))
            let subject = ActionSubject(try await reload(report, setup))
            let actions = ActionStore(database: setup.database)
            // Due Monday 9 March (end of the day); for the GGD, nobody named: its manager hears of it.
            let action = try await actions.add(ActionDraft(title: "Huisbezoek", organisation: setup.world.ggd.uuidString, assignee: nil,
                                                           dueOn: "2026-03-09"), to: subject, by: setup.police, now: at("2026-03-06", "11:00"))
            // Asked of the GGD on Friday 11:00: normal urgency gives 2 working days, Tuesday 11:00.
            let handovers = HandoverStore(database: setup.database)
            let handover = try await handovers.request(.init(organisation: setup.world.ggd.uuidString, person: nil, reason: "Zorgvraag"),
                                                       for: try await reload(report, setup), by: setup.police, now: at("2026-03-06", "11:00"))
            #expect(handover.answerDueAt == at("2026-03-10", "11:00"))

            #expect(try await passTwice(setup, at: at("2026-03-08", "23:00")) == 0)
            // Monday 08:00: the action's day ends within 24 hours (reminder); the hand-over's answer is due in 27 hours.
            #expect(try await passTwice(setup, at: at("2026-03-09", "08:00")) == 1)
            #expect(try await Action.find(action.id!, on: setup.db)!.escalationLevel == EscalationLevel.reminder.rawValue)
            #expect(try await passTwice(setup, at: at("2026-03-09", "11:01")) == 1)
            #expect(try await Handover.find(handover.id!, on: setup.db)!.escalationLevel == EscalationLevel.reminder.rawValue)
            // Tuesday: the action is overdue since Monday night (team lead after one working day: Wednesday);
            // only the report's own reminder comes (resolution due Wednesday 10:00).
            #expect(try await passTwice(setup, at: at("2026-03-10", "12:00")) == 1)
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.reminder.rawValue)
            // Wednesday 12:00: the action (due end of Monday) and the hand-over (due Tuesday 11:00) reach the team lead.
            #expect(try await passTwice(setup, at: at("2026-03-11", "12:00")) == 2)
            #expect(try await Action.find(action.id!, on: setup.db)!.escalationLevel == EscalationLevel.teamLead.rawValue)
            #expect(try await Handover.find(handover.id!, on: setup.db)!.escalationLevel == EscalationLevel.teamLead.rawValue)

            let actionRows = try await escalations(ofItem: action.id!, setup)
            #expect(actionRows.map(\.level) == [1, 2])
            #expect(actionRows.allSatisfy { $0.itemKind == "action" && $0.subjectID == report.id! && $0.deadline == ActionDraft.endOfDay("2026-03-09") })
            let handoverRows = try await escalations(ofItem: handover.id!, setup)
            #expect(handoverRows.map(\.level) == [1, 2])
            #expect(handoverRows.allSatisfy { $0.itemKind == "handover" && $0.deadline == handover.answerDueAt })
            let entries = try await history(report, setup)
            #expect(entries.filter { $0.0 == action.id!.uuidString }.map(\.1) == ["reminder", "team_lead"])
            #expect(entries.filter { $0.0 == handover.id!.uuidString }.map(\.1) == ["reminder", "team_lead"])
            // Nobody named at the GGD: the reminder and the team-lead rung go to its manager.
            #expect(try await notices(to: setup.ggdManager, .actionDue, setup) == 1)
            #expect(try await notices(to: setup.ggdManager, .escalated, setup) == 3)

            // Done and declined: neither climbs any further; the report itself is not yet due.
            try await actions.close(try await Action.find(action.id!, on: setup.db)!, .done(result: "Gesprek gevoerd"), subject: subject,
                                    by: setup.ggd, now: at("2026-03-11", "13:00"))
            try await handovers.answer(try await Handover.find(handover.id!, on: setup.db)!, .decline, reason: "Geen zorgvraag",
                                       report: try await reload(report, setup), by: setup.ggd, now: at("2026-03-11", "13:00"))
            // Weeks later the report itself has climbed to the top; the action and the hand-over have not.
            try await passTwice(setup, at: at("2026-04-30"))
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.board.rawValue)
            #expect(try await Action.find(action.id!, on: setup.db)!.escalationLevel == EscalationLevel.teamLead.rawValue)
            #expect(try await Handover.find(handover.id!, on: setup.db)!.escalationLevel == EscalationLevel.teamLead.rawValue)
            #expect(try await escalations(ofItem: action.id!, setup).count == 2)
            #expect(try await escalations(ofItem: handover.id!, setup).count == 2)
        }
    }

    // MARK: Who hears of each rung

    @Test(arguments: TestDatabase.available)
    func theTargetsOfEachRungFollowTeamLeadsManagersAndCoordinators(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let owner = setup.police.userID
            let north = setup.world.districtNorth
            var targets = try await EscalationTargets.load(on: setup.db)
            func recipients(_ level: EscalationLevel, owner: UUID?, organisation: UUID? = setup.world.police, district: UUID? = north) -> [UUID] {
                targets.recipients(level, owner: owner, organisation: organisation, district: district)
            }
            #expect(recipients(.none, owner: owner).isEmpty)
            #expect(recipients(.reminder, owner: owner) == [owner])
            #expect(recipients(.teamLead, owner: owner) == [setup.policeLead])
            #expect(recipients(.manager, owner: owner) == [setup.policeManager])
            #expect(recipients(.coordinator, owner: owner) == [setup.world.users[.coordinatorNorth]!])
            #expect(recipients(.breakthrough, owner: owner) == [setup.world.users[.coordinatorNorth]!])
            #expect(recipients(.board, owner: owner) == [setup.world.users[.admin]!])
            // Nobody owns it: the organisation's manager takes the first rungs.
            #expect(recipients(.reminder, owner: nil) == [setup.policeManager])
            #expect(recipients(.teamLead, owner: nil) == [setup.policeManager])
            // An owner without a team lead: the manager; no district coordinator: nobody.
            #expect(recipients(.teamLead, owner: setup.policeManager) == [setup.policeManager])
            #expect(recipients(.coordinator, owner: owner, district: setup.world.districtSouth).isEmpty)
            #expect(recipients(.manager, owner: owner, organisation: setup.world.corporation).isEmpty)

            // A deactivated team lead or manager is passed over.
            for id in [setup.policeLead, setup.policeManager] {
                let user = try await User.find(id, on: setup.db)!
                user.active = false
                try await user.update(on: setup.db)
            }
            targets = try await EscalationTargets.load(on: setup.db)
            #expect(recipients(.teamLead, owner: owner).isEmpty)
            #expect(recipients(.manager, owner: owner).isEmpty)
            #expect(recipients(.reminder, owner: owner) == [owner])
        }
    }

    @Test(arguments: TestDatabase.available)
    func timingChangedByAnAdministratorIsWhatThePassUses(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let report = try await newReport(setup, at: created)
            var slow = EscalationTiming.defaults(.normal)
            slow.reminderHours = 1
            slow.teamLeadDays = 3
            slow.managerDays = 4
            let store = EscalationStore(database: setup.database)
            try await store.setTiming(slow, for: .normal, by: setup.admin)
            await #expect(throws: AppError.self) { try await store.setTiming(slow, for: .normal, by: setup.police) }
            var unordered = slow
            unordered.managerDays = 1
            await #expect(throws: AppError.self) { try await store.setTiming(unordered, for: .normal, by: setup.admin) }
            // Deadline Monday 10:00: no reminder on Sunday any more, and no team lead on Tuesday.
            #expect(try await passTwice(setup, at: at("2026-03-08", "10:01")) == 0)
            #expect(try await passTwice(setup, at: at("2026-03-09", "09:01")) == 1)
            #expect(try await passTwice(setup, at: at("2026-03-10", "10:01")) == 0)
            #expect(try await passTwice(setup, at: at("2026-03-12", "10:01")) == 1)
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.teamLead.rawValue)
        }
    }
}

extension EscalationJobTests {
    /// The pass reads its candidates, then claims them in a transaction: an item picked up,
    /// resolved, done or answered in between must not be claimed with the rung it was read for.
    @Test(arguments: TestDatabase.available)
    func aStepIsNotClaimedForAnItemThatChangedStatusSinceThePassReadIt(_ database: TestDatabase) async throws {
        try await withSetup(database) { setup in
            let report = try await newReport(setup, at: created)
            // Read as new (acknowledgement overdue) …, then picked up before the claim.
            try await setup.reports.pickUp(try await reload(report, setup), by: setup.police, now: at("2026-03-10"))
            let acknowledged = try await EscalationJob.claim("reports", ids: [report.id!], to: .reminder, status: ReportStatus.new.rawValue, on: setup.db)
            #expect(acknowledged.isEmpty)
            #expect(try await reload(report, setup).escalationLevel == 0)
            // Claimed for what it is now, once.
            let resolving = try await EscalationJob.claim("reports", ids: [report.id!], to: .reminder, status: ReportStatus.inProgress.rawValue, on: setup.db)
            #expect(resolving == [report.id!])
            #expect(try await EscalationJob.claim("reports", ids: [report.id!], to: .reminder, status: ReportStatus.inProgress.rawValue, on: setup.db).isEmpty)
            // Resolved: its rung no longer moves, whatever a pass read before.
            try await setup.reports.changeStatus(try await reload(report, setup), to: .resolved, reason: nil, by: setup.admin, now: at("2026-03-10", "11:00"))
            #expect(try await EscalationJob.claim("reports", ids: [report.id!], to: .teamLead, status: ReportStatus.inProgress.rawValue, on: setup.db).isEmpty)
            #expect(try await reload(report, setup).escalationLevel == EscalationLevel.reminder.rawValue)
        }
    }
}
