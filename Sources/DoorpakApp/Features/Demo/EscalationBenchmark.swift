import FluentKit
import Foundation
import SQLKit

/// `doorpak-bench --escalation`: one escalation pass over N open reports. After the benchmark's
/// bulk load, every report is made open with a deadline (a third new against the acknowledgement
/// deadline, the rest in progress against the resolution deadline): most not yet due, a few
/// percent newly due (one rung below where the ladder says they belong), the rest long overdue
/// and already on their rung. Then it times (a) the first pass, which takes the newly due steps,
/// and (b) steady passes at the same moment, which find nothing to do.
extension Benchmarks {
    struct EscalationMix: Sendable {
        /// Share of reports that are newly due: one rung below their level.
        var newlyDue = 0.02
        /// Share that is long overdue and already on its rung.
        var longOverdue = 0.08
    }

    static func benchEscalation(_ database: AppDatabase, options: Options, now: Date) async throws {
        let clock = ContinuousClock()
        let db = database.db()
        let mix = EscalationMix()
        let calendar = try await RoutingStore.calendar(on: db)
        let timings = try await EscalationStore.timings(on: db)
        // Where each rung's cut-off lies at `now`, per urgency: a deadline before it has reached the rung.
        var cutoffs: [Int: [(EscalationLevel, DeadlineCutoff)]] = [:]
        for urgency in Urgency.allCases {
            let timing = timings[urgency] ?? .defaults(urgency)
            cutoffs[urgency.rawValue] = EscalationLevel.steps.map { ($0, EscalationLadder.cutoff($0, timing: timing, now: now, calendar: calendar)) }
        }
        func level(_ deadline: Date, urgency: Int) -> EscalationLevel {
            cutoffs[urgency]?.last { $0.1.contains(deadline) }?.0 ?? .none
        }

        // Plan every report's status, deadlines and rung.
        var started = clock.now
        let rows = try await db.sql.raw("SELECT id, urgency FROM reports").all()
        var random = SystemRandomNumberGenerator()
        struct Row { let id: UUID; let status: String; let acknowledge: Date; let resolve: Date; let level: Int }
        var plan: [Row] = []
        plan.reserveCapacity(rows.count)
        var expectedSteps = 0
        var byLevel = [Int](repeating: 0, count: EscalationLevel.allCases.count)
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            let urgency = try row.decode(column: "urgency", as: Int.self)
            let timing = timings[Urgency(rawValue: urgency) ?? .normal] ?? .defaults(.normal)
            let isNew = Double.random(in: 0..<1, using: &random) < 1.0 / 3
            let roll = Double.random(in: 0..<1, using: &random)
            let deadline: Date
            var rung: Int
            if roll < mix.newlyDue {
                // Due within the reminder window up to two weeks ago: one rung still to take.
                deadline = now.addingTimeInterval(Double.random(in: -14 * 86_400...Double(timing.reminderHours) * 3600 - 60, using: &random))
                rung = level(deadline, urgency: urgency).rawValue
                if rung > 0 { expectedSteps += 1; rung -= 1 }
            } else if roll < mix.newlyDue + mix.longOverdue {
                // Overdue for two weeks to a year: on its rung already.
                deadline = now.addingTimeInterval(-Double.random(in: 14 * 86_400...365 * 86_400, using: &random))
                rung = level(deadline, urgency: urgency).rawValue
            } else {
                // Not due yet, nor within the reminder window.
                deadline = now.addingTimeInterval(Double(timing.reminderHours) * 3600 + Double.random(in: 3600...30 * 86_400, using: &random))
                rung = 0
            }
            byLevel[rung] += 1
            let acknowledge = isNew ? deadline : deadline.addingTimeInterval(-5 * 86_400)
            let resolve = isNew ? deadline.addingTimeInterval(7 * 86_400) : deadline
            plan.append(Row(id: id, status: isNew ? ReportStatus.new.rawValue : ReportStatus.inProgress.rawValue,
                            acknowledge: acknowledge.wholeSeconds, resolve: resolve.wholeSeconds, level: rung))
        }
        let planTime = started.duration(to: clock.now)

        // Write it: one UPDATE … FROM (VALUES …) per 6,000 rows, 60,000 rows per transaction.
        started = clock.now
        let perStatement = 6_000, perTransaction = 60_000
        var start = 0
        while start < plan.count {
            let end = min(start + perTransaction, plan.count)
            let slice = plan[start..<end]
            try await db.transaction { tx in
                var from = slice.startIndex
                while from < slice.endIndex {
                    let to = min(from + perStatement, slice.endIndex)
                    let values = SQLList(slice[from..<to].map { row in
                        SQLGroupExpression(SQLList([SQLBind(row.id), SQLBind(row.status), SQLBind(row.acknowledge), SQLBind(row.resolve),
                                                    SQLBind(row.level)]))
                    })
                    try await tx.sql.raw("""
                        UPDATE reports SET status = v.column2, acknowledge_due_at = v.column3, resolve_due_at = v.column4,
                            escalation_level = v.column5
                        FROM (VALUES \(values)) AS v WHERE reports.id = v.column1
                        """).run()
                    from = to
                }
            }
            start = end
        }
        if database.isPostgres {
            try await database.sql().raw("VACUUM (ANALYZE) reports").run()
        } else {
            try await database.sql().raw("ANALYZE").run()
        }
        let writeTime = started.duration(to: clock.now)
        let levels = EscalationLevel.allCases.map { "\($0.code) \(number(byLevel[$0.rawValue]))" }.joined(separator: ", ")
        print("escalation setup: \(number(plan.count)) open reports planned in \(seconds(planTime)), written and analysed in "
              + "\(seconds(writeTime)); rungs before the pass: \(levels); newly due steps expected: \(number(expectedSteps))")

        let job = EscalationJob(database: database)
        started = clock.now
        let first = try await job.pass(now: now)
        let firstTime = started.duration(to: clock.now)
        let firstSeconds = Double(firstTime.components.seconds) + Double(firstTime.components.attoseconds) / 1e18
        print(String(format: "first pass: %@ steps in %.2f s = %@ steps/s (expected %@)", number(first.steps), firstSeconds,
                     number(Int(Double(first.steps) / max(firstSeconds, 0.001))), number(expectedSteps)))

        var samples: [Double] = []
        var leftover = 0
        for _ in 0..<max(1, options.escalationRuns) {
            let before = clock.now
            leftover += try await job.pass(now: now).steps
            let time = before.duration(to: clock.now)
            samples.append((Double(time.components.seconds) + Double(time.components.attoseconds) / 1e18) * 1000)
        }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double { sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        print(String(format: "steady pass (nothing to do, %d runs, %@ steps taken): p50 %.1f ms · p95 %.1f ms · max %.1f ms",
                     sorted.count, number(leftover), percentile(0.5), percentile(0.95), sorted.last ?? .nan))
    }
}
