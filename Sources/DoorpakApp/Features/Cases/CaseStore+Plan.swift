import FluentKit
import Foundation
import SQLKit

/// The case page's substance, for the HTML routes and the JSON API alike (each takes the `Access`
/// from `find(reference:by:)`; field problems come back as `AppError.invalid` with these names):
/// - plan: `goals(of:access:)`, `addGoal(domain:text:to:access:by:)` (`goal_domain`, `goal_text`),
///   `closeGoal(_:status:result:in:access:by:)` (`goal_status`, `goal_result`; a second closing is a conflict)
/// - factors: `factors(of:access:)`, `recordFactors(present:in:access:by:)` (`factors`), `factorCounts(by:)`
/// - actions: `actions(of:)`, `goalLinks(of:)`, `openActionCount(of:)`, `addAction(_:goal:to:access:by:)`
///   (`title`, `organisation`, `assignee`, `due_on`, `goal`), `closeAction(_:_:in:access:by:)` (`result`, `reason`;
///   403 from `ActionStore.mayClose`), closing the case: `changePhase(...cancelOpenActions:...)` (`phase`: `case_open_actions`)
/// - reports: `linkReports(_:to:access:by:)` (`report_references`), `linkedReports(of:by:)`
/// - cooling-off: `requestPlacement(_:for:in:by:)` (the placement request's own field names)
/// - timeline: `timeline(of:access:by:)` → `CaseTimeline.sorted` (locale keys and parts; details only for content readers)
///
/// The case plan (goals per life domain) and the structured factors. Only the director (and
/// administrators) change them; members read them; the district coordinator sees the goals'
/// domains and statuses but never their texts, and no factors (they are largely health data).
/// A closed case's plan is frozen until the case is reopened.
extension CaseStore {
    /// A goal as the user may see it: `text`/`result` are `nil` for metadata-only access.
    struct PlanGoal: Sendable {
        let goal: CaseGoal
        let text: String?
        let result: String?
    }

