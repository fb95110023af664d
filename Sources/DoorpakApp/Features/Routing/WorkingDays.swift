import Foundation
import Synchronization

/// One calendar day in Europe/Amsterdam, without a time: what holidays and closure days are made of.
struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    let year: Int, month: Int, day: Int

    init(_ year: Int, _ month: Int, _ day: Int) { self.year = year; self.month = month; self.day = day }

    /// The Amsterdam day a moment falls on.
    init(_ date: Date) {
        let parts = Formats.calendar.dateComponents([.year, .month, .day], from: date)
        self.init(parts.year!, parts.month!, parts.day!)
    }

    static func < (a: CalendarDay, b: CalendarDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Noon of the day in Amsterdam: a moment that is on this day in every time zone a database may use.
    var noon: Date { Formats.calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))! }

    func adding(days: Int) -> CalendarDay { CalendarDay(Formats.calendar.date(byAdding: .day, value: days, to: noon)!) }

    /// 1 = Sunday ... 7 = Saturday (Gregorian).
    var weekday: Int { Formats.calendar.component(.weekday, from: noon) }
    var isWeekend: Bool { weekday == 1 || weekday == 7 }
}

/// Working days as Dutch public services count them: no weekends, no public holidays, no days the
/// organisation has declared closed. A pure value: deadlines are computed without a database.
///
/// Public holidays (computed per year): New Year's Day, Easter Monday, King's Day (27 April, or
/// 26 April when the 27th is a Sunday), Liberation Day (5 May, in lustrum years only), Ascension
/// Day, Whit Monday, Christmas Day and Boxing Day. Good Friday is not a general day off.
struct WorkingDayCalendar: Sendable {
    /// Extra days off (closure days), set by administrators.
    var closures: Set<CalendarDay>

    init(closures: Set<CalendarDay> = []) { self.closures = closures }

