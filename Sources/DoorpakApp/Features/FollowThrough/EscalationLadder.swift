import Foundation

/// The rungs of the escalation ladder (`domain.md`): handler → team lead → organisation manager →
/// district coordinator → breakthrough meeting → board. `reminder` goes to the handler before
/// the deadline; every later rung after the deadline has passed.
enum EscalationLevel: Int, Codable, CaseIterable, Comparable, Sendable {
    case none = 0, reminder, teamLead, manager, coordinator, breakthrough, board

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    var code: String {
        switch self {
        case .none: "none"
        case .reminder: "reminder"
        case .teamLead: "team_lead"
        case .manager: "manager"
        case .coordinator: "coordinator"
        case .breakthrough: "breakthrough"
        case .board: "board"
        }
    }
    /// The rungs a job can climb to, in order.
    static let steps: [EscalationLevel] = [.reminder, .teamLead, .manager, .coordinator, .breakthrough, .board]
}

/// When each rung is reached, for one urgency: the reminder some hours before the deadline, the
/// other rungs a number of working days after it.
struct EscalationTiming: Sendable, Equatable {
    var reminderHours: Int
    var teamLeadDays: Int
    var managerDays: Int
    var coordinatorDays: Int
    var breakthroughDays: Int
    var boardDays: Int
    /// How many working days a receiver has to answer a hand-over before it counts as overdue.
    var handoverAnswerDays: Int

    /// Working days after the deadline for a rung (the reminder has none).
    func days(_ level: EscalationLevel) -> Int {
        switch level {
        case .none, .reminder: 0
        case .teamLead: teamLeadDays
        case .manager: managerDays
        case .coordinator: coordinatorDays
        case .breakthrough: breakthroughDays
        case .board: boardDays
        }
    }

    /// Later rungs never come before earlier ones.
    var isOrdered: Bool {
        reminderHours >= 0 && teamLeadDays >= 0 && teamLeadDays <= managerDays && managerDays <= coordinatorDays
            && coordinatorDays <= breakthroughDays && breakthroughDays <= boardDays && handoverAnswerDays >= 1
    }

    /// The defaults per urgency: the more urgent, the faster the ladder.
    static func defaults(_ urgency: Urgency) -> EscalationTiming {
        switch urgency {
        case .critical: .init(reminderHours: 2, teamLeadDays: 0, managerDays: 1, coordinatorDays: 1, breakthroughDays: 3, boardDays: 5, handoverAnswerDays: 1)
        case .high: .init(reminderHours: 8, teamLeadDays: 0, managerDays: 1, coordinatorDays: 2, breakthroughDays: 5, boardDays: 10, handoverAnswerDays: 1)
        case .normal: .init(reminderHours: 24, teamLeadDays: 1, managerDays: 2, coordinatorDays: 5, breakthroughDays: 10, boardDays: 20, handoverAnswerDays: 2)
        case .low: .init(reminderHours: 24, teamLeadDays: 2, managerDays: 5, coordinatorDays: 10, breakthroughDays: 15, boardDays: 30, handoverAnswerDays: 3)
        }
    }
}

/// Which rung an item with a deadline has reached at a moment. Pure: the job and the pages use it,
/// and the job's database queries use the same cut-offs.
enum EscalationLadder {
    /// The deadlines that have reached `level` at `now`: the reminder some hours before the deadline,
    /// the other rungs when `WorkingDayCalendar.adding` says their working days after the deadline
    /// have run (`deadlinesPassed`), also for a deadline on a weekend, holiday or closure day.
    static func cutoff(_ level: EscalationLevel, timing: EscalationTiming, now: Date, calendar: WorkingDayCalendar) -> DeadlineCutoff {
        switch level {
        case .none: .never
        case .reminder: DeadlineCutoff(before: now.addingTimeInterval(TimeInterval(timing.reminderHours) * 3600))
        default: calendar.deadlinesPassed(workingDays: timing.days(level), at: now)
        }
    }

    /// The highest rung reached by an item due at `deadline`: the same cut-offs the job queries with.
    static func level(deadline: Date, timing: EscalationTiming, now: Date, calendar: WorkingDayCalendar) -> EscalationLevel {
        EscalationLevel.steps.last { cutoff($0, timing: timing, now: now, calendar: calendar).contains(deadline) } ?? .none
    }

    /// The deadline for answering a hand-over requested at `requestedAt`.
    static func handoverDeadline(requestedAt: Date, timing: EscalationTiming, calendar: WorkingDayCalendar) -> Date {
        calendar.adding(workingDays: timing.handoverAnswerDays, to: requestedAt)
    }
}
