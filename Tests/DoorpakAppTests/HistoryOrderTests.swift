import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// History rows keep their time in whole seconds: entries written in the same second keep the order
/// in which they were written (`WriteSequence`), on the report page, in the report's history API, on
/// the case's timeline and in the case's history API. The rows are made in the order things
/// happened and stored in the opposite order (as two transactions may commit), so an order by time
/// alone, or by storage, shows them the wrong way round.
@Suite struct HistoryOrderTests {
    static let markers = ["VOLGORDE-1", "VOLGORDE-2", "VOLGORDE-3", "VOLGORDE-4", "VOLGORDE-5"]

    /// Where each marker first appears in `text`, in marker order.
    func positions(_ text: String) throws -> [Int] {
        try Self.markers.map { marker in
            let range = try #require(text.range(of: marker), "\(marker) is on the page")
            return text.distance(from: text.startIndex, to: range.lowerBound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func reportHistoryInOneSecondKeepsItsOrderOnThePageAndInTheAPI(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let moment = Date().wholeSeconds.addingTimeInterval(1)
        try await world.withDatabase { appDatabase in
            let db = appDatabase.db()
            let report = try #require(try await Report.query(on: db).filter(\.$reference == world.reportNorth).first())
            let events = Self.markers.map {
                ReportEvent(reportID: report.id!, at: moment, actorID: nil, field: .status, from: "new", to: "in_progress", reason: $0)
            }
            #expect(events.map(\.seq) == events.map(\.seq).sorted() && Set(events.map(\.seq)).count == events.count)
            for event in events.reversed() { try await event.create(on: db) }
        }
        try await world.withAPI(as: .police) { api in
            let history = try await api.get("/api/v1/reports/\(world.reportNorth)/history")
            #expect(history.status == .ok)
            let reasons = try history.items().compactMap { $0["reason"] as? String }.filter { $0.hasPrefix("VOLGORDE-") }
            #expect(reasons == Self.markers, "oldest first, in the order written")
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let page = try await browser.get("/reports/\(world.reportNorth)")
            #expect(page.status == .ok)
            let history = String(page.text.split(separator: "id=\"history\"", maxSplits: 1).last ?? "")
            #expect(try positions(history) == (try positions(history)).sorted(by: >), "newest first: 5, 4, 3, 2, 1")
        }
    }

    @Test(arguments: TestDatabase.available)
    func caseEventsInOneSecondKeepTheirOrderOnTheTimelineAndInTheAPI(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let police = try await world.token(for: .police)
        let moment = Date().wholeSeconds.addingTimeInterval(1)
        try await buildApplication(world.config).test(.router) { client in
            let api = APIClient(client: client, token: police)
            let pseudonym = try await CaseAPITests.person(api, world: world)
            let opened = try await api.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Zorgen om de bewoner"])
            #expect(opened.status == .created)
            let reference = try #require(try opened.object()["reference"] as? String)
            try await world.withDatabase { appDatabase in
                let db = appDatabase.db()
                let file = try #require(try await CaseFile.query(on: db).filter(\.$reference == reference).first())
                let events = Self.markers.map {
                    CaseEvent(caseID: file.id!, at: moment, actorID: world.users[.police]!, kind: "report_linked", to: $0)
                }
                for event in events.reversed() { try await event.create(on: db) }
            }

            let history = try await api.get("/api/v1/cases/\(reference)/history")
            #expect(history.status == .ok)
            let linked = try history.items().compactMap { $0["to"] as? String }.filter { $0.hasPrefix("VOLGORDE-") }
            #expect(linked == Self.markers, "oldest first, in the order written")

            let browser = Browser(client)
            try await browser.signIn(.police)
            let page = try await browser.get("/cases/\(reference)")
            #expect(page.status == .ok)
            #expect(try positions(page.text) == (try positions(page.text)).sorted(by: >), "timeline newest first: 5, 4, 3, 2, 1")
        }
    }

    /// Notes and actions written in one second, between each other and beside case events: the
    /// timeline (page and API) shows them newest first in the order they were written.
    @Test(arguments: TestDatabase.available)
    func notesAndActionsInOneSecondKeepTheirOrderOnTheTimeline(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let police = try await world.token(for: .police)
        let moment = Date().wholeSeconds.addingTimeInterval(1)
        try await buildApplication(world.config).test(.router) { client in
            let api = APIClient(client: client, token: police)
            let pseudonym = try await CaseAPITests.person(api, world: world)
            let opened = try await api.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Zorgen om de bewoner"])
            let reference = try #require(try opened.object()["reference"] as? String)
            try await world.withDatabase { appDatabase in
                let setup = try await CaseFollowThroughTests.setup(world, appDatabase)
                let principal = try await setup.principal(world.users[.police]!)
                let found = try await setup.cases.find(reference: reference, by: principal)
                let due = Formats.isoDay(moment.addingTimeInterval(7 * 86_400))
                // 1 and 3 are notes, 2 and 4 actions (4 also closed, as 5), all in the same second.
                _ = try await setup.cases.addNote(Self.markers[0], sensitive: false, readers: [], to: found.file, access: found.access, by: principal, now: moment)
                _ = try await setup.cases.addAction(ActionDraft(title: Self.markers[1], organisation: world.police.uuidString, dueOn: due), goal: nil,
                                                    to: found.file, access: found.access, by: principal, now: moment)
                _ = try await setup.cases.addNote(Self.markers[2], sensitive: false, readers: [], to: found.file, access: found.access, by: principal, now: moment)
                let last = try await setup.cases.addAction(ActionDraft(title: Self.markers[3], organisation: world.police.uuidString, dueOn: due), goal: nil,
                                                           to: found.file, access: found.access, by: principal, now: moment)
                try await setup.cases.closeAction(last.id!, .cancelled(reason: Self.markers[4]), in: found.file, access: found.access,
                                                  by: principal, now: moment)
            }
            let timeline = try await api.get("/api/v1/cases/\(reference)/timeline")
            #expect(timeline.status == .ok)
            let texts = try timeline.items().map { entry in
                ((entry["parts"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? String }.joined() + ((entry["detail"] as? String) ?? "")
            }
            let order = Self.markers.reversed().map { marker in texts.firstIndex { $0.contains(marker) && !(marker == Self.markers[3] && $0.contains(Self.markers[4])) } }
            #expect(order == order.sorted { ($0 ?? .max) < ($1 ?? .max) } && !order.contains(nil), "newest first: 5, 4, 3, 2, 1 — \(texts)")
        }
    }

    @Test func theWriteSequenceOnlyGoesUp() {
        let now = Date()
        var last = WriteSequence.next(now: now)
        // The same moment, and a clock that stepped back an hour: still later values.
        for moment in [now, now, now.addingTimeInterval(-3600), now.addingTimeInterval(0.5)] {
            let next = WriteSequence.next(now: moment)
            #expect(next > last)
            last = next
        }
    }
}
