import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct LocationRoutesTests {
    @Test(arguments: TestDatabase.available)
    func everyRoleSeesTheListWithDistrictFilter(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            for persona in TestWorld.Persona.allCases {
                let browser = Browser(client)
                try await browser.signIn(persona)
                let list = try await browser.get("/locations")
                #expect(list.status == .ok, "\(persona)")
                #expect(list.text.contains("Startblok Noord") && list.text.contains("Startblok Zuid"), "\(persona)")
                #expect(list.text.contains(#"href="/locations/\#(world.locationNorth.uuidString)""#), "\(persona)")
                #expect(list.text.contains(#"aria-current="page""#), "\(persona)")
            }
            let browser = Browser(client)
            try await browser.signIn(.analyst)
            let north = try await browser.get("/locations?district=\(world.districtNorth.uuidString)")
            #expect(north.text.contains("Startblok Noord"))
            #expect(!north.text.contains("Startblok Zuid"))
            #expect(north.text.contains(#"value="\#(world.districtNorth.uuidString)" selected"#))
            // A district filter that does not parse shows everything rather than failing.
            #expect(try await browser.get("/locations?district=nope").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func detailShowsFactsPlacesChartAndOnlyOpenReportsInScope(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            let north = try await coordinator.get("/locations/\(world.locationNorth.uuidString)")
            #expect(north.status == .ok)
            #expect(north.text.contains("Woonstad"))
            #expect(north.text.contains("Blok A"))
            #expect(north.text.contains(#"role="img""#))
            #expect(north.text.contains(world.reportNorth))
            #expect(north.text.contains(#"id="open-reports""#))
            #expect(!north.text.contains(">nil<") && !north.text.contains(#""nil""#))

            // The southern site is outside the coordinator's district: counts yes, records no.
            let south = try await coordinator.get("/locations/\(world.locationSouth.uuidString)")
            #expect(south.status == .ok)
            #expect(!south.text.contains(world.reportSouth))
            #expect(south.text.contains(#"id="open-hidden""#))
            #expect(south.text.contains(#"<rect class="bar""#))

            // A partner sees the reports their organisation is responsible for, and not the others.
            let police = Browser(client)
            try await police.signIn(.police)
            #expect(try await police.get("/locations/\(world.locationNorth.uuidString)").text.contains(world.reportNorth))
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            let ggdNorth = try await ggd.get("/locations/\(world.locationNorth.uuidString)")
            #expect(!ggdNorth.text.contains(world.reportNorth))
            #expect(ggdNorth.text.contains(#"id="open-hidden""#))
            #expect(try await ggd.get("/locations/\(world.locationSouth.uuidString)").text.contains(world.reportSouth))
        }
    }

    @Test(arguments: TestDatabase.available)
    func analystSeesChartAndCountsButNoReports(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.analyst)
            let page = try await browser.get("/locations/\(world.locationNorth.uuidString)")
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg"))
            #expect(page.text.contains(#"id="chart-data""#))
            #expect(page.text.contains(#"id="counts-only""#))
            #expect(!page.text.contains(#"id="open-reports""#))
            #expect(!page.text.contains(world.reportNorth))
            #expect(!page.text.contains("Vechtpartij"))
            #expect(!page.text.contains(#"id="edit-location""#))
        }
    }

    @Test(arguments: TestDatabase.available)
    func chartHasOneBarPerCategoryWithDataInTheLast90Days(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
            let store = ReportStore(database: db)
            for text in ["Tweede vechtpartij", "Derde vechtpartij"] {
                _ = try await store.create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth, text: text), by: admin)
            }
            _ = try await store.create(TestWorld.draft(category: world.categoryConfused, location: world.locationNorth, text: "Verward"), by: admin)
            // Older than 90 days: not in the chart.
            var old = TestWorld.draft(category: world.categoryConfused, location: world.locationNorth, text: "Lang geleden", kind: "signal")
            old.occurredAt = Date.now.addingTimeInterval(-120 * 86_400)
            _ = try await store.create(old, by: admin)
            let counts = try await store.categoryCounts(at: world.locationNorth, since: Date.now.addingTimeInterval(-90 * 86_400))
            #expect(counts == [world.categoryViolence: 3, world.categoryConfused: 1])
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.analyst)
            let page = try await browser.get("/locations/\(world.locationNorth.uuidString)").text
            let svg = try #require(page.range(of: "<svg").flatMap { start in page.range(of: "</svg>").map { String(page[start.lowerBound..<$0.upperBound]) } })
            let parsed = try BarChartTests.parse(svg)
            #expect(parsed.counts["rect"] == 2)
            #expect(svg.contains("Geweld: 3"))
            #expect(svg.contains("Verward of psychiatrisch gedrag: 1"))
            #expect(page.contains(#"<th scope="row">Geweld</th><td class="num">3</td>"#))
        }
    }

    @Test(arguments: TestDatabase.available)
    func unknownLocationIsNotFound(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            #expect(try await browser.get("/locations/\(UUID().uuidString)").status == .notFound)
            #expect(try await browser.get("/locations/nope").status == .notFound)
            let signedOut = Browser(client)
            #expect(try await signedOut.get("/locations").headers[.location]?.hasPrefix("/login") == true)
        }
    }
}
