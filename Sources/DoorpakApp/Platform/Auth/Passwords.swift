import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Bcrypt hashing and checking, off the event loops. Bcrypt reads at most 72 bytes, so a longer
/// password (long passphrases, or non-Latin scripts at 2–4 bytes a character) is first reduced to
/// a SHA-256 digest, and none of its tail is lost. Passwords are NFKC-normalised by the callers
/// (`PasswordPolicy.normalise`).
struct Passwords: Sendable {
    let cost: UInt8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let input = Self.bcryptInput(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        let input = Self.bcryptInput(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: hash) }
    }

    static func bcryptInput(_ password: String) -> String {
        guard password.utf8.count > 72 else { return password }
        return "sha256:" + Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// The minimum length of a new password (NIST SP 800-63B: length, not composition rules).
    static let minimumLength = 12
}
