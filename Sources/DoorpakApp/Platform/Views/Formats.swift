import Foundation
import Synchronization

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
        format(date, language == .nl ? "dd-MM-yyyy HH:mm" : "d MMM yyyy HH:mm", language)
    }

    /// `29-11-2026` (nl) or `29 Nov 2026` (en).
    static func date(_ date: Date, _ language: Language) -> String {
        format(date, language == .nl ? "dd-MM-yyyy" : "d MMM yyyy", language)
    }

    /// `2026-11-29`, for date inputs and the API.
    static func isoDay(_ date: Date) -> String { format(date, "yyyy-MM-dd", .en) }
    /// `14:05`, for time inputs.
    static func isoTime(_ date: Date) -> String { format(date, "HH:mm", .en) }

    /// Parses a day (`yyyy-MM-dd`) and optional time (`HH:mm`) in Amsterdam time.
    static func parse(day: String, time: String? = nil) -> Date? {
        let pattern = time == nil ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm"
        let text = time.map { "\(day) \($0)" } ?? day
        let parser = formatter(pattern, .en)
        parser.isLenient = false
        guard let date = parser.date(from: text), parser.string(from: date) == text else { return nil }
        return date
    }

    /// Formatters made once per pattern and language: making one costs far more than using it (a
    /// worklist page spent a quarter of its time making them, one per date shown). A formatter is
    /// used only under the lock, as Foundation does not promise that one formats on two threads at once.
    private static let formatters = Mutex<[String: DateFormatter]>([:])

    private static func format(_ date: Date, _ pattern: String, _ language: Language) -> String {
        formatters.withLock { formatters in
            let key = "\(language == .nl ? "nl" : "en") \(pattern)"
            if let formatter = formatters[key] { return formatter.string(from: date) }
            let formatter = formatter(pattern, language)
            formatters[key] = formatter
            return formatter.string(from: date)
        }
    }

    private static let isoFormatter = Mutex<ISO8601DateFormatter>({
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        return formatter
    }())

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
        isoFormatter.withLock { $0.string(from: date) }
    }
}
