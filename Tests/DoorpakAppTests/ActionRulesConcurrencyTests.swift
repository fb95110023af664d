import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// An action is closed once: done by one person and cancelled by another at the same moment, on
/// two servers (two connection pools on one database), one of them wins and the other is refused.
@Suite(.serialized) struct ActionRulesConcurrencyTests {
    @Test(arguments: TestDatabase.available)
    func doneAndCancelledAtOnceOneWins(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await AppDatabase.with(world.config) { first in
            try await AppDatabase.with(world.config) { second in
                let db = first.db()
                let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db)!
                let ggd = try await Principal.load(userID: world.users[.ggd]!, via: .session, on: db)!
                let report = try await Report.query(on: db).filter(\.$reference == world.reportNorth).first()!
                let subject = ActionSubject(report)
                for round in 0..<10 {
                    let action = try await ActionStore(database: first).add(
                        ActionDraft(title: "Actie \(round)", organisation: world.ggd.uuidString, assignee: nil, dueOn: Formats.isoDay(.now)),
                        to: subject, by: admin)
                    let a1 = try await Action.find(action.id!, on: db)!, a2 = try await Action.find(action.id!, on: db)!
                    async let done = outcome { try await ActionStore(database: first).close(a1, .done(result: "Gedaan"), subject: subject, by: ggd) }
                    async let cancelled = outcome { try await ActionStore(database: second).close(a2, .cancelled(reason: "Niet nodig"), subject: subject, by: admin) }
                    let results = await [done, cancelled]
                    #expect(results.sorted() == ["conflict", "ok"], "round \(round)")
                    let closings = try await ReportEvent.query(on: db).filter(\.$reportID == report.id!).filter(\.$field == ReportField.action.rawValue)
                        .filter(\.$fromValue == action.id!.uuidString).filter(\.$toValue != ActionStatus.open.rawValue).count()
                    #expect(closings == 1, "round \(round)")
                    let stored = try await Action.find(action.id!, on: db)!
                    // What is stored is what the winner wrote, not a mix of both.
                    #expect((stored.actionStatus == .done) == (stored.result != nil && stored.cancelReason == nil), "round \(round)")
                }
            }
        }
    }
}

private func outcome(_ work: () async throws -> Void) async -> String {
    do {
        try await work()
        return "ok"
    } catch let error as AppError {
        if case .conflict = error { return "conflict" }
        return "\(error)"
    } catch {
        return "\(type(of: error)): \(error)"
    }
}
