import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Retention and purge with a moved clock: what has expired goes with its whole file and leaves a
/// destruction record without personal data; open reports, open follow-through and the access
/// log stay; periods are set by administrators and read by privacy officers.
@Suite struct RetentionTests {
    static let day: TimeInterval = 86_400

    /// Closes the northern report (last changed `now`) and gives it a note; the southern one stays open.
    static func closeNorth(_ world: TestWorld, now: Date) async throws -> UUID {
        try await world.withDatabase { database in
            let db = database.db()
            let report = try #require(try await Report.query(on: db).filter(\.$reference == world.reportNorth).first())
            report.status = ReportStatus.closed.rawValue
            report.updatedAt = now
            try await report.update(on: db)
            try await ReportNote(reportID: report.id!, authorID: world.users[.admin]!, body: "Afgehandeld met bewoner", createdAt: now).create(on: db)
            return report.id!
        }
    }

    static func counts(_ world: TestWorld) async throws -> (reports: Int, notes: Int, events: Int, audit: Int, records: Int) {
        try await world.withDatabase { database in
            let db = database.db()
            return (try await Report.query(on: db).count(), try await ReportNote.query(on: db).count(), try await ReportEvent.query(on: db).count(),
                    try await AuditEntry.query(on: db).count(), try await DestructionRecord.query(on: db).count())
        }
    }

