import Foundation
import JWTKit

/// The claims of an ID token that the sign-in looks at, plus every string-valued claim by name
/// (the configured account claim can be any of them).
struct IDTokenClaims: JWTPayload, Equatable {
    var issuer: String?
    var audiences: [String]
    var authorizedParty: String?
    var expires: Date?
    var issuedAt: Date?
    var nonce: String?
    var subject: String?
    /// Authentication methods (RFC 8176), e.g. `["pwd", "otp"]` or `["mfa"]`.
    var methods: [String]
    /// When the user last authenticated at the provider (`auth_time`); a re-authentication needs it recent.
    var authTime: Date?
    /// `email_verified` when the provider sends it.
    var emailVerified: Bool?
    /// Every claim whose value is a string.
    var strings: [String: String]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var strings: [String: String] = [:]
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { strings[key.stringValue] = value }
        }
        self.strings = strings
        issuer = strings["iss"]
        subject = strings["sub"]
        nonce = strings["nonce"]
        authorizedParty = strings["azp"]
        let aud = Key(stringValue: "aud")
        if let one = strings["aud"] { audiences = [one] } else { audiences = (try? container.decode([String].self, forKey: aud)) ?? [] }
        expires = (try? container.decode(Double.self, forKey: Key(stringValue: "exp"))).map(Date.init(timeIntervalSince1970:))
        issuedAt = (try? container.decode(Double.self, forKey: Key(stringValue: "iat"))).map(Date.init(timeIntervalSince1970:))
        methods = (try? container.decode([String].self, forKey: Key(stringValue: "amr"))) ?? []
        authTime = (try? container.decode(Double.self, forKey: Key(stringValue: "auth_time"))).map(Date.init(timeIntervalSince1970:))
        let verified = Key(stringValue: "email_verified")
        emailVerified = (try? container.decode(Bool.self, forKey: verified)) ?? strings["email_verified"].map { $0 == "true" }
    }

    init(issuer: String?, audiences: [String], expires: Date?, issuedAt: Date?, nonce: String?, extra: [String: String] = [:]) {
        self.issuer = issuer
        self.audiences = audiences
        self.expires = expires
        self.issuedAt = issuedAt
        self.nonce = nonce
        methods = []
        strings = extra
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in strings { try container.encode(value, forKey: Key(stringValue: key)) }
        if let issuer { try container.encode(issuer, forKey: Key(stringValue: "iss")) }
        if audiences.count == 1 { try container.encode(audiences[0], forKey: Key(stringValue: "aud")) } else if !audiences.isEmpty {
            try container.encode(audiences, forKey: Key(stringValue: "aud"))
        }
        if let expires { try container.encode(Int(expires.timeIntervalSince1970), forKey: Key(stringValue: "exp")) }
        if let issuedAt { try container.encode(Int(issuedAt.timeIntervalSince1970), forKey: Key(stringValue: "iat")) }
        if let nonce { try container.encode(nonce, forKey: Key(stringValue: "nonce")) }
        if !methods.isEmpty { try container.encode(methods, forKey: Key(stringValue: "amr")) }
        if let authTime { try container.encode(Int(authTime.timeIntervalSince1970), forKey: Key(stringValue: "auth_time")) }
    }

    /// Claims are checked by `IDTokenValidator`, with reasons it can name; the signature by JWTKit.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The provider says it checked more than one factor (RFC 8176 `amr`).
    var multiFactor: Bool {
        methods.contains("mfa") || (methods.contains("pwd") && !Set(methods).isDisjoint(with: ["otp", "hwk", "sms", "sc", "fpt", "face"]))
    }
}

/// Why an ID token was refused.
enum IDTokenError: Error, Equatable, Sendable {
    case malformed
    /// The header names an algorithm we do not accept (`none`, HMAC, …).
    case algorithmNotAllowed(String)
    /// The header names a key the provider's key set does not have (refresh the key set once).
    case unknownKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case expired
    case issuedInFuture
    case nonceMismatch
}

/// Checks an ID token (OpenID Connect Core §3.1.3.7): the signature against the provider's
/// published keys (JWKS), then `iss`, `aud` (and `azp` when there are several audiences), `exp`,
/// `iat` and the `nonce` this sign-in sent. Pure apart from the clock it is given.
struct IDTokenValidator: Sendable {
    let issuer: String
    let clientID: String
    /// Asymmetric algorithms only: `none` and HMAC (whose "key" would be public) are refused.
    var allowedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
    /// Clock skew allowed between us and the provider.
    var leeway: TimeInterval = 60

    func validate(_ token: String, jwks: JWKS, nonce: String, now: Date) async throws -> IDTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              let algorithm = header["alg"] as? String else { throw IDTokenError.malformed }
        guard allowedAlgorithms.contains(algorithm) else { throw IDTokenError.algorithmNotAllowed(algorithm) }
        if let kid = header["kid"] as? String {
            guard jwks.find(identifier: kid)?.isEmpty == false else { throw IDTokenError.unknownKey }
        } else if jwks.keys.count != 1 {
            throw IDTokenError.unknownKey
        }
        let keys = JWTKeyCollection()
        let claims: IDTokenClaims
        do {
            try await keys.add(jwks: jwks)
            claims = try await keys.verify(token, as: IDTokenClaims.self)
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw IDTokenError.malformed
        } catch {
            throw IDTokenError.badSignature
        }
        guard claims.issuer == issuer else { throw IDTokenError.wrongIssuer }
        guard claims.audiences.contains(clientID) else { throw IDTokenError.wrongAudience }
        if claims.audiences.count > 1 && claims.authorizedParty != clientID { throw IDTokenError.wrongAudience }
        guard let expires = claims.expires, expires.addingTimeInterval(leeway) > now else { throw IDTokenError.expired }
        if let issuedAt = claims.issuedAt, issuedAt.addingTimeInterval(-leeway) > now { throw IDTokenError.issuedInFuture }
        guard let sent = claims.nonce, Self.constantTimeEqual(sent, nonce) else { throw IDTokenError.nonceMismatch }
        return claims
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
