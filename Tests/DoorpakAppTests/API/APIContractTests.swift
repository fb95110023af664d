import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// The OpenAPI document and the router describe the same API.
@Suite struct APIContractTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// Every `/api/v1` route, as `METHOD /path/{param}` relative to the server URL.
    static func routerOperations() async throws -> Set<String> {
        let config = TestDatabase.sqlite.freshConfig()
        return try await AppDatabase.with(config) { database in
            let services = AppServices(config: config, database: database, views: try await Views.load(), passwords: Passwords(cost: 4))
            let router = buildRouter(services, sessions: DatabasePersistDriver(database: database))
            let prefix = APIInfo.basePath
            return Set(router.routes.compactMap { route -> String? in
                let path = route.path.description
                guard path.hasPrefix(prefix + "/") else { return nil }
                return "\(route.method.rawValue.uppercased()) \(path.dropFirst(prefix.count))"
            })
        }
    }

    static func documentOperations() throws -> Set<String> {
        let paths = try #require(try OpenAPI.document()["paths"] as? [String: Any])
        return Set(paths.flatMap { path, item in
            ((item as? [String: Any]) ?? [:]).keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let routes = try await Self.routerOperations()
        let documented = try Self.documentOperations()
        #expect(routes.count >= 14)
        #expect(routes.subtracting(documented).isEmpty, "routes missing from openapi.json: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not routed: \(documented.subtracting(routes).sorted())")
    }

    @Test func documentFollowsTheDesignRules() throws {
        let document = try OpenAPI.document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.0") == true)
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["version"] as? String == APIInfo.version)
        let contact = try #require(info["contact"] as? [String: Any])
        #expect(contact["name"] != nil && contact["url"] != nil && contact["email"] != nil)
        let servers = try #require(document["servers"] as? [[String: Any]])
        #expect(servers.map { $0["url"] as? String } == [APIInfo.basePath])

        let components = try #require(document["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: Any])
        #expect(Set(schemes.keys) == ["bearerToken", "sessionCookie"])
        let problem = try #require((components["schemas"] as? [String: Any])?["Problem"] as? [String: Any])
        #expect((problem["properties"] as? [String: Any])?["invalidParams"] != nil)

        // Every response of every operation carries the API-Version header; errors are problem+json.
        let responses = components["responses"] as? [String: Any] ?? [:]
        let paths = try #require(document["paths"] as? [String: Any])
        for (path, item) in paths {
            #expect(!path.hasSuffix("/"))
            for (method, operation) in (item as? [String: Any]) ?? [:] where Self.methods.contains(method) {
                let operation = try #require(operation as? [String: Any])
                #expect(operation["operationId"] is String, "\(method) \(path)")
                for (code, response) in try #require(operation["responses"] as? [String: Any]) {
                    var response = try #require(response as? [String: Any])
                    if let ref = response["$ref"] as? String { response = try #require(responses[String(ref.split(separator: "/").last!)] as? [String: Any]) }
                    let headers = response["headers"] as? [String: Any] ?? [:]
                    #expect(headers["API-Version"] != nil, "\(method) \(path) \(code)")
                    let content = response["content"] as? [String: Any] ?? [:]
                    if code.hasPrefix("4") || code.hasPrefix("5") {
                        #expect(Array(content.keys) == ["application/problem+json"], "\(method) \(path) \(code)")
                    }
                }
                if ["post", "patch"].contains(method) {
                    for code in ["401", "413", "415", "422"] { #expect((operation["responses"] as? [String: Any])?[code] != nil, "\(method) \(path) \(code)") }
                }
            }
        }
        // Every $ref resolves.
        func refs(_ value: Any) -> [String] {
            if let object = value as? [String: Any] { return object.flatMap { $0.key == "$ref" ? [$0.value as? String ?? ""] : refs($0.value) } }
            if let array = value as? [Any] { return array.flatMap(refs) }
            return []
        }
        let all = refs(document)
        #expect(!all.isEmpty)
        for ref in all {
            let parts = ref.split(separator: "/").map(String.init)
            #expect(parts.count == 4 && parts[0] == "#" && parts[1] == "components", "\(ref)")
            if parts.count == 4 { #expect((components[parts[2]] as? [String: Any])?[parts[3]] != nil, "\(ref)") }
        }
    }

    @Test(arguments: TestDatabase.available)
    func documentIsServedWithoutSigningIn(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withAPI(as: nil) { api in
            let response = try await api.get("/api/v1/openapi.json")
            #expect(response.status == .ok)
            #expect(response.contentType == "application/json")
            #expect(response.apiVersion == APIInfo.version)
            let info = try #require(try response.object()["info"] as? [String: Any])
            #expect(info["version"] as? String == APIInfo.version)
        }
    }
}
