import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// Hand-overs asked or answered at the same moment on two servers (two connection pools on one
/// database): one request may be pending per report, and of two answers one wins.
@Suite(.serialized) struct HandoverConcurrencyTests {
    @Test(arguments: TestDatabase.available)
    func twoRequestsAtOnceLeaveOnePendingHandover(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await AppDatabase.with(world.config) { first in
            try await AppDatabase.with(world.config) { second in
                let db = first.db()
                let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db)!
                let coordinator = try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db)!
                let reports = ReportStore(database: first)
                for round in 0..<12 {
                    let report = try await reports.create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                                          text: "Melding \(round)"), by: admin)
                    async let a = outcome { try await HandoverStore(database: first).request(
                        .init(organisation: world.ggd.uuidString, person: nil, reason: "Zorg"), for: report, by: admin) }
                    async let b = outcome { try await HandoverStore(database: second).request(
                        .init(organisation: world.corporation.uuidString, person: nil, reason: "Woning"), for: report, by: coordinator) }
                    let results = await [a, b]
                    let pending = try await Handover.query(on: db).filter(\.$subjectID == report.id!)
                        .filter(\.$status == HandoverStatus.requested.rawValue).count()
                    #expect(pending == 1, "round \(round): \(results)")
                    #expect(results.filter { $0 == "ok" }.count == 1, "round \(round): \(results)")
                    #expect(results.filter { $0 == "conflict" }.count == 1, "round \(round): \(results)")
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func twoAnswersAtOnceOneWins(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await AppDatabase.with(world.config) { first in
            try await AppDatabase.with(world.config) { second in
                let db = first.db()
                let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db)!
                let ggd = try await Principal.load(userID: world.users[.ggd]!, via: .session, on: db)!
                let reports = ReportStore(database: first)
                for round in 0..<8 {
                    let created = try await reports.create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                                           text: "Melding \(round)"), by: admin)
                    let handover = try await HandoverStore(database: first).request(
                        .init(organisation: world.ggd.uuidString, person: nil, reason: "Zorg"), for: created, by: admin)
                    // The receiver accepts while the sender withdraws.
                    let forAccept = try await Report.find(created.id!, on: db)!, forWithdraw = try await Report.find(created.id!, on: db)!
                    let h1 = try await Handover.find(handover.id!, on: db)!, h2 = try await Handover.find(handover.id!, on: db)!
                    async let a = outcome { try await HandoverStore(database: first).answer(h1, .accept, reason: nil, report: forAccept, by: ggd) }
                    async let b = outcome { try await HandoverStore(database: second).answer(h2, .withdraw, reason: nil, report: forWithdraw, by: admin) }
                    let results = await [a, b]
                    #expect(results.sorted() == ["conflict", "ok"], "round \(round)")
                    let stored = try await Handover.find(handover.id!, on: db)!
                    let report = try await Report.find(created.id!, on: db)!
                    let answers = try await ReportEvent.query(on: db).filter(\.$reportID == created.id!)
                        .filter(\.$field == ReportField.handover.rawValue).filter(\.$toValue != HandoverStatus.requested.rawValue).count()
                    #expect(answers == 1, "round \(round)")
                    // The owner moved exactly when the accept won.
                    #expect((stored.handoverStatus == .accepted) == (report.ownerID == ggd.userID), "round \(round)")
                    #expect(stored.handoverStatus == .accepted || stored.handoverStatus == .withdrawn)
                }
            }
        }
    }
}

/// "ok", "conflict" (the store refused because of the other), or the error's type.
private func outcome(_ work: () async throws -> some Any) async -> String {
    do {
        _ = try await work()
        return "ok"
    } catch let error as AppError {
        if case .conflict = error { return "conflict" }
        return "\(error)"
    } catch {
        return "\(type(of: error)): \(error)"
    }
}
