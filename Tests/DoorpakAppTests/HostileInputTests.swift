import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
@testable import DoorpakApp

/// Hostile input to every form post and every API write the router knows: very long strings,
/// control characters, NUL, invalid UTF-8, SQL and template injection, HTML and script. Never a
/// server error; input that is not valid text stores nothing; valid text (injection strings) is
/// stored verbatim and shown escaped.
///
/// Form field names come from the templates (every `name="…"`), API members from the OpenAPI
/// document's request bodies: a new form or operation is covered without an edit here.
@Suite struct HostileInputTests {
    enum Payload: String, CaseIterable {
        case long, control, nul, invalidUTF8, sql, template, html

        /// Text that is not acceptable as stored text: nothing may be stored for it.
        var isInvalid: Bool { [.long, .control, .nul, .invalidUTF8].contains(self) }

        /// The value, percent-encoded for a form body.
        var formValue: String {
            switch self {
            case .invalidUTF8: "%FF%FEabc%C3%28"
            default: Self.encode(text)
            }
        }

        /// The value as a JSON string literal (invalid UTF-8 as raw bytes, so not valid JSON text).
        var jsonLiteral: [UInt8] {
            switch self {
            case .invalidUTF8: Array("\"".utf8) + [0xFF, 0xFE, 0x61, 0xC3, 0x28] + Array("\"".utf8)
            default: Array(String(decoding: try! JSONEncoder().encode(text), as: UTF8.self).utf8)
            }
        }

        var text: String {
            switch self {
            case .long: String(repeating: "Lang verhaal. ", count: 80_000)   // 1.1 MB
            case .control: "regel\u{0007}een\u{001B}[31mrood\u{0008}\u{007F}"
            case .nul: "voor\u{0000}na"
            case .invalidUTF8: ""
            case .sql: HostileInputTests.sql
            case .template: HostileInputTests.template
            case .html: HostileInputTests.html
            }
        }

        static func encode(_ text: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return text.addingPercentEncoding(withAllowedCharacters: allowed)!
        }
    }

    static let sql = "x'); DROP TABLE reports; -- \" OR 1=1 --"
    static let template = "{{#t}}{{.}}{{/t}} {{{csrf}}} {{> layout}} ${7*7} <%= 7*7 %>"
    static let html = "<script>alert(\"dp\")</script><img src=x onerror=alert(1)>"

