import FluentKit
import Foundation
import Hummingbird
import CryptoExtras
import HummingbirdTesting
import JWTKit
import Testing
@testable import DoorpakApp

/// PKCE, the ID-token checks (with keys made here), and the callback's refusals. The whole flow
/// against a real provider is `browser-tests/test_sso.py`.
@Suite struct SingleSignOnTests {
    static let issuer = "https://idp.example"
    static let clientID = "doorpak"

    /// An RSA key pair of our own: signs tokens and publishes itself as a JWKS.
    struct SigningKey {
        let keys: JWTKeyCollection
        let jwks: JWKS
        let kid: String

        static func make(kid: String = "key-1") async throws -> SigningKey {
            let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
            let keys = JWTKeyCollection()
            await keys.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            let (n, e) = try key.publicKey.getKeyPrimitives()
            let json = #"{"keys":[{"kty":"RSA","kid":"\#(kid)","use":"sig","alg":"RS256","n":"\#(Base64URL.encode(n))","e":"\#(Base64URL.encode(e))"}]}"#
            return SigningKey(keys: keys, jwks: try JSONDecoder().decode(JWKS.self, from: Data(json.utf8)), kid: kid)
        }

        func sign(_ claims: IDTokenClaims) async throws -> String {
            try await keys.sign(claims, kid: JWKIdentifier(string: kid))
        }
    }

    static func claims(issuer: String = issuer, audience: [String] = [clientID], expires: TimeInterval = 300,
                       nonce: String? = "n-0S6_WzA2Mj") -> IDTokenClaims {
        IDTokenClaims(issuer: issuer, audiences: audience, expires: Date.now.addingTimeInterval(expires), issuedAt: .now, nonce: nonce,
                      extra: ["sub": "248289761001", "email": "Admin@Test.Example"])
    }

    static let validator = IDTokenValidator(issuer: issuer, clientID: clientID)

    // MARK: PKCE

    @Test func pkceChallengeIsTheRFC7636Example() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func pkceVerifiersAreFreshAndWellFormed() {
        let a = PKCE.makeVerifier(), b = PKCE.makeVerifier()
        #expect(a != b)
        #expect(PKCE.isValidVerifier(a))
        #expect(!PKCE.isValidVerifier("short"))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42) + "+"))
        #expect(PKCE.challenge(for: a) != a)
    }

    // MARK: ID token

    @Test func aValidTokenPasses() async throws {
        let key = try await SigningKey.make()
        let token = try await key.sign(Self.claims())
        let claims = try await Self.validator.validate(token, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        #expect(claims.strings["email"] == "Admin@Test.Example")
        #expect(claims.subject == "248289761001")
    }

    @Test func wrongAudienceIsRefused() async throws {
        let key = try await SigningKey.make()
        let token = try await key.sign(Self.claims(audience: ["another-client"]))
        await #expect(throws: IDTokenError.wrongAudience) { try await Self.validator.validate(token, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now) }
        // Several audiences need `azp` to name us.
        let shared = try await key.sign(Self.claims(audience: [Self.clientID, "another-client"]))
        await #expect(throws: IDTokenError.wrongAudience) { try await Self.validator.validate(shared, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now) }
    }

    @Test func expiredTokenIsRefused() async throws {
        let key = try await SigningKey.make()
        let token = try await key.sign(Self.claims(expires: -120))
        await #expect(throws: IDTokenError.expired) { try await Self.validator.validate(token, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now) }
        // Still fine within the leeway, and refused once the clock moved on.
        let fresh = try await key.sign(Self.claims(expires: 30))
        _ = try await Self.validator.validate(fresh, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        await #expect(throws: IDTokenError.expired) {
            try await Self.validator.validate(fresh, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: Date.now.addingTimeInterval(600))
        }
    }

    @Test func badSignatureIsRefused() async throws {
        let key = try await SigningKey.make()
        let impostor = try await SigningKey.make(kid: key.kid)   // same key id, another key
        let token = try await impostor.sign(Self.claims())
        await #expect(throws: IDTokenError.badSignature) { try await Self.validator.validate(token, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now) }
        // A changed payload under a genuine signature.
        let genuine = try await key.sign(Self.claims()).split(separator: ".").map(String.init)
        let forged = Self.claims(audience: [Self.clientID, "x"])
        let payload = Base64URL.encode(try JSONEncoder().encode(forged))
        await #expect(throws: IDTokenError.badSignature) {
            try await Self.validator.validate([genuine[0], payload, genuine[2]].joined(separator: "."), jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        }
    }

    @Test func unknownKeyIssuerAndNonceAreRefused() async throws {
        let key = try await SigningKey.make()
        let other = try await SigningKey.make(kid: "rotated")
        await #expect(throws: IDTokenError.unknownKey) {
            try await Self.validator.validate(try await other.sign(Self.claims()), jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        }
        await #expect(throws: IDTokenError.wrongIssuer) {
            try await Self.validator.validate(try await key.sign(Self.claims(issuer: "https://evil.example")), jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        }
        await #expect(throws: IDTokenError.nonceMismatch) {
            try await Self.validator.validate(try await key.sign(Self.claims()), jwks: key.jwks, nonce: "another-nonce", now: .now)
        }
        await #expect(throws: IDTokenError.nonceMismatch) {
            try await Self.validator.validate(try await key.sign(Self.claims(nonce: nil)), jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        }
    }

