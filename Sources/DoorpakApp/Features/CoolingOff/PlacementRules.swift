import Foundation

/// Where a placement is: requested → approved (or rejected) → active → ended; a request or an
/// approved placement that has not started can be cancelled.
enum PlacementStatus: String, Codable, CaseIterable, Sendable {
    case requested, approved, rejected, active, ended, cancelled

    /// Holds a place in the calendar.
    var occupies: Bool { self == .approved || self == .active }
    var isOpen: Bool { self == .requested || self == .approved || self == .active }
}

/// What can happen to a placement; the history's event kinds.
enum PlacementStep: String, Codable, CaseIterable, Sendable {
    case request, approve, reject, start, extend, end, cancel

    /// The one table of allowed steps.
    static let allowed: [PlacementStatus: [PlacementStep: PlacementStatus]] = [
        .requested: [.approve: .approved, .reject: .rejected, .cancel: .cancelled],
        .approved: [.start: .active, .cancel: .cancelled, .extend: .approved],
        .active: [.extend: .active, .end: .ended],
    ]

    func next(from status: PlacementStatus) -> PlacementStatus? { Self.allowed[status]?[self] }

    /// Only coordinators (and administrators) decide on requests.
    var needsCoordinator: Bool { self == .approve || self == .reject }
}

/// Who may see and move a cooling-off placement, decided in one place: the store scopes its
/// queries and guards every step with it, and the pages ask it which forms to show.
/// Coordinators (and administrators, who configure the register) decide on requests and so see
/// every open placement, but the person's name only when the person is in their own sight;
/// administrators never by role (their persons are pseudonyms, `PersonStore.detailsVisible`).
/// Whoever requested a placement follows it; whoever sees the person sees their placements.
struct PlacementPolicy: Sendable {
    let principal: Principal

    /// Deciding on requests and keeping the register of dwellings.
    var manages: Bool { principal.role == .administrator || principal.role == .coordinator }

    /// Whether this placement exists for the user at all.
    func sees(_ placement: CoolingOffPlacement, personVisible: Bool) -> Bool {
        personVisible || manages || placement.requestedBy == principal.userID
    }

    /// Whether the person's name shows (else the pseudonym).
    func showsName(personVisible: Bool) -> Bool { personVisible && !principal.isAdministrator }

    /// Whether the user may take this step on the placement.
    func mayTake(_ step: PlacementStep, on placement: CoolingOffPlacement) -> Bool {
        step.needsCoordinator ? manages : manages || placement.requestedBy == principal.userID
    }
}

/// How a stay ended.
enum PlacementOutcome: String, Codable, CaseIterable, Sendable {
    case returnedToLocation = "returned_to_location", movedElsewhere = "moved_elsewhere", other
}

/// Days as noon in Amsterdam, and the arithmetic on them the calendar needs.
enum PlacementDays {
    static func noon(_ date: Date) -> Date {
        let calendar = Formats.calendar
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: 12))!
    }

    static func adding(_ days: Int, to date: Date) -> Date {
        Formats.calendar.date(byAdding: .day, value: days, to: noon(date))!
    }

    static func parse(_ text: String?) -> Date? { text.flatMap { Formats.parse(day: $0, time: "12:00") } }
}

/// Per dwelling and day: how many places are taken. Pure, so the calendar and the approval check
/// agree by construction.
struct Availability: Sendable {
    struct Stay: Sendable {
        let dwellingID: UUID
        let from: Date
        /// Inclusive last day.
        let through: Date
    }

    let stays: [Stay]

    /// The days a placement occupies: from its (actual or proposed) start through its planned end,
    /// or through today when an active stay has passed its planned end.
    static func stay(of placement: CoolingOffPlacement, today: Date) -> Stay? {
        guard placement.placementStatus.occupies, let dwelling = placement.dwellingID else { return nil }
        let from = PlacementDays.noon(placement.startedOn ?? placement.proposedStart)
        var through = PlacementDays.noon(placement.plannedEnd)
        if placement.placementStatus == .active, through < PlacementDays.noon(today) { through = PlacementDays.noon(today) }
        return Stay(dwellingID: dwelling, from: from, through: through)
    }

    func taken(_ dwelling: UUID, on day: Date) -> Int {
        let day = PlacementDays.noon(day)
        return stays.filter { $0.dwellingID == dwelling && $0.from <= day && day <= $0.through }.count
    }

    /// Whether `dwelling` has a free place on every day from `from` through `through`.
    func fits(_ dwelling: UUID, capacity: Int, from: Date, through: Date) -> Bool {
        var day = PlacementDays.noon(from)
        let last = PlacementDays.noon(through)
        while day <= last {
            if taken(dwelling, on: day) >= capacity { return false }
            day = PlacementDays.adding(1, to: day)
        }
        return true
    }
}

/// A stay that has passed its planned end without being ended.
enum PlacementWarning {
    static func isOverdue(_ placement: CoolingOffPlacement, today: Date) -> Bool {
        placement.placementStatus == .active && PlacementDays.noon(placement.plannedEnd) < PlacementDays.noon(today)
    }
}
