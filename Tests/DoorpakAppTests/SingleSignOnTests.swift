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
}
