import Foundation
import Testing
@testable import DoorpakApp

@Suite struct ReportStatusTests {
    @Test func lifecycleMovesForward() {
        #expect(ReportStatus.check(from: .new, to: .inProgress, reason: nil) == .allowed)
        #expect(ReportStatus.check(from: .inProgress, to: .resolved, reason: nil) == .allowed)
        #expect(ReportStatus.check(from: .resolved, to: .closed, reason: nil) == .allowed)
    }

    @Test func reopeningNeedsAReason() {
        #expect(ReportStatus.check(from: .resolved, to: .inProgress, reason: nil) == .reasonRequired)
        #expect(ReportStatus.check(from: .closed, to: .inProgress, reason: "  ") == .reasonRequired)
        #expect(ReportStatus.check(from: .closed, to: .inProgress, reason: "New facts") == .allowed)
    }

    @Test func closingWithoutResolvingNeedsAReason() {
        #expect(ReportStatus.check(from: .new, to: .closed, reason: nil) == .reasonRequired)
        #expect(ReportStatus.check(from: .inProgress, to: .closed, reason: "Duplicate") == .allowed)
    }

    @Test func invalidTransitionsAreRefused() {
        #expect(ReportStatus.check(from: .new, to: .new, reason: nil) == .refused)
        #expect(ReportStatus.check(from: .closed, to: .resolved, reason: "x") == .refused)
        #expect(ReportStatus.check(from: .closed, to: .new, reason: "x") == .refused)
        #expect(ReportStatus.check(from: .inProgress, to: .new, reason: "x") == .refused)
    }

    @Test func everyStatusHasAWayOut() {
        for status in ReportStatus.allCases { #expect(!status.next.isEmpty, "\(status) is a dead end") }
    }
}

@Suite struct ReportFilterTests {
    @Test func parsesAndRoundTrips() throws {
        let id = UUID()
        let values = ["location": id.uuidString, "kind": "signal", "status": "in_progress", "urgency": "high",
                      "from": "2026-01-01", "to": "2026-01-31", "q": "lift", "sort": "oldest"]
        let (filter, issues) = ReportFilter.parse { values[$0] }
        #expect(issues.isEmpty)
        #expect(filter.locationID == id)
        #expect(filter.kind == .signal)
        #expect(filter.status == .inProgress)
        #expect(filter.urgency == .high)
        #expect(filter.text == "lift")
        #expect(filter.sort == .oldest)
        let again = Dictionary(uniqueKeysWithValues: filter.queryItems)
        #expect(again == values)
    }

    @Test func namesEveryInvalidValue() {
        let values = ["location": "nope", "kind": "rumour", "from": "31-01-2026", "urgency": "extreme"]
        let (_, issues) = ReportFilter.parse { values[$0] }
        #expect(Set(issues.map(\.name)) == ["location", "kind", "from", "urgency"])
    }

    @Test func cursorRoundTripsAndRejectsGarbage() {
        let cursor = ReportCursor(sort: .urgency, seconds: 1_790_000_000, urgency: 3, id: UUID())
        #expect(ReportCursor(encoded: cursor.encoded) == cursor)
        #expect(ReportCursor(encoded: "not-a-cursor") == nil)
        #expect(ReportCursor(encoded: String(repeating: "A", count: 500)) == nil)
    }
}

@Suite struct ReportDraftTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func draft(description: String? = "Harde muziek", occurredAt: Date? = nil) -> ReportDraft {
        ReportDraft(kind: "incident", category: UUID().uuidString, location: UUID().uuidString, place: nil,
                    occurredAt: occurredAt ?? now.addingTimeInterval(-600), urgency: nil, source: nil, description: description)
    }

    @Test func acceptsACompleteDraft() {
        let (valid, issues) = draft().validate(now: now)
        #expect(issues.isEmpty)
        #expect(valid?.description == "Harde muziek")
    }

    @Test func reportsEveryMissingField() {
        let (valid, issues) = ReportDraft().validate(now: now)
        #expect(valid == nil)
        #expect(Set(issues.map(\.name)) == ["kind", "category", "location", "occurred_at", "description"])
        #expect(issues.allSatisfy { $0.code == "required" })
    }

    @Test func refusesTheFutureAndControlCharacters() {
        #expect(draft(occurredAt: now.addingTimeInterval(86_400)).validate(now: now).1 == [FieldIssue("occurred_at", "in_future")])
        #expect(draft(description: "bad\u{0007}bell").validate(now: now).1 == [FieldIssue("description", "invalid_characters")])
        #expect(draft(description: String(repeating: "x", count: 10_001)).validate(now: now).1 == [FieldIssue("description", "too_long")])
        #expect(draft(description: "regel 1\nregel 2\ttab").validate(now: now).1.isEmpty)
    }

    @Test func storesWholeSeconds() {
        let (valid, _) = draft(occurredAt: now.addingTimeInterval(-0.75)).validate(now: now)
        #expect(valid?.occurredAt.timeIntervalSince1970 == (now.timeIntervalSince1970 - 1))
    }
}

@Suite struct WebRulesTests {
    @Test func formFieldsDecodeAndKeepMultipleValues() {
        let form = FormFields(urlEncoded: "a=1&b=hello+world&c=%C3%A9%26&b=two&empty=")
        #expect(form["a"] == "1")
        #expect(form["b"] == "hello world")
        #expect(form["c"] == "é&")
        #expect(form.all("b") == ["hello world", "two"])
        #expect(form["empty"] == nil)
        #expect(form["missing"] == nil)
    }

    @Test func onlyLocalPathsAreFollowedAfterSignIn() {
        #expect(AccountRoutes.safeNext("/reports?status=new") == "/reports?status=new")
        #expect(AccountRoutes.safeNext("//evil.example") == nil)
        #expect(AccountRoutes.safeNext("https://evil.example") == nil)
        #expect(AccountRoutes.safeNext("/\\evil.example") == nil)
    }

    @Test func dutchUnlessTheSwitchChoseEnglish() {
        #expect(Language.negotiate(cookie: "en") == .en)
        #expect(Language.negotiate(cookie: nil) == .nl)
        #expect(Language.negotiate(cookie: "xx") == .nl)
    }

    @Test func datesAreAmsterdamTime() {
        let date = Formats.parse(day: "2026-07-01", time: "14:30")!
        #expect(Formats.dateTime(date, .nl) == "01-07-2026 14:30")
        #expect(Formats.iso8601(date).hasSuffix("+02:00"))
        #expect(Formats.parse(day: "2026-02-30") == nil)
    }
}
