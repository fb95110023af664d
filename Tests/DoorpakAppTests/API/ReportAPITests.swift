import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct ReportAPITests {
    /// Adds `count` reports at the northern site, registered by the administrator.
    static func addReports(_ world: TestWorld, count: Int, kind: String = "incident") async throws {
        try await world.withDatabase { database in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: database.db()))
            let store = ReportStore(database: database)
            for index in 0..<count {
                _ = try await store.create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                           text: "Extra melding \(index)", kind: kind), by: admin)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func listPagesWithCursorAndLinkHeader(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.addReports(world, count: 5)
        try await world.withAPI(as: .admin) { api in
            var seen: [String] = []
            var path: String? = "/api/v1/reports?limit=2"
            var pages = 0
            while let current = path {
                let response = try await api.get(current)
                #expect(response.status == .ok)
                #expect(response.apiVersion == APIInfo.version)
                try OpenAPI.check(response, "GET", "/reports")
                let page = try response.object()
                let items = try response.items()
                #expect(items.count <= 2)
                seen += items.compactMap { $0["reference"] as? String }
                #expect(items.allSatisfy { $0["description"] == nil }, "the worklist carries no descriptions")
                pages += 1
                if let next = page["next"] as? String {
                    let link = try #require(response.headers[HTTPField.Name("Link")!])
                    #expect(link.hasSuffix(#">; rel="next""#))
                    #expect(link.contains("cursor=\(next)"))
                    #expect(link.contains("limit=2"))
                    path = String(link.dropFirst().prefix { $0 != ">" })
                } else {
                    #expect(page["next"] is NSNull)
                    #expect(response.headers[HTTPField.Name("Link")!] == nil)
                    path = nil
                }
                if pages > 10 { break }
            }
            #expect(pages == 4)
            #expect(seen.count == 7)
            #expect(Set(seen).count == 7, "no report shows twice across pages")
            #expect(seen.contains(world.reportNorth) && seen.contains(world.reportSouth))

            // Another order pages the same set.
            let oldest = try await api.get("/api/v1/reports?sort=oldest&limit=4")
            let next = try #require(try oldest.object()["next"] as? String)
            let rest = try await api.get("/api/v1/reports?sort=oldest&limit=4&cursor=\(next)")
            let both = try oldest.items().compactMap { $0["reference"] as? String } + rest.items().compactMap { $0["reference"] as? String }
            #expect(Set(both) == Set(seen))
            // A cursor from one order is refused in another rather than silently restarting.
            let mixed = try await api.get("/api/v1/reports?sort=newest&cursor=\(next)")
            #expect(mixed.status == .badRequest)
            #expect(try mixed.invalidParams() == ["cursor"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func listFiltersAndScope(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.addReports(world, count: 1, kind: "signal")
        try await world.withAPI(as: .admin) { api in
            func references(_ query: String) async throws -> [String] {
                let response = try await api.get("/api/v1/reports?\(query)")
                #expect(response.status == .ok, "\(query)")
                return try response.items().compactMap { $0["reference"] as? String }
            }
            let south = try await references("location=\(world.locationSouth.uuidString.lowercased())")
            #expect(south == [world.reportSouth])
            #expect(try await references("district=\(world.districtNorth.uuidString)").count == 2)
            #expect(try await references("kind=signal").count == 1)
            #expect(try await references("kind=incident&category=\(world.categoryConfused.uuidString)") == [world.reportSouth])
            // Administrators read no content by role: their free text matches references only.
            #expect(try await references("q=vechtpartij").isEmpty)
            #expect(try await references("q=\(world.reportNorth.lowercased())") == [world.reportNorth])
            #expect(try await references("organisation=\(world.ggd.uuidString)") == [world.reportSouth])
            #expect(try await references("status=closed").isEmpty)
            #expect(try await references("urgency=critical").count == 2)
            let today = Formats.isoDay(.now)
            #expect(try await references("from=\(today)&to=\(today)").count >= 2)
            #expect(try await references("to=2000-01-01").isEmpty)
        }
        try await world.withAPI(as: .coordinatorNorth) { api in
            let response = try await api.get("/api/v1/reports")
            let references = try response.items().compactMap { $0["reference"] as? String }
            #expect(references.contains(world.reportNorth))
            #expect(!references.contains(world.reportSouth))
        }
    }

    @Test(arguments: TestDatabase.available)
    func invalidQueryParametersAreNamed(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .admin) { api in
            let cases: [(String, [String])] = [
                ("status=bogus", ["status"]), ("location=nope", ["location"]), ("limit=0", ["limit"]), ("limit=101", ["limit"]),
                ("limit=ten", ["limit"]), ("cursor=garbage", ["cursor"]), ("from=2026-13-40", ["from"]), ("sort=sideways", ["sort"]),
                ("kind=melding&urgency=extreme", ["kind", "urgency"]),
            ]
            for (query, names) in cases {
                let response = try await api.get("/api/v1/reports?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.isProblem)
                #expect(Set(try response.invalidParams()) == Set(names), "\(query)")
                #expect(response.apiVersion == APIInfo.version)
                try OpenAPI.check(response, "GET", "/reports")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func createReturns201WithLocation(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .staffNorth) { api in
            let body: [String: Any] = [
                "kind": "signal", "categoryId": world.categoryConfused.uuidString.lowercased(),
                "locationId": world.locationNorth.uuidString, "placeId": world.placeNorth.uuidString,
                "occurredAt": "2026-11-01T23:15:00+01:00", "source": "phone", "urgency": NSNull(),
                "description": "Buurvrouw durft niet meer naar de wasruimte",
            ]
            let created = try await api.post("/api/v1/reports", body)
            #expect(created.status == .created)
            #expect(created.contentType == "application/json")
            try OpenAPI.check(created, "POST", "/reports")
            let report = try created.object()
            let reference = try #require(report["reference"] as? String)
            #expect(created.headers[.location] == "/api/v1/reports/\(reference)")
            #expect(report["occurredAt"] as? String == "2026-11-01T23:15:00+01:00")
            #expect(report["placeId"] as? String == world.placeNorth.uuidString.lowercased())
            #expect(report["urgency"] as? String == "high", "the category's default")
            #expect(report["status"] as? String == "new")
            #expect(report["allowedStatuses"] as? [String] == ["in_progress", "resolved", "closed"])
            #expect(report["reporterId"] as? String == world.users[.staffNorth]!.uuidString.lowercased())

            let read = try await api.get(try #require(created.headers[.location]))
            #expect(read.status == .ok)
            try OpenAPI.check(read, "GET", "/reports/{reference}")
            #expect(try read.object()["description"] as? String == "Buurvrouw durft niet meer naar de wasruimte")
            // The same report is on the web worklist: one core for both faces.
            let list = try await api.get("/api/v1/reports?kind=signal")
            #expect(try list.items().compactMap { $0["reference"] as? String } == [reference])
        }
    }

    @Test(arguments: TestDatabase.available)
    func createValidationNamesTheAPIFields(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .staffNorth) { api in
            let valid: [String: Any] = [
                "kind": "incident", "categoryId": world.categoryViolence.uuidString, "locationId": world.locationNorth.uuidString,
                "occurredAt": APIDates.write(Date.now.addingTimeInterval(-600)), "description": "Ruzie in de hal",
            ]
            func issues(_ changes: [String: Any?]) async throws -> [String] {
                var body = valid
                for (key, value) in changes {
                    if let value { body[key] = value } else { body.removeValue(forKey: key) }
                }
                let response = try await api.post("/api/v1/reports", body)
                #expect(response.status == .unprocessableContent, "\(changes)")
                #expect(response.isProblem)
                #expect(response.apiVersion == APIInfo.version)
                try OpenAPI.check(response, "POST", "/reports")
                return try response.invalidParams().sorted()
            }
            #expect(try await issues(["description": "   ", "occurredAt": APIDates.write(Date.now.addingTimeInterval(86_400))])
                    == ["description", "occurredAt"])
            #expect(try await issues(["occurredAt": "2026-11-01T23:15:00"]) == ["occurredAt"], "an offset is required")
            #expect(try await issues(["occurredAt": nil]) == ["occurredAt"])
            #expect(try await issues(["kind": "melding"]) == ["kind"], "an unknown enum value")
            #expect(try await issues(["urgency": "extreme", "source": "pigeon"]) == ["source", "urgency"])
            #expect(try await issues(["categoryId": UUID().uuidString]) == ["categoryId"])
            #expect(try await issues(["categoryId": "not-a-uuid"]) == ["categoryId"])
            #expect(try await issues(["locationId": world.locationSouth.uuidString]) == ["locationId"], "staff register at their own site only")
            #expect(try await issues(["placeId": UUID().uuidString]) == ["placeId"])
            #expect(try await issues(["description": String(repeating: "x", count: ReportDraft.maxDescriptionLength + 1)]) == ["description"])
            let problem = try await api.post("/api/v1/reports", ["kind": "incident"]).object()
            let params = try #require(problem["invalidParams"] as? [[String: Any]])
            #expect(params.allSatisfy { $0["code"] is String && $0["reason"] is String })
            #expect(problem["status"] as? Int == 422)
        }
    }

    @Test(arguments: TestDatabase.available)
    func outOfScopeReadsAsNotFound(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .police) { api in
            #expect(try await api.get("/api/v1/reports/\(world.reportNorth)").status == .ok)
            for path in ["", "/notes", "/history"] {
                let response = try await api.get("/api/v1/reports/\(world.reportSouth)\(path)")
                #expect(response.status == .notFound, "\(path)")
                #expect(response.isProblem)
                #expect(response.apiVersion == APIInfo.version)
            }
            let patch = try await api.patch("/api/v1/reports/\(world.reportSouth)", ["status": "in_progress"])
            #expect(patch.status == .notFound)
            #expect(try await api.post("/api/v1/reports/\(world.reportSouth)/notes", ["body": "x"]).status == .notFound)
            #expect(try await api.get("/api/v1/reports/DP-1999-000001").status == .notFound)
            let listed = try await api.get("/api/v1/reports")
            #expect(try listed.items().compactMap { $0["reference"] as? String } == [world.reportNorth])
        }
        try await world.withAPI(as: .analyst) { api in
            for path in ["/api/v1/reports", "/api/v1/reports/\(world.reportNorth)", "/api/v1/reports/\(world.reportSouth)/notes",
                         "/api/v1/reports/\(world.reportNorth)/history"] {
                let response = try await api.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.isProblem)
            }
            // Analysts do read the catalog and themselves.
            #expect(try await api.get("/api/v1/categories").status == .ok)
            #expect(try await api.get("/api/v1/me").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func patchFollowsTheLifecycle(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let path = "/api/v1/reports/\(world.reportNorth)"
        try await world.withAPI(as: .police) { api in
            let started = try await api.patch(path, ["status": "in_progress"])
            #expect(started.status == .ok)
            try OpenAPI.check(started, "PATCH", "/reports/{reference}")
            #expect(try started.object()["status"] as? String == "in_progress")
            #expect(try started.object()["allowedStatuses"] as? [String] == ["resolved", "closed"])

            let back = try await api.patch(path, ["status": "new"])
            #expect(back.status == .conflict)
            #expect(back.isProblem)
            #expect(back.apiVersion == APIInfo.version)
            try OpenAPI.check(back, "PATCH", "/reports/{reference}")
            #expect(try back.object()["detail"] is String)

            let noReason = try await api.patch(path, ["status": "closed", "reason": "  "])
            #expect(noReason.status == .unprocessableContent)
            #expect(try noReason.invalidParams() == ["reason"])

            let unknown = try await api.patch(path, ["status": "archived", "urgency": "extreme", "ownerId": "me"])
            #expect(unknown.status == .unprocessableContent)
            #expect(Set(try unknown.invalidParams()) == ["status", "urgency", "ownerId"])

            #expect(try await api.patch(path, ["status": NSNull()]).status == .unprocessableContent)

            // Re-routing is for coordinators; nothing else of the request is applied.
            let reroute = try await api.patch(path, ["organisationId": world.ggd.uuidString, "urgency": "low"])
            #expect(reroute.status == .forbidden)
            #expect(reroute.isProblem)
            #expect(try await api.get(path).object()["urgency"] as? String == "critical")

            // A refused status change leaves the rest alone too.
            #expect(try await api.patch(path, ["status": "new", "urgency": "low"]).status == .conflict)
            #expect(try await api.get(path).object()["urgency"] as? String == "critical")

            let police = world.users[.police]!.uuidString.lowercased()
            let owned = try await api.patch(path, ["ownerId": police, "urgency": "high", "reason": "Wijkagent pakt het op"],
                                            contentType: "application/json")
            #expect(owned.status == .ok)
            #expect(try owned.object()["ownerId"] as? String == police)
            #expect(try owned.object()["urgency"] as? String == "high")
            // Ownership is never cleared once set (issue 11).
            let cleared = try await api.patch(path, ["ownerId": NSNull()])
            #expect(cleared.status == .unprocessableContent)
            #expect(try cleared.invalidParams() == ["ownerId"])
            #expect(try await api.get(path).object()["ownerId"] as? String == police)
            #expect(try await api.patch(path, ["ownerId": UUID().uuidString]).invalidParams() == ["ownerId"])

            let same = try await api.patch(path, ["status": "in_progress"])
            #expect(same.status == .ok, "asking for the current status changes nothing")

            let resolved = try await api.patch(path, ["status": "resolved"])
            #expect(try resolved.object()["status"] as? String == "resolved")

            let history = try await api.get(path + "/history")
            #expect(history.status == .ok)
            try OpenAPI.check(history, "GET", "/reports/{reference}/history")
            let events = try history.items()
            #expect(events.compactMap { $0["field"] as? String }.sorted() == ["created", "owner", "routed", "status", "status", "urgency"])
            let ownerEvent = try #require(events.first { $0["field"] as? String == "owner" && $0["to"] as? String == police })
            #expect(ownerEvent["reason"] as? String == "Wijkagent pakt het op")
            #expect(ownerEvent["actorId"] as? String == police)
        }
        try await world.withAPI(as: .coordinatorNorth) { api in
            let noReason = try await api.patch(path, ["organisationId": world.ggd.uuidString])
            #expect(noReason.status == .unprocessableContent)
            #expect(try noReason.invalidParams() == ["reason"])
            let rerouted = try await api.patch(path, ["organisationId": world.ggd.uuidString, "reason": "GGD neemt het over"])
            #expect(rerouted.status == .ok)
            #expect(try rerouted.object()["organisationId"] as? String == world.ggd.uuidString.lowercased())
            #expect(try await api.patch(path, ["organisationId": UUID().uuidString, "reason": "x"]).invalidParams() == ["organisationId"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func notes(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let path = "/api/v1/reports/\(world.reportNorth)/notes"
        try await world.withAPI(as: .coordinatorNorth) { api in
            let empty = try await api.get(path)
            #expect(try empty.items().isEmpty)
            let added = try await api.post(path, ["body": "  Wijkagent is langs geweest  "])
            #expect(added.status == .created)
            try OpenAPI.check(added, "POST", "/reports/{reference}/notes")
            #expect(try added.object()["body"] as? String == "Wijkagent is langs geweest")
            #expect(try added.object()["authorId"] as? String == world.users[.coordinatorNorth]!.uuidString.lowercased())
            let list = try await api.get(path)
            try OpenAPI.check(list, "GET", "/reports/{reference}/notes")
            #expect(try list.items().count == 1)
            let blank = try await api.post(path, ["body": ""])
            #expect(blank.status == .unprocessableContent)
            #expect(try blank.invalidParams() == ["body"])
            #expect(try await api.post(path, [:]).invalidParams() == ["body"])
        }
    }
}
