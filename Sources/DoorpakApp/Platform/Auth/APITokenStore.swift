import FluentKit
import Foundation

/// The door to the `api_tokens` table for the platform's own needs (authentication, and revoking a
/// user's tokens where their credentials change); the user's own list, creation and revocation are
/// `AccountStore`'s.
enum APITokenStore {
    /// Revokes every live token of a user, inside the caller's transaction: called wherever a
    /// password changes, two-factor is removed or the account is deactivated, so a token taken
    /// before cannot outlive what the user did to lock it out.
    static func revokeAll(of userID: UUID, on tx: any Database) async throws {
        try await APIToken.query(on: tx).filter(\.$userID == userID).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: .now).update()
    }

    /// The live token with this hash, if any.
    static func live(hash: String, on db: any Database) async throws -> APIToken? {
        try await APIToken.query(on: db).filter(\.$tokenHash == hash).filter(\.$revokedAt == nil)
            .filter(\.$expiresAt > .now).first()
    }
}