    /// The plan's goals in domain order, oldest first within a domain.
    func goals(of file: CaseFile, access: Access) async throws -> [PlanGoal] {
        let rows = try await CaseGoal.query(on: database.db()).filter(\.$caseID == file.id!).sort(\.$createdAt).all()
        let order = Dictionary(uniqueKeysWithValues: LifeDomain.allCases.enumerated().map { ($1, $0) })
        let sorted = rows.enumerated().sorted { a, b in
            let (x, y) = (order[a.element.lifeDomain] ?? 0, order[b.element.lifeDomain] ?? 0)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        guard access.readsContent else { return sorted.map { PlanGoal(goal: $0, text: nil, result: nil) } }
        // A member whose consent was withdrawn sees the goals set before, without later results.
        return try sorted.filter { access.reads(writtenAt: $0.createdAt) }.map { goal in
            if !access.reads(writtenAt: goal.closedAt ?? goal.createdAt) {
                // Closed after the withdrawal: as it stood then (in memory only, never saved).
                goal.status = GoalStatus.open.rawValue
                goal.resultSealed = nil
                goal.closedAt = nil
                goal.closedBy = nil
            }
            return PlanGoal(goal: goal, text: try persons.cipher.open(goal.textSealed), result: try goal.resultSealed.map(persons.cipher.open))
        }
    }

    /// Adds a goal to the plan (director or administrator).
    func addGoal(domain: String?, text: String?, to file: CaseFile, access: Access, by principal: Principal,
                 now: Date = .now) async throws -> CaseGoal {
        try requireDirector(access)
        try requireOpen(file)
        var issues: [FieldIssue] = []
        let lifeDomain = domain.flatMap(LifeDomain.init(rawValue:))
        if lifeDomain == nil { issues.append(FieldIssue("goal_domain", (domain ?? "").isEmpty ? "required" : "unknown")) }
        let text = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(text, required: true, max: 2000) { issues.append(FieldIssue("goal_text", issue)) }
        guard issues.isEmpty, let lifeDomain else { throw AppError.invalid(issues) }
        let goal = CaseGoal()
        goal.id = UUID()
        goal.caseID = file.id!
        goal.domain = lifeDomain.rawValue
        goal.textSealed = try persons.cipher.seal(text)
        goal.status = GoalStatus.open.rawValue
        goal.createdBy = principal.userID
        goal.createdAt = now.wholeSeconds
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "goal_added", to: lifeDomain.rawValue),
                        by: principal) { tx in try await goal.create(on: tx) }
        return goal
    }

    /// Closes an open goal as achieved or dropped, with a short result (director or administrator).
    func closeGoal(_ goalID: UUID, status: String?, result: String?, in file: CaseFile, access: Access, by principal: Principal,
                   now: Date = .now) async throws {
        try requireDirector(access)
        try requireOpen(file)
        guard let goal = try await CaseGoal.find(goalID, on: database.db()), goal.caseID == file.id else { throw AppError.notFound }
        guard goal.goalStatus.isOpen else { throw AppError.conflict("The goal is already closed.") }
        var issues: [FieldIssue] = []
        let target = status.flatMap(GoalStatus.init(rawValue:))
        if target == nil || target == .open { issues.append(FieldIssue("goal_status", (status ?? "").isEmpty ? "required" : "unknown")) }
        let result = (result ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(result, required: true, max: 1000) { issues.append(FieldIssue("goal_result", issue)) }
        guard issues.isEmpty, let target else { throw AppError.invalid(issues) }
        goal.status = target.rawValue
        goal.resultSealed = try persons.cipher.seal(result)
        goal.closedBy = principal.userID
        goal.closedAt = now.wholeSeconds
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "goal_closed", from: goal.domain,
                                        to: target.rawValue), by: principal) { tx in
            // Only a still-open goal changes: of two closings at once, one wins.
            let won = try await tx.sql.raw("""
                UPDATE case_goals SET status = \(bind: target.rawValue)
                WHERE id = \(bind: goalID) AND status = \(bind: GoalStatus.open.rawValue) RETURNING id
                """).all()
            guard !won.isEmpty else { throw AppError.conflict("The goal is already closed.") }
            try await goal.update(on: tx)
        }
    }

    func requireOpen(_ file: CaseFile) throws {
        guard file.casePhase != .closed else { throw AppError.conflict("A closed case does not change; reopen it first.") }
    }

    // MARK: Factors

    /// The factors recorded for a case (content access only; the coordinator gets none).
    func factors(of file: CaseFile, access: Access) async throws -> [CaseFactor: CaseFactorRecord] {
        guard access.readsContent else { return [:] }
        let rows = try await CaseFactorRecord.query(on: database.db()).filter(\.$caseID == file.id!).all()
            .filter { access.reads(writtenAt: $0.recordedAt) }
        return Dictionary(rows.compactMap { row in row.factor.map { ($0, row) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Records every factor on the list: the given codes as present, the others as absent. Unknown
    /// codes are refused. Only changed factors are written, each with a `factor` history entry.
    @discardableResult
    func recordFactors(present codes: [String], in file: CaseFile, access: Access, by principal: Principal,
                       now: Date = .now) async throws -> [CaseFactorRules.Change] {
        try requireDirector(access)
        try requireOpen(file)
        let unknown = codes.filter { !CaseFactor.allowedCodes.contains($0) }
        guard unknown.isEmpty else { throw AppError.invalid([FieldIssue("factors", "unknown")]) }
        let db = database.db()
        let rows = try await CaseFactorRecord.query(on: db).filter(\.$caseID == file.id!).all()
        let current = Dictionary(rows.compactMap { row in row.factor.map { ($0, row.present) } }, uniquingKeysWith: { a, _ in a })
        let changes = CaseFactorRules.changes(current: current, present: Set(codes.compactMap(CaseFactor.init(rawValue:))))
        guard !changes.isEmpty else { return [] }
        let caseID = file.id!, actor = principal.userID, at = now.wholeSeconds
        file.updatedAt = at
        try await database.db().transaction { tx in
            try await file.update(on: tx)
            for change in changes {
                if let row = try await CaseFactorRecord.query(on: tx).filter(\.$caseID == caseID).filter(\.$code == change.factor.rawValue).first() {
                    row.present = change.to
                    row.recordedBy = actor
                    row.recordedAt = at
                    try await row.update(on: tx)
                } else {
                    let row = CaseFactorRecord()
                    row.caseID = caseID
                    row.code = change.factor.rawValue
                    row.present = change.to
                    row.recordedBy = actor
                    row.recordedAt = at
                    try await row.create(on: tx)
                }
                try await CaseEvent(caseID: caseID, at: at, actorID: actor, kind: "factor", from: change.from.map(Self.word),
                                    to: Self.word(change.to), reason: change.factor.rawValue).create(on: tx)
            }
            try await Audit.record(.update, "case", file.reference, by: principal, purpose: "factors", on: tx)
        }
        return changes
    }

    private static func word(_ present: Bool) -> String { present ? "present" : "absent" }

    /// Per factor, in how many cases it is recorded present and in how many recorded at all, for
    /// policy staff comparing cases: analysts and administrators over all cases, coordinators over
    /// their districts' cases. Counts only, never a case; everyone else gets 404.
    func factorCounts(by principal: Principal) async throws -> [CaseFactor: (present: SuppressedCount, recorded: SuppressedCount)] {
        let db = database.db()
        let query = CaseFactorRecord.query(on: db)
        switch principal.role {
        case .administrator, .analyst: break
        case .coordinator:
            let ids = try await CaseFile.query(on: db).filter(\.$districtID ~~ principal.districtIDs).all().compactMap(\.id)
            query.filter(\.$caseID ~~ ids)
        default: throw AppError.notFound
        }
        var counts: [CaseFactor: (present: Int, recorded: Int)] = Dictionary(uniqueKeysWithValues: CaseFactor.allCases.map { ($0, (0, 0)) })
        for row in try await query.all() {
            guard let factor = row.factor else { continue }
            counts[factor] = (counts[factor]!.present + (row.present ? 1 : 0), counts[factor]!.recorded + 1)
        }
        return counts.mapValues { (SuppressedCount($0.present), SuppressedCount($0.recorded)) }
    }
}
