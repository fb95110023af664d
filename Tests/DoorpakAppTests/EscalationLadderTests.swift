import Foundation
import Testing
@testable import DoorpakApp

/// The pure escalation ladder: which rung an item has reached at a moment, for every urgency's
/// default timing, across weekends, Dutch public holidays and closure days; and the working-day
/// arithmetic the job's database cut-offs rest on.
@Suite struct EscalationLadderTests {
    let calendar = WorkingDayCalendar()

    func at(_ day: String, _ time: String = "10:00") -> Date { Formats.parse(day: day, time: time)! }

    func level(_ deadline: Date, _ urgency: Urgency, at now: Date, calendar: WorkingDayCalendar? = nil) -> EscalationLevel {
        EscalationLadder.level(deadline: deadline, timing: .defaults(urgency), now: now, calendar: calendar ?? self.calendar)
    }

    // MARK: Timing

    @Test(arguments: Urgency.allCases)
    func everyDefaultTimingIsOrderedAndFasterForMoreUrgentItems(_ urgency: Urgency) {
        let timing = EscalationTiming.defaults(urgency)
        #expect(timing.isOrdered)
        #expect(timing.days(.none) == 0 && timing.days(.reminder) == 0)
        // A more urgent item never climbs a rung later than a less urgent one.
        for other in Urgency.allCases where other.rawValue < urgency.rawValue {
            let slower = EscalationTiming.defaults(other)
            for rung in EscalationLevel.steps { #expect(timing.days(rung) <= slower.days(rung), "\(urgency) vs \(other) at \(rung)") }
            #expect(timing.reminderHours <= slower.reminderHours)
            #expect(timing.handoverAnswerDays <= slower.handoverAnswerDays)
        }
    }

    @Test func isOrderedRefusesRungsOutOfOrderAndNegativeOrMissingAnswerTime() {
        let good = EscalationTiming(reminderHours: 4, teamLeadDays: 1, managerDays: 2, coordinatorDays: 3, breakthroughDays: 4,
                                    boardDays: 5, handoverAnswerDays: 1)
        #expect(good.isOrdered)
        // Equal neighbours are fine: two rungs on the same day.
        var same = good
        same.managerDays = 1; same.coordinatorDays = 1
        #expect(same.isOrdered)
        let broken: [(String, WritableKeyPath<EscalationTiming, Int>, Int)] = [
            ("reminder negative", \.reminderHours, -1), ("team lead negative", \.teamLeadDays, -1),
            ("manager before team lead", \.managerDays, 0), ("coordinator before manager", \.coordinatorDays, 1),
            ("breakthrough before coordinator", \.breakthroughDays, 2), ("board before breakthrough", \.boardDays, 3),
            ("no time to answer a hand-over", \.handoverAnswerDays, 0),
        ]
        for (name, path, value) in broken {
            var timing = good
            timing[keyPath: path] = value
            #expect(!timing.isOrdered, "\(name)")
        }
    }

    // MARK: The rungs, per urgency

    /// For each urgency's defaults: just before the moment a rung is due the item is below it, one
    /// second after it is on it (or on a later rung due at the same moment).
    @Test(arguments: Urgency.allCases)
    func eachRungIsReachedExactlyWhenItsTimingSays(_ urgency: Urgency) {
        let timing = EscalationTiming.defaults(urgency)
        let deadline = at("2026-03-02", "10:00")  // a Monday, no holidays for weeks
        #expect(level(deadline, urgency, at: at("2026-02-20")) == EscalationLevel.none)
        func due(_ rung: EscalationLevel) -> Date {
            rung == .reminder ? deadline.addingTimeInterval(-Double(timing.reminderHours) * 3600)
                : calendar.adding(workingDays: timing.days(rung), to: deadline)
        }
        for rung in EscalationLevel.steps {
            let moment = due(rung)
            // The highest rung due at or before this moment.
            let expected = EscalationLevel.steps.last { due($0) <= moment }!
            #expect(level(deadline, urgency, at: moment) < rung, "\(urgency) \(rung) at its moment")
            #expect(level(deadline, urgency, at: moment.addingTimeInterval(1)) == expected, "\(urgency) \(rung) a second later")
        }
        #expect(level(deadline, urgency, at: at("2027-03-01")) == .board)
    }

    @Test func normalUrgencyClimbsOnTheDaysOfTheDomainLadder() {
        // Due Friday 6 March 2026 at 10:00; normal: reminder 24 h before, then 1, 2, 5, 10, 20 working days.
        let deadline = at("2026-03-06")
        let steps: [(String, String, EscalationLevel)] = [
            ("2026-03-05", "09:59", .none), ("2026-03-05", "10:01", .reminder), ("2026-03-06", "10:01", .reminder),
            ("2026-03-08", "23:00", .reminder), ("2026-03-09", "10:01", .teamLead), ("2026-03-10", "10:01", .manager),
            ("2026-03-13", "09:59", .manager), ("2026-03-13", "10:01", .coordinator), ("2026-03-20", "10:01", .breakthrough),
            // 20 working days: 3 April 2026 (Good Friday is a working day in the Netherlands).
            ("2026-04-03", "09:59", .breakthrough), ("2026-04-03", "10:01", .board),
        ]
        for (day, time, expected) in steps {
            #expect(level(deadline, .normal, at: at(day, time)) == expected, "\(day) \(time)")
        }
    }

    @Test func aWeekendDoesNotCount() {
        // Critical, due Friday 10:00: team lead at the deadline, manager and coordinator one working day later.
        let deadline = at("2026-03-06")
        #expect(level(deadline, .critical, at: at("2026-03-06", "07:59")) == .none)
        #expect(level(deadline, .critical, at: at("2026-03-06", "08:01")) == .reminder)
        #expect(level(deadline, .critical, at: at("2026-03-06", "10:01")) == .teamLead)
        #expect(level(deadline, .critical, at: at("2026-03-07", "12:00")) == .teamLead)
        #expect(level(deadline, .critical, at: at("2026-03-08", "23:59")) == .teamLead)
        #expect(level(deadline, .critical, at: at("2026-03-09", "09:59")) == .teamLead)
        #expect(level(deadline, .critical, at: at("2026-03-09", "10:01")) == .coordinator)
        // Breakthrough after 3 working days: Wednesday; board after 5: the next Friday.
        #expect(level(deadline, .critical, at: at("2026-03-11", "10:01")) == .breakthrough)
        #expect(level(deadline, .critical, at: at("2026-03-13", "09:59")) == .breakthrough)
        #expect(level(deadline, .critical, at: at("2026-03-13", "10:01")) == .board)
    }

    @Test func aDutchPublicHolidayDoesNotCount() {
        // King's Day, Monday 27 April 2026. Normal, due Friday 24 April: team lead on Tuesday 28th.
        let deadline = at("2026-04-24")
        #expect(level(deadline, .normal, at: at("2026-04-27", "10:01")) == .reminder)
        #expect(level(deadline, .normal, at: at("2026-04-28", "09:59")) == .reminder)
        #expect(level(deadline, .normal, at: at("2026-04-28", "10:01")) == .teamLead)
        // Ascension Day, Thursday 14 May 2026. High, due Wednesday 13 May: manager (1 day) on Friday 15th.
        let beforeAscension = at("2026-05-13", "16:00")
        #expect(level(beforeAscension, .high, at: at("2026-05-13", "16:01")) == .teamLead)
        #expect(level(beforeAscension, .high, at: at("2026-05-14", "16:01")) == .teamLead)
        #expect(level(beforeAscension, .high, at: at("2026-05-15", "16:01")) == .manager)
        // Christmas and Boxing Day 2026 (Friday, Saturday): high, due Thursday 24 December: coordinator (2 days) on Tuesday 29th.
        let christmasEve = at("2026-12-24", "12:00")
        #expect(level(christmasEve, .high, at: at("2026-12-28", "12:01")) == .manager)
        #expect(level(christmasEve, .high, at: at("2026-12-29", "11:59")) == .manager)
        #expect(level(christmasEve, .high, at: at("2026-12-29", "12:01")) == .coordinator)
    }

    // MARK: A deadline on a day off

    /// A deadline on a Saturday, on a public holiday and on a closure day: for every urgency, each
    /// rung is reached exactly at `adding(workingDays:)` from the deadline (not a day later).
    @Test(arguments: Urgency.allCases)
    func aDeadlineOnADayOffReachesEachRungWhenAddingSaysSo(_ urgency: Urgency) {
        let timing = EscalationTiming.defaults(urgency)
        let closed = WorkingDayCalendar(closures: [CalendarDay(2026, 3, 11)])
        let cases: [(String, Date, WorkingDayCalendar)] = [
            ("Saturday", at("2026-03-07", "14:00"), calendar),
            ("Sunday night", at("2026-03-08", "23:30"), calendar),
            ("King's Day", at("2026-04-27", "12:00"), calendar),
            ("Christmas Day", at("2026-12-25", "09:15"), calendar),
            ("closure day", at("2026-03-11", "16:00"), closed),
        ]
        for (name, deadline, calendar) in cases {
            #expect(!calendar.isWorkingDay(deadline), "\(name)")
            func due(_ rung: EscalationLevel) -> Date {
                rung == .reminder ? deadline.addingTimeInterval(-Double(timing.reminderHours) * 3600)
                    : calendar.adding(workingDays: timing.days(rung), to: deadline)
            }
            for rung in EscalationLevel.steps {
                let moment = due(rung)
                let expected = EscalationLevel.steps.last { due($0) <= moment }!
                #expect(level(deadline, urgency, at: moment, calendar: calendar) < rung, "\(name) \(urgency) \(rung) at its moment")
                #expect(level(deadline, urgency, at: moment.addingTimeInterval(1), calendar: calendar) == expected,
                        "\(name) \(urgency) \(rung) a second after \(Formats.isoDay(moment)) \(Formats.isoTime(moment))")
            }
        }
    }

