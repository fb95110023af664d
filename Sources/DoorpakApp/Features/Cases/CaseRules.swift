import Foundation

/// The phases of a case, in order. Work moves one phase forward or back; closing is possible from
/// any open phase and needs an outcome and a reason; a closed case can be reopened (to analysis).
enum CasePhase: String, Codable, CaseIterable, Sendable {
    case registration, analysis, plan, execution, aftercare, closed

    static let open: [CasePhase] = [.registration, .analysis, .plan, .execution, .aftercare]

    /// The phases this one may move to without closing.
    var neighbours: [CasePhase] {
        guard let index = Self.open.firstIndex(of: self) else { return [] }
        return [index - 1, index + 1].filter { Self.open.indices.contains($0) }.map { Self.open[$0] }
    }

    enum Change: Equatable, Sendable { case allowed, refused, outcomeAndReasonRequired, reasonRequired }

    static func check(from: CasePhase, to: CasePhase, outcome: CaseOutcome?, reason: String?) -> Change {
        let hasReason = !(reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        switch (from, to) {
        case (.closed, .analysis): return hasReason ? .allowed : .reasonRequired
        case (.closed, _): return .refused
        case (_, .closed): return outcome != nil && hasReason ? .allowed : .outcomeAndReasonRequired
        default: return from.neighbours.contains(to) ? .allowed : .refused
        }
    }
}

enum CaseOutcome: String, Codable, CaseIterable, Sendable {
    case stabilised, referredToCare = "referred_to_care", movedAway = "moved_away", careRefused = "care_refused", other
}

/// Why data is shared with a member (`domain.md`).
enum LegalBasis: String, Codable, CaseIterable, Sendable {
    case consent, legalTask = "legal_task", vitalInterest = "vital_interest", covenant
}

/// Who may read a note. A member whose consent was withdrawn sees nothing written after that.
enum CaseNoteAccess {
    static func mayRead(_ note: CaseNote, userID: UUID, directorID: UUID, member: CaseMember?) -> Bool {
        if userID == directorID { return true }
        guard let member, member.endedAt == nil else { return false }
        if let withdrawn = member.consentWithdrawnAt, note.createdAt >= withdrawn { return false }
        return !note.sensitive || note.readerIDs.contains(userID)
    }
}
