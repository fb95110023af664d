import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// The request rules every API call shares: authentication, media types, sizes, malformed
/// bodies, problem+json and the `API-Version` header.
@Suite struct APIProtocolTests {
    @Test(arguments: TestDatabase.available)
    func unauthenticatedRequestsGet401(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let token = try await world.token(for: .police)
        let revoked = try await world.token(for: .police)
        try await world.withDatabase { database in
            let principal = try #require(try await Principal.load(userID: world.users[.police]!, via: .token, on: database.db()))
            let stored = try #require(try await APIToken.query(on: database.db()).filter(\.$tokenHash == APIToken.hash(revoked)).first())
            try await TestWorld.accounts(database).revokeToken(stored.id!, of: principal)
        }
        try await buildApplication(world.config).test(.router) { client in
            @Sendable func expect401(_ bearer: String?, _ label: String) async throws {
                let api = APIClient(client: client, token: bearer)
                for path in ["/api/v1/me", "/api/v1/reports", "/api/v1/reports/\(world.reportNorth)", "/api/v1/districts"] {
                    let response = try await api.get(path)
                    #expect(response.status == .unauthorized, "\(path) with \(label)")
                    #expect(response.isProblem, "\(path) with \(label)")
                    #expect(response.apiVersion == APIInfo.version)
                    #expect((try? response.object())?["status"] as? Int == 401)
                }
                #expect(try await api.post("/api/v1/reports", ["kind": "incident"]).status == .unauthorized)
            }
            try await expect401(nil, "no token")
            let missing = try await APIClient(client: client, token: nil).get("/api/v1/me")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            try OpenAPI.check(missing, "GET", "/me")

            // A token that does not resolve leaves the request anonymous: 401 problem+json, never a 500.
            for (bearer, label) in [("dpk_" + String(repeating: "x", count: 43), "an unknown token"), (revoked, "a revoked token"),
                                    ("not-a-token", "a malformed token")] {
                try await expect401(bearer, label)
            }
            let valid = try await APIClient(client: client, token: token).get("/api/v1/me")
            #expect(valid.status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func sessionCookieWorksToo(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.coordinatorNorth)
            let me = try await browser.get("/api/v1/me")
            #expect(me.status == .ok)
            try OpenAPI.check(me, "GET", "/me")
            let object = try me.object()
            #expect(object["email"] as? String == TestWorld.Persona.coordinatorNorth.email)
            #expect(object["role"] as? String == "coordinator")
            #expect(object["districtIds"] as? [String] == [world.districtNorth.uuidString.lowercased()])
            #expect(object["locationIds"] as? [String] == [])
            #expect(object["organisationId"] is String)
        }
    }