    /// Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    static func easter(_ year: Int) -> CalendarDay {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CalendarDay(year, month, day)
    }

    /// The public holidays of one year, worked out once per year and process: every deadline shown
    /// asks for them (a worklist page dozens of times).
    static func publicHolidays(_ year: Int) -> Set<CalendarDay> {
        if let known = holidays.withLock({ $0[year] }) { return known }
        let days = computeHolidays(year)
        holidays.withLock { $0[year] = days }
        return days
    }

    private static let holidays = Mutex<[Int: Set<CalendarDay>]>([:])

    private static func computeHolidays(_ year: Int) -> Set<CalendarDay> {
        let easter = easter(year)
        let kingsDay = CalendarDay(year, 4, 27).weekday == 1 ? CalendarDay(year, 4, 26) : CalendarDay(year, 4, 27)
        var days: Set<CalendarDay> = [
            CalendarDay(year, 1, 1),
            easter.adding(days: 1),       // Easter Monday
            kingsDay,
            easter.adding(days: 39),      // Ascension Day
            easter.adding(days: 50),      // Whit Monday
            CalendarDay(year, 12, 25),
            CalendarDay(year, 12, 26),
        ]
        if year % 5 == 0 { days.insert(CalendarDay(year, 5, 5)) }  // Liberation Day, lustrum years
        return days
    }

    func isPublicHoliday(_ day: CalendarDay) -> Bool { Self.publicHolidays(day.year).contains(day) }

    func isWorkingDay(_ day: CalendarDay) -> Bool {
        !day.isWeekend && !closures.contains(day) && !isPublicHoliday(day)
    }

    /// Whether the Amsterdam day of a moment is a working day.
    func isWorkingDay(_ date: Date) -> Bool { isWorkingDay(CalendarDay(date)) }

    /// The deadline `workingDays` working days after `date`: the same clock time on the Nth working
    /// day after the day of `date`. Zero days is the moment itself.
    func adding(workingDays: Int, to date: Date) -> Date {
        guard workingDays > 0 else { return date }
        var day = CalendarDay(date)
        var left = workingDays
        while left > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { left -= 1 }
        }
        let calendar = Formats.calendar
        let time = calendar.dateComponents([.hour, .minute, .second], from: date)
        let parts = DateComponents(year: day.year, month: day.month, day: day.day,
                                   hour: time.hour, minute: time.minute, second: time.second)
        return calendar.date(from: parts) ?? day.noon
    }

    /// The moment `workingDays` working days before `date`: the same clock time on the Nth working
    /// day before the day of `date`. Zero days is the moment itself. Escalation asks "did a deadline
    /// pass N working days ago?" as `deadline < subtracting(workingDays: N, from: now)`, which a
    /// database index can answer. When `date` falls on a day off, no deadline of the Nth working day
    /// before it has run N working days yet (they end on the next working day): the moment is then
    /// the start of that day, so weekends, holidays and closure days do not count.
    func subtracting(workingDays: Int, from date: Date) -> Date {
        guard workingDays > 0 else { return date }
        var day = CalendarDay(date)
        let onDayOff = !isWorkingDay(day)
        var left = workingDays
        while left > 0 {
            day = day.adding(days: -1)
            if isWorkingDay(day) { left -= 1 }
        }
        let calendar = Formats.calendar
        if onDayOff { return calendar.startOfDay(for: day.noon) }
        let time = calendar.dateComponents([.hour, .minute, .second], from: date)
        let parts = DateComponents(year: day.year, month: day.month, day: day.day,
                                   hour: time.hour, minute: time.minute, second: time.second)
        return calendar.date(from: parts) ?? day.noon
    }

    /// The deadlines that have run `workingDays` working days at `now`: exactly those `d` with
    /// `adding(workingDays: workingDays, to: d) < now`, as ranges a database index can answer. This is
    /// the one definition escalation uses, in its pure ladder and in the job's queries.
    ///
    /// `subtracting` alone answers it for deadlines on working days. A deadline on a day off counts
    /// from the next working day, at its own clock time (`adding`): one on the days off right after
    /// the cut-off's day has run `workingDays` working days today once today's clock passes its own,
    /// so each such day adds the window from its start to the clock time of `now`.
    func deadlinesPassed(workingDays: Int, at now: Date) -> DeadlineCutoff {
        let before = subtracting(workingDays: workingDays, from: now)
        guard workingDays > 0, isWorkingDay(now) else { return DeadlineCutoff(before: before) }
        let calendar = Formats.calendar
        let time = calendar.dateComponents([.hour, .minute, .second], from: now)
        var windows: [Range<Date>] = []
        var day = CalendarDay(before).adding(days: 1)
        while !isWorkingDay(day) {
            let start = calendar.startOfDay(for: day.noon)
            let end = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day,
                                                         hour: time.hour, minute: time.minute, second: time.second)) ?? start
            if start < end { windows.append(start..<end) }
            day = day.adding(days: 1)
        }
        return DeadlineCutoff(before: before, windows: windows)
    }

    /// How many working days lie after the day of `from` up to and including the day of `to`;
    /// negative when `to` is on an earlier day. `workingDays(from: d, to: adding(workingDays: n, to: d)) == n`.
    func workingDays(from: Date, to: Date) -> Int {
        let start = CalendarDay(from), end = CalendarDay(to)
        if start == end { return 0 }
        let (low, high, sign) = start < end ? (start, end, 1) : (end, start, -1)
        var count = 0
        var day = low
        while day < high {
            day = day.adding(days: 1)
            if isWorkingDay(day) { count += 1 }
        }
        return sign * count
    }
}

/// A set of deadlines that have passed a cut-off: everything before `before`, plus a few windows
/// (deadlines on days off, see `WorkingDayCalendar.deadlinesPassed`). Queries ask
/// `column < before OR column IN window…`; the pure ladder asks `contains`.
struct DeadlineCutoff: Sendable, Equatable {
    var before: Date
    var windows: [Range<Date>] = []

    func contains(_ deadline: Date) -> Bool { deadline < before || windows.contains { $0.contains(deadline) } }

    /// Nothing has passed it.
    static let never = DeadlineCutoff(before: .distantPast)
}
