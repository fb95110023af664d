import Foundation
import Testing
@testable import DoorpakApp

/// Which routing rule wins, and how deadlines are marked. No database.
@Suite struct RoutingRulesTests {
    let violence = UUID(), threat = UUID()
    let north = UUID(), south = UUID()
    let siteNorth = UUID(), siteSouth = UUID()
    let city = UUID(), police = UUID(), ggd = UUID(), team = UUID()
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func rule(_ organisation: UUID, category: UUID? = nil, district: UUID? = nil, location: UUID? = nil, urgency: Urgency? = nil,
              active: Bool = true, order: Int = 0) -> RoutingRule {
        RoutingRule(id: UUID(), categoryID: category, districtID: district, locationID: location, urgency: urgency,
                    organisationID: organisation, acknowledgeDays: 1, resolveDays: 10, active: active,
                    createdAt: start.addingTimeInterval(TimeInterval(order)))
    }

    func route(_ rules: [RoutingRule], category: UUID? = nil, district: UUID? = nil, location: UUID? = nil,
               urgency: Urgency = .normal) -> UUID? {
        RoutingRules.match(rules, category: category ?? violence, district: district ?? north, location: location ?? siteNorth,
                           urgency: urgency)?.organisationID
    }

    @Test func theFallbackRoutesWhatNothingElseMatches() {
        let rules = [rule(city), rule(police, category: violence)]
        #expect(route(rules, category: threat) == city)
        #expect(route(rules) == police)
        #expect(route([]) == nil)
    }

    @Test func locationBeatsDistrictBeatsAnywhere() {
        let rules = [rule(city), rule(police, category: violence), rule(ggd, category: violence, district: north),
                     rule(team, category: violence, location: siteNorth)]
        #expect(route(rules) == team)
        #expect(route(rules, location: UUID()) == ggd)
        #expect(route(rules, district: south, location: siteSouth) == police)
        // Place ranks first: a location rule for any category beats a category rule for the district.
        let placeFirst = [rule(city), rule(ggd, category: violence, district: north), rule(team, location: siteNorth)]
        #expect(route(placeFirst) == team)
    }

    @Test func categoryBeatsFallbackThenUrgencyBeatsAnyUrgency() {
        let rules = [rule(city), rule(team, urgency: .critical), rule(police, category: violence),
                     rule(ggd, category: violence, urgency: .critical)]
        #expect(route(rules, urgency: .critical) == ggd)
        #expect(route(rules, urgency: .normal) == police)
        #expect(route(rules, category: threat, urgency: .critical) == team)
        #expect(route(rules, category: threat, urgency: .low) == city)
    }

    @Test func inactiveRulesAndOtherScopesDoNotMatch() {
        let rules = [rule(city), rule(police, category: violence, active: false), rule(ggd, category: violence, district: south),
                     rule(team, category: violence, location: siteSouth)]
        #expect(route(rules) == city)
    }

    @Test func tiesGoToTheRuleCreatedFirstWhateverTheOrder() {
        let first = rule(police, category: violence, order: 1), second = rule(ggd, category: violence, order: 2)
        #expect(route([second, first, rule(city)]) == police)
        #expect(route([first, second, rule(city)]) == police)
    }

    @Test func fallbackIsNoScopeAtAll() {
        #expect(rule(city).isFallback)
        #expect(!rule(city, urgency: .low).isFallback)
        #expect(!rule(city, district: north).isFallback)
    }

    @Test func deadlineStates() {
        let calendar = WorkingDayCalendar()
        let now = Formats.parse(day: "2026-01-12", time: "10:00")!  // a Monday
        #expect(DeadlineState.of(nil, now: now, calendar: calendar) == .none)
        #expect(DeadlineState.of(now.addingTimeInterval(-60), now: now, calendar: calendar) == .overdue)
        #expect(DeadlineState.of(Formats.parse(day: "2026-01-13", time: "09:00")!, now: now, calendar: calendar) == .dueSoon)
        #expect(DeadlineState.of(Formats.parse(day: "2026-01-13", time: "10:00")!, now: now, calendar: calendar) == .dueSoon)
        #expect(DeadlineState.of(Formats.parse(day: "2026-01-14", time: "10:00")!, now: now, calendar: calendar) == .onTime)
        // Friday afternoon: Monday morning is within one working day.
        let friday = Formats.parse(day: "2026-01-16", time: "15:00")!
        #expect(DeadlineState.of(Formats.parse(day: "2026-01-19", time: "09:00")!, now: friday, calendar: calendar) == .dueSoon)

        let report = Report()
        report.status = ReportStatus.new.rawValue
        report.acknowledgeDueAt = now.addingTimeInterval(-3600)
        report.resolveDueAt = Formats.parse(day: "2026-01-26", time: "10:00")!
        #expect(ReportDeadlines(report, now: now, calendar: calendar).overall == .overdue)
        report.status = ReportStatus.inProgress.rawValue
        #expect(ReportDeadlines(report, now: now, calendar: calendar).overall == .onTime)
        report.status = ReportStatus.resolved.rawValue
        #expect(ReportDeadlines(report, now: now, calendar: calendar).overall == .none)
    }
}