    @Test func aSaturdayOrHolidayDeadlineReachesTheTeamLeadOnTheNextWorkingDayAtItsOwnTime() {
        // Normal urgency, due Saturday 7 March 2026 14:00: one working day later is Monday 9 March 14:00.
        let saturday = at("2026-03-07", "14:00")
        #expect(calendar.adding(workingDays: 1, to: saturday) == at("2026-03-09", "14:00"))
        #expect(level(saturday, .normal, at: at("2026-03-09", "13:59")) == .reminder)
        #expect(level(saturday, .normal, at: at("2026-03-09", "14:01")) == .teamLead)
        #expect(level(saturday, .normal, at: at("2026-03-10", "14:01")) == .manager)
        // Due on King's Day (Monday 27 April 2026) at 12:00: team lead on Tuesday 28 April at 12:00.
        let kingsDay = at("2026-04-27", "12:00")
        #expect(calendar.adding(workingDays: 1, to: kingsDay) == at("2026-04-28", "12:00"))
        #expect(level(kingsDay, .normal, at: at("2026-04-28", "11:59")) == .reminder)
        #expect(level(kingsDay, .normal, at: at("2026-04-28", "12:01")) == .teamLead)
    }

    @Test func aClosureDayDoesNotCount() {
        let closed = WorkingDayCalendar(closures: [CalendarDay(2026, 3, 9)])
        let deadline = at("2026-03-06")
        #expect(level(deadline, .normal, at: at("2026-03-09", "10:01"), calendar: closed) == .reminder)
        #expect(level(deadline, .normal, at: at("2026-03-09", "10:01")) == .teamLead)
        #expect(level(deadline, .normal, at: at("2026-03-10", "10:01"), calendar: closed) == .teamLead)
        #expect(level(deadline, .normal, at: at("2026-03-11", "10:01"), calendar: closed) == .manager)
    }

