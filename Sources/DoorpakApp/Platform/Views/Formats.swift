import Foundation

/// Dates and times as people in the Netherlands read them, always in Europe/Amsterdam time.
enum Formats {
    static let timeZone = TimeZone(identifier: "Europe/Amsterdam")!

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// `29-11-2026 14:05` (nl) or `29 Nov 2026 14:05` (en).
    static func dateTime(_ date: Date, _ language: Language) -> String {
        formatter(language == .nl ? "dd-MM-yyyy HH:mm" : "d MMM yyyy HH:mm", language).string(from: date)
    }

    /// `29-11-2026` (nl) or `29 Nov 2026` (en).
    static func date(_ date: Date, _ language: Language) -> String {
        formatter(language == .nl ? "dd-MM-yyyy" : "d MMM yyyy", language).string(from: date)
    }

    /// `2026-11-29`, for date inputs and the API.
    static func isoDay(_ date: Date) -> String { formatter("yyyy-MM-dd", .en).string(from: date) }
    /// `14:05`, for time inputs.
    static func isoTime(_ date: Date) -> String { formatter("HH:mm", .en).string(from: date) }

    /// Parses a day (`yyyy-MM-dd`) and optional time (`HH:mm`) in Amsterdam time.
    static func parse(day: String, time: String? = nil) -> Date? {
        let pattern = time == nil ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm"
        let text = time.map { "\(day) \($0)" } ?? day
        let parser = formatter(pattern, .en)
        parser.isLenient = false
        guard let date = parser.date(from: text), parser.string(from: date) == text else { return nil }
        return date
    }

    private static func formatter(_ pattern: String, _ language: Language) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .nl ? "nl_NL" : "en_GB")
        formatter.timeZone = timeZone
        formatter.calendar = calendar
        formatter.dateFormat = pattern
        return formatter
    }

    /// ISO 8601 with offset, for the API.
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        return formatter.string(from: date)
    }
}
