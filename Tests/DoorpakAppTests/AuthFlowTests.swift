import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Signing in with two-factor, the policy that requires it, lockout and unlock, re-authentication,
/// idle and maximum session age, password changes and an administrator's resets, end to end.
@Suite struct AuthFlowTests {
    /// Enrols a persona in two-factor directly through the store; returns the TOTP.
    static func enrol(_ persona: TestWorld.Persona, in world: TestWorld) async throws -> (totp: TOTP, recovery: [String]) {
        try await world.withDatabase { database in
            let store = TwoFactorStore(database: database, cipher: try FieldCipher(world.config.keys))
            let secret = try await store.enrolmentSecret(for: world.users[persona]!)
            let totp = TOTP(secret: secret)
            // Confirm with the previous step's code, so the current one is still free for the sign-in.
            let codes = try await store.confirm(userID: world.users[persona]!, code: totp.code(step: totp.step(at: .now) - 1), by: nil)
            return (totp, codes)
        }
    }

    /// The stored session behind a browser's cookie, to move its clock.
    static func editSession(_ browser: Browser, in world: TestWorld, _ change: @Sendable (inout WebSession) -> Void) async throws {
        let key = "hbs." + (browser.cookies["dp_session"] ?? "")
        try await world.withDatabase { database in
            let entry = try #require(try await PersistEntry.find(key, on: database.db()))
            var session = try JSONDecoder().decode(WebSession.self, from: Data(entry.value.utf8))
            change(&session)
            entry.value = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
            try await entry.update(on: database.db())
        }
    }

    static func login(_ browser: Browser, _ persona: TestWorld.Persona, password: String = TestWorld.password) async throws -> TestResponse {
        try await browser.post("/login", [("email", persona.email), ("password", password)])
    }

