import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// Retention does what `docs/retention.md` says (issue 11): notes follow their report, a person
/// goes a year after their last link ended, and held records never block newer expired ones.
@Suite struct RetentionHoldTests {
    static let day: TimeInterval = 86_400

    static func admin(_ world: TestWorld, _ db: AppDatabase) async throws -> Principal {
        try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
    }

    /// A closed report (last changed `at`), optionally held by a case.
    static func closedReport(_ world: TestWorld, _ db: AppDatabase, at: Date, inCase: CaseFile?) async throws -> UUID {
        let report = try await ReportStore(database: db).create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                                                 text: "Afgesloten melding"), by: try await admin(world, db))
        report.status = ReportStatus.closed.rawValue
        report.updatedAt = at
        try await report.update(on: db.db())
        if let inCase { try await CaseReport(caseID: inCase.id!, reportID: report.id!).create(on: db.db()) }
        return report.id!
    }

    static func openCase(_ world: TestWorld, _ db: AppDatabase, now: Date) async throws -> CaseFile {
        let file = CaseFile()
        file.reference = "CS-2026-000099"
        file.openingReason = "Zorgen"
        file.phase = "registration"
        file.directorID = world.users[.coordinatorNorth]!
        file.districtID = world.districtNorth
        file.openedBy = world.users[.coordinatorNorth]!
        file.openedAt = now
        file.updatedAt = now
        try await file.create(on: db.db())
        return file
    }

    @Test(arguments: TestDatabase.available)
    func notesFollowTheirReport(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let reportID = try await world.withDatabase { db in
            let file = try await Self.openCase(world, db, now: now)
            let id = try await Self.closedReport(world, db, at: now, inCase: file)
            try await ReportNote(reportID: id, authorID: world.users[.admin]!, body: "Hoort bij de casus", createdAt: now).create(on: db.db())
            return id
        }
        let later = now.addingTimeInterval(3000 * Self.day)
        let outcome = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: later, dryRun: false, method: "job") }
        #expect(outcome.first { $0.type == .notes }?.count == 0)
        let notes = try await world.withDatabase { try await ReportNote.query(on: $0.db()).filter(\.$reportID == reportID).count() }
        #expect(notes == 1, "a note of a report held by a case stays with it")
    }

    @Test(arguments: TestDatabase.available)
    func heldRecordsNeverBlockNewerExpiredOnes(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let (held, expired) = try await world.withDatabase { db in
            let file = try await Self.openCase(world, db, now: now)
            var held: [UUID] = []
            // More held reports than a batch (and than a page of candidates), all older than the expired one.
            for index in 0..<7 { held.append(try await Self.closedReport(world, db, at: now.addingTimeInterval(Double(index) * 60), inCase: file)) }
            let expired = try await Self.closedReport(world, db, at: now.addingTimeInterval(3600), inCase: nil)
            return (held, expired)
        }
        let later = now.addingTimeInterval(3000 * Self.day)
        let outcome = try await world.withDatabase { try await RetentionPurge(database: $0, batch: 2).run(now: later, dryRun: false, method: "job") }
        #expect(outcome.first { $0.type == .closedReports }?.count == 1)
        let (gone, kept) = try await world.withDatabase { db in
            (try await Report.find(expired, on: db.db()) == nil, try await Report.query(on: db.db()).filter(\.$id ~~ held).count())
        }
        #expect(gone, "the newer expired report went")
        #expect(kept == held.count, "the held ones stay")
    }

    @Test(arguments: TestDatabase.available)
    func aPersonGoesAYearAfterTheirLastLinkEnded(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let pseudonym = try await world.withDatabase { db in
            let admin = try await Self.admin(world, db)
            let store = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
            let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: admin)
            let linked = try await store.link(PersonDraft(name: "Bewaar Termijn"), role: "witness", to: report, by: admin,
                                              now: now.addingTimeInterval(-400 * Self.day))
            try await store.unlink(pseudonym: linked.pseudonym, from: report, by: admin, now: now)
            return linked.pseudonym
        }
        func exists() async throws -> Bool {
            try await world.withDatabase { try await PersonRecord.query(on: $0.db()).filter(\.$pseudonym == pseudonym).count() == 1 }
        }
        // Last changed 400 days ago, but the link ended today: a year from today.
        _ = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: now.addingTimeInterval(100 * Self.day), dryRun: false, method: "job") }
        #expect(try await exists())
        let outcome = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: now.addingTimeInterval(366 * Self.day), dryRun: false, method: "job") }
        #expect(outcome.first { $0.type == .persons }?.count == 1)
        #expect(try await !exists(), "a year after the last link ended the person goes (the ended link with them)")
    }
}
