import FluentKit
import Foundation
import SQLKit

/// Issue 12: direction proposals with an answer deadline (escalated like hand-overs), and a
/// reference for case meetings (`CO-2026-000012`). Proposals already waiting get a row (due from
/// their case's last change); meetings already planned get a reference in order of creation.
struct AddCaseFollowThrough: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseDirectionProposal.schema)
            .id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("case_reference", .string, .required)
            .field("district_id", .uuid)
            .field("proposed_by", .uuid, .required, .references(User.schema, "id"))
            .field("proposed_to", .uuid, .required, .references(User.schema, "id"))
            .field("to_organisation_id", .uuid)
            .field("urgency", .int, .required)
            .field("status", .string, .required)
            .field("proposed_at", .datetime, .required)
            .field("answer_due_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("answered_by", .uuid, .references(User.schema, "id"))
            .field("escalation_level", .int, .required)
            .create()
        let sql = database.sql
        try await sql.raw("CREATE INDEX case_direction_proposals_case ON case_direction_proposals (case_id, status)").run()
        try await sql.raw("CREATE INDEX case_direction_proposals_to ON case_direction_proposals (status, proposed_to)").run()
        try await sql.raw("CREATE INDEX case_direction_proposals_due ON case_direction_proposals (status, escalation_level, answer_due_at)").run()
        let timing = EscalationTiming.defaults(.normal)
        let calendar = try await RoutingStore.calendar(on: database)
        for file in try await CaseFile.query(on: database).filter(\.$proposedDirectorID != nil).all() {
            let user = try await User.find(file.proposedDirectorID!, on: database)
            let proposal = CaseDirectionProposal()
            proposal.caseID = file.id!
            proposal.caseReference = file.reference
            proposal.districtID = file.districtID
            proposal.proposedBy = file.directorID
            proposal.proposedTo = file.proposedDirectorID!
            proposal.toOrganisationID = user?.organisationID
            proposal.urgency = Urgency.normal.rawValue
            proposal.status = file.casePhase == .closed ? DirectionProposalStatus.withdrawn.rawValue : DirectionProposalStatus.requested.rawValue
            proposal.proposedAt = file.updatedAt
            proposal.answerDueAt = EscalationLadder.handoverDeadline(requestedAt: file.updatedAt, timing: timing, calendar: calendar)
            proposal.escalationLevel = 0
            try await proposal.create(on: database)
        }
        try await database.schema(CaseMeeting.schema).field("reference", .string).update()
        // Raw rows: the model's reference is required, and these rows have none yet.
        let rows = try await sql.raw("SELECT id, created_at FROM case_meetings ORDER BY created_at, id").all()
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self), createdAt = try row.decode(column: "created_at", as: Date.self)
            let reference = try await CaseMeetingStore.nextReference(now: createdAt, on: database)
            try await sql.raw("UPDATE case_meetings SET reference = \(bind: reference) WHERE id = \(bind: id)").run()
        }
        try await sql.create(index: "case_meetings_reference").unique().on(CaseMeeting.schema).column("reference").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseDirectionProposal.schema).delete()
        try await database.schema(CaseMeeting.schema).deleteField("reference").update()
    }
}
