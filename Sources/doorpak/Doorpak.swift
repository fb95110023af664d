import ArgumentParser
import DoorpakApp
import Foundation

/// The `doorpak` command: runs the server and administers an installation.
@main
struct Doorpak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Doorpak: follow-through on incidents, signals and cases at mixed housing sites.",
        subcommands: [Serve.self, Migrate.self, UserCommand.self, Demo.self, AuditCommand.self, EscalationCommand.self, KeysCommand.self, PurgeCommand.self, RoutesCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every command shares: where the data lives.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Folder for the embedded SQLite database (ignored when DATABASE_URL is set).")
    var dataDir: String?
    @Option(help: "Key file with the data keys (default <data-dir>/keys.json; DOORPAK_DATA_KEYS takes precedence).")
    var keyFile: String?
    @Option(help: "Folder of the sealed attachment files (default <data-dir>/attachments; shared storage when several instances run).")
    var attachmentsDir: String?

    func config() -> AppConfig {
        var environment = ProcessInfo.processInfo.environment
        if let dataDir { environment["DOORPAK_DATA_DIR"] = dataDir }
        if let keyFile { environment["DOORPAK_KEY_FILE"] = keyFile }
        if let attachmentsDir { environment["DOORPAK_ATTACHMENTS_DIR"] = attachmentsDir }
        return AppConfig(environment: environment)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the web server (SQLite under ./data by default; PostgreSQL when DATABASE_URL is set)."
    )
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var hostname: String?
    @Option(help: "Port to listen on (default 8080, or PORT).") var port: Int?
    @Flag(help: "Seed synthetic demo data when the database is empty, and print the demo sign-in.") var demo = false
    @Flag(help: "Send cookies without the Secure flag (plain-HTTP local development only).") var insecureCookies = false
    @OptionGroup var singleSignOn: SingleSignOnOptions
    @OptionGroup var mail: MailOptions
    @Flag(inversion: .prefixedNo, help: "Require TOTP two-factor for every role that reads personal data (default: on; off with --demo).")
    var requireTwoFactor: Bool?
    @Option(help: "How long break-the-glass (emergency, read-only) access to one record lasts, in minutes (5 to 1440; default 60).")
    var breakGlassMinutes: Int?
    @Option(help: "Comma-separated CIDR ranges of reverse proxies whose X-Forwarded-For names the client (default: none, the header is ignored).")
    var trustedProxy: String?
    @Option(help: "The largest attachment accepted, in MiB (1 to 100; default 10, or DOORPAK_ATTACHMENT_MAX_MB).")
    var attachmentMaxMb: Int?
    @Option(help: "Repeat concern: this many reports about one person within --repeat-concern-days make the district coordinator consider a case (2 to 50; default 3).")
    var repeatConcernReports: Int?
    @Option(help: "Repeat concern: the window for --repeat-concern-reports, in days (1 to 365; default 30).")
    var repeatConcernDays: Int?
    @Option(help: "API requests a minute per personal access token (burst a fifth of it; 0: no limit; default 600, or DOORPAK_API_RATE_LIMIT).")
    var apiRateLimit: Int?
    @Option(help: "API requests a minute per client address, all tokens, cookie and anonymous calls together (0: no limit; default 1200, or DOORPAK_API_ADDRESS_RATE_LIMIT).")
    var apiAddressRateLimit: Int?

    func validate() throws {
        if let trustedProxy { _ = try TrustedProxies(parsing: trustedProxy) }
        if let repeatConcernReports, !(2...50).contains(repeatConcernReports) { throw ValidationError("--repeat-concern-reports must be 2 to 50") }
        if let repeatConcernDays, !(1...365).contains(repeatConcernDays) { throw ValidationError("--repeat-concern-days must be 1 to 365") }
        if let breakGlassMinutes, !(5...1440).contains(breakGlassMinutes) { throw ValidationError("--break-glass-minutes must be 5 to 1440") }
        if let attachmentMaxMb, !(1...100).contains(attachmentMaxMb) { throw ValidationError("--attachment-max-mb must be 1 to 100") }
        if let apiRateLimit, apiRateLimit < 0 { throw ValidationError("--api-rate-limit must be 0 (no limit) or more") }
        if let apiAddressRateLimit, apiAddressRateLimit < 0 { throw ValidationError("--api-address-rate-limit must be 0 (no limit) or more") }
    }

    func run() async throws {
        var config = database.config()
        if let breakGlassMinutes { config.auth.breakGlassDuration = .seconds(breakGlassMinutes * 60) }
        if let repeatConcernReports { config.repeatConcern.reports = repeatConcernReports }
        if let repeatConcernDays { config.repeatConcern.days = repeatConcernDays }
        if let hostname { config.hostname = hostname }
        if let attachmentMaxMb { config.attachments.maxBytes = attachmentMaxMb << 20 }
        if let port { config.port = port }
        config.setAPIRateLimit(perToken: apiRateLimit, perAddress: apiAddressRateLimit)
        if let trustedProxy { config.trustedProxies = try TrustedProxies(parsing: trustedProxy) }
        config.seedDemoData = demo
        try singleSignOn.apply(to: &config)
        try mail.apply(to: &config)
        // The demo sign-in stays one step; production requires two-factor unless switched off explicitly.
        config.auth.requireTwoFactor = requireTwoFactor ?? !demo
        if demo { config.allowKeyFileCreation() }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(config.hostname)
        if insecureCookies || (demo && loopback && config.publicURL == nil) { config.secureCookies = false }
        try await Commands.serve(config, demoLogins: demo)
    }
}

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Print every route the server answers (METHOD /path, {name} for a path parameter), one a line."
    )
    func run() async throws {
        for route in try await Commands.routes() { print(route) }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date, then exit.")
    @OptionGroup var database: DatabaseOptions
    func run() async throws {
        try await Commands.migrate(database.config())
        print("Migrations are up to date.")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Demo data.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fill an empty database with synthetic demo data.")
        @OptionGroup var database: DatabaseOptions
        func run() async throws {
            let seeded = try await Commands.seedDemo(database.config())
            print(seeded ? "Demo data seeded." : "The database already has users; nothing seeded.")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage user accounts.", subcommands: [Create.self, List.self, Deactivate.self, SetPassword.self, Unlock.self, ResetTwoFactor.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. The password is read from DOORPAK_PASSWORD or standard input, never from arguments."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "E-mail address used to sign in.") var email: String
        @Option(help: "Full name.") var name: String
        @Option(help: "administrator, coordinator, location_staff, partner, analyst or privacy_officer.") var role: String
        @Option(help: "Name of the user's organisation.") var organisation: String?

        func run() async throws {
            let password = ProcessInfo.processInfo.environment["DOORPAK_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
            if let problem = try await Commands.createUser(database.config(), email: email, name: name, role: role,
                                                          password: password, organisation: organisation) {
                throw ValidationError(problem)
            }
            print("User created.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users: e-mail, role, state.")
        @OptionGroup var database: DatabaseOptions
        func run() async throws {
            for line in try await Commands.listUsers(database.config()) { print(line) }
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set a user's password (read from DOORPAK_PASSWORD or standard input). Ends their sessions and lifts a lockout."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "E-mail address of the user.") var email: String
        @Flag(help: "Make it a one-time password: the user must choose a new one at the next sign-in.") var mustChange = false
        func run() async throws {
            let password = ProcessInfo.processInfo.environment["DOORPAK_PASSWORD"] ?? readLine(strippingNewline: true) ?? ""
            if let problem = try await Commands.setPassword(database.config(), email: email, password: password, mustChange: mustChange) {
                throw ValidationError(problem)
            }
            print("Password set.")
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlock an account locked after too many failed sign-ins.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "E-mail address of the user.") var email: String
        func run() async throws {
            guard try await Commands.unlockUser(database.config(), email: email) else { throw ValidationError("No such user.") }
            print("Account unlocked.")
        }
    }

    struct ResetTwoFactor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-two-factor", abstract: "Remove a user's two-factor secret and recovery codes (they enrol again at the next sign-in)."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "E-mail address of the user.") var email: String
        func run() async throws {
            guard try await Commands.resetTwoFactor(database.config(), email: email) else { throw ValidationError("No such user.") }
            print("Two-factor authentication reset.")
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate a user: they can no longer sign in or use tokens.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "E-mail address of the user.") var email: String
        func run() async throws {
            guard try await Commands.deactivateUser(database.config(), email: email) else { throw ValidationError("No such user.") }
            print("User deactivated.")
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The access log.", subcommands: [Verify.self, Archive.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the access log's hash chain (from the last archive's anchor) and any archive files; names the first broken entry and exits non-zero when it is broken."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "An archive file written by `doorpak audit archive`, checked against its anchor (repeatable).") var archive: [String] = []
        func run() async throws {
            let (ok, message) = try await Commands.verifyAudit(database.config(), archives: archive)
            print(message)
            if !ok { throw ExitCode(2) }
        }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the access-log entries written before a date to a JSON-lines file and keep the last one's hash as the chain's anchor (docs/retention.md)."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Archive the entries written before this day (YYYY-MM-DD, UTC midnight) or ISO 8601 moment.") var before: String
        @Option(help: "The archive file to write (must not exist).") var to: String
        func run() async throws {
            guard let moment = ISO8601DateFormatter().date(from: before) ?? ISO8601DateFormatter().date(from: before + "T00:00:00Z") else {
                throw ValidationError("--before takes a day such as 2019-01-01 or an ISO 8601 moment")
            }
            print(try await Commands.archiveAudit(database.config(), before: moment, to: to))
        }
    }
}

struct EscalationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "escalation", abstract: "The escalation ladder.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one escalation pass now (servers run one every minute), or as at an ISO 8601 moment with --at."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Pretend it is this moment, e.g. 2026-12-31T09:00:00Z (catching up, drills, tests).") var at: String?
        func run() async throws {
            var moment: Date?
            if let at {
                guard let parsed = ISO8601DateFormatter().date(from: at) else { throw ValidationError("--at takes an ISO 8601 moment such as 2026-12-31T09:00:00Z") }
                moment = parsed
            }
            print(try await Commands.escalate(database.config(), at: moment))
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "The data keys that encrypt personal data.",
                                                    subcommands: [Rotate.self, Reencrypt.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new data key, make it current and re-encrypt every encrypted value (creates the key file when there is none)."
        )
        @OptionGroup var database: DatabaseOptions
        func run() async throws { print(try await Commands.rotateKeys(database.config())) }
    }

    struct Reencrypt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt whatever is not yet under the current key (finishes an interrupted rotation; safe to repeat)."
        )
        @OptionGroup var database: DatabaseOptions
        func run() async throws { print(try await Commands.reencryptKeys(database.config())) }
    }
}

