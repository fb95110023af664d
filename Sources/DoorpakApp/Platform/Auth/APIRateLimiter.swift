import Crypto
import Foundation
import Hummingbird
import Synchronization

/// Token buckets in memory: each key holds up to `capacity` requests and refills at a steady rate.
///
/// Why in memory and not in the database: a limit checked in the database costs a write (and a
/// lock on a hot row) on every API request, which would cost more than most requests themselves;
/// in memory it costs a token hash and two dictionary updates under a lock (3–4 µs per request in
/// a release build on a busy 2-core machine, `doorpak-bench --rate-limiter`). The price: with N instances behind a load balancer a client
/// may make up to N times the limit; set the limits per instance accordingly. Sign-in guessing is
/// different: `LoginThrottle` and `AccountLockouts` stay in the database, exact across instances.
final class TokenBuckets: Sendable {
    private struct Bucket { var tokens: Double; var updated: Double }
    private let buckets = Mutex<[String: Bucket]>([:])
    let capacity: Double
    let perSecond: Double
    /// Above this many keys, full buckets (idle clients) are dropped.
    let maxKeys: Int

    init(capacity: Int, perMinute: Int, maxKeys: Int = 50_000) {
        self.capacity = Double(max(1, capacity))
        perSecond = Double(max(1, perMinute)) / 60
        self.maxKeys = maxKeys
    }

    /// Takes one request from the key's bucket: `nil` when allowed, else whole seconds to wait.
    func take(_ key: String, now: Double) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * perSecond)
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > maxKeys {
                    buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * perSecond < capacity }
                }
            }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    var keyCount: Int { buckets.withLock { $0.count } }
}

/// API rate limits per client address and per bearer token, checked before anything touches the
/// database (the token is not even looked up). Over the limit: 429 problem+json with `Retry-After`.
/// An invalid token still counts against the address, so rotating made-up tokens does not help.
/// The address limit covers every API call from an address: bearer, session cookie and anonymous.
/// Either limit is off when its rate is 0 (`serve --api-rate-limit 0`, `--api-address-rate-limit 0`).
struct APIRateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let limit: APIRateLimit?
    let locales: Locales
    let perToken: TokenBuckets
    let perAddress: TokenBuckets
    var now: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    init(limit: APIRateLimit?, locales: Locales) {
        self.limit = limit
        self.locales = locales
        let limit = limit ?? APIRateLimit()
        perToken = TokenBuckets(capacity: limit.tokenBurst, perMinute: limit.tokenPerMinute)
        perAddress = TokenBuckets(capacity: limit.addressBurst, perMinute: limit.addressPerMinute)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let limit, request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        let now = self.now()
        if limit.limitsAddresses, let wait = perAddress.take(context.clientAddress, now: now) { return try refuse(wait) }
        if limit.limitsTokens, let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
           let wait = perToken.take(Self.key(header), now: now) {
            return try refuse(wait)
        }
        return try await next(request, context)
    }

    private func refuse(_ seconds: Int) throws -> Response {
        var problem = Problem(AppError.tooManyRequests(retryAfter: seconds))
        problem.detail = "Too many requests. Wait the number of seconds in Retry-After."
        return try problem.json(locales[.en])
    }

    /// The bucket key for a token: a hash, so the limiter's memory holds no usable token.
    static func key(_ header: String) -> String {
        let digest = SHA256.hash(data: Data(header.utf8))
        var hex = [UInt8]()
        hex.reserveCapacity(32)
        for byte in digest.prefix(16) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)
}
