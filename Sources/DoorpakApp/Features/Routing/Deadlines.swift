import Foundation

/// Where a report stands against a deadline. Shown as text on every page, never as colour alone.
enum DeadlineState: String, Codable, CaseIterable, Sendable {
    case onTime = "on_time", dueSoon = "due_soon", overdue, none

    /// The state of one deadline at `now`: overdue once passed, due soon when it falls within one
    /// working day from now, else on time. `nil` deadline: none.
    static func of(_ due: Date?, now: Date, calendar: WorkingDayCalendar) -> DeadlineState {
        guard let due else { return .none }
        if due < now { return .overdue }
        if due <= calendar.adding(workingDays: 1, to: now) { return .dueSoon }
        return .onTime
    }

    /// How bad, for picking the worse of two.
    private var severity: Int {
        switch self {
        case .none: 0
        case .onTime: 1
        case .dueSoon: 2
        case .overdue: 3
        }
    }

    static func worst(_ states: [DeadlineState]) -> DeadlineState { states.max { $0.severity < $1.severity } ?? .none }
}

/// The deadlines that apply to a report at a moment: acknowledging while it is new, resolving
/// while it is open. A resolved or closed report has no running deadline.
struct ReportDeadlines: Sendable {
    let acknowledge: DeadlineState
    let resolve: DeadlineState

    init(_ report: Report, now: Date, calendar: WorkingDayCalendar) {
        let status = report.reportStatus
        acknowledge = status == .new ? DeadlineState.of(report.acknowledgeDueAt, now: now, calendar: calendar) : .none
        resolve = status.isOpen ? DeadlineState.of(report.resolveDueAt, now: now, calendar: calendar) : .none
    }

    /// The report's overall state: the worse of its running deadlines.
    var overall: DeadlineState { DeadlineState.worst([acknowledge, resolve]) }
}
