import FluentKit
import Foundation
import Hummingbird
import Logging

/// What the command-line tool can do, as public entry points; the `doorpak` executable only parses arguments.
public enum Commands {
    /// Runs the server until it is stopped.
    public static func serve(_ config: AppConfig, demoLogins: Bool) async throws {
        let app = try await buildApplication(config) {
            // After migrations and seeding, so that these lines are the last ones a user sees.
            // Written unbuffered: a log file or pipe shows it at once, not at exit.
            var text = "Doorpak is running at \(config.baseURL)\n"
            if demoLogins {
                text += "Demo sign-in: beheerder@doorpak.example / \(DemoSeeder.password)  (also coordinator@, locatie@, ggd@, politie@, analist@, privacy@doorpak.example)\n"
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        try await app.runService()
    }

    /// Runs pending migrations and exits.
    public static func migrate(_ config: AppConfig) async throws {
        try await withDatabase(config) { database in try await database.migrate() }
    }

    /// Seeds demo data into an empty database.
    public static func seedDemo(_ config: AppConfig) async throws -> Bool {
        try await withDatabase(config) { database in
            try await database.migrate()
            var keys = config
            keys.allowKeyFileCreation()
            return try await DemoSeeder(database: database, passwords: Passwords(cost: UInt8(config.bcryptCost)),
                                        cipher: try FieldCipher(keys.keys)).seedIfEmpty()
        }
    }

    /// Creates a user; returns an error message instead of throwing for bad input.
    public static func createUser(_ config: AppConfig, email: String, name: String, role: String, password: String,
                                  organisation: String?) async throws -> String? {
        guard let role = Role(rawValue: role) else {
            return "Unknown role '\(role)'. Roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        if let issue = PasswordPolicy.check(password, email: email, name: name) { return PasswordStore.explain(issue) }
        guard email.contains("@"), email.count <= 254 else { return "That is not an e-mail address." }
        return try await withDatabase(config) { database in
            try await database.migrate()
            return try await Stores(database: database, config: config).users
                .createFromCommandLine(email: email, name: name, role: role, password: password, organisation: organisation)
        }
    }

    /// One line per user: e-mail, role, active.
    public static func listUsers(_ config: AppConfig) async throws -> [String] {
        try await withDatabase(config) { database in
            try await Stores(database: database, config: config).users.allByEmail().map {
                "\($0.email)\t\($0.role)\t\($0.active ? "active" : "deactivated")"
            }
        }
    }

    /// Deactivates a user; returns false when there is no such user.
    public static func deactivateUser(_ config: AppConfig, email: String) async throws -> Bool {
        try await withDatabase(config) { database in
            try await Stores(database: database, config: config).users.deactivateFromCommandLine(email: email)
        }
    }

    /// Checks the access log's hash chain: "OK: N entries", or the first broken entry and what is wrong with it.
    /// After an archive the chain is checked from its anchor; each archive file given is checked too
    /// (its entries chain from the anchor before them, end at an anchor, and its SHA-256 is the recorded one).
    public static func verifyAudit(_ config: AppConfig, archives: [String] = []) async throws -> (ok: Bool, message: String) {
        try await withDatabase(config) { database in
            try await database.migrate()
            let audit = Stores(database: database, config: config).audit
            let result = try await audit.verifyChain()
            let anchors = try await audit.archiveAnchors()
            var ok = result.isOK
            var lines = [Self.describe(result) + (anchors.last.map { ", entries 1-\($0.seq) archived (\(anchors.count) archive(s))" } ?? "")]
            for path in archives {
                guard let data = FileManager.default.contents(atPath: path) else {
                    ok = false
                    lines.append("\(path): cannot be read")
                    continue
                }
                let verdict = AuditArchive.verifyArchive(data, anchors: anchors)
                ok = ok && verdict.isOK
                lines.append("\(path): " + Self.describe(verdict))
            }
            return (ok, lines.joined(separator: "\n"))
        }
    }

    /// Moves the entries written before `before` to a new JSON-lines file (`AuditArchive`).
    public static func archiveAudit(_ config: AppConfig, before: Date, to path: String) async throws -> String {
        try await withDatabase(config) { database in
            try await database.migrate()
            let outcome = try await Stores(database: database, config: config).audit.archive(before: before, to: path)
            return "Archived \(outcome.count) entries (\(outcome.firstSeq)-\(outcome.lastSeq)) to \(path), sha256 \(outcome.sha256)."
        }
    }

    /// Every route the server answers, as "METHOD /path" with `{name}` for a path parameter, sorted:
    /// the router `serve` builds, on a throwaway in-memory database (nothing is read or written).
    /// The browser tests take the pages they visit from this list, so a new page cannot be missed.
    public static func routes() async throws -> [String] {
        var logger = Logger(label: "doorpak")
        logger.logLevel = .warning
        let database = try await AppDatabase.open(.sqlite(path: nil), logger: logger)
        let config = AppConfig()
        let services = AppServices(config: config, database: database, views: try await Views.load(),
                                   passwords: Passwords(cost: UInt8(config.bcryptCost)))
        let router = buildRouter(services, sessions: DatabasePersistDriver(database: database))
        let routes = router.routes.map { "\($0.method.rawValue) \($0.path.description)" }
        await database.shutdown()
        return routes.sorted()
    }

    static func describe(_ result: AuditChain.Result) -> String {
        switch result {
        case .ok(let count): "OK: \(count) entries"
        case .broken(let seq, let problem): "BROKEN at entry \(seq): \(problem)"
        }
    }

    private static func withDatabase<T: Sendable>(_ config: AppConfig, _ work: (AppDatabase) async throws -> T) async throws -> T {
        try await AppDatabase.with(config, work)
    }
}
