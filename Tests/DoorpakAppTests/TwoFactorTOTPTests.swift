import Foundation
import Testing
@testable import DoorpakApp

/// TOTP and base32 against the RFC test vectors; the time window and the refusal of reuse.
@Suite struct TwoFactorTOTPTests {
    /// RFC 6238 Appendix B, SHA-1 (secret "12345678901234567890", 8 digits).
    @Test(arguments: [
        (59.0, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func rfc6238Vectors(_ time: TimeInterval, _ expected: String) {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), digits: 8)
        #expect(totp.code(at: Date(timeIntervalSince1970: time)) == expected)
    }

    /// RFC 4226 Appendix D: HOTP values for counters 0…9 (6 digits).
    @Test func rfc4226Vectors() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        #expect((0..<10).map { totp.code(step: Int64($0)) } == expected)
    }

    @Test func base32RoundTripsAndMatchesRFC4648() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("f".utf8)) == "MY")
        #expect(Base32.decode("mzxw 6ytb-oi======") == Array("foobar".utf8))
        #expect(Base32.decode("MZ1") == nil)
        let secret = TOTP.generateSecret()
        #expect(secret.count == 20)
        #expect(Base32.decode(Base32.encode(secret)) == secret)
        #expect(Base32.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ")
    }

    @Test func acceptsOneStepEitherSideAndNothingFurther() {
        let totp = TOTP(secret: TOTP.generateSecret())
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = totp.step(at: now)
        #expect(totp.match(totp.code(step: step), at: now, after: nil) == step)
        #expect(totp.match(totp.code(step: step - 1), at: now, after: nil) == step - 1)
        #expect(totp.match(totp.code(step: step + 1), at: now, after: nil) == step + 1)
        let stale = totp.code(step: step - 2)
        if ![step - 1, step, step + 1].contains(where: { totp.code(step: $0) == stale }) {
            #expect(totp.match(stale, at: now, after: nil) == nil)
        }
        #expect(totp.match("12345", at: now, after: nil) == nil)
        #expect(totp.match("abcdef", at: now, after: nil) == nil)
    }

    @Test func refusesTheLastUsedStepAndOlderOnes() {
        let totp = TOTP(secret: TOTP.generateSecret())
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = totp.step(at: now)
        #expect(totp.match(totp.code(step: step), at: now, after: step) == nil)
        #expect(totp.match(totp.code(step: step - 1), at: now, after: step - 1) == nil)
        #expect(totp.match(totp.code(step: step + 1), at: now, after: step) == step + 1)
    }

    @Test func uriCarriesIssuerAccountAndSecret() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let uri = totp.uri(issuer: "Doorpak", account: "a.b@example.org")
        #expect(uri == "otpauth://totp/Doorpak:a.b@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Doorpak&algorithm=SHA1&digits=6&period=30")
    }
}