    @Test func theHandoverAnswerDeadlineCountsWorkingDays() {
        // Asked Friday 16:00, low urgency (3 days): Wednesday 16:00; normal (2): Tuesday 16:00.
        let asked = at("2026-03-06", "16:00")
        #expect(EscalationLadder.handoverDeadline(requestedAt: asked, timing: .defaults(.low), calendar: calendar) == at("2026-03-11", "16:00"))
        #expect(EscalationLadder.handoverDeadline(requestedAt: asked, timing: .defaults(.normal), calendar: calendar) == at("2026-03-10", "16:00"))
        #expect(EscalationLadder.cutoff(.none, timing: .defaults(.normal), now: asked, calendar: calendar) == .never)
    }

    // MARK: subtracting ⇄ adding

    /// Every working day of two years (including the holidays' neighbours and a closure day), every
    /// distance up to 30 working days: `subtracting` undoes `adding` and the other way round.
    @Test func subtractingIsTheInverseOfAddingOnWorkingDays() {
        let closed = WorkingDayCalendar(closures: [CalendarDay(2026, 3, 9), CalendarDay(2026, 12, 24)])
        for calendar in [calendar, closed] {
            var day = CalendarDay(2025, 12, 1)
            while day < CalendarDay(2027, 1, 15) {
                defer { day = day.adding(days: 1) }
                guard calendar.isWorkingDay(day) else { continue }
                let moment = Formats.parse(day: day.description, time: "09:30")!
                for n in [0, 1, 2, 3, 5, 10, 15, 20, 30] {
                    let later = calendar.adding(workingDays: n, to: moment)
                    let earlier = calendar.subtracting(workingDays: n, from: moment)
                    #expect(calendar.subtracting(workingDays: n, from: later) == moment, "\(day) + \(n)")
                    #expect(calendar.adding(workingDays: n, to: earlier) == moment, "\(day) - \(n)")
                    #expect(calendar.isWorkingDay(earlier) && calendar.workingDays(from: earlier, to: moment) == n)
                }
            }
        }
    }

