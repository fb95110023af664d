import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// A JSON API client over the test client: sends a bearer token (or none) and reads JSON.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    var token: String?

    func request(_ method: HTTPRequest.Method, _ path: String, body: String? = nil, contentType: String? = "application/json",
                 headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func get(_ path: String) async throws -> TestResponse { try await request(.get, path) }
    func post(_ path: String, _ json: [String: Any]) async throws -> TestResponse { try await request(.post, path, body: Self.encode(json)) }
    func patch(_ path: String, _ json: [String: Any], contentType: String = "application/merge-patch+json") async throws -> TestResponse {
        try await request(.patch, path, body: Self.encode(json), contentType: contentType)
    }

    static func encode(_ json: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
    }
}

extension TestResponse {
    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text.prefix(200))")
        }
        return object
    }

    func items() throws -> [[String: Any]] { try object()["items"] as? [[String: Any]] ?? [] }

    /// The names in a problem's `invalidParams`.
    func invalidParams() throws -> [String] {
        (try object()["invalidParams"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    var apiVersion: String? { headers[HTTPField.Name("API-Version")!] }
    var contentType: String? { headers[.contentType] }
    var isProblem: Bool { contentType == "application/problem+json" }
}

extension TestWorld {
    /// A personal access token for a persona, made the way the account page makes one.
    func token(for persona: Persona) async throws -> String {
        try await withDatabase { database in
            let principal = try #require(try await Principal.load(userID: users[persona]!, via: .token, on: database.db()))
            return try await Self.accounts(database).createToken(named: "test \(persona.rawValue)", for: principal)
        }
    }

    static func accounts(_ database: AppDatabase) -> AccountStore {
        AccountStore(database: database, passwords: Passwords(cost: 4), throttle: LoginThrottle(database: database))
    }

    /// Runs `work` against the application with an API client for `persona` (or none).
    func withAPI(as persona: Persona?, _ work: @Sendable @escaping (APIClient) async throws -> Void) async throws {
        let token = try await persona.asyncMap { try await self.token(for: $0) }
        try await buildApplication(config).test(.router) { client in
            try await work(APIClient(client: client, token: token))
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// The OpenAPI document as shipped, for contract checks.
enum OpenAPI {
    static func document() throws -> [String: Any] {
        let data = try Data(contentsOf: Views.assets.appendingPathComponent(APIInfo.documentName))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Problems found checking `value` against a schema of the document (the subset of OpenAPI 3.0
    /// schemas the document uses: `$ref`, `type`, `nullable`, `required`, `properties`,
    /// `additionalProperties`, `items`, `enum`, `format: uuid/date-time/date`, `pattern`).
    static func violations(_ value: Any, schema: [String: Any], in document: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last!)
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
            guard let target = schemas?[name] as? [String: Any] else { return ["\(path): unresolved \(ref)"] }
            return violations(value, schema: target, in: document, at: path)
        }
        if value is NSNull {
            return schema["nullable"] as? Bool == true ? [] : ["\(path): null is not allowed"]
        }
        if let values = schema["enum"] as? [Any], let string = value as? String,
           !values.contains(where: { ($0 as? String) == string }) {
            return ["\(path): '\(string)' is not one of the enum values"]
        }
        var problems: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { problems.append("\(path).\(name): missing") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in object {
                if let memberSchema = properties[name] as? [String: Any] {
                    problems += violations(member, schema: memberSchema, in: document, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path).\(name): not allowed")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(path): not an array"] }
            if let itemSchema = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { problems += violations(item, schema: itemSchema, in: document, at: "\(path)[\(index)]") }
            }
        case "string":
            guard let string = value as? String else { return ["\(path): not a string"] }
            let patterns = ["uuid": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                            "date-time": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$",
                            "date": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]
            if let format = schema["format"] as? String, let pattern = patterns[format],
               string.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path): not a \(format)")
            }
            if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path): does not match \(pattern)")
            }
        case "integer":
            if value as? Int == nil { problems.append("\(path): not an integer") }
        case "boolean":
            if value as? Bool == nil { problems.append("\(path): not a boolean") }
        default:
            break
        }
        return problems
    }

    /// Checks a response against what the document says this operation returns with its status.
    static func check(_ response: TestResponse, _ method: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let document = try document()
        let paths = try #require(document["paths"] as? [String: Any])
        let operation = try #require((paths[path] as? [String: Any])?[method.lowercased()] as? [String: Any], "\(method) \(path) is not documented",
                                     sourceLocation: sourceLocation)
        let responses = try #require(operation["responses"] as? [String: Any])
        var documented = try #require(responses["\(response.status.code)"] as? [String: Any],
                                      "\(method) \(path) does not document \(response.status.code)", sourceLocation: sourceLocation)
        if let ref = documented["$ref"] as? String {
            let name = String(ref.split(separator: "/").last!)
            documented = try #require(((document["components"] as? [String: Any])?["responses"] as? [String: Any])?[name] as? [String: Any])
        }
        let content = try #require(documented["content"] as? [String: Any])
        let mediaType = try #require(response.contentType)
        let schema = try #require((content[mediaType] as? [String: Any])?["schema"] as? [String: Any],
                                  "\(method) \(path) \(response.status.code) does not document \(mediaType)", sourceLocation: sourceLocation)
        let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body), options: [.fragmentsAllowed])
        let problems = violations(value, schema: schema, in: document)
        #expect(problems.isEmpty, "\(method) \(path) \(response.status.code): \(problems)", sourceLocation: sourceLocation)
    }
}