    @Test func unsignedAndSymmetricTokensAreRefused() async throws {
        let key = try await SigningKey.make()
        let payload = Base64URL.encode(try JSONEncoder().encode(Self.claims()))
        let none = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + payload + "."
        await #expect(throws: IDTokenError.algorithmNotAllowed("none")) {
            try await Self.validator.validate(none, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        }
        let hmac = Base64URL.encode(Data(#"{"alg":"HS256","kid":"key-1"}"#.utf8)) + "." + payload + ".c2ln"
        await #expect(throws: IDTokenError.algorithmNotAllowed("HS256")) {
            try await Self.validator.validate(hmac, jwks: key.jwks, nonce: "n-0S6_WzA2Mj", now: .now)
        }
        await #expect(throws: IDTokenError.malformed) { try await Self.validator.validate("not.a", jwks: key.jwks, nonce: "x", now: .now) }
    }

    @Test func multiFactorOnlyWhenTheProviderSaysSo() {
        var claims = Self.claims()
        #expect(!claims.multiFactor)
        claims.methods = ["pwd"]
        #expect(!claims.multiFactor)
        claims.methods = ["pwd", "otp"]
        #expect(claims.multiFactor)
        claims.methods = ["mfa"]
        #expect(claims.multiFactor)
    }

    @Test func configurationRefusesPlainHTTPExceptOnLoopback() {
        #expect(SingleSignOnConfig(issuer: "http://idp.example", clientID: "x").problem != nil)
        #expect(SingleSignOnConfig(issuer: "http://127.0.0.1:9400", clientID: "x").problem == nil)
        #expect(SingleSignOnConfig(issuer: "https://idp.example/", clientID: "x").issuer == "https://idp.example")
        #expect(SingleSignOnConfig(issuer: "https://idp.example", clientID: "").problem != nil)
    }

    // MARK: The callback's checks

    static func configured(_ world: TestWorld) -> AppConfig {
        var config = world.config
        config.singleSignOn = SingleSignOnConfig(issuer: "http://127.0.0.1:9", clientID: clientID, providerName: "Testorganisatie")
        return config
    }

    static func loginFailures(_ world: TestWorld) async throws -> [AuditEntry] {
        try await world.withDatabase { try await AuditEntry.query(on: $0.db()).filter(\.$action == "login_failed").all() }
    }

    @Test(arguments: TestDatabase.available)
    func callbackRefusesUnknownStateWithoutLogging(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(Self.configured(world)).test(.router) { client in
            let response = try await Browser(client).get("/login/sso/callback?state=made-up&code=abc")
            #expect(response.status == .badRequest)
            #expect(response.text.contains("data-reason=\"expired\""))
        }
        #expect(try await Self.loginFailures(world).isEmpty)
    }

    @Test(arguments: TestDatabase.available)
    func callbackRefusesAnotherBrowserAndUsesAStateOnce(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let binding = "browser-binding-value"
        try await world.withDatabase { database in
            let pending = SingleSignOnRoutes.Pending(nonce: "n", verifier: PKCE.makeVerifier(), binding: SingleSignOnRoutes.digest(binding), next: nil)
            try await DatabasePersistDriver(database: database).create(key: SingleSignOnRoutes.key("state-1"), value: pending, expires: .seconds(60))
        }
        try await buildApplication(Self.configured(world)).test(.router) { client in
            // No binding cookie: the attempt was started elsewhere (login CSRF).
            let response = try await Browser(client).get("/login/sso/callback?state=state-1&code=abc")
            #expect(response.status == .badRequest)
            #expect(response.text.contains("data-reason=\"other_browser\""))
            // The state is gone after one use, even with the right cookie now.
            let again = try await client.execute(uri: "/login/sso/callback?state=state-1&code=abc", method: .get, headers: [.cookie: "dp_sso=\(binding)"])
            #expect(again.text.contains("data-reason=\"expired\""))
        }
        let failures = try await Self.loginFailures(world)
        #expect(failures.count == 1)
        #expect(failures.first?.purpose == "sso: other_browser")
        #expect(failures.first?.userID == nil)
    }

    @Test(arguments: TestDatabase.available)
    func providerErrorIsACancelledSignIn(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let binding = "binding-2"
        try await world.withDatabase { database in
            let pending = SingleSignOnRoutes.Pending(nonce: "n", verifier: PKCE.makeVerifier(), binding: SingleSignOnRoutes.digest(binding), next: nil)
            try await DatabasePersistDriver(database: database).create(key: SingleSignOnRoutes.key("state-2"), value: pending, expires: .seconds(60))
        }
        try await buildApplication(Self.configured(world)).test(.router) { client in
            let response = try await client.execute(uri: "/login/sso/callback?state=state-2&error=access_denied", method: .get, headers: [.cookie: "dp_sso=\(binding)"])
            #expect(response.status == .badRequest)
            #expect(response.text.contains("data-reason=\"cancelled\""))
            #expect(response.text.contains("Testorganisatie"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func withoutConfigurationTheRoutesDoNotExist(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let callback = try await Browser(client).get("/login/sso/callback?state=x&code=y")
            #expect(callback.status == .notFound)
            let start = try await Browser(client).get("/login/sso")
            #expect(start.status == .notFound)
        }
    }

    // MARK: Re-authentication through the provider, logout, amr

    /// The rules for a re-authentication that comes back from the provider.
    @Test func reauthenticationNeedsTheSameUserAndAFreshAuthTime() {
        let me = UUID(), other = UUID(), start = Date(timeIntervalSince1970: 1_800_000_000)
        typealias Check = ReauthenticationCheck
        #expect(Check.evaluate(expected: me, sessionUser: me, returned: me, authTime: start.addingTimeInterval(5), startedAt: start, needsCode: false) == .verified)
        #expect(Check.evaluate(expected: me, sessionUser: me, returned: me, authTime: start.addingTimeInterval(5), startedAt: start, needsCode: true) == .needsCode)
        // Another account at the provider, or another session in this browser.
        #expect(Check.evaluate(expected: me, sessionUser: me, returned: other, authTime: start, startedAt: start, needsCode: false) == .otherAccount)
        #expect(Check.evaluate(expected: me, sessionUser: other, returned: me, authTime: start, startedAt: start, needsCode: false) == .otherAccount)
        #expect(Check.evaluate(expected: me, sessionUser: nil, returned: me, authTime: start, startedAt: start, needsCode: false) == .otherAccount)
        // No auth_time, or one from before the start (the provider did not ask again): refused.
        #expect(Check.evaluate(expected: me, sessionUser: me, returned: me, authTime: nil, startedAt: start, needsCode: false) == .stale)
        #expect(Check.evaluate(expected: me, sessionUser: me, returned: me, authTime: start.addingTimeInterval(-600), startedAt: start, needsCode: false) == .stale)
        // Within the clock-skew leeway: fine.
        #expect(Check.evaluate(expected: me, sessionUser: me, returned: me, authTime: start.addingTimeInterval(-30), startedAt: start, needsCode: false) == .verified)
    }

    @Test func amrIsNotTrustedUnlessConfigured() throws {
        #expect(SingleSignOnConfig(issuer: "https://idp.example", clientID: "x").trustProviderMFA == false)
        #expect(SingleSignOnConfig(issuer: "https://idp.example", clientID: "x", trustProviderMFA: true).trustProviderMFA)
        let json = #"{"iss":"x","aud":"y","amr":["pwd","otp"],"auth_time":1800000000}"#
        let claims = try JSONDecoder().decode(IDTokenClaims.self, from: Data(json.utf8))
        #expect(claims.multiFactor && claims.authTime == Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// With single sign-on the re-authentication page offers the provider; with local passwords
    /// off it offers only the provider and a password post is refused; after the provider confirmed
    /// the user, only the TOTP code is asked, and the right code verifies the session. Signing
    /// out of a sign-on session goes on to the provider's logout.
    @Test(arguments: TestDatabase.available)
    func reauthenticationGoesThroughTheProviderWhenPasswordsAreOff(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (totp, _) = try await AuthFlowTests.enrol(.police, in: world)
        try await buildApplication(Self.configured(world)).test(.router) { client in
            let browser = Browser(client)
            #expect(try await AuthFlowTests.login(browser, .police).headers[.location] == "/login/two-factor")
            #expect(try await browser.post("/login/two-factor", [("code", totp.code(at: .now))]).status == .seeOther)
            let page = try await browser.get("/reauth?next=%2Faccount%2Fpassword")
            #expect(page.text.contains(#"href="/reauth/sso?next=%2Faccount%2Fpassword""#) && page.text.contains(#"id="password""#))
            // Signing out of a sign-on session: on to the provider's logout page.
            let other = Browser(client)
            try await other.signIn(.ggd)
            try await AuthFlowTests.editSession(other, in: world) { $0.method = "sso" }
            #expect(try await other.post("/logout", []).headers[.location] == "/logout/sso")
            #expect(try await browser.post("/logout", []).headers[.location] == "/login")
        }
        // The same session, served with local passwords off.
        var config = Self.configured(world)
        config.localPasswords = false
        try await buildApplication(config).test(.router) { client in
            // Passwords are off, so the signed-in session (as a sign-on makes it) is written directly.
            let session = try await world.withDatabase { database -> String in
                let id = "test-session-\(UUID().uuidString)"
                let now = Date.now
                let user = try #require(try await User.find(world.users[.police]!, on: database.db()))
                let value = WebSession(userID: user.id!, signedInAt: now, lastSeen: now, verifiedAt: now.addingTimeInterval(-3600),
                                       credential: WebSession.credential(of: user.passwordHash), pending: nil, secondFactorDone: true,
                                       method: "sso", next: nil)
                try await DatabasePersistDriver(database: database).create(key: "hbs." + id, value: value, expires: .seconds(600))
                return id
            }
            let headers: HTTPFields = [.cookie: "dp_session=\(session); dp_csrf=\(Browser.csrf)"]
            let page = try await client.execute(uri: "/reauth?next=%2Faccount", method: .get, headers: headers)
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="reauth-sso""#) && !page.text.contains(#"id="password""#))
            var post = headers
            post[.contentType] = "application/x-www-form-urlencoded"
            let refused = try await client.execute(uri: "/reauth", method: .post, headers: post,
                                                   body: ByteBuffer(string: "_csrf=\(Browser.csrf)&password=\(TestWorld.password)&next=%2Faccount"))
            #expect(refused.status == .forbidden)
            // The provider confirmed the user (as the callback records it): only the code is left.
            try await world.withDatabase { database in
                let entry = try #require(try await PersistEntry.find("hbs." + session, on: database.db()))
                var value = try JSONDecoder().decode(WebSession.self, from: Data(entry.value.utf8))
                value.providerVerifiedAt = .now
                entry.value = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
                try await entry.update(on: database.db())
            }
            let codePage = try await client.execute(uri: "/reauth?next=%2Faccount", method: .get, headers: headers)
            #expect(codePage.text.contains(#"id="reauth-provider-confirmed""#) && codePage.text.contains(#"id="code""#))
            #expect(!codePage.text.contains(#"id="password""#) && !codePage.text.contains(#"id="reauth-sso""#))
            let wrong = try await client.execute(uri: "/reauth", method: .post, headers: post,
                                                 body: ByteBuffer(string: "_csrf=\(Browser.csrf)&code=000000&next=%2Faccount"))
            #expect(wrong.status == .unprocessableContent)
            let right = try await client.execute(uri: "/reauth", method: .post, headers: post,
                                                 body: ByteBuffer(string: "_csrf=\(Browser.csrf)&code=\(totp.code(at: .now.addingTimeInterval(30)))&next=%2Faccount"))
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/account")
            try await world.withDatabase { database in
                let entry = try #require(try await PersistEntry.find("hbs." + session, on: database.db()))
                let value = try JSONDecoder().decode(WebSession.self, from: Data(entry.value.utf8))
                #expect(value.providerVerifiedAt == nil && Date.now.timeIntervalSince(value.lastVerified) < 60)
                let logged = try await AuditEntry.query(on: database.db()).filter(\.$action == "reauthenticated").filter(\.$purpose == "sso").count()
                #expect(logged == 1)
            }
        }
    }
}