/// E-mail delivery. Off unless `--smtp-host` is given; the password only from `DOORPAK_SMTP_PASSWORD`.
struct MailOptions: ParsableArguments {
    @Option(help: "SMTP server for notification e-mail (default: none, e-mail off).") var smtpHost: String?
    @Option(help: "SMTP port (default 587 for starttls, 465 for tls, 25 for none).") var smtpPort: Int?
    @Option(help: "none, starttls or tls (default starttls).") var smtpTls: String = "starttls"
    @Option(help: "SMTP user name; the password is read from DOORPAK_SMTP_PASSWORD.") var smtpUsername: String?
    @Option(help: "Sender address of notification e-mail.") var mailFrom: String?
    @Option(help: "PEM file with the CA certificate(s) to trust for the SMTP server instead of the system's.") var smtpCaFile: String?

    func apply(to config: inout AppConfig) throws {
        guard let smtpHost, !smtpHost.isEmpty else { return }
        guard let security = SMTPSettings.Security(rawValue: smtpTls) else {
            throw ValidationError("--smtp-tls must be none, starttls or tls.")
        }
        let port = smtpPort ?? (security == .tls ? 465 : security == .starttls ? 587 : 25)
        let password = ProcessInfo.processInfo.environment["DOORPAK_SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        var settings = SMTPSettings(host: smtpHost, port: port, security: security, username: smtpUsername,
                                    password: smtpUsername == nil ? nil : password, from: mailFrom ?? "")
        if let problem = settings.problem { throw ValidationError(problem) }
        if let smtpCaFile {
            do { try settings.trust(pemFile: smtpCaFile) } catch { throw ValidationError("--smtp-ca-file cannot be read as PEM certificates.") }
        }
        config.mail.smtp = settings
    }
}
