import ArgumentParser
import DoorpakApp
import Foundation

/// `serve`'s single sign-on flags. The client secret is read from `DOORPAK_OIDC_CLIENT_SECRET`
/// only: a flag would show it in process lists and shell history.
struct SingleSignOnOptions: ParsableArguments {
    @Option(help: "OpenID Connect issuer URL (https; http only on loopback). Discovery reads <issuer>/.well-known/openid-configuration.")
    var oidcIssuer: String?
    @Option(help: "OpenID Connect client id. The client secret comes from DOORPAK_OIDC_CLIENT_SECRET.")
    var oidcClientId: String?
    @Option(help: "ID-token claim matched against an existing user's e-mail address.")
    var oidcClaim = "email"
    @Option(help: "Provider name on the sign-in button (\"Inloggen met <name>\"); default the issuer's host.")
    var oidcName: String?
    @Flag(help: "Switch off password sign-in (single sign-on only; needs --oidc-issuer).")
    var disableLocalPasswords = false
    @Flag(help: "Trust the provider's amr claim (mfa, or pwd with otp/hwk/...) as the second factor instead of asking the local TOTP code (default: off).")
    var oidcTrustAmr = false

    func apply(to config: inout AppConfig) throws {
        if let oidcIssuer {
            guard let oidcClientId else { throw ValidationError("--oidc-issuer needs --oidc-client-id") }
            let sso = SingleSignOnConfig(issuer: oidcIssuer, clientID: oidcClientId,
                                         clientSecret: ProcessInfo.processInfo.environment["DOORPAK_OIDC_CLIENT_SECRET"],
                                         claim: oidcClaim, providerName: oidcName, trustProviderMFA: oidcTrustAmr)
            if let problem = sso.problem { throw ValidationError(problem) }
            config.singleSignOn = sso
        } else if oidcClientId != nil || oidcTrustAmr {
            throw ValidationError("--oidc-client-id and --oidc-trust-amr need --oidc-issuer")
        }
        if disableLocalPasswords {
            guard config.singleSignOn != nil else { throw ValidationError("--disable-local-passwords needs --oidc-issuer: nobody could sign in") }
            config.localPasswords = false
        }
    }
}
