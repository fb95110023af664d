import Foundation

/// When several signals about one person should make the district coordinator consider a case.
/// Pure: the store hands in what it read.
///
/// The organisations counted are the ones that *registered* the reports (the reporter's
/// organisation), not the responsible ones: routing sends every report of a category to the same
/// organisation kind, so responsible organisations say how reports were routed, while registering
/// organisations say how many parties saw something independently — which is what a repeat
/// concern is about. (A report registered by one and handled by another is one signal, not two.)
struct ConcernRule: Sendable, Equatable {
    /// N reports …
    var reports = 3
    /// … within M days.
    var days = 30

    static let `default` = ConcernRule()
}

enum ConcernRules {
    /// One linked report as the rules see it.
    struct Signal: Sendable, Equatable {
        let reportID: UUID
        /// The organisation of whoever registered the report (`nil`: none recorded).
        let organisation: UUID?
        let occurredAt: Date
    }

    enum Trigger: String, Sendable { case organisations, frequency }

    /// The last item for the person, as far as the rules need it.
    struct Previous: Sendable {
        let status: ConcernStatus
        let organisations: Set<UUID>
        let reportCount: Int
    }

    enum Decision: Equatable, Sendable {
        /// Nothing to raise.
        case none
        /// Raise a new item.
        case raise(Trigger)
        /// The open item stays the one item; bring its organisations and reports up to date.
        case refreshOpen
    }

    /// Which reports, at least `rule.reports` of them, fall within `rule.days` of each other (any
    /// window, by the day they happened).
    static func frequent(_ signals: [Signal], rule: ConcernRule) -> Bool {
        guard rule.reports > 0 else { return false }
        let dates = signals.map(\.occurredAt).sorted()
        guard dates.count >= rule.reports else { return false }
        let span = TimeInterval(rule.days) * 86_400
        for start in 0...(dates.count - rule.reports) where dates[start + rule.reports - 1].timeIntervalSince(dates[start]) <= span {
            return true
        }
        return false
    }

    /// The decision after a link. One open item per person: while it is open, later links only
    /// update it. After a decision (dismissed, or a case opened and since closed) a new item comes
    /// only when an organisation joins that the last item did not have, or `rule.reports` more
    /// reports than it had. A person with an open case gets none: the case is where it is handled.
    static func decide(_ signals: [Signal], previous: Previous?, hasOpenCase: Bool, rule: ConcernRule) -> Decision {
        let organisations = Set(signals.compactMap(\.organisation))
        let trigger: Trigger? = organisations.count >= 2 ? .organisations : frequent(signals, rule: rule) ? .frequency : nil
        if let previous, previous.status == .open { return .refreshOpen }
        guard !hasOpenCase, let trigger else { return .none }
        guard let previous else { return .raise(trigger) }
        let newOrganisation = !organisations.subtracting(previous.organisations).isEmpty && organisations.count >= 2
        let moreReports = signals.count >= previous.reportCount + max(rule.reports, 1)
        return newOrganisation || moreReports ? .raise(newOrganisation ? .organisations : trigger) : .none
    }
}
