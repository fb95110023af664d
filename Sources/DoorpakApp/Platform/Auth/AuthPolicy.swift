import Foundation

/// The sign-in and session rules an installation runs with. Safe by default: two-factor
/// required, lockout and API rate limits on. `doorpak serve --demo` switches two-factor off so the
/// demo sign-in stays one step; tests switch off what they do not test.
public struct AuthPolicy: Sendable {
    /// Every role that can read personal data (everyone but analysts) must use TOTP two-factor.
    public var requireTwoFactor = true
    /// Failed sign-ins in a row (password or code) after which an account is locked.
    public var lockoutThreshold = 10
    /// How long a locked account stays locked, unless an administrator unlocks it sooner.
    public var lockoutDuration: Duration = .seconds(60 * 60)
    /// How recent the last password check must be for sensitive actions.
    public var recentAuthentication: Duration = .seconds(5 * 60)
    /// A session ends this long after sign-in, however active (the idle timeout ends it sooner).
    public var sessionMaxAge: Duration = .seconds(12 * 60 * 60)
    /// How long a sign-in may wait at a step (code, new password, enrolment).
    public var pendingStepTimeout: Duration = .seconds(10 * 60)
    /// How long break-the-glass (emergency) access to one record lasts (`serve --break-glass-minutes`).
    public var breakGlassDuration: Duration = .seconds(60 * 60)
    var breakGlassSeconds: TimeInterval { TimeInterval(breakGlassDuration.components.seconds) }
    /// API request limits; `nil` switches them off (a rate of 0 switches off that one limit).
    public var apiRateLimit: APIRateLimit? = APIRateLimit()

    public init() {}
}

/// Token buckets for the API: a burst, then a steady rate, per token and per client address.
/// A per-minute rate of 0 switches that limit off (`serve --api-rate-limit 0`, `--api-address-rate-limit 0`).
public struct APIRateLimit: Sendable, Equatable {
    /// Requests a token may make at once, and per minute after that.
    public var tokenBurst = 120
    public var tokenPerMinute = 600
    /// Requests an address may make at once, and per minute after that (all tokens and anonymous calls together).
    public var addressBurst = 240
    public var addressPerMinute = 1200

    public init() {}
    public init(tokenBurst: Int, tokenPerMinute: Int, addressBurst: Int, addressPerMinute: Int) {
        self.tokenBurst = tokenBurst
        self.tokenPerMinute = tokenPerMinute
        self.addressBurst = addressBurst
        self.addressPerMinute = addressPerMinute
    }

    /// Sets the per-token rate as an operator gives it (`--api-rate-limit`, `DOORPAK_API_RATE_LIMIT`):
    /// requests a minute, 0 for no limit; the burst follows from it (`burst(perMinute:)`).
    public mutating func setTokenPerMinute(_ perMinute: Int) {
        tokenPerMinute = max(0, perMinute)
        tokenBurst = Self.burst(perMinute: tokenPerMinute)
    }

    /// Sets the per-address rate (`--api-address-rate-limit`, `DOORPAK_API_ADDRESS_RATE_LIMIT`); 0 for no limit.
    public mutating func setAddressPerMinute(_ perMinute: Int) {
        addressPerMinute = max(0, perMinute)
        addressBurst = Self.burst(perMinute: addressPerMinute)
    }

    /// The burst that goes with a per-minute rate: a fifth of the minute, as the defaults have
    /// (600 → 120, 1,200 → 240), but at least 10 requests, or the whole minute when that is fewer
    /// (a limit of 2 a minute allows 2 at once, and the third waits).
    static func burst(perMinute: Int) -> Int { max(perMinute / 5, min(perMinute, 10)) }

    var limitsTokens: Bool { tokenPerMinute > 0 }
    var limitsAddresses: Bool { addressPerMinute > 0 }
}

/// Roles whose users read personal data, and so need a second factor under the policy.
extension Role {
    var needsSecondFactor: Bool { self != .analyst }
}
