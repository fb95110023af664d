import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import DoorpakApp

/// A tiny browser over the test client: keeps cookies and sends the CSRF token with forms.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    static let csrf = String(repeating: "c", count: 43)

    init(_ client: any TestClientProtocol) {
        self.client = client
        cookies["dp_csrf"] = Self.csrf
    }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    @discardableResult
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.cookie] = cookieHeader
        return try remember(await client.execute(uri: uri, method: .get, headers: headers))
    }

    /// Posts a form; `_csrf` is added unless `csrf` is false.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestResponse {
        let all = (csrf ? [("_csrf", Self.csrf)] : []) + fields
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = all.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        let headers: HTTPFields = [.cookie: cookieHeader, .contentType: "application/x-www-form-urlencoded"]
        return try remember(await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)))
    }

    /// Signs in as a persona of the test world and checks that it worked.
    func signIn(_ persona: TestWorld.Persona) async throws {
        let response = try await post("/login", [("email", persona.email), ("password", TestWorld.password)])
        guard response.status == .seeOther, cookies["dp_session"] != nil else {
            throw TestFailure("sign-in as \(persona) failed with \(response.status)")
        }
    }

    private func remember(_ response: TestResponse) -> TestResponse {
        for header in response.headers[values: .setCookie] {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if header.contains("Max-Age=0") || header.contains("Expires=Thu, 01 Jan 1970") { cookies[parts[0]] = nil } else { cookies[parts[0]] = parts[1] }
        }
        return response
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