    @Test(arguments: TestDatabase.available)
    func malformedBodiesGet400WithoutEchoingValues(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .staffNorth) { api in
            let secret = "Jansen-0612345678"
            let bodies: [(String, String)] = [
                (#"{"kind": "incident", "description": "\#(secret)""#, "not valid JSON"),
                (#"{"kind": 5, "description": "\#(secret)"}"#, "'kind' must be a string"),
                (#"{"description": ["\#(secret)"]}"#, "'description' must be a string"),
                (#"["\#(secret)"]"#, "must be a JSON object"),
                (#""\#(secret)""#, "must be a JSON object"),
                (#"{"descripton": "\#(secret)"}"#, "Allowed members"),
                ("", "empty"),
            ]
            for (body, hint) in bodies {
                let response = try await api.request(.post, "/api/v1/reports", body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.isProblem)
                #expect(response.apiVersion == APIInfo.version)
                let detail = try #require(try response.object()["detail"] as? String)
                #expect(detail.contains(hint), "\(detail)")
                #expect(!response.text.contains(secret), "the problem never repeats what was sent")
                try OpenAPI.check(response, "POST", "/reports")
            }
            let patch = try await api.request(.patch, "/api/v1/reports/\(world.reportNorth)", body: #"{"ownerId": 12}"#,
                                              contentType: "application/merge-patch+json")
            #expect(patch.status == .badRequest)
            let note = try await api.request(.post, "/api/v1/reports/\(world.reportNorth)/notes", body: #"{"body": true}"#)
            #expect(note.status == .badRequest)
        }
    }

    @Test(arguments: TestDatabase.available)
    func oversizedBodiesGet413(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .staffNorth) { api in
            let big = #"{"description": ""# + String(repeating: "a", count: APIInfo.maxBodySize) + #""}"#
            for (method, path) in [(HTTPRequest.Method.post, "/api/v1/reports"), (.patch, "/api/v1/reports/\(world.reportNorth)"),
                                   (.post, "/api/v1/reports/\(world.reportNorth)/notes")] {
                let response = try await api.request(method, path, body: big)
                #expect(response.status == .contentTooLarge, "\(method) \(path)")
                #expect(response.isProblem)
                #expect(response.apiVersion == APIInfo.version)
            }
            // Just under the limit is read (and then refused for its content, not its size).
            let under = try await api.post("/api/v1/reports", ["description": String(repeating: "a", count: 20_000)])
            #expect(under.status == .unprocessableContent)
        }
    }

    @Test(arguments: TestDatabase.available)
    func wrongMediaTypesGet415(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .police) { api in
            let body = #"{"body": "Langs geweest"}"#
            let notes = "/api/v1/reports/\(world.reportNorth)/notes"
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil,
                                "application/merge-patch+json"] {
                let response = try await api.request(.post, notes, body: body, contentType: contentType)
                #expect(response.status == .unsupportedMediaType, "\(contentType ?? "none")")
                #expect(response.isProblem)
                #expect(response.apiVersion == APIInfo.version)
                try OpenAPI.check(response, "POST", "/reports/{reference}/notes")
            }
            #expect(try await api.request(.post, notes, body: body, contentType: "application/json; charset=utf-8").status == .created)
            #expect(try await api.request(.post, notes, body: body, contentType: "Application/JSON").status == .created)
            let patch = "/api/v1/reports/\(world.reportNorth)"
            #expect(try await api.request(.patch, patch, body: #"{"urgency": "high"}"#, contentType: "text/json").status == .unsupportedMediaType)
            #expect(try await api.request(.patch, patch, body: #"{"urgency": "high"}"#, contentType: "application/merge-patch+json").status == .ok)
            #expect(try await api.request(.patch, patch, body: #"{"urgency": "low"}"#, contentType: "application/json").status == .ok)
            // No CSRF token is needed: the JSON content type is the guard.
            #expect(try await api.request(.post, "/api/v1/reports", body: "{}", contentType: "application/x-www-form-urlencoded").status
                    == .unsupportedMediaType)
        }
    }

    @Test(arguments: TestDatabase.available)
    func apiVersionHeaderOnEveryResponse(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .admin) { api in
            for path in ["/api/v1/openapi.json", "/api/v1/me", "/api/v1/reports", "/api/v1/reports/\(world.reportNorth)",
                         "/api/v1/districts", "/api/v1/reports/DP-2000-000000", "/api/v1/nothing-here", "/api/v1/reports?limit=-1"] {
                let response = try await api.get(path)
                #expect(response.apiVersion == APIInfo.version, "\(path) \(response.status)")
                #expect(response.headers[.cacheControl] == "no-store")
                if response.status.code >= 400 { #expect(response.isProblem, "\(path)") }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func catalogEndpoints(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: .police) { api in
            let districts = try await api.get("/api/v1/districts")
            try OpenAPI.check(districts, "GET", "/districts")
            #expect(try districts.items().compactMap { $0["name"] as? String } == ["Noord", "Zuid"])

            let locations = try await api.get("/api/v1/locations")
            try OpenAPI.check(locations, "GET", "/locations")
            #expect(try locations.items().count == 2)
            #expect(try locations.items().first?["places"] == nil)

            let north = try await api.get("/api/v1/locations/\(world.locationNorth.uuidString.lowercased())")
            try OpenAPI.check(north, "GET", "/locations/{id}")
            let detail = try north.object()
            #expect(detail["name"] as? String == "Startblok Noord")
            #expect(detail["districtId"] as? String == world.districtNorth.uuidString.lowercased())
            #expect((detail["places"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Blok A"])
            #expect(try await api.get("/api/v1/locations/\(UUID().uuidString)").status == .notFound)
            #expect(try await api.get("/api/v1/locations/abc").status == .notFound)

            let categories = try await api.get("/api/v1/categories")
            try OpenAPI.check(categories, "GET", "/categories")
            let violence = try #require(try categories.items().first { $0["code"] as? String == "violence" })
            #expect(violence["nameNl"] as? String == "Geweld")
            #expect(violence["nameEn"] as? String == "Violence")
            #expect(violence["defaultUrgency"] as? String == "critical")
            #expect(violence["defaultOrganisationKind"] as? String == "police")
            #expect(violence["active"] as? Bool == true)
            #expect(violence["id"] as? String == world.categoryViolence.uuidString.lowercased())

            let organisations = try await api.get("/api/v1/organisations")
            try OpenAPI.check(organisations, "GET", "/organisations")
            #expect(try organisations.items().compactMap { $0["name"] as? String } == ["GGD", "Gemeente", "Politie", "Woonstad"])
        }
    }
}
