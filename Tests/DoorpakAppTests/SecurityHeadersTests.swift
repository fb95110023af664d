import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
@testable import DoorpakApp

/// Every route the router knows, asked anonymously and signed in, answers with the security
/// headers; so do 404s, 405s, 500s and static files. The routes come from the router itself, so
/// a new route is covered without anyone adding it here.
@Suite struct SecurityHeadersTests {
    /// What every response must carry, and whether it must also say `Cache-Control: no-store`.
    static func problems(_ response: TestResponse, _ what: String, noStore: Bool = true) -> [String] {
        var problems: [String] = []
        let headers = response.headers
        let csp = headers[.contentSecurityPolicy] ?? ""
        if !csp.contains("frame-ancestors 'none'") || !csp.contains("default-src 'none'") { problems.append("\(what): CSP \(csp)") }
        if headers[.xContentTypeOptions] != "nosniff" { problems.append("\(what): X-Content-Type-Options") }
        if headers[HTTPField.Name("X-Frame-Options")!] != "DENY" { problems.append("\(what): X-Frame-Options") }
        if headers[HTTPField.Name("Referrer-Policy")!] != "no-referrer" { problems.append("\(what): Referrer-Policy") }
        if noStore && headers[.cacheControl] != "no-store" { problems.append("\(what): Cache-Control \(headers[.cacheControl] ?? "none")") }
        return problems
    }

    /// Sends one request for a route pattern, with its parameters filled as the access matrix fills them.
    static func send(_ method: String, _ uri: String, browser: Browser, token: String?) async throws -> TestResponse {
        if uri.hasPrefix("/api/") {
            let api = APIClient(client: browser.client, token: token)
            switch method {
            case "GET": return try await api.get(uri)
            case "PATCH": return try await api.patch(uri, [:])
            default: return try await api.request(HTTPRequest.Method(method)!, uri, body: "{}")
            }
        }
        switch method {
        case "GET": return try await browser.get(uri)
        case "POST" where uri == "/logout": return try await Browser(browser.client).post(uri, [])
        case "POST": return try await browser.post(uri, [])
        default: return try await browser.client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: [:])
        }
    }

    @Test(arguments: TestDatabase.available)
    func everyRouteAnswersWithTheSecurityHeaders(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let routes = try await AccessMatrixTests.routes(world)
        #expect(routes.count > 50)
        let ids = try await AccessMatrixTests.ids(world)
        let token = try await world.token(for: .admin)
        try await buildApplication(world.config).test(.router) { client in
            var problems: [String] = []
            let admin = Browser(client)
            try await admin.signIn(.admin)
            for route in routes {
                let parts = route.split(separator: " ").map(String.init)
                let uri = AccessMatrixTests.fill(parts[1], ids: ids, reference: world.reportNorth, token: "")
                let anonymous = try await Self.send(parts[0], uri, browser: Browser(client), token: nil)
                problems += Self.problems(anonymous, "anonymous \(parts[0]) \(uri) → \(anonymous.status.code)")
                let signedIn = try await Self.send(parts[0], uri, browser: admin, token: token)
                problems += Self.problems(signedIn, "admin \(parts[0]) \(uri) → \(signedIn.status.code)")
                if uri.hasPrefix("/api/"), signedIn.headers[HTTPField.Name("API-Version")!] == nil { problems.append("\(uri): API-Version") }
            }
            // Not found, wrong method, and the static files (which may be cached, but carry the rest).
            let missing = try await admin.get("/no/such/page")
            #expect(missing.status == .notFound)
            problems += Self.problems(missing, "404 page")
            let missingAPI = try await APIClient(client: client, token: token).get("/api/v1/no-such-thing")
            #expect(missingAPI.status == .notFound)
            problems += Self.problems(missingAPI, "404 API")
            // A known path with a method it does not take (Hummingbird's router answers 404 or 405).
            let wrongMethod = try await client.execute(uri: "/health", method: .delete)
            #expect([404, 405].contains(wrongMethod.status.code))
            problems += Self.problems(wrongMethod, "405")
            let wrongMethodAPI = try await APIClient(client: client, token: token).request(.delete, "/api/v1/me")
            #expect(wrongMethodAPI.status.code >= 400 && wrongMethodAPI.status.code < 500)
            problems += Self.problems(wrongMethodAPI, "405 API")
            let css = try await client.execute(uri: "/static/doorpak.css", method: .get)
            #expect(css.status == .ok)
            problems += Self.problems(css, "static css", noStore: false)
            let noFile = try await client.execute(uri: "/static/nothing.css", method: .get)
            problems += Self.problems(noFile, "static 404")
            #expect(problems.isEmpty, "\(problems.count) responses without the security headers:\n\(problems.prefix(40).joined(separator: "\n"))")
        }
    }

    /// A server error, made real: a table the page needs is gone. The page and the API both still
    /// answer with the headers, and without details.
    @Test(arguments: TestDatabase.available)
    func serverErrorsCarryTheHeadersToo(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let token = try await world.token(for: .admin)
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            try await world.withDatabase { database in
                try await database.sql().raw("DROP TABLE closure_days").run()
            }
            let page = try await admin.get("/admin/closure-days")
            #expect(page.status == .internalServerError)
            #expect(Self.problems(page, "500 page").isEmpty, "\(Self.problems(page, "500 page"))")
            #expect(!page.text.contains("closure_days"), "no database details in the page")
            let api = try await APIClient(client: client, token: token).get("/api/v1/routing-rules")
            if api.status == .internalServerError {
                #expect(Self.problems(api, "500 API").isEmpty)
                #expect(!api.text.contains("closure_days"))
            }
        }
    }
}
