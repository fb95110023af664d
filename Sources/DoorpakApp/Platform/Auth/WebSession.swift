import Crypto
import Foundation

/// What the session cookie points to in the database. A session with a `pending` step is a
/// sign-in in progress (password right, second factor or a required change still to come): its
/// user is NOT signed in, and only the sign-in step pages read it.
struct WebSession: Codable, Sendable {
    var userID: UUID
    var signedInAt: Date
    var lastSeen: Date
    /// When the user last proved who they are (sign-in or re-authentication); sensitive actions
    /// need this to be recent (`requireRecentAuthentication`). `nil` in sessions from before it existed.
    var verifiedAt: Date?
    /// A fingerprint of the password hash at sign-in: a password change or reset changes the hash
    /// and so ends every other session of the user. `nil` only in sessions from before it existed.
    var credential: String?
    /// The step still to take before the user is signed in.
    var pending: SignInStep?
    /// The second factor was checked in this sign-in (or the identity provider did it).
    var secondFactorDone: Bool?
    /// How this sign-in started: `password` or `sso`.
    var method: String?
    /// Where to go once signed in (a same-origin path).
    var next: String?
    /// When the identity provider last confirmed the user in a re-authentication whose local TOTP
    /// code is still to come (`/reauth` asks for the code only, within a few minutes).
    var providerVerifiedAt: Date?

    var lastVerified: Date { verifiedAt ?? signedInAt }

    /// The session-binding fingerprint of a password hash (not the hash itself).
    static func credential(of passwordHash: String) -> String {
        SHA256.hash(data: Data("session:\(passwordHash)".utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}

/// What a sign-in still needs before the user is signed in.
enum SignInStep: String, Codable, Sendable {
    /// The TOTP code (or a recovery code) of an enrolled user.
    case secondFactor = "second_factor"
    /// A new password, after an administrator's reset to a one-time password.
    case passwordChange = "password_change"
    /// Setting up two-factor authentication, which the policy requires for this user's role.
    case enrolment

    /// The page that asks for this step.
    var path: String {
        switch self {
        case .secondFactor: "/login/two-factor"
        case .passwordChange: "/login/new-password"
        case .enrolment: "/login/two-factor/setup"
        }
    }
}