    /// What the job's query relies on: for a deadline on a working day, "N working days after the
    /// deadline lies before now" is the same question as "the deadline lies before now minus N
    /// working days" — at every hour of three weeks around Easter and King's Day, also at night,
    /// at weekends and on holidays, including the daylight-saving change of 29 March 2026.
    /// `deadlinesPassed` (the cut-off with its windows) answers it for deadlines on days off too.
    @Test func theCutoffAnswersTheSameQuestionAsAddingWorkingDays() {
        let deadlines = ["2026-03-27", "2026-04-02", "2026-04-03", "2026-04-07", "2026-04-24", "2026-04-28"]
            .flatMap { [at($0, "00:30"), at($0, "09:00"), at($0, "17:45")] }
        var now = at("2026-03-26", "00:00")
        let end = at("2026-05-20", "00:00")
        while now < end {
            for deadline in deadlines {
                for n in [0, 1, 2, 5, 10] {
                    let byAdding = calendar.adding(workingDays: n, to: deadline) < now
                    let byCutoff = deadline < calendar.subtracting(workingDays: n, from: now)
                    #expect(byAdding == byCutoff, "deadline \(Formats.isoDay(deadline)) \(Formats.isoTime(deadline)) + \(n) at \(Formats.isoDay(now)) \(Formats.isoTime(now))")
                }
            }
            now = now.addingTimeInterval(3600 + 17 * 60)
        }
    }

    @Test func theCutoffWithItsWindowsAnswersTheSameQuestionAsAddingForDeadlinesOnDaysOff() {
        // Weekends, Easter Monday (6 April), a closure day (Wednesday 8 April), King's Day (27 April), the DST change (29 March).
        let calendar = WorkingDayCalendar(closures: [CalendarDay(2026, 4, 8)])
        let days = ["2026-03-28", "2026-03-29", "2026-04-04", "2026-04-06", "2026-04-08", "2026-04-25", "2026-04-27"]
        let deadlines = days.flatMap { [at($0, "00:30"), at($0, "13:10"), at($0, "23:59")] } + [at("2026-04-07", "17:45")]
        var now = at("2026-03-27", "00:00")
        let end = at("2026-05-15", "00:00")
        while now < end {
            for deadline in deadlines {
                for n in [0, 1, 2, 5] {
                    let byAdding = calendar.adding(workingDays: n, to: deadline) < now
                    let byCutoff = calendar.deadlinesPassed(workingDays: n, at: now).contains(deadline)
                    #expect(byAdding == byCutoff, "deadline \(Formats.isoDay(deadline)) \(Formats.isoTime(deadline)) + \(n) at \(Formats.isoDay(now)) \(Formats.isoTime(now))")
                }
            }
            now = now.addingTimeInterval(2 * 3600 + 17 * 60)
        }
    }
}
