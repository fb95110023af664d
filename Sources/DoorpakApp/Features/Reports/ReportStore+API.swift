import Foundation

/// Several changes to one report at once, as the API's PATCH sends them.
struct ReportChange: Sendable {
    var status: ReportStatus?
    var reason: String?
    var urgency: Urgency?
    /// `nil`: leave the owner; `.some(nil)`: clear it; `.some(id)`: give the report to `id`.
    var owner: UUID??
    var organisation: UUID?
    /// With a status that ends the report: cancel its open actions with the reason (coordinators and administrators).
    var closeOpenActions = false

    var touchesAssignment: Bool { urgency != nil || owner != nil || organisation != nil }
}

extension ReportStore {
    /// Applies a combined change through the same writes the web uses: the assignment through
    /// `assign`, then the status through `changeStatus`. The status change and the reason are
    /// checked before anything is written, so that a refused status change does not leave the
    /// assignment applied on its own. Asking for the status the report already has changes nothing.
    func update(_ report: Report, with change: ReportChange, by principal: Principal, now: Date = .now) async throws {
        let reason = change.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, let issue = TextRules.check(reason, required: false, max: 2000) {
            throw AppError.invalid([FieldIssue("reason", issue)])
        }
        let status = change.status == report.reportStatus ? nil : change.status
        if let status {
            switch ReportStatus.check(from: report.reportStatus, to: status, reason: reason) {
            case .refused: throw AppError.conflict("A report cannot move from \(report.status) to \(status.rawValue).")
            case .reasonRequired: throw AppError.invalid([FieldIssue("reason", "required")])
            case .allowed: break
            }
            // Ending a report with open actions: checked here too, before the assignment is written.
            if !status.isOpen, change.touchesAssignment,
               try await ActionStore.openCount(of: ActionSubject(report), on: database.db()) > 0 {
                guard change.closeOpenActions, ReportPolicy.coordinates(principal.role) else {
                    throw AppError.invalid([FieldIssue("status", "open_actions")])
                }
                if (reason ?? "").isEmpty { throw AppError.invalid([FieldIssue("reason", "required")]) }
            }
        }
        if change.touchesAssignment {
            try await assign(report, urgency: change.urgency, owner: change.owner, organisation: change.organisation,
                             reason: reason?.isEmpty == false ? reason : nil, by: principal, now: now)
        }
        if let status {
            try await changeStatus(report, to: status, reason: reason, closeOpenActions: change.closeOpenActions, by: principal, now: now)
        }
    }
}
