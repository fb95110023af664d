import Foundation
import Testing
@testable import DoorpakApp

/// Working-day arithmetic: weekends, Dutch public holidays, closure days, year ends.
@Suite struct WorkingDayCalendarTests {
    let calendar = WorkingDayCalendar()

    func at(_ day: String, _ time: String = "10:00") -> Date { Formats.parse(day: day, time: time)! }
    func show(_ date: Date) -> String { "\(Formats.isoDay(date)) \(Formats.isoTime(date))" }

    @Test(arguments: [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2000, 4, 23), (2038, 4, 25)])
    func easterByTheAnonymousGregorianAlgorithm(_ expected: (Int, Int, Int)) {
        #expect(WorkingDayCalendar.easter(expected.0) == CalendarDay(expected.0, expected.1, expected.2))
    }

    @Test func holidaysOf2025() {
        let expected: Set<CalendarDay> = [
            CalendarDay(2025, 1, 1), CalendarDay(2025, 4, 21), CalendarDay(2025, 4, 26), CalendarDay(2025, 5, 5),
            CalendarDay(2025, 5, 29), CalendarDay(2025, 6, 9), CalendarDay(2025, 12, 25), CalendarDay(2025, 12, 26),
        ]
        #expect(WorkingDayCalendar.publicHolidays(2025) == expected)
        // King's Day moves to Saturday 26 April because the 27th is a Sunday; Good Friday is no holiday.
        #expect(!WorkingDayCalendar.publicHolidays(2025).contains(CalendarDay(2025, 4, 27)))
        #expect(calendar.isWorkingDay(CalendarDay(2025, 4, 18)))
    }

    @Test func holidaysOf2026AndLustrumYears() {
        let holidays = WorkingDayCalendar.publicHolidays(2026)
        #expect(holidays.contains(CalendarDay(2026, 4, 6)))    // Easter Monday
        #expect(holidays.contains(CalendarDay(2026, 4, 27)))   // King's Day on a Monday
        #expect(holidays.contains(CalendarDay(2026, 5, 14)))   // Ascension
        #expect(holidays.contains(CalendarDay(2026, 5, 25)))   // Whit Monday
        #expect(!holidays.contains(CalendarDay(2026, 5, 5)))   // Liberation Day only in lustrum years
        #expect(calendar.isWorkingDay(CalendarDay(2026, 5, 5)))
        #expect(WorkingDayCalendar.publicHolidays(2030).contains(CalendarDay(2030, 5, 5)))
        #expect(!calendar.isWorkingDay(CalendarDay(2025, 5, 5)))  // a Monday, and 2025 is a lustrum year
    }

    @Test func weekendsDoNotCount() {
        #expect(!calendar.isWorkingDay(at("2026-01-10")))  // Saturday
        #expect(!calendar.isWorkingDay(at("2026-01-11")))  // Sunday
        #expect(calendar.isWorkingDay(at("2026-01-12")))
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-01-09", "16:30"))) == "2026-01-12 16:30")
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-01-10", "11:00"))) == "2026-01-12 11:00")
        #expect(show(calendar.adding(workingDays: 5, to: at("2026-01-12"))) == "2026-01-19 10:00")
        #expect(calendar.adding(workingDays: 0, to: at("2026-01-10")) == at("2026-01-10"))
    }

    @Test func acrossTheYearEnd() {
        // Christmas, Boxing Day and the weekend fall out: Mon 22, Tue 23, Wed 24, Mon 29, Tue 30.
        let start = at("2025-12-19")
        let due = calendar.adding(workingDays: 5, to: start)
        #expect(show(due) == "2025-12-30 10:00")
        #expect(calendar.workingDays(from: start, to: due) == 5)
        // New Year's Day 2027 is a Friday: from New Year's Eve the next working day is Monday the 4th.
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-12-31", "09:15"))) == "2027-01-04 09:15")
        #expect(calendar.workingDays(from: at("2026-12-24"), to: at("2027-01-05")) == 6)  // 28, 29, 30, 31 Dec, 4 and 5 Jan
    }

    @Test func aroundEaster() {
        // 2024: Good Friday 29 March counts, Easter Monday 1 April does not.
        #expect(show(calendar.adding(workingDays: 2, to: at("2024-03-28", "09:00"))) == "2024-04-02 09:00")
        // 2027: Easter 28 March, so Easter Monday is 29 March.
        #expect(show(calendar.adding(workingDays: 1, to: at("2027-03-26"))) == "2027-03-30 10:00")
        // 2026: Ascension Thursday 14 May, Whit Monday 25 May.
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-05-13"))) == "2026-05-15 10:00")
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-05-22"))) == "2026-05-26 10:00")
    }

    @Test func kingsDay() {
        // 2023: Thursday 27 April. 2025: Sunday the 27th, so Saturday the 26th (a weekend day anyway).
        #expect(show(calendar.adding(workingDays: 1, to: at("2023-04-26"))) == "2023-04-28 10:00")
        #expect(calendar.isWorkingDay(CalendarDay(2025, 4, 28)))
        #expect(!calendar.isWorkingDay(CalendarDay(2026, 4, 27)))
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-04-24"))) == "2026-04-28 10:00")
    }

    @Test func closureDaysDoNotCount() {
        let closed = WorkingDayCalendar(closures: [CalendarDay(2026, 5, 15)])  // the bridge day after Ascension
        #expect(!closed.isWorkingDay(CalendarDay(2026, 5, 15)))
        #expect(show(closed.adding(workingDays: 1, to: at("2026-05-13"))) == "2026-05-18 10:00")
        #expect(closed.workingDays(from: at("2026-05-13"), to: at("2026-05-18")) == 1)
        #expect(calendar.workingDays(from: at("2026-05-13"), to: at("2026-05-18")) == 2)
    }

    @Test func sameClockTimeAcrossDaylightSaving() {
        // Summer time starts on Sunday 29 March 2026.
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-03-27", "14:00"))) == "2026-03-30 14:00")
        #expect(show(calendar.adding(workingDays: 1, to: at("2026-10-23", "08:30"))) == "2026-10-26 08:30")
    }

    @Test func countingWorkingDaysBothWays() {
        #expect(calendar.workingDays(from: at("2026-01-12"), to: at("2026-01-12", "17:00")) == 0)
        #expect(calendar.workingDays(from: at("2026-01-09"), to: at("2026-01-12")) == 1)
        #expect(calendar.workingDays(from: at("2026-01-12"), to: at("2026-01-09")) == -1)
        for days in [1, 3, 10, 25, 60] {
            let start = at("2025-12-01")
            #expect(calendar.workingDays(from: start, to: calendar.adding(workingDays: days, to: start)) == days)
        }
    }
}
