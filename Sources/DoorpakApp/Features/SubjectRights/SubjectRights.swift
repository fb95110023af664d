import Foundation

/// Data-subject rights (GDPR art. 15 and 17) handled by privacy officers and administrators:
/// the only door a privacy officer has to a person. Every use needs the request's reference
/// ("AVG-verzoek 2026-014"), which goes into the access log's purpose.
///
/// Correction (art. 16) is not here: `PersonStore.update` changes a person with one audit entry
/// but keeps no trail of the old values, so there is nothing to link to yet.
enum SubjectRights {
    /// What an erased person's name becomes (sealed like any name, so key rotation still works).
    static let tombstone = "[gewist / erased]"

    static func mayHandle(_ principal: Principal) -> Bool { principal.role == .privacyOfficer || principal.isAdministrator }

    /// The request's reference, trimmed; 5 to 200 characters.
    static func checkReason(_ raw: String) throws -> String {
        let reason = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 200) { throw AppError.invalid([FieldIssue("reason", issue)]) }
        if reason.count < 5 { throw AppError.invalid([FieldIssue("reason", "too_short")]) }
        return reason
    }
}

/// Why an erasure request is refused. Each names what holds the data.
enum ErasureRefusal: Equatable, Sendable {
    /// The person is in a case that is still open.
    case openCase(reference: String)
    /// The person is in a closed case: the case keeps its file (cases have no retention period yet, as in the purge).
    case closedCase(reference: String)
    /// A linked report is still open (new or in progress).
    case openReport(reference: String)
    /// A linked closed or resolved report is within its retention period until `until`.
    case reportRetained(reference: String, until: Date)
    /// A cooling-off placement is requested, approved or active.
    case placementOpen(status: String)

    var code: String {
        switch self {
        case .openCase: "open_case"
        case .closedCase: "closed_case"
        case .openReport: "open_report"
        case .reportRetained: "report_retained"
        case .placementOpen: "placement_open"
        }
    }
}

/// Whether a person may be erased now, and if not, every reason why. Pure: the store gathers the facts.
enum ErasureRules {
    struct LinkedReport: Sendable {
        let reference: String
        let status: ReportStatus
        let updatedAt: Date
    }

    struct Facts: Sendable {
        var cases: [(reference: String, phase: CasePhase)] = []
        /// Reports the person is linked to (current links only).
        var reports: [LinkedReport] = []
        var placements: [PlacementStatus] = []
    }

    static func refusals(_ facts: Facts, schedule: RetentionSchedule, now: Date) -> [ErasureRefusal] {
        var out: [ErasureRefusal] = []
        for file in facts.cases {
            out.append(file.phase == .closed ? .closedCase(reference: file.reference) : .openCase(reference: file.reference))
        }
        for report in facts.reports {
            switch report.status {
            case .new, .inProgress: out.append(.openReport(reference: report.reference))
            case .closed, .resolved:
                let type: RetentionRecordType = report.status == .closed ? .closedReports : .resolvedReports
                let until = report.updatedAt.addingTimeInterval(Double(schedule.days(for: type)) * 86_400)
                if until > now { out.append(.reportRetained(reference: report.reference, until: until)) }
            }
        }
        for status in facts.placements where status.isOpen { out.append(.placementOpen(status: status.rawValue)) }
        return out
    }
}
