/// The life of a report (v1): new → in progress → resolved → closed, with reopening from
/// resolved or closed. The one place that says which status changes are allowed.
enum ReportStatus: String, Codable, CaseIterable, Sendable {
    case new
    case inProgress = "in_progress"
    case resolved
    case closed

    /// Every allowed change, and whether it needs a reason.
    static let transitions: [ReportStatus: [ReportStatus: ReasonRule]] = [
        .new: [.inProgress: .optional, .resolved: .optional, .closed: .required],
        .inProgress: [.resolved: .optional, .closed: .required],
        .resolved: [.closed: .optional, .inProgress: .required],
        .closed: [.inProgress: .required],
    ]

    enum ReasonRule: Sendable { case optional, required }

    /// The statuses this one may move to, in lifecycle order.
    var next: [ReportStatus] {
        let allowed = Self.transitions[self] ?? [:]
        return Self.allCases.filter { allowed[$0] != nil }
    }

    var isOpen: Bool { self == .new || self == .inProgress }

    /// Checks a change. Reopening (leaving resolved or closed) and closing without resolving need a reason.
    static func check(from: ReportStatus, to: ReportStatus, reason: String?) -> TransitionOutcome {
        guard let rule = transitions[from]?[to] else { return .refused }
        let hasReason = !(reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if rule == .required && !hasReason { return .reasonRequired }
        return .allowed
    }

    enum TransitionOutcome: Equatable, Sendable { case allowed, refused, reasonRequired }
}
