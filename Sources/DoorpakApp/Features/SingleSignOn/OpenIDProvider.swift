import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1

/// The identity provider as the server talks to it: discovery (`/.well-known/openid-configuration`
/// under the issuer URL), its key set (JWKS) and its token endpoint. Discovery and keys are cached
/// for an hour; an ID token signed with a key we do not know yet makes the key set reload once
/// (key rotation). Every call has a time limit and a size limit.
actor OpenIDProvider {
    /// The parts of the provider's metadata the sign-in uses.
    struct Metadata: Decodable, Sendable {
        let issuer: String
        let authorizationEndpoint: URL
        let tokenEndpoint: URL
        let jwksURI: URL
        /// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), when the provider offers it.
        var endSessionEndpoint: URL?

        enum CodingKeys: String, CodingKey {
            case issuer
            case authorizationEndpoint = "authorization_endpoint"
            case tokenEndpoint = "token_endpoint"
            case jwksURI = "jwks_uri"
            case endSessionEndpoint = "end_session_endpoint"
        }
    }

    /// The token endpoint's answer (RFC 6749 §5.1 with OpenID Connect's `id_token`).
    struct TokenResponse: Decodable, Sendable {
        let idToken: String?
        let tokenType: String?
        enum CodingKeys: String, CodingKey {
            case idToken = "id_token"
            case tokenType = "token_type"
        }
    }

    enum ProviderError: Error, Equatable {
        /// The provider could not be reached or answered something unusable.
        case unavailable
        /// The discovery document names another issuer than configured (a mix-up or a spoofed document).
        case issuerMismatch
        /// An endpoint is not https (and not on a loopback address).
        case insecureEndpoint
        /// The token endpoint refused the code (expired, used twice, wrong verifier, …).
        case codeRefused
    }

    let config: SingleSignOnConfig
    private let http: HTTPClient
    private var cachedMetadata: (value: Metadata, at: Date)?
    private var cachedKeys: (value: JWKS, at: Date)?
    static let cacheLifetime: TimeInterval = 3600
    static let maxResponseBytes = 1 << 20

    init(config: SingleSignOnConfig, http: HTTPClient = .shared) {
        self.config = config
        self.http = http
    }

    func metadata(now: Date = .now) async throws -> Metadata {
        if let cached = cachedMetadata, now.timeIntervalSince(cached.at) < Self.cacheLifetime { return cached.value }
        guard let url = URL(string: config.issuer + "/.well-known/openid-configuration") else { throw ProviderError.unavailable }
        var metadata: Metadata = try JSONDecoder().decode(Metadata.self, from: try await get(url))
        guard metadata.issuer == config.issuer else { throw ProviderError.issuerMismatch }
        for endpoint in [metadata.authorizationEndpoint, metadata.tokenEndpoint, metadata.jwksURI] {
            guard SingleSignOnConfig.isAllowedEndpoint(endpoint) else { throw ProviderError.insecureEndpoint }
        }
        // An insecure logout endpoint is left out rather than refusing sign-in altogether.
        if let end = metadata.endSessionEndpoint, !SingleSignOnConfig.isAllowedEndpoint(end) { metadata.endSessionEndpoint = nil }
        cachedMetadata = (metadata, now)
        return metadata
    }

    /// The provider's public keys; `reload` skips the cache (a token named an unknown key).
    func keys(reload: Bool = false, now: Date = .now) async throws -> JWKS {
        if !reload, let cached = cachedKeys, now.timeIntervalSince(cached.at) < Self.cacheLifetime { return cached.value }
        let jwks = try JSONDecoder().decode(JWKS.self, from: try await get(try await metadata(now: now).jwksURI))
        cachedKeys = (jwks, now)
        return jwks
    }

    /// Exchanges an authorization code for tokens, proving the PKCE verifier. The client
    /// authenticates with HTTP Basic (`client_secret_basic`) when it has a secret.
    func exchange(code: String, verifier: String, redirectURI: String) async throws -> TokenResponse {
        let endpoint = try await metadata().tokenEndpoint
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier)]
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let secret = config.clientSecret {
            let credentials = Self.formEncode(config.clientID) + ":" + Self.formEncode(secret)
            request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        } else {
            form.append(("client_id", config.clientID))
        }
        request.body = .bytes(ByteBuffer(string: form.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(10))
        } catch {
            throw ProviderError.unavailable
        }
        let body = try await response.body.collect(upTo: Self.maxResponseBytes)
        guard response.status == .ok else {
            throw response.status.code >= 500 ? ProviderError.unavailable : ProviderError.codeRefused
        }
        do {
            return try JSONDecoder().decode(TokenResponse.self, from: Data(buffer: body))
        } catch {
            throw ProviderError.unavailable
        }
    }

    private func get(_ url: URL) async throws -> Data {
        guard SingleSignOnConfig.isAllowedEndpoint(url) else { throw ProviderError.insecureEndpoint }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            guard response.status == .ok else { throw ProviderError.unavailable }
            return Data(buffer: try await response.body.collect(upTo: Self.maxResponseBytes))
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError.unavailable
        }
    }

    /// `application/x-www-form-urlencoded` value encoding (also what RFC 6749 §2.3.1 asks for
    /// Basic credentials).
    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
