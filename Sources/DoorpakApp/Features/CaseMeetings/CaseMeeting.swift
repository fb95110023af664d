import FluentKit
import Foundation
import SQLKit

/// A case meeting ("casusoverleg"): partners meet at a planned moment to discuss an agenda of
/// cases. The meeting itself (when, where, who is invited, how many items) holds no personal data;
/// what is said about each case (minutes, decisions) is sealed like a case note.
final class CaseMeeting: Model, @unchecked Sendable {
    static let schema = "case_meetings"
    @ID(key: .id) var id: UUID?
    /// `CO-2026-000012`: how notices and people name the meeting.
    @Field(key: "reference") var reference: String
    @Field(key: "planned_at") var plannedAt: Date
    /// Free text ("Stadsdeelkantoor Noord, zaal 2"); optional.
    @OptionalField(key: "place") var place: String?
    /// A coordinator or a case director; they keep the agenda.
    @Field(key: "organiser_id") var organiserID: UUID
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var meetingStatus: CaseMeetingStatus { CaseMeetingStatus(rawValue: status) ?? .planned }
}

/// An organisation invited to a meeting: its users see the meeting (not every case on it).
final class CaseMeetingInvite: Model, @unchecked Sendable {
    static let schema = "case_meeting_invites"
    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "organisation_id") var organisationID: UUID
    init() {}
    init(meetingID: UUID, organisationID: UUID) { self.meetingID = meetingID; self.organisationID = organisationID }
}

/// A case on the agenda, and once discussed: its minutes (sealed), who recorded them and when.
final class CaseMeetingItem: Model, @unchecked Sendable {
    static let schema = "case_meeting_items"
    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "added_by") var addedBy: UUID
    @Field(key: "added_at") var addedAt: Date
    @OptionalField(key: "minutes_sealed") var minutesSealed: String?
    @OptionalField(key: "recorded_by") var recordedBy: UUID?
    @OptionalField(key: "recorded_at") var recordedAt: Date?
    init() {}

    var isRecorded: Bool { recordedAt != nil }

    /// What key rotation re-encrypts in this table.
    static let encrypted = EncryptedTable(table: schema, columns: ["minutes_sealed"], indexes: [])
}

/// One decision on an agenda item (sealed: it may name what happens to a person).
final class CaseMeetingDecision: Model, @unchecked Sendable {
    static let schema = "case_meeting_decisions"
    @ID(key: .id) var id: UUID?
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "text_sealed") var textSealed: String
    init() {}
    init(itemID: UUID, position: Int, textSealed: String) { self.itemID = itemID; self.position = position; self.textSealed = textSealed }

    static let encrypted = EncryptedTable(table: schema, columns: ["text_sealed"], indexes: [])
}

/// An action agreed on an agenda item. The action itself lives in the shared `actions` table
/// (subject: the case), so it shows on the case and in Mijn werk; this row says which item made it.
final class CaseMeetingAction: Model, @unchecked Sendable {
    static let schema = "case_meeting_actions"
    @ID(key: .id) var id: UUID?
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "action_id") var actionID: UUID
    init() {}
    init(itemID: UUID, actionID: UUID) { self.itemID = itemID; self.actionID = actionID }
}

struct CreateCaseMeetings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseMeeting.schema)
            .id()
            .field("planned_at", .datetime, .required)
            .field("place", .string)
            .field("organiser_id", .uuid, .required, .references(User.schema, "id"))
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(CaseMeetingInvite.schema).id()
            .field("meeting_id", .uuid, .required, .references(CaseMeeting.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .unique(on: "meeting_id", "organisation_id").create()
        try await database.schema(CaseMeetingItem.schema).id()
            .field("meeting_id", .uuid, .required, .references(CaseMeeting.schema, "id"))
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("position", .int, .required)
            .field("added_by", .uuid, .required, .references(User.schema, "id"))
            .field("added_at", .datetime, .required)
            .field("minutes_sealed", .string)
            .field("recorded_by", .uuid, .references(User.schema, "id"))
            .field("recorded_at", .datetime)
            .unique(on: "meeting_id", "case_id").create()
        try await database.schema(CaseMeetingDecision.schema).id()
            .field("item_id", .uuid, .required, .references(CaseMeetingItem.schema, "id"))
            .field("position", .int, .required)
            .field("text_sealed", .string, .required)
            .create()
        try await database.schema(CaseMeetingAction.schema).id()
            .field("item_id", .uuid, .required, .references(CaseMeetingItem.schema, "id"))
            .field("action_id", .uuid, .required, .references(Action.schema, "id"))
            .unique(on: "action_id").create()
        let sql = database.sql
        try await sql.create(index: "case_meetings_planned").on(CaseMeeting.schema).column("planned_at").run()
        try await sql.create(index: "case_meetings_organiser").on(CaseMeeting.schema).column("organiser_id").run()
        try await sql.create(index: "case_meeting_invites_organisation").on(CaseMeetingInvite.schema).column("organisation_id").run()
        try await sql.create(index: "case_meeting_items_case").on(CaseMeetingItem.schema).column("case_id").run()
        try await sql.create(index: "case_meeting_decisions_item").on(CaseMeetingDecision.schema).column("item_id").run()
        try await sql.create(index: "case_meeting_actions_item").on(CaseMeetingAction.schema).column("item_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [CaseMeetingAction.schema, CaseMeetingDecision.schema, CaseMeetingItem.schema, CaseMeetingInvite.schema, CaseMeeting.schema] {
            try await database.schema(schema).delete()
        }
    }
}
