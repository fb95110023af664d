import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// API rate limits: token buckets per token and per address, 429 problem+json with Retry-After.
@Suite struct AuthRateLimitTests {
    @Test func bucketAllowsABurstThenTheSteadyRate() {
        let buckets = TokenBuckets(capacity: 3, perMinute: 60)
        #expect((0..<3).map { _ in buckets.take("a", now: 100) } == [nil, nil, nil])
        #expect(buckets.take("a", now: 100) == 1)
        #expect(buckets.take("b", now: 100) == nil)  // another key has its own bucket
        #expect(buckets.take("a", now: 100.5) == 1)
        #expect(buckets.take("a", now: 101.01) == nil)  // one per second refills
        #expect(buckets.take("a", now: 101.02) == 1)
        #expect(buckets.take("a", now: 1000) == nil)  // never more than the burst after a pause
        #expect(buckets.take("a", now: 1000) == nil)
        #expect(buckets.take("a", now: 1000) == nil)
        #expect(buckets.take("a", now: 1000) != nil)
    }

    @Test func idleKeysAreDroppedWhenTheTableGrows() {
        let buckets = TokenBuckets(capacity: 2, perMinute: 60, maxKeys: 100)
        for i in 0..<150 { _ = buckets.take("k\(i)", now: 0) }
        _ = buckets.take("late", now: 10)
        #expect(buckets.keyCount < 100)
    }

    @Test(arguments: TestDatabase.available)
    func perTokenLimitAnswers429WithRetryAfter(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.auth.apiRateLimit = APIRateLimit(tokenBurst: 3, tokenPerMinute: 1, addressBurst: 100, addressPerMinute: 600)
        let police = try await world.token(for: .police)
        let ggd = try await world.token(for: .ggd)
        try await buildApplication(config).test(.router) { client in
            let api = APIClient(client: client, token: police)
            for _ in 0..<3 { #expect(try await api.get("/api/v1/me").status == .ok) }
            let refused = try await api.get("/api/v1/me")
            #expect(refused.status == .tooManyRequests)
            // One request a minute refills (exact arithmetic: bucketAllowsABurstThenTheSteadyRate; a slow run may have refilled a little).
            #expect((1...60).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0))
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(try refused.object()["status"] as? Int == 429)
            // Another token is not held back by this one.
            #expect(try await APIClient(client: client, token: ggd).get("/api/v1/me").status == .ok)
            // The web is not rate limited by the API limits.
            #expect(try await client.execute(uri: "/login", method: .get).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func perAddressLimitCoversAnonymousAndMadeUpTokens(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.auth.apiRateLimit = APIRateLimit(tokenBurst: 100, tokenPerMinute: 600, addressBurst: 4, addressPerMinute: 1)
        try await buildApplication(config).test(.router) { client in
            for i in 0..<4 {
                #expect(try await APIClient(client: client, token: "dpk_made_up_\(i)").get("/api/v1/me").status == .unauthorized)
            }
            let refused = try await APIClient(client: client, token: nil).get("/api/v1/openapi.json")
            #expect(refused.status == .tooManyRequests)
            #expect((1...60).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0))
        }
    }
}
