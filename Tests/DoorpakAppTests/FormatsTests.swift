import Foundation
import Testing
@testable import DoorpakApp

/// Dates as people read them, from formatters made once and shared (`Formats`).
@Suite struct FormatsTests {
    @Test func sharedFormattersGiveAmsterdamTimeInEachLanguage() {
        // 2026-11-29 13:05 UTC is 14:05 in Amsterdam (winter time); 2026-07-01 10:00 UTC is 12:00 (summer time).
        let winter = Date(timeIntervalSince1970: 1_795_957_500)
        let summer = Date(timeIntervalSince1970: 1_782_900_000)
        for _ in 0..<2 {  // the second round uses the formatters the first one made
            #expect(Formats.dateTime(winter, .nl) == "29-11-2026 14:05")
            #expect(Formats.dateTime(winter, .en) == "29 Nov 2026 14:05")
            #expect(Formats.date(summer, .nl) == "01-07-2026")
            #expect(Formats.isoDay(summer) == "2026-07-01")
            #expect(Formats.isoTime(summer) == "12:00")
            #expect(Formats.iso8601(summer) == "2026-07-01T12:00:00+02:00")
        }
    }

    @Test func formattingFromManyTasksAtOnceGivesTheSameText() async {
        let dates = (0..<200).map { Date(timeIntervalSince1970: 1_782_900_000 + Double($0) * 86_400) }
        let expected = dates.map { Formats.dateTime($0, .nl) + Formats.iso8601($0) }
        let results = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { dates.map { Formats.dateTime($0, .nl) + Formats.iso8601($0) } } }
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == expected })
    }
}
