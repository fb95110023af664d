import Foundation

/// Sign-in through an external identity provider with OpenID Connect. Set with `serve
/// --oidc-issuer URL --oidc-client-id ID [--oidc-claim email] [--oidc-name NAME]`; the client
/// secret only comes from the environment (`DOORPAK_OIDC_CLIENT_SECRET`), never from a flag,
/// so it does not show in process lists or shell history.
public struct SingleSignOnConfig: Sendable, Equatable {
    /// The issuer URL exactly as the provider names itself (`iss`); discovery reads
    /// `<issuer>/.well-known/openid-configuration`.
    public var issuer: String
    public var clientID: String
    /// `nil` for a public client (PKCE only).
    public var clientSecret: String?
    /// The ID-token claim that names the Doorpak account: its value is matched against the
    /// e-mail address of an existing, active user. Accounts are never created from it.
    public var claim: String
    /// Shown on the sign-in button: "Inloggen met <name>".
    public var providerName: String
    /// Whether the provider's word that it checked a second factor (`amr` with `mfa`, or `pwd`
    /// plus `otp`/`hwk`/…) replaces the local TOTP step (`serve --oidc-trust-amr`). Off by
    /// default: `amr` is only as trustworthy as the provider's configuration, and a provider
    /// that sends `mfa` for a password-only sign-in would otherwise switch two-factor off.
    public var trustProviderMFA: Bool

    public init(issuer: String, clientID: String, clientSecret: String? = nil, claim: String = "email", providerName: String? = nil,
                trustProviderMFA: Bool = false) {
        self.trustProviderMFA = trustProviderMFA
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.clientID = clientID
        self.clientSecret = clientSecret.flatMap { $0.isEmpty ? nil : $0 }
        self.claim = claim
        self.providerName = providerName ?? URL(string: issuer)?.host ?? issuer
    }

    /// Why this configuration cannot be used, or `nil`. Plain HTTP is allowed only on a loopback
    /// address (a provider run locally for tests and development).
    public var problem: String? {
        guard let url = URL(string: issuer), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            return "--oidc-issuer is not a URL"
        }
        if scheme != "https" && !(scheme == "http" && Self.isLoopback(host)) {
            return "--oidc-issuer must use https (plain http only on a loopback address)"
        }
        if clientID.isEmpty { return "--oidc-client-id is empty" }
        if claim.isEmpty { return "--oidc-claim is empty" }
        return nil
    }

    /// Whether a provider endpoint may be called: https, or http on a loopback address.
    static func isAllowedEndpoint(_ url: URL) -> Bool {
        guard let host = url.host, !host.isEmpty else { return false }
        return url.scheme == "https" || (url.scheme == "http" && isLoopback(host))
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
