import Foundation

/// Whether a re-authentication through the identity provider counts. Pure.
///
/// It counts when the browser's session belongs to the user who started it, the provider
/// names that same user, and the provider says the user authenticated after the start
/// (`auth_time`, which a provider must send when `max_age` is asked; a missing one is refused).
/// Then either the session is verified, or the local TOTP code is still to come.
enum ReauthenticationCheck {
    enum Outcome: Equatable, Sendable {
        case verified
        case needsCode
        case otherAccount
        case stale
    }

    /// Clock skew allowed between the provider and us.
    static let leeway: TimeInterval = 60

    static func evaluate(expected: UUID, sessionUser: UUID?, returned: UUID?, authTime: Date?, startedAt: Date,
                         needsCode: Bool) -> Outcome {
        guard sessionUser == expected, returned == expected else { return .otherAccount }
        guard let authTime, authTime >= startedAt.addingTimeInterval(-leeway) else { return .stale }
        return needsCode ? .needsCode : .verified
    }
}
