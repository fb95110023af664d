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

    @Test func operatorRatesDeriveTheBurstAndZeroLiftsALimit() {
        let config = AppConfig(environment: ["DOORPAK_API_RATE_LIMIT": "2", "DOORPAK_API_ADDRESS_RATE_LIMIT": "0"])
        #expect(config.auth.apiRateLimit == APIRateLimit(tokenBurst: 2, tokenPerMinute: 2, addressBurst: 0, addressPerMinute: 0))
        #expect(config.auth.apiRateLimit?.limitsTokens == true)
        #expect(config.auth.apiRateLimit?.limitsAddresses == false)
        // The defaults keep their burst when given again; larger rates keep a fifth of the minute at once.
        var sized = AppConfig()
        sized.setAPIRateLimit(perToken: 600, perAddress: 6000)
        #expect(sized.auth.apiRateLimit?.tokenBurst == 120)
        #expect(sized.auth.apiRateLimit?.addressBurst == 1200)
        #expect(APIRateLimit.burst(perMinute: 30) == 10)
        // Nothing given: the limits stay as they were (here: off).
        var off = AppConfig()
        off.auth.apiRateLimit = nil
        off.setAPIRateLimit()
        #expect(off.auth.apiRateLimit == nil)
        // Made-up values are ignored.
        #expect(AppConfig(environment: ["DOORPAK_API_RATE_LIMIT": "-1"]).auth.apiRateLimit == APIRateLimit())
    }

    @Test(arguments: TestDatabase.available)
    func perTokenRateSetToTwoRefusesTheThirdCallAndZeroLiftsIt(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let police = try await world.token(for: .police)
        var config = world.config
        config.auth.apiRateLimit = APIRateLimit()
        config.setAPIRateLimit(perToken: 2)
        try await buildApplication(config).test(.router) { client in
            let api = APIClient(client: client, token: police)
            for _ in 0..<2 { #expect(try await api.get("/api/v1/me").status == .ok) }
            let refused = try await api.get("/api/v1/me")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect((1...60).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0))
            #expect(try refused.object()["status"] as? Int == 429)
        }
        config.setAPIRateLimit(perToken: 0)
        try await buildApplication(config).test(.router) { client in
            let api = APIClient(client: client, token: police)
            // More than the default burst of a token (120 at once).
            var refused = 0
            for _ in 0..<130 where try await api.get("/api/v1/me").status != .ok { refused += 1 }
            #expect(refused == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func perAddressRateSetToTwoCoversCookieAndAnonymousCallsAndZeroLiftsIt(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.auth.apiRateLimit = APIRateLimit()
        config.setAPIRateLimit(perToken: 0, perAddress: 2)
        try await buildApplication(config).test(.router) { client in
            let anonymous = APIClient(client: client, token: nil)
            for _ in 0..<2 { #expect(try await anonymous.get("/api/v1/openapi.json").status == .ok) }
            let refused = try await anonymous.get("/api/v1/openapi.json")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect((1...60).contains(Int(refused.headers[.retryAfter] ?? "") ?? 0))
        }
        config.setAPIRateLimit(perAddress: 0)
        try await buildApplication(config).test(.router) { client in
            let anonymous = APIClient(client: client, token: nil)
            var refused = 0
            for _ in 0..<250 where try await anonymous.get("/api/v1/openapi.json").status != .ok { refused += 1 }
            #expect(refused == 0)
        }
    }
}