    @Test(arguments: TestDatabase.available)
    func closedReportsGoAfterTheirPeriodAndOpenOnesStay(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let north = try await Self.closeNorth(world, now: now)
        let before = try await Self.counts(world)

        // A day before the period ends: nothing is due.
        let early = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: now.addingTimeInterval(729 * Self.day), dryRun: false, method: "command") }
        #expect(early.first { $0.type == .closedReports }?.count == 0)
        let v1 = try await Self.counts(world).reports
        #expect(v1 == before.reports)

        // Past it: a dry run counts and changes nothing.
        let later = now.addingTimeInterval(731 * Self.day)
        let dry = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: later, dryRun: true, method: "command") }
        #expect(dry.first { $0.type == .closedReports }?.count == 1)
        let v2 = try await Self.counts(world).reports
        #expect(v2 == before.reports)
        let v3 = try await Self.counts(world).records
        #expect(v3 == 0)

        let done = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: later, dryRun: false, method: "command") }
        #expect(done.first { $0.type == .closedReports }?.count == 1)
        let after = try await Self.counts(world)
        #expect(after.reports == before.reports - 1)
        #expect(after.notes == 0)
        try await world.withDatabase { database in
            let db = database.db()
            let v4 = try await Report.find(north, on: db)
            #expect(v4 == nil)
            let v5 = try await ReportEvent.query(on: db).filter(\.$reportID == north).count()
            #expect(v5 == 0)
            // The open report is untouched, however old.
            let v6 = try await Report.query(on: db).filter(\.$reference == world.reportSouth).first()
            #expect(v6 != nil)
            // One destruction record: type, count, period, cut-off; nothing that names the report.
            let record = try #require(try await DestructionRecord.query(on: db).filter(\.$recordType == "reports_closed").first())
            #expect(record.count == 1)
            #expect(record.periodDays == 730)
            #expect(abs(record.cutoff.timeIntervalSince(later.addingTimeInterval(-730 * Self.day))) < 1)
            #expect(record.method == "command")
            // The access log keeps growing (append-only), with an entry for the destruction.
            let entry = try #require(try await AuditEntry.query(on: db).filter(\.$action == "destroyed").first())
            #expect(entry.recordID == record.id?.uuidString)
            #expect(!(entry.purpose ?? "").contains(world.reportNorth))
            #expect(try await AuditChain.verify(on: db).isOK)
        }
        #expect(after.audit > before.audit)
        // A second run finds nothing more.
        let again = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: later, dryRun: false, method: "command") }
        #expect(again.first { $0.type == .closedReports }?.count == 0)
    }

    @Test(arguments: TestDatabase.available)
    func openFollowThroughHoldsAClosedReport(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let north = try await Self.closeNorth(world, now: now)
        try await world.withDatabase { database in
            let action = Action()
            action.subjectKind = "report"
            action.subjectID = north
            action.subjectReference = world.reportNorth
            action.districtID = world.districtNorth
            action.title = "Nagesprek"
            action.urgency = 2
            action.organisationID = world.police
            action.dueOn = "2030-01-01"
            action.status = "open"
            action.createdBy = world.users[.admin]!
            action.createdAt = now
            action.escalationLevel = 0
            try await action.create(on: database.db())
        }
        let later = now.addingTimeInterval(3000 * Self.day)
        let outcome = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: later, dryRun: false, method: "job") }
        #expect(outcome.first { $0.type == .closedReports }?.count == 0)
        let kept = try await world.withDatabase { try await Report.find(north, on: $0.db()) }
        #expect(kept != nil)
    }

    @Test(arguments: TestDatabase.available)
    func aReportInACaseIsKept(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        let north = try await Self.closeNorth(world, now: now)
        try await world.withDatabase { database in
            let file = try await RetentionHoldTests.openCase(world, database, now: now)
            try await CaseReport(caseID: file.id!, reportID: north).create(on: database.db())
        }
        let later = now.addingTimeInterval(3000 * Self.day)
        let outcome = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: later, dryRun: false, method: "job") }
        #expect(outcome.first { $0.type == .closedReports }?.count == 0)
        let kept = try await world.withDatabase { try await Report.find(north, on: $0.db()) }
        #expect(kept != nil)
    }

    @Test(arguments: TestDatabase.available)
    func expiredSessionsAndAttemptsGoButTheAccessLogNeverDoes(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now
        try await world.withDatabase { database in
            let db = database.db()
            try await PersistEntry(key: "hbs.old", value: "{}", expires: now.addingTimeInterval(-60)).create(on: db)
            try await PersistEntry(key: "hbs.live", value: "{}", expires: now.addingTimeInterval(3600)).create(on: db)
            try await LoginAttempt(key: "account:x", at: now.addingTimeInterval(-40 * Self.day)).create(on: db)
            try await LoginAttempt(key: "account:y", at: now).create(on: db)
        }
        let audit = try await Self.counts(world).audit
        let outcome = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: now, dryRun: false, method: "job") }
        #expect(outcome.first { $0.type == .sessions }?.count == 1)
        #expect(outcome.first { $0.type == .loginAttempts }?.count == 1)
        try await world.withDatabase { database in
            let db = database.db()
            let v7 = try await PersistEntry.find("hbs.live", on: db)
            #expect(v7 != nil)
            let v8 = try await PersistEntry.find("hbs.old", on: db)
            #expect(v8 == nil)
            let v9 = try await LoginAttempt.query(on: db).count()
            #expect(v9 == 1)
        }
        // Ten years on the log is reported as due for archival, and still all there.
        let far = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: now.addingTimeInterval(3700 * Self.day), dryRun: false, method: "job") }
        #expect((far.first { $0.type == .auditEntries }?.count ?? 0) >= audit)
        let v10 = try await Self.counts(world).audit
        #expect(v10 >= audit)
    }

    @Test(arguments: TestDatabase.available)
    func administratorsSetPeriodsAndPrivacyOfficersSeeTheRecords(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let v11 = try await admin.get("/admin/retention").status
            #expect(v11 == .ok)
            var fields = RetentionRecordType.allCases.map { ($0.rawValue, String($0.defaultDays)) }
            let closedReports = try #require(RetentionRecordType.allCases.firstIndex(of: .closedReports))
            // Out of range: nothing saved, the form again with the error beside the field.
            fields[closedReports].1 = "3"
            let refused = try await admin.post("/admin/retention", fields)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("reports_closed-error"))
            #expect(refused.text.contains("value=\"3\""))
            fields[closedReports].1 = "365"
            let saved = try await admin.post("/admin/retention", fields)
            #expect(saved.status == .seeOther)
            try await world.withDatabase { database in
                let v12 = try await RetentionSchedule.load(on: database.db()).days(for: .closedReports)
                #expect(v12 == 365)
                let v13 = try await AuditEntry.query(on: database.db()).filter(\.$recordType == "retention_period").count()
                #expect(v13 == 1)
            }

            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            let v14 = try await coordinator.get("/retention").status
            #expect(v14 == .notFound)
            let v15 = try await coordinator.get("/admin/retention").status
            #expect(v15 == .notFound)
            let denied = try await coordinator.post("/admin/retention", fields)
            #expect(denied.status == .notFound)
        }
        // The new period applies: a report closed 400 days ago goes.
        let now = Date.now
        _ = try await Self.closeNorth(world, now: now)
        _ = try await world.withDatabase { try await RetentionPurge(database: $0).run(now: now.addingTimeInterval(400 * Self.day), dryRun: false, method: "job") }
        try await buildApplication(world.config).test(.router) { client in
            let privacy = Browser(client)
            try await privacy.signIn(.privacyOfficer)
            let page = try await privacy.get("/retention")
            #expect(page.status == .ok)
            #expect(page.text.contains("destruction-table"))
            #expect(!page.text.contains(world.reportNorth))
            let token = try await world.token(for: .privacyOfficer)
            let api = try await APIClient(client: client, token: token).get("/api/v1/destruction-records")
            #expect(api.status == .ok)
            let items = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any])["items"] as? [[String: Any]]
            let reports = items?.first { $0["recordType"] as? String == "reports_closed" }
            #expect(reports?["count"] as? Int == 1)
            #expect(reports?["periodDays"] as? Int == 365)
        }
    }
}
