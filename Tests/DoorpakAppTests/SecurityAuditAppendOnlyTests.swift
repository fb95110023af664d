import FluentKit
import Foundation
import SQLKit
import Testing
@testable import DoorpakApp

/// The access log is append-only in the database itself: UPDATE and DELETE (and TRUNCATE on
/// PostgreSQL) are refused by triggers, whoever sends them, while appending still works.
@Suite struct SecurityAuditAppendOnlyTests {
    @Test(arguments: TestDatabase.available)
    func theDatabaseRefusesChangesToTheLog(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let sql = database.sql()
            let before = try await AuditEntry.query(on: database.db()).count()
            #expect(before >= 2)
            await #expect(throws: (any Error).self) {
                try await sql.raw("UPDATE audit_entries SET purpose = 'changed' WHERE seq = 1").run()
            }
            await #expect(throws: (any Error).self) {
                try await sql.raw("DELETE FROM audit_entries WHERE seq = 1").run()
            }
            await #expect(throws: (any Error).self) {
                try await sql.raw("DELETE FROM audit_entries").run()
            }
            // Through the ORM too.
            let first = try #require(try await AuditEntry.query(on: database.db()).sort(\.$seq).first())
            first.purpose = "changed"
            await #expect(throws: (any Error).self) { try await first.update(on: database.db()) }
            await #expect(throws: (any Error).self) { try await first.delete(on: database.db()) }
            if database.isPostgres {
                await #expect(throws: (any Error).self) { try await sql.raw("TRUNCATE audit_entries").run() }
            }
            // Appending still works, and the chain is intact.
            try await Audit.record(.read, "report", world.reportNorth, by: nil, purpose: "test", on: database.db())
            let after = try await AuditEntry.query(on: database.db()).count()
            #expect(after == before + 1)
            let unchanged = try await AuditEntry.query(on: database.db()).filter(\.$purpose == "changed").count()
            #expect(unchanged == 0)
            let verdict = try await AuditChain.verify(on: database.db())
            #expect(verdict.isOK)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRefusedChangeRollsBackItsTransaction(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { database in
            let reports = try await Report.query(on: database.db()).count()
            await #expect(throws: (any Error).self) {
                try await database.db().transaction { tx in
                    try await Report.query(on: tx).filter(\.$reference == world.reportNorth).delete()
                    try await tx.sql.raw("DELETE FROM audit_entries WHERE seq = 1").run()
                }
            }
            // The report deletion before the refused statement did not commit either.
            let still = try await Report.query(on: database.db()).count()
            #expect(still == reports)
        }
    }
}
