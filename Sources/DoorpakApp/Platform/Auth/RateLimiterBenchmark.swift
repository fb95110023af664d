import Foundation

/// `doorpak-bench --rate-limiter`: what the API rate limit adds to a request (hashing the token,
/// and one bucket update per limit), single-threaded and from several threads at once.
public enum RateLimiterBenchmark {
    public static func run(iterations: Int = 1_000_000, clients: Int = 1_000) async -> String {
        let perToken = TokenBuckets(capacity: 1_000_000, perMinute: 1_000_000)
        let perAddress = TokenBuckets(capacity: 1_000_000, perMinute: 1_000_000)
        let headers = (0..<clients).map { "Bearer dpk_\(String(repeating: "x", count: 30))\($0)" }
        let addresses = (0..<clients).map { "10.0.\($0 / 256).\($0 % 256)" }
        func request(_ i: Int) {
            _ = perAddress.take(addresses[i % clients], now: Double(i) / 1e6)
            _ = perToken.take(APIRateLimitMiddleware.key(headers[i % clients]), now: Double(i) / 1e6)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<iterations { request(i) }
        let single = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
        let threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let parallelStart = DispatchTime.now().uptimeNanoseconds
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<threads {
                group.addTask { for i in stride(from: t, to: iterations, by: threads) { request(i) } }
            }
        }
        let parallel = Double(DispatchTime.now().uptimeNanoseconds - parallelStart) / Double(iterations)
        return String(format: "rate limiter: %.0f ns per API request single-threaded, %.0f ns per request with %d threads (%d clients, %d requests)",
                      single, parallel, threads, clients, iterations)
    }
}