    @Test(arguments: TestDatabase.available)
    func secondFactorIsAskedAndTheUserIsNotSignedInUntilItIsRight(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (totp, recovery) = try await Self.enrol(.police, in: world)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            let first = try await Self.login(browser, .police)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/login/two-factor")
            // Password right, code still to come: nothing is reachable yet.
            #expect(try await browser.get("/reports").headers[.location]?.hasPrefix("/login") == true)
            #expect(try await browser.get("/account").status == .seeOther)
            #expect(try await browser.get("/login/two-factor").status == .ok)
            let wrong = try await browser.post("/login/two-factor", [("code", "000000")])
            #expect(wrong.status == .unauthorized)
            // One code, used twice below: asking for a fresh one could cross into the next 30-second step.
            let code = totp.code(at: .now)
            let right = try await browser.post("/login/two-factor", [("code", code)])
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/work", "a partner professional starts in Mijn werk")
            #expect(try await browser.get("/reports").status == .ok)

            // The same code again (a replay, or a second sign-in within the same 30 seconds) is refused.
            let other = Browser(client)
            #expect(try await Self.login(other, .police).headers[.location] == "/login/two-factor")
            #expect(try await other.post("/login/two-factor", [("code", code)]).status == .unauthorized)
            // A recovery code works once.
            #expect(try await other.post("/login/two-factor", [("code", recovery[0].uppercased())]).status == .seeOther)
            #expect(try await other.get("/reports").status == .ok)
            let third = Browser(client)
            _ = try await Self.login(third, .police)
            #expect(try await third.post("/login/two-factor", [("code", recovery[0])]).status == .unauthorized)
            let left = try await world.withDatabase { try await RecoveryCode.query(on: $0.db()).filter(\.$usedAt == nil).count() }
            #expect(left == 9)
            let audit = try await world.withDatabase { try await AuditEntry.query(on: $0.db()).all().map(\.action) }
            #expect(audit.contains("recovery_code_used"))
            #expect(audit.filter { $0 == "login_failed" }.count == 3)
        }
    }

    @Test(arguments: TestDatabase.available)
    func policySendsUsersWithoutTwoFactorToEnrolmentFirst(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.auth.requireTwoFactor = true
        try await buildApplication(config).test(.router) { client in
            let browser = Browser(client)
            let first = try await Self.login(browser, .coordinatorNorth)
            #expect(first.headers[.location] == "/login/two-factor/setup")
            #expect(try await browser.get("/reports").headers[.location]?.hasPrefix("/login") == true)
            let page = try await browser.get("/login/two-factor/setup")
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg"))
            let secretText = try #require(page.text.firstMatch(of: /id="totp-secret" class="token">([A-Z2-7 ]+)</)?.1)
            let totp = TOTP(secret: try #require(Base32.decode(String(secretText))))
            #expect(try await browser.post("/login/two-factor/setup", [("code", "123")]).status == .unprocessableContent)
            let done = try await browser.post("/login/two-factor/setup", [("code", totp.code(at: .now))])
            #expect(done.status == .ok)
            #expect(done.text.contains("recovery-codes"))
            #expect(try await browser.get("/reports").status == .ok)

            // Analysts read no personal data: the policy does not apply to them.
            let analyst = Browser(client)
            #expect(try await Self.login(analyst, .analyst).headers[.location] == "/locations")
            #expect(try await analyst.get("/locations").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func lockoutAfterRepeatedFailuresUntilTimeOrAnAdministrator(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.auth.lockoutThreshold = 3
        try await buildApplication(config).test(.router) { client in
            let browser = Browser(client)
            for _ in 0..<3 { #expect(try await Self.login(browser, .ggd, password: "wrong password!").status == .unauthorized) }
            let locked = try await Self.login(browser, .ggd)
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 3000)
            // An unknown address locks the same way: the answer does not tell which accounts exist.
            for _ in 0..<3 { _ = try await browser.post("/login", [("email", "nobody@test.example"), ("password", "x")]) }
            #expect(try await browser.post("/login", [("email", "nobody@test.example"), ("password", "x")]).status == .tooManyRequests)

            let admin = Browser(client)
            try await admin.signIn(.admin)
            let userPage = try await admin.get("/admin/users/\(world.users[.ggd]!.uuidString)")
            #expect(userPage.text.contains(#"id="unlock""#))
            #expect(try await admin.post("/admin/users/\(world.users[.ggd]!.uuidString)/unlock", []).status == .seeOther)
            #expect(try await Self.login(Browser(client), .ggd).status == .seeOther)

            // Unlock by time: a lock that ran out lets the right password in.
            for _ in 0..<3 { _ = try await Self.login(browser, .police, password: "wrong password!") }
            #expect(try await Self.login(browser, .police).status == .tooManyRequests)
            try await world.withDatabase { database in
                let row = try #require(try await AccountLockout.find(AccountLockouts.key(TestWorld.Persona.police.email), on: database.db()))
                row.lockedUntil = Date.now.addingTimeInterval(-1)
                try await row.update(on: database.db())
            }
            #expect(try await Self.login(Browser(client), .police).status == .seeOther)
            let audit = try await world.withDatabase { try await AuditEntry.query(on: $0.db()).filter(\.$action == "account_unlocked").count() }
            #expect(audit == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func sensitiveActionsNeedARecentSignIn(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (totp, _) = try await Self.enrol(.police, in: world)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            _ = try await Self.login(browser, .police)
            _ = try await browser.post("/login/two-factor", [("code", totp.code(at: .now))])
            #expect(try await browser.get("/account/password").status == .ok)
            try await Self.editSession(browser, in: world) { $0.verifiedAt = Date.now.addingTimeInterval(-6 * 60) }
            let page = try await browser.get("/account/password")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/reauth?next=%2Faccount%2Fpassword")
            let token = try await browser.post("/account/tokens", [("name", "script")])
            #expect(token.headers[.location] == "/reauth?next=%2Faccount")
            let tokens = try await world.withDatabase { try await APIToken.query(on: $0.db()).count() }
            #expect(tokens == 0)
            let form = try await browser.get("/reauth?next=%2Faccount%2Fpassword")
            #expect(form.text.contains(#"name="code""#))
            // An offsite `next` is dropped.
            #expect(try await browser.get("/reauth?next=%2F%2Fevil.example").text.contains(#"value="/account""#))
            #expect(try await browser.post("/reauth", [("password", TestWorld.password), ("code", "000000"),
                                                       ("next", "/account/password")]).status == .unprocessableContent)
            let again = try await browser.post("/reauth", [("password", TestWorld.password), ("code", totp.code(at: .now.addingTimeInterval(30))),
                                                           ("next", "/account/password")])
            #expect(again.headers[.location] == "/account/password")
            #expect(try await browser.get("/account/password").status == .ok)
            #expect(try await browser.post("/account/tokens", [("name", "script")]).status == .ok)
            let audit = try await world.withDatabase { try await AuditEntry.query(on: $0.db()).filter(\.$action == "reauthenticated").count() }
            #expect(audit == 1)
        }
    }

    @Test func apiTokensCannotDoSensitiveActions() throws {
        let problem = Problem(AppError.reauthenticationRequired(next: "/account"))
        #expect(problem.status == .forbidden)
        #expect(problem.type == Problem.reauthenticationType)
    }

    @Test(arguments: TestDatabase.available)
    func idleAndOldSessionsEnd(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            #expect(try await browser.get("/reports").status == .ok)
            // Two hours and a minute without a request (the idle timeout is two hours).
            try await Self.editSession(browser, in: world) { $0.lastSeen = Date.now.addingTimeInterval(-2 * 3600 - 60) }
            #expect(try await browser.get("/reports").headers[.location]?.hasPrefix("/login") == true)
            let rows = try await world.withDatabase { try await PersistEntry.query(on: $0.db()).filter(\.$id == "hbs." + (browser.cookies["dp_session"] ?? "")).count() }
            #expect(rows == 0)

            let busy = Browser(client)
            try await busy.signIn(.police)
            // Active all along, but signed in thirteen hours ago (the maximum is twelve).
            try await Self.editSession(busy, in: world) { $0.signedInAt = Date.now.addingTimeInterval(-13 * 3600) }
            #expect(try await busy.get("/reports").status == .seeOther)
        }
    }

    @Test(arguments: TestDatabase.available)
    func changingThePasswordEndsOtherSessions(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let here = Browser(client), elsewhere = Browser(client)
            try await here.signIn(.ggd)
            try await elsewhere.signIn(.ggd)
            let common = try await here.post("/account/password", [("current_password", TestWorld.password),
                                                                   ("new_password", "wachtwoord1234"), ("repeat_password", "wachtwoord1234")])
            #expect(common.status == .unprocessableContent)
            #expect(common.text.contains(#"id="new_password-error""#))
            let wrongCurrent = try await here.post("/account/password", [("current_password", "not it at all"),
                                                                         ("new_password", "een heel nieuw wachtwoord"),
                                                                         ("repeat_password", "een heel nieuw wachtwoord")])
            #expect(wrongCurrent.status == .unprocessableContent)
            #expect(wrongCurrent.text.contains(#"id="current_password-error""#))
            let done = try await here.post("/account/password", [("current_password", TestWorld.password),
                                                                 ("new_password", "een heel nieuw wachtwoord"),
                                                                 ("repeat_password", "een heel nieuw wachtwoord")])
            #expect(done.headers[.location] == "/account?password=changed")
            #expect(try await here.get("/reports").status == .ok)
            #expect(try await elsewhere.get("/reports").status == .seeOther)
            #expect(try await Self.login(Browser(client), .ggd).status == .unauthorized)
            #expect(try await Self.login(Browser(client), .ggd, password: "een heel nieuw wachtwoord").status == .seeOther)
            let audit = try await world.withDatabase { try await AuditEntry.query(on: $0.db()).filter(\.$action == "password_changed").count() }
            #expect(audit == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func administratorResetsPasswordAndTwoFactor(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        _ = try await Self.enrol(.police, in: world)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client)
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let user = "/admin/users/\(world.users[.police]!.uuidString)"
            #expect(try await admin.get(user).text.contains(#"id="reset-two-factor""#))
            #expect(try await admin.post(user + "/reset-two-factor", []).status == .seeOther)
            #expect(try await world.withDatabase { try await TwoFactorCredential.query(on: $0.db()).count() } == 0)
            try await police.signIn(.police)
            let reset = try await admin.post(user + "/reset-password", [])
            #expect(reset.status == .ok)
            let oneTime = try #require(reset.text.firstMatch(of: /id="one-time-password">([a-z2-9-]+)</)?.1)
            // The reset ends the user's sessions; the old password no longer works.
            #expect(try await police.get("/reports").status == .seeOther)
            #expect(try await Self.login(Browser(client), .police).status == .unauthorized)
            let next = Browser(client)
            #expect(try await Self.login(next, .police, password: String(oneTime)).headers[.location] == "/login/new-password")
            #expect(try await next.get("/reports").status == .seeOther)
            #expect(try await next.post("/login/new-password", [("new_password", String(oneTime)), ("repeat_password", String(oneTime))]).status
                    == .unprocessableContent)
            let done = try await next.post("/login/new-password", [("new_password", "mijn eigen nieuwe zin"), ("repeat_password", "mijn eigen nieuwe zin")])
            #expect(done.headers[.location] == "/work")
            #expect(try await next.get("/reports").status == .ok)
            let actions = try await world.withDatabase { try await AuditEntry.query(on: $0.db()).all().map(\.action) }
            #expect(actions.contains("password_reset") && actions.contains("two_factor_reset") && actions.contains("password_changed"))
            // Administrators do not reset their own password here.
            #expect(try await admin.post("/admin/users/\(world.users[.admin]!.uuidString)/reset-password", []).status == .conflict)
        }
    }

    @Test(arguments: TestDatabase.available)
    func enrolmentOnTheAccountPage(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.staffNorth)
            #expect(try await browser.get("/account").text.contains(#"id="enable-two-factor""#))
            let page = try await browser.get("/account/two-factor")
            let secretText = try #require(page.text.firstMatch(of: /id="totp-secret" class="token">([A-Z2-7 ]+)</)?.1)
            // A reload shows the same secret until it is confirmed.
            #expect(try await browser.get("/account/two-factor").text.contains(String(secretText)))
            let totp = TOTP(secret: try #require(Base32.decode(String(secretText))))
            let wrong = try await browser.post("/account/two-factor", [("code", "999999")])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.text.contains(#"id="code-error""#))
            let done = try await browser.post("/account/two-factor", [("code", totp.code(at: .now))])
            let codes = done.text.matches(of: /<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/).map { String($0.1) }
            #expect(codes.count == 10)
            #expect(try await browser.get("/account").text.contains(#"id="disable-two-factor""#))
            // The secret is stored sealed, not as base32 text.
            let stored = try await world.withDatabase { try await TwoFactorCredential.query(on: $0.db()).first()!.sealedSecret }
            #expect(stored.hasPrefix("dp1.") && !stored.contains(String(secretText).replacingOccurrences(of: " ", with: "")))
            #expect(try await browser.post("/account/two-factor/disable", []).headers[.location] == "/account?two-factor=off")
            #expect(try await world.withDatabase { try await TwoFactorCredential.query(on: $0.db()).count() } == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func secretsSurviveAKeyRotation(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (totp, _) = try await Self.enrol(.police, in: world)
        let rotated = try Keyring(json: Data(TestDatabase.testKeys.utf8)).addingKey()
        try await world.withDatabase { database in
            _ = try await KeyRotation(cipher: FieldCipher(keyring: rotated), database: database).reencrypt()
            // Only the new key is left: the secret still opens, and a code still signs in.
            let onlyNew = try Keyring(current: rotated.current, keys: [rotated.current: rotated.keys[rotated.current]!])
            let store = TwoFactorStore(database: database, cipher: FieldCipher(keyring: onlyNew))
            #expect(try await store.verify(userID: world.users[.police]!, code: totp.code(at: .now)) == .code)
        }
    }
}
