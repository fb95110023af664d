import Foundation
import Logging

/// Everything the application needs to know at start-up. Built from flags and the environment
/// by the CLI; tests build it directly.
public struct AppConfig: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        /// An SQLite file; `nil` is a fresh temporary database (tests).
        case sqlite(path: String?)
        /// A PostgreSQL URL, optionally confined to one schema (tests use one schema each), with
        /// a pool of connections per event loop (one event loop per core).
        case postgres(url: String, schema: String? = nil, connectionsPerEventLoop: Int = 4)
    }

    public var hostname = "127.0.0.1"
    public var port = 8080
    public var database: DatabaseChoice = .sqlite(path: "data/doorpak.sqlite")
    public var migrateOnStart = true
    /// Seed synthetic demo data when the database has no users yet.
    public var seedDemoData = false
    /// Cookies carry `Secure` unless this is explicitly local development over plain HTTP.
    public var secureCookies = true
    /// The address users reach the server at, used in printed links.
    public var publicURL: String?
    public var logLevel: Logger.Level = .info
    /// How long a signed-in session lives without activity.
    public var sessionIdleTimeout: Duration = .seconds(60 * 60 * 2)
    /// Bcrypt cost; tests lower it to keep the suite quick.
    public var bcryptCost = 12
    /// E-mail over SMTP (`--smtp-host` …); off by default.
    public var mail = MailConfig()
    /// Sign-in through an OpenID Connect provider (`--oidc-issuer` …); `nil`: off.
    public var singleSignOn: SingleSignOnConfig?
    /// `false` (`--disable-local-passwords`): single sign-on only; the password form is gone and POST /login refuses.
    public var localPasswords = true
    /// Two-factor policy, lockout, re-authentication window and API rate limits (see `AuthPolicy`).
    public var auth = AuthPolicy()
    /// Where the data keys (field encryption) come from: `DOORPAK_DATA_KEYS`, or a key file
    /// (`--key-file` / `DOORPAK_KEY_FILE`, default `<data dir>/keys.json`). Without keys the server does not start.
    public var keys: KeySource = .unconfigured
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); empty: the header is ignored.
    public var trustedProxies = TrustedProxies()
    /// Attachments on reports and cases: the folder their sealed files live in and the largest file accepted.
    public var attachments = AttachmentConfig()
    /// When a person's linked reports make the district coordinator consider a case: two registering
    /// organisations, or this many reports within this many days (`--repeat-concern-reports`, `--repeat-concern-days`).
    public var repeatConcern = RepeatConcernSetting()

    public init() {}

    /// Reads `DATABASE_URL`, `DOORPAK_DATA_DIR`, `PORT`, `HOST`, `DOORPAK_PUBLIC_URL`,
    /// `DOORPAK_INSECURE_COOKIES`, `LOG_LEVEL`, `DOORPAK_ATTACHMENTS_DIR`, `DOORPAK_ATTACHMENT_MAX_MB`,
    /// `DOORPAK_API_RATE_LIMIT` and `DOORPAK_API_ADDRESS_RATE_LIMIT` (requests a minute; 0: no limit).
    public init(environment env: [String: String]) {
        self.init()
        if let dir = env["DOORPAK_DATA_DIR"], !dir.isEmpty { database = .sqlite(path: dir + "/doorpak.sqlite") }
        if let url = env["DATABASE_URL"], !url.isEmpty { database = .postgres(url: url) }
        if let port = env["PORT"].flatMap(Int.init) { self.port = port }
        if let host = env["HOST"], !host.isEmpty { hostname = host }
        publicURL = env["DOORPAK_PUBLIC_URL"]
        if env["DOORPAK_INSECURE_COOKIES"] == "1" { secureCookies = false }
        if let level = env["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logLevel = level }
        let dataDir = env["DOORPAK_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        let keyFile = env["DOORPAK_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? dataDir + "/keys.json"
        attachments.directory = env["DOORPAK_ATTACHMENTS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? dataDir + "/attachments"
        if let megabytes = env["DOORPAK_ATTACHMENT_MAX_MB"].flatMap(Int.init), megabytes > 0 { attachments.maxBytes = megabytes << 20 }
        if let perMinute = env["DOORPAK_API_RATE_LIMIT"].flatMap(Int.init), perMinute >= 0 { setAPIRateLimit(perToken: perMinute) }
        if let perMinute = env["DOORPAK_API_ADDRESS_RATE_LIMIT"].flatMap(Int.init), perMinute >= 0 { setAPIRateLimit(perAddress: perMinute) }
        keys = env["DOORPAK_DATA_KEYS"].flatMap { $0.isEmpty ? nil : KeySource.environment($0) } ?? .file(path: keyFile, createIfMissing: false)
    }

    /// Sizes the API rate limits (requests a minute per token, per client address); 0 lifts that limit.
    public mutating func setAPIRateLimit(perToken: Int? = nil, perAddress: Int? = nil) {
        guard perToken != nil || perAddress != nil else { return }
        var limit = auth.apiRateLimit ?? APIRateLimit()
        if let perToken { limit.setTokenPerMinute(perToken) }
        if let perAddress { limit.setAddressPerMinute(perAddress) }
        auth.apiRateLimit = limit
    }

    /// Demo and local development: a missing key file is created on first start.
    public mutating func allowKeyFileCreation() {
        if case .file(let path, _) = keys { keys = .file(path: path, createIfMissing: true) }
    }

    /// The base URL printed at start-up.
    public var baseURL: String { publicURL ?? "http://\(hostname):\(port)" }
}

/// Where attachment files live and how large one may be. With PostgreSQL and several instances the
/// folder must be storage every instance shares (the rows are in the database, the files here).
public struct AttachmentConfig: Sendable, Equatable {
    /// Default `<data dir>/attachments` (`DOORPAK_ATTACHMENTS_DIR`, `--attachments-dir`).
    public var directory = "data/attachments"
    /// The largest file accepted, in bytes (default 10 MiB; `DOORPAK_ATTACHMENT_MAX_MB`, `--attachment-max-mb`).
    public var maxBytes = 10 << 20

    public init() {}
}

/// The frequency rule of a repeat concern: `reports` linked reports within `days` days (default 3 in 30).
public struct RepeatConcernSetting: Sendable, Equatable {
    public var reports = 3
    public var days = 30
    public init(reports: Int = 3, days: Int = 30) {
        self.reports = reports
        self.days = days
    }

    var rule: ConcernRule { ConcernRule(reports: reports, days: days) }
}