    /// Every field name a form in the templates has (hidden ones included), but the CSRF token.
    static func formFields() throws -> [String] {
        var names: Set<String> = []
        let root = Views.assets.appendingPathComponent("templates")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".mustache") } ?? []
        let pattern = try NSRegularExpression(pattern: #"name="([A-Za-z_][A-Za-z0-9_\-]*)""#)
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        names.remove("_csrf")
        return names.sorted()
    }

    /// The string members of each API operation's request body, from the OpenAPI document.
    static func apiMembers() throws -> [String: [String]] {
        let document = try OpenAPI.document()
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        var members: [String: [String]] = [:]
        for (path, operations) in paths {
            for (method, value) in operations {
                guard let operation = value as? [String: Any],
                      let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any],
                      let media = content.values.first as? [String: Any],
                      let schema = media["schema"] as? [String: Any] else { continue }
                let properties = Self.properties(schema, document)
                members["\(method.uppercased()) /api/v1\(path)"] = properties
            }
        }
        return members
    }

    static func properties(_ schema: [String: Any], _ document: [String: Any]) -> [String] {
        var schema = schema
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last!)
            schema = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        var names = Array((schema["properties"] as? [String: Any] ?? [:]).keys)
        for part in (schema["allOf"] as? [[String: Any]] ?? []) { names += properties(part, document) }
        return names.sorted()
    }

    /// Rows per table, except the tables that record the attempt itself (log, sessions, throttles, leases).
    static func rowCounts(_ database: AppDatabase) async throws -> [String: Int] {
        let sql = database.sql()
        let listing = database.isPostgres
            ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        let skip: Set<String> = ["audit_entries", "audit_chain_head", "persist_entries", "login_attempts", "account_lockouts", "job_leases",
                                 "_fluent_migrations", "api_tokens"]
        var counts: [String: Int] = [:]
        for row in try await sql.raw(SQLQueryString(listing)).all() {
            let table = try row.decode(column: "name", as: String.self)
            guard !skip.contains(table) else { continue }
            counts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        return counts
    }

    static func formBody(_ fields: [String], _ payload: Payload) -> String {
        // One long field is enough to pass the 1 MiB limit; every other field gets the payload.
        if payload == .long { return "_csrf=\(Browser.csrf)&description=\(payload.formValue)" }
        return (["_csrf=\(Browser.csrf)"] + fields.map { "\($0)=\(payload.formValue)" }).joined(separator: "&")
    }

    static func jsonBody(_ members: [String], _ payload: Payload) -> ByteBuffer {
        var bytes = Array("{".utf8)
        let names = payload == .long ? ["description"] : (members.isEmpty ? ["name"] : members)
        for (index, name) in names.enumerated() {
            if index > 0 { bytes += Array(",".utf8) }
            bytes += Array("\"\(name)\":".utf8) + payload.jsonLiteral
        }
        bytes += Array("}".utf8)
        return ByteBuffer(bytes: bytes)
    }

    @Test(arguments: TestDatabase.available)
    func hostileInputIsRefusedOrStoredVerbatim(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let routes = try await AccessMatrixTests.routes(world)
        let ids = try await AccessMatrixTests.ids(world)
        let token = try await world.token(for: .admin)
        let fields = try Self.formFields()
        let members = try Self.apiMembers()
        #expect(fields.count > 20)
        let writes = routes.filter { !$0.hasPrefix("GET ") && $0 != "POST /logout" }
        #expect(writes.count > 20)
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            var failures: [String] = []
            for payload in Payload.allCases {
                let before = try await world.withDatabase { try await Self.rowCounts($0) }
                for route in writes {
                    let parts = route.split(separator: " ").map(String.init)
                    let uri = AccessMatrixTests.fill(parts[1], ids: ids, reference: world.reportNorth, token: "")
                    let method = HTTPRequest.Method(parts[0])!
                    let response: TestResponse
                    if uri.hasPrefix("/api/") {
                        let type = method == .patch ? "application/merge-patch+json" : "application/json"
                        response = try await client.execute(uri: uri, method: method,
                                                            headers: [.authorization: "Bearer \(token)", .contentType: type],
                                                            body: Self.jsonBody(members[route] ?? [], payload))
                    } else {
                        response = try await client.execute(uri: uri, method: method,
                                                            headers: [.cookie: admin.cookieHeader, .contentType: "application/x-www-form-urlencoded"],
                                                            body: ByteBuffer(string: Self.formBody(fields, payload)))
                    }
                    if response.status.code >= 500 { failures.append("\(payload) \(route) → \(response.status.code)") }
                    // Every form post reads its body; an API operation only when it has one (pick-up, for one, has none).
                    let readsBody = !uri.hasPrefix("/api/") || members[route] != nil
                    if payload == .long && readsBody && response.status.code != 413 {
                        failures.append("long \(route) → \(response.status.code), expected 413")
                    }
                }
                if payload.isInvalid {
                    let after = try await world.withDatabase { try await Self.rowCounts($0) }
                    // New rows only: actions that take no input (pick up a report, withdraw a member's consent,
                    // delete a closure day) may still act, and their history rows say who did what, not what was typed.
                    let history: Set<String> = ["report_events", "case_events"]
                    let changed = after.filter { !history.contains($0.key) && $0.value > before[$0.key] ?? 0 }.map { "\($0.key) \(before[$0.key] ?? 0)→\($0.value)" }
                    if !changed.isEmpty { failures.append("\(payload): rows stored: \(changed.sorted())") }
                }
            }
            // Query strings: NUL and invalid UTF-8 in every parameter a page or list might read.
            for route in routes where route.hasPrefix("GET ") {
                let uri = AccessMatrixTests.fill(String(route.dropFirst(4)), ids: ids, reference: world.reportNorth, token: "")
                for query in ["q=a%00b&status=%00&cursor=%00&from=%00", "q=%FF%FE&user=%C3%28&recordId=%00"] {
                    let response = uri.hasPrefix("/api/")
                        ? try await APIClient(client: client, token: token).get(uri + "?" + query)
                        : try await admin.get(uri + "?" + query)
                    if response.status.code >= 500 { failures.append("GET \(uri)?\(query) → \(response.status.code)") }
                }
            }
            #expect(failures.isEmpty, "\(failures.count) problems:\n\(failures.prefix(60).joined(separator: "\n"))")
        }
    }

    /// Injection strings are valid text: a report keeps them exactly and every page shows them escaped.
    @Test(arguments: TestDatabase.available)
    func injectionStringsAreKeptVerbatimAndShownEscaped(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let token = try await world.token(for: .admin)
        let text = [Self.sql, Self.template, Self.html].joined(separator: "\n")
        try await buildApplication(world.config).test(.router) { client in
            let api = APIClient(client: client, token: token)
            let created = try await api.post("/api/v1/reports", [
                "kind": "incident", "categoryId": world.categoryViolence.uuidString, "locationId": world.locationNorth.uuidString,
                "occurredAt": Formats.iso8601(Date.now.addingTimeInterval(-600)), "description": text,
            ])
            #expect(created.status == .created, "\(created.text)")
            let reference = try #require(try created.object()["reference"] as? String)
            let read = try await api.get("/api/v1/reports/\(reference)")
            #expect(try read.object()["description"] as? String == text)
            let stored = try await world.withDatabase { try await Report.query(on: $0.db()).filter(\.$reference == reference).first()?.description }
            #expect(stored == text)
            // Also as a note through the form.
            let admin = Browser(client)
            try await admin.signIn(.admin)
            _ = try await admin.post("/reports/\(reference)/notes", [("body", text)])
            let page = try await admin.get("/reports/\(reference)")
            #expect(page.status == .ok)
            #expect(!page.text.contains("<script>alert"), "script tags are escaped")
            #expect(!page.text.contains("<img src=x"), "HTML is escaped")
            #expect(page.text.contains("&lt;script&gt;alert"))
            #expect(page.text.contains("{{#t}}{{.}}{{/t}}"), "template syntax in data is shown, not run")
            // The worklist's search with the same strings: no error, nothing injected.
            let search = try await admin.get("/reports?q=" + Payload.encode(Self.sql))
            #expect(search.status == .ok)
            let count = try await world.withDatabase { try await Report.query(on: $0.db()).count() }
            #expect(count == 3)
        }
    }
}
