import HummingbirdBcrypt
import NIOPosix

/// Bcrypt hashing and checking, off the event loops.
struct Passwords: Sendable {
    let cost: UInt8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// The minimum length of a new password (NIST SP 800-63B: length, not composition rules).
    static let minimumLength = 12
}
