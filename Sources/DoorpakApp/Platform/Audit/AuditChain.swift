import Crypto
import FluentKit
import Foundation
import SQLKit

/// The hash chain over the access log. Every entry's hash covers its own canonical content and
/// the hash of the entry before it, so changing, removing or reordering any entry breaks every
/// hash after it; the one-row chain head (last `seq` and `hash`) also catches entries cut off
/// the end.
///
/// ## Appending under concurrency
/// An append first *updates* the head row (`seq = seq + 1 … RETURNING seq, hash`), then inserts
/// the entry and stores its hash in the head, all in the caller's transaction:
/// - PostgreSQL: the UPDATE takes the head row's lock until commit, so a second appender waits
///   and then, under READ COMMITTED, re-reads the committed head. This does what a
///   `pg_advisory_xact_lock` would, with a lock that lives in the data and works the same on SQLite.
/// - SQLite: transactions begin deferred, so a transaction that *read* the last entry first
///   could race another one to the write lock. Starting with a write makes the append take the
///   database's write lock before it reads the predecessor (BEGIN IMMEDIATE semantics for the
///   append); a waiting appender retries through the connection's busy handler instead of failing.
///   (A caller's transaction that *reads* before its first write can still be refused with
///   SQLITE_BUSY under contention — SQLite's own deadlock avoidance, for any write, not just the
///   log's. Then the whole transaction rolls back, entry included: never a fork. Retrying only the
///   append cannot help there, because the caller's read lock is what the other writer waits for;
///   hence the head UPDATE rather than "unique index + retry the append".)
/// On both, the unique index on `seq` refuses a second entry at the same position, so a fork can
/// never be committed even by code that bypasses `Audit.record`.
enum AuditChain {
    static let headTable = "audit_chain_head"
    /// The `prev_hash` of the first entry.
    static let genesis = String(repeating: "0", count: 64)

    /// Dates are kept to the millisecond: both databases store that exactly, so hashes survive a round trip.
    static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// The bytes an entry's hash covers: a version tag, then each field length-prefixed (`-` for none),
    /// so that no two different entries share a canonical form.
    static func canonical(_ entry: AuditEntry, seq: Int, prevHash: String) -> Data {
        let fields: [String?] = [
            "doorpak-audit-v1", entry.id?.uuidString.lowercased(), String(seq), String(milliseconds(entry.at)),
            entry.userID?.uuidString.lowercased(), entry.role, entry.action, entry.recordType, entry.recordID, entry.purpose, prevHash,
        ]
        let text = fields.map { field in field.map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: "\n")
        return Data(text.utf8)
    }

    static func hash(_ entry: AuditEntry, seq: Int, prevHash: String) -> String {
        SHA256.hash(data: canonical(entry, seq: seq, prevHash: prevHash)).map { String(format: "%02x", $0) }.joined()
    }

    struct Head: Sendable, Equatable {
        let seq: Int
        let hash: String
    }
}

enum AuditChainError: Error {
    case headMissing
}

// MARK: - Verification

extension AuditChain {
    /// What is wrong with the first broken entry.
    enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The entry has no chain fields at all.
        case unchained
        /// The entry is not at the position that follows the one before it (a removed or reordered entry).
        case outOfSequence(expected: Int)
        /// `prev_hash` is not the hash of the entry before it.
        case previousHashMismatch
        /// The stored hash does not match the entry's content (an edited entry).
        case hashMismatch
        /// The chain head names a later entry than the last one present (entries cut off the end),
        /// or a different hash for it.
        case headMismatch(headSeq: Int)
        /// An archive file's bytes differ from those recorded when it was written.
        case archiveDigestMismatch

        var description: String {
            switch self {
            case .unchained: "the entry has no sequence number or hash"
            case .outOfSequence(let expected): "expected entry \(expected) here (an entry was removed or moved)"
            case .previousHashMismatch: "its previous-entry hash does not match the entry before it"
            case .hashMismatch: "its content does not match its hash (the entry was changed)"
            case .headMismatch(let headSeq): "the chain head records entry \(headSeq) with another hash (entries were removed from the end)"
            case .archiveDigestMismatch: "the archive file's SHA-256 is not the one recorded when it was written (the file was changed)"
            }
        }
    }

    enum Result: Equatable, Sendable {
        case ok(count: Int)
        /// The first broken entry: its `seq` (or the position where one was expected) and what is wrong.
        case broken(seq: Int, problem: Problem)

        var isOK: Bool { if case .ok = self { true } else { false } }
    }

    /// Checks entries one at a time, in `seq` order, so a long log can be read in batches.
    struct Verifier: Sendable {
        private(set) var count = 0
        private var previousHash = AuditChain.genesis
        /// Entries checked (the count above is the last position, which starts at the anchor).
        private(set) var checked = 0

        init() {}

        /// A verifier that starts after an archived prefix: the next entry must be `anchor.seq + 1`
        /// and carry `anchor.hash` as its previous hash.
        init(after anchor: Head?) {
            if let anchor {
                count = anchor.seq
                previousHash = anchor.hash
            }
        }

        /// The problem with `entry`, or `nil` when it follows correctly.
        mutating func check(_ entry: AuditEntry) -> Result? {
            let expected = count + 1
            guard let seq = entry.seq, let prevHash = entry.prevHash, let hash = entry.hash else {
                return .broken(seq: entry.seq ?? expected, problem: .unchained)
            }
            guard seq == expected else { return .broken(seq: seq, problem: .outOfSequence(expected: expected)) }
            guard prevHash == previousHash else { return .broken(seq: seq, problem: .previousHashMismatch) }
            guard hash == AuditChain.hash(entry, seq: seq, prevHash: prevHash) else { return .broken(seq: seq, problem: .hashMismatch) }
            count = seq
            previousHash = hash
            checked += 1
            return nil
        }

        /// The verdict once every entry was checked; the head (when given) must name the last entry.
        func finish(head: Head?) -> Result {
            if let head, head.seq != count || (count > 0 && head.hash != previousHash) {
                return .broken(seq: count + 1, problem: .headMismatch(headSeq: head.seq))
            }
            return .ok(count: count)
        }
    }

    /// Verifies entries given in `seq` order (pure: no database).
    static func verify(_ entries: [AuditEntry], head: Head? = nil) -> Result {
        var verifier = Verifier()
        for entry in entries {
            if let broken = verifier.check(entry) { return broken }
        }
        return verifier.finish(head: head)
    }

}
