import FluentKit
import Foundation
import SQLKit

/// Signed-in principals kept in memory per instance, so that a request does not read the user,
/// their districts and their locations again (three queries on every signed-in request before).
///
/// Why it is safe: the database keeps one version number for everything a principal is made of
/// (`cache_versions`, row `principals`). Triggers on `users`, `user_districts` and `user_locations`
/// raise it in the same transaction as any write to them, whoever writes (a store, the command
/// line, another instance, a cascade). Every request reads that number (one primary-key read) and
/// uses a cached principal only when it was loaded under the same number, so a deactivated user, a
/// changed role, district, location, organisation, team or password takes effect on the very next
/// request, on every instance. Any write drops every cached principal: user writes are rare.
/// Sessions and tokens are still read per request (their revocation needs no extra step).
final class PrincipalCache: Sendable {
    /// A principal as loaded, with what the session check needs from the user row.
    struct Entry: Sendable {
        let principal: Principal
        /// `WebSession.credential(of:)` of the password hash the principal was loaded with.
        let credential: String
    }

    private let cache: VersionedCache<UUID, Entry>
    /// Above this many users the cache starts over (a bound on memory, not a working set).
    var capacity: Int { cache.capacity }

    init(capacity: Int = 20_000) { cache = VersionedCache(watching: "principals", capacity: capacity) }

    /// The entry for a user if it was loaded under `version`.
    func entry(_ userID: UUID, version: Int64) -> Entry? { cache.value(userID, version: version) }

    /// Keeps an entry loaded under `version` (read before the user was). An entry from an older
    /// version than the cache holds is dropped; a newer version starts the cache over.
    func store(_ entry: Entry, for userID: UUID, version: Int64) { cache.store(entry, for: userID, version: version) }

    var count: Int { cache.count }

    /// The current version of the principals' data; `nil` when the row is missing (then nothing is cached).
    static func version(on db: any SQLDatabase) async throws -> Int64? { try await CacheVersion.current("principals", on: db) }
}
