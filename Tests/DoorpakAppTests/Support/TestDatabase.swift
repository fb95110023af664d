import Foundation
import Logging
import Testing
@testable import DoorpakApp

/// The databases the route tests run on: SQLite, or PostgreSQL when `DOORPAK_TEST_POSTGRES_URL` is
/// set (the test command's PostgreSQL stage sets it after starting a server). The PostgreSQL stage
/// runs only the PostgreSQL cases: the SQLite stage ran the SQLite ones already, and running them a
/// second time beside PostgreSQL only slowed the stage (and starved SQLite's writers on two cores).
enum TestDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [TestDatabase] {
        ProcessInfo.processInfo.environment["DOORPAK_TEST_POSTGRES_URL"] == nil ? [.sqlite] : [.postgres]
    }

    var testDescription: String { rawValue }

    /// A fixed keyring for field encryption in tests (two keys, `k2` current), so every app and
    /// helper built on one test database shares it.
    static let testKeys = #"{"current":"k2","keys":{"k1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=","k2":"ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="}}"#

    /// A fresh, empty database for one test: a temporary SQLite file, or a new PostgreSQL schema.
    func freshConfig() -> AppConfig {
        var config = AppConfig()
        config.port = 0
        config.logLevel = .warning
        config.secureCookies = false
        config.bcryptCost = 4
        // Tests sign in with the password alone and make many API calls; the auth suites switch these on.
        config.auth.requireTwoFactor = false
        config.auth.apiRateLimit = nil
        config.keys = .environment(Self.testKeys)
        let name = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // Each test's attachment files in a folder of their own; a small limit keeps the size tests quick.
        config.attachments.directory = FileManager.default.temporaryDirectory.appendingPathComponent("doorpak-tests/\(name)-attachments").path
        config.attachments.maxBytes = 256 << 10
        switch self {
        case .sqlite:
            config.database = .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("doorpak-tests/\(name).sqlite").path)
        case .postgres:
            // Tests run in parallel, each with its own pools: keep them small.
            config.database = .postgres(url: ProcessInfo.processInfo.environment["DOORPAK_TEST_POSTGRES_URL"]!, schema: name,
                                        connectionsPerEventLoop: 1)
        }
        return config
    }
}
