import FluentKit
import Foundation

/// Decisions and the life of a stay: approve or reject (coordinators), start, extend with a
/// reason, end with an outcome, cancel. Each step is checked against `PlacementStep.allowed`,
/// written with its history row and audit entry in one transaction.
extension CoolingOffStore {
    struct StepDraft: Sendable {
        var dwelling: String?
        /// The day of a start or end (default today), or the new planned end of an extension.
        var day: String?
        var reason: String?
        var outcome: String?
    }

    func perform(_ step: PlacementStep, on placement: CoolingOffPlacement, with draft: StepDraft, by principal: Principal,
                 now: Date = .now) async throws {
        guard step != .request else { throw AppError.badRequest("A request is made with its own form.") }
        // Steps someone may not take do not exist for them (as everywhere in Doorpak: not found).
        guard PlacementPolicy(principal: principal).mayTake(step, on: placement) else { throw AppError.notFound }
        guard let next = step.next(from: placement.placementStatus) else {
            throw AppError.conflict("A \(placement.status) placement cannot \(step.rawValue).")
        }
        let db = database.db()
        var issues: [FieldIssue] = []
        let reason = draft.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if let issue = TextRules.check(reason, required: step == .extend || step == .reject || step == .cancel, max: 2000) {
            issues.append(FieldIssue("reason", issue))
        }
        let day = draft.day.flatMap { $0.isEmpty ? nil : $0 }
        let date = day.map { PlacementDays.parse($0) } ?? PlacementDays.noon(now)
        if day != nil, date == nil { issues.append(FieldIssue("day", "invalid")) }
        var value: String?
        var dwellingID = placement.dwellingID
        switch step {
        case .approve:
            if let raw = draft.dwelling, !raw.isEmpty { dwellingID = UUID(uuidString: raw) }
            let dwelling = try await dwellingID.asyncMap { try await CoolingOffDwelling.find($0, on: db) } ?? nil
            if dwelling == nil || dwelling?.active == false {
                issues.append(FieldIssue("dwelling", dwellingID == nil ? "required" : "unknown"))
            } else if let dwelling, issues.isEmpty {
                let availability = try await availability(on: db, today: now)
                if !availability.fits(dwelling.id!, capacity: dwelling.capacity, from: placement.proposedStart, through: placement.plannedEnd) {
                    issues.append(FieldIssue("dwelling", "full"))
                }
            }
            value = dwellingID?.uuidString
        case .extend:
            if day == nil { issues.append(FieldIssue("day", "required")) }
            else if let date, date <= PlacementDays.noon(placement.plannedEnd) { issues.append(FieldIssue("day", "out_of_range")) }
            if let date, let dwelling = placement.dwellingID, issues.isEmpty,
               let found = try await CoolingOffDwelling.find(dwelling, on: db) {
                // The extra days must fit (this stay itself is counted as taken up to its current end).
                let availability = try await availability(on: db, today: now)
                if !availability.fits(dwelling, capacity: found.capacity, from: PlacementDays.adding(1, to: placement.plannedEnd), through: date) {
                    issues.append(FieldIssue("day", "full"))
                }
            }
            value = date.map(Formats.isoDay)
        case .end:
            let outcome = draft.outcome.flatMap(PlacementOutcome.init(rawValue:))
            if outcome == nil { issues.append(FieldIssue("outcome", "required")) }
            if outcome == .other, reason.isEmpty { issues.append(FieldIssue("reason", "required")) }
            if let date, let started = placement.startedOn, date < PlacementDays.noon(started) { issues.append(FieldIssue("day", "out_of_range")) }
            value = outcome?.rawValue
        case .start:
            value = date.map(Formats.isoDay)
        case .reject, .cancel, .request:
            break
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        let from = placement.status
        placement.status = next.rawValue
        switch step {
        case .approve: placement.dwellingID = dwellingID
        case .start: placement.startedOn = date
        case .extend: placement.plannedEnd = date!
        case .end:
            placement.endedOn = date
            placement.outcome = draft.outcome
        default: break
        }
        placement.updatedAt = now.wholeSeconds
        let recorded = value
        let pseudonym = step == .approve || step == .reject ? try await PersonRecord.find(placement.personID, on: db)?.pseudonym : nil
        try await db.transaction { tx in
            try await placement.update(on: tx)
            try await CoolingOffEvent(placementID: placement.id!, at: now, actorID: principal.userID, kind: step, value: recorded,
                                      reason: reason.isEmpty ? nil : reason).create(on: tx)
            try await Audit.record(.update, "cooling_off_placement", placement.id!.uuidString, by: principal,
                                   purpose: "\(step.rawValue): \(from) → \(next.rawValue)", on: tx)
            // The requester hears the decision (the pseudonym and the link only).
            if step == .approve || step == .reject, let pseudonym {
                try await FollowThroughNotices.send(step == .approve ? .placementApproved : .placementRefused, about: pseudonym,
                                                    link: Self.link(placement), to: [placement.requestedBy], except: principal.userID, on: tx, now: now)
            }
        }
    }
}
