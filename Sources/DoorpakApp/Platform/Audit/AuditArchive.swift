import Crypto
import FluentKit
import Foundation
import SQLKit

/// Archiving the oldest part of the access log (`doorpak audit archive --before <date> --to <file>`)
/// without losing verifiability:
///
/// 1. the chain is verified first (a broken chain is not archived);
/// 2. the prefix of entries written before the date (in `seq` order, stopping at the first later
///    one) goes to a JSON-lines file, one entry per line with every hashed field, its `seq`,
///    `prev_hash` and `hash`, so the file re-verifies on its own;
/// 3. in one transaction the append-only triggers are dropped, the archived entries deleted, an
///    anchor row written (`audit_chain_anchors`: the last archived `seq` and `hash`, the count, the
///    file's name and SHA-256), the triggers installed again, and an `archived` entry appended.
///
/// `AuditChain.verify` then starts at the latest anchor: the first remaining entry must follow it
/// (its `prev_hash` is the anchor's hash), so removing, editing or reordering remaining entries is
/// still found. `verifyArchive` checks a file against the anchors: its entries chain from the
/// anchor before them (or the genesis), its last entry is an anchor, and its SHA-256 matches.
enum AuditArchive {
    static let anchorTable = "audit_chain_anchors"

    /// One archive run, as recorded in the database.
    struct Anchor: Sendable, Equatable {
        let seq: Int
        let hash: String
        let count: Int
        let file: String
        let sha256: String
    }

    /// One line of an archive file.
    struct Line: Codable, Sendable, Equatable {
        var seq: Int
        var id: String
        /// Milliseconds since 1970: exactly what the hash covers.
        var atMillis: Int64
        var userId: String?
        var role: String?
        var action: String
        var recordType: String
        var recordId: String?
        var purpose: String?
        var prevHash: String
        var hash: String

        init(_ entry: AuditEntry) {
            seq = entry.seq ?? 0
            id = entry.id?.uuidString.lowercased() ?? ""
            atMillis = AuditChain.milliseconds(entry.at)
            userId = entry.userID?.uuidString.lowercased()
            role = entry.role
            action = entry.action
            recordType = entry.recordType
            recordId = entry.recordID
            purpose = entry.purpose
            prevHash = entry.prevHash ?? ""
            hash = entry.hash ?? ""
        }

        /// The entry as the chain sees it (for re-hashing).
        var entry: AuditEntry {
            let entry = AuditEntry()
            entry.id = UUID(uuidString: id)
            entry.at = Date(timeIntervalSince1970: Double(atMillis) / 1000)
            entry.userID = userId.flatMap(UUID.init(uuidString:))
            entry.role = role
            entry.action = action
            entry.recordType = recordType
            entry.recordID = recordId
            entry.purpose = purpose
            entry.seq = seq
            entry.prevHash = prevHash
            entry.hash = hash
            return entry
        }
    }

    enum ArchiveError: Error, CustomStringConvertible, Equatable {
        case chainBroken(String)
        case fileExists(String)
        case nothingToArchive

        var description: String {
            switch self {
            case .chainBroken(let message): "the access log's chain is broken, nothing archived: \(message)"
            case .fileExists(let path): "\(path) exists already: choose a new file"
            case .nothingToArchive: "no entries before that date: nothing archived"
            }
        }
    }

    struct Outcome: Sendable, Equatable {
        let count: Int
        let firstSeq: Int
        let lastSeq: Int
        let sha256: String
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }



    /// Checks an archive file against the recorded anchors: every line re-hashes and chains from the
    /// anchor before it (or the genesis); the last line is an anchor; the file's SHA-256 is the
    /// anchor's. Names the first broken entry like `AuditChain.verify`.
    static func verifyArchive(_ data: Data, anchors: [Anchor]) -> AuditChain.Result {
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var entries: [AuditEntry] = []
        for raw in lines {
            guard let line = try? JSONDecoder().decode(Line.self, from: Data(raw.utf8)) else {
                return .broken(seq: (entries.last?.seq ?? 0) + 1, problem: .unchained)
            }
            entries.append(line.entry)
        }
        guard let first = entries.first, let firstSeq = first.seq, let last = entries.last, let lastSeq = last.seq else {
            return .broken(seq: 0, problem: .unchained)
        }
        // Where the file must start: right after an anchor (or at the very beginning).
        let before = anchors.last { $0.seq < lastSeq && $0.seq < firstSeq }
        var verifier = AuditChain.Verifier(after: before.map { AuditChain.Head(seq: $0.seq, hash: $0.hash) })
        for entry in entries {
            if let broken = verifier.check(entry) { return broken }
        }
        guard let anchor = anchors.first(where: { $0.seq == lastSeq }) else {
            return .broken(seq: lastSeq + 1, problem: .headMismatch(headSeq: anchors.first { $0.seq > lastSeq }?.seq ?? lastSeq))
        }
        if anchor.hash != last.hash { return .broken(seq: lastSeq, problem: .hashMismatch) }
        if anchor.sha256 != sha256(data) { return .broken(seq: firstSeq, problem: .archiveDigestMismatch) }
        return .ok(count: entries.count)
    }
}
