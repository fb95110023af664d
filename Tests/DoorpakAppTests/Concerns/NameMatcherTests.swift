import Foundation
import Testing
@testable import DoorpakApp

/// The name matcher and the repeat-concern rules, without a database.
@Suite struct NameMatcherTests {
    @Test(arguments: [
        ["Mohammed", "Muhammad", "Mohamed", "Mohamad", "Muhammed"],
        ["Abdulrahman", "Abdelrahman", "Abd al-Rahman", "Abd-al-Rahman", "Abdul Rahman"],
        ["Yohannes", "Johannes", "Yohanes"],
        ["Tesfay", "Tesfaye", "Tesfai"],
        ["Haile", "Hayle"],
    ])
    func transliterationVariantsShareAKey(_ variants: [String]) {
        let keys = Set(variants.map { NameMatcher.keys($0).joined(separator: " ") })
        #expect(keys.count == 1, "\(variants) → \(keys)")
    }

    @Test func fullNamesMatchAcrossSpellings() throws {
        let match = try #require(NameMatcher.match("Muhammad Tesfaye", "Mohammed Tesfay"))
        #expect(match.score > 0.99)
        #expect(!match.swapped)
        #expect(NameMatcher.match("Abd al-Rahman Hayle", "Abdulrahman Haile") != nil)
        #expect(NameMatcher.match("Johannes Tesfai", "Yohannes Tesfaye") != nil)
        #expect(NameMatcher.match("Mohamad El-Amin", "Mohammed Amin") != nil)
        // Accents and case do not matter.
        #expect(NameMatcher.match("MOHAMMÉD tesfay", "Mohammed Tesfay") != nil)
    }

    @Test func swappedFirstAndLastNames() throws {
        let match = try #require(NameMatcher.match("Tesfaye Muhammad", "Mohammed Tesfay"))
        #expect(match.swapped)
        #expect(try #require(NameMatcher.match("Haile Yohannes", "Johannes Hayle")).swapped)
    }

    @Test func differentPeopleDoNotMatch() {
        #expect(NameMatcher.match("Mohammed Tesfay", "Mohammed Haile") == nil, "same first name, another family name")
        #expect(NameMatcher.match("Mohammed Tesfay", "Ahmed Tesfay") == nil)
        #expect(NameMatcher.match("Amina Idrissi", "Yohannes Tesfai") == nil)
        #expect(NameMatcher.match("Matrix DP-2026-000001", "Matrix casus") == nil)
        // One token alone is not enough against a full name.
        #expect(NameMatcher.match("Mohammed", "Mohammed Tesfay") == nil)
    }

    @Test func aMiddleNameStillMatches() {
        #expect(NameMatcher.match("Mohammed Ali Tesfay", "Muhammad Tesfaye") != nil)
    }

    @Test func missingDateOfBirthAgrees() {
        #expect(NameMatcher.birthDatesAgree(nil, "2001-03-04"))
        #expect(NameMatcher.birthDatesAgree("2001-03-04", nil))
        #expect(NameMatcher.birthDatesAgree("2001-03-04", "2001-03-04"))
        #expect(!NameMatcher.birthDatesAgree("2001-03-04", "2001-03-05"))
    }

    // MARK: Rules

    static let corporation = UUID(), police = UUID(), ggd = UUID()

    static func signal(_ organisation: UUID?, daysAgo: Double) -> ConcernRules.Signal {
        ConcernRules.Signal(reportID: UUID(), organisation: organisation, occurredAt: Date.now.addingTimeInterval(-daysAgo * 86_400))
    }

    @Test func twoRegisteringOrganisationsRaise() {
        let signals = [Self.signal(Self.corporation, daysAgo: 40), Self.signal(Self.police, daysAgo: 2)]
        #expect(ConcernRules.decide(signals, previous: nil, hasOpenCase: false, rule: .default) == .raise(.organisations))
        #expect(ConcernRules.decide(Array(signals.prefix(1)), previous: nil, hasOpenCase: false, rule: .default) == .none)
        #expect(ConcernRules.decide(signals, previous: nil, hasOpenCase: true, rule: .default) == .none, "an open case is where it is handled")
    }

    @Test func nReportsWithinMDays() {
        let close = [Self.signal(Self.police, daysAgo: 29), Self.signal(Self.police, daysAgo: 15), Self.signal(Self.police, daysAgo: 1)]
        let spread = [Self.signal(Self.police, daysAgo: 70), Self.signal(Self.police, daysAgo: 35), Self.signal(Self.police, daysAgo: 1)]
        #expect(ConcernRules.decide(close, previous: nil, hasOpenCase: false, rule: .default) == .raise(.frequency))
        #expect(ConcernRules.decide(spread, previous: nil, hasOpenCase: false, rule: .default) == .none)
        #expect(ConcernRules.decide(spread, previous: nil, hasOpenCase: false, rule: ConcernRule(reports: 2, days: 40)) == .raise(.frequency))
        #expect(ConcernRules.decide(Array(close.prefix(2)), previous: nil, hasOpenCase: false, rule: .default) == .none)
    }

    @Test func oneOpenItemAndRaisingAgainAfterADismissal() {
        let two = [Self.signal(Self.corporation, daysAgo: 10), Self.signal(Self.police, daysAgo: 5)]
        let open = ConcernRules.Previous(status: .open, organisations: [Self.corporation, Self.police], reportCount: 2)
        #expect(ConcernRules.decide(two + [Self.signal(Self.ggd, daysAgo: 1)], previous: open, hasOpenCase: false, rule: .default) == .refreshOpen)
        let dismissed = ConcernRules.Previous(status: .dismissed, organisations: [Self.corporation, Self.police], reportCount: 2)
        // The same organisations, one more report: not again.
        #expect(ConcernRules.decide(two + [Self.signal(Self.police, daysAgo: 1)], previous: dismissed, hasOpenCase: false, rule: .default) == .none)
        // A new organisation joins: again.
        #expect(ConcernRules.decide(two + [Self.signal(Self.ggd, daysAgo: 1)], previous: dismissed, hasOpenCase: false, rule: .default)
                == .raise(.organisations))
        // N (3) more reports than at the dismissal: again.
        let more = two + [Self.signal(Self.police, daysAgo: 3), Self.signal(Self.police, daysAgo: 2), Self.signal(Self.corporation, daysAgo: 1)]
        #expect(ConcernRules.decide(more, previous: dismissed, hasOpenCase: false, rule: .default) != .none)
    }
}
