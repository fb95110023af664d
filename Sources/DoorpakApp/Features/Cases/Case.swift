import FluentKit
import Foundation
import SQLKit

/// A persistent individual case ("casus") for a person, a household or a small group, with
/// exactly one case director ("regiehouder") at every moment: the column is required, so a case
/// cannot be saved without one, and a new director takes over only by accepting.
final class CaseFile: Model, @unchecked Sendable {
    static let schema = "cases"
    @ID(key: .id) var id: UUID?
    /// `CS-2026-000012`.
    @Field(key: "reference") var reference: String
    @Field(key: "opening_reason") var openingReason: String
    @Field(key: "phase") var phase: String
    @Field(key: "director_id") var directorID: UUID
    /// A hand-over of the direction that waits for the new director's acceptance.
    @OptionalField(key: "proposed_director_id") var proposedDirectorID: UUID?
    /// For the district coordinator's metadata view.
    @OptionalField(key: "district_id") var districtID: UUID?
    @Field(key: "opened_by") var openedBy: UUID
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "closing_reason") var closingReason: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var casePhase: CasePhase { CasePhase(rawValue: phase) ?? .registration }

    /// The reasons are sealed, bound to the row (`CaseSealing`).
    static let encrypted = EncryptedTable(table: schema, columns: ["opening_reason", "closing_reason"], indexes: [], rowBound: true)
}

/// The persons a case is about (one, or a household or small group).
final class CasePerson: Model, @unchecked Sendable {
    static let schema = "case_persons"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "person_id") var personID: UUID
    init() {}
    init(caseID: UUID, personID: UUID) { self.caseID = caseID; self.personID = personID }
}

/// Reports linked to a case.
final class CaseReport: Model, @unchecked Sendable {
    static let schema = "case_reports"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "report_id") var reportID: UUID
    init() {}
    init(caseID: UUID, reportID: UUID) { self.caseID = caseID; self.reportID = reportID }
}

/// A professional of a partner organisation in the case, with a role and the legal basis on
/// which data is shared with them. Consent carries its date and scope and can be withdrawn:
/// from then on the member sees nothing new (notes written after the withdrawal).
final class CaseMember: Model, @unchecked Sendable {
    static let schema = "case_members"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role") var role: String
    @Field(key: "legal_basis") var legalBasis: String
    @OptionalField(key: "consent_date") var consentDate: Date?
    @OptionalField(key: "consent_scope") var consentScope: String?
    @OptionalField(key: "consent_withdrawn_at") var consentWithdrawnAt: Date?
    @Field(key: "added_by") var addedBy: UUID
    @Field(key: "added_at") var addedAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?

    init() {}

    var basis: LegalBasis { LegalBasis(rawValue: legalBasis) ?? .covenant }
}

/// A note; sensitive notes (health, justice) are readable only by the director and the members
/// they name. The body is sealed like a person's data.
final class CaseNote: Model, @unchecked Sendable {
    static let schema = "case_notes"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "body_sealed") var bodySealed: String
    @Field(key: "sensitive") var sensitive: Bool
    /// For sensitive notes: the user ids (besides the director) who may read it, comma-separated.
    @Field(key: "readers") var readers: String
    @Field(key: "created_at") var createdAt: Date
    /// The order of writing within the same second (`WriteSequence`); `nil` on older rows.
    @OptionalField(key: "seq") var seq: Int64?
    init() {}

    var readerIDs: [UUID] { readers.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }

    /// What key rotation re-encrypts in this table.
    static let encrypted = EncryptedTable(table: schema, columns: ["body_sealed"], indexes: [])
}

/// One change in a case's life: append-only.
final class CaseEvent: Model, @unchecked Sendable {
    static let schema = "case_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "actor_id") var actorID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "from_value") var fromValue: String?
    @OptionalField(key: "to_value") var toValue: String?
    /// Sealed at rest, bound to the row (`CaseSealing`): plain text until the event is created, and
    /// in the copies `CaseStore.opened(_:)` returns.
    @OptionalField(key: "reason") var reason: String?
    /// The order of writing within the same second (`WriteSequence`): history sorts by `(at, seq)`.
    @Field(key: "seq") var seq: Int64
    init() {}

    /// The reason is sealed, bound to the row (`CaseSealing`).
    static let encrypted = EncryptedTable(table: schema, columns: ["reason"], indexes: [], rowBound: true)

    init(caseID: UUID, at: Date, actorID: UUID, kind: String, from: String? = nil, to: String? = nil, reason: String? = nil) {
        self.seq = WriteSequence.next()
        self.caseID = caseID
        self.at = at.wholeSeconds
        self.actorID = actorID
        self.kind = kind
        self.fromValue = from
        self.toValue = to
        self.reason = reason
    }

    /// The event as one who reads no content sees it: what happened, when and by whom; no reason,
    /// result or factor (a detached copy, never saved).
    func withoutContent() -> CaseEvent {
        let copy = CaseEvent(caseID: caseID, at: at, actorID: actorID, kind: kind,
                             from: kind == "factor" ? nil : fromValue, to: kind == "factor" ? nil : toValue)
        copy.id = id
        copy.seq = seq
        return copy
    }
}

struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CaseFile.schema)
            .id()
            .field("reference", .string, .required)
            .field("opening_reason", .string, .required)
            .field("phase", .string, .required)
            .field("director_id", .uuid, .required, .references(User.schema, "id"))
            .field("proposed_director_id", .uuid, .references(User.schema, "id"))
            .field("district_id", .uuid, .references(District.schema, "id"))
            .field("opened_by", .uuid, .required, .references(User.schema, "id"))
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("outcome", .string)
            .field("closing_reason", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "reference")
            .create()
        try await database.schema(CasePerson.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, "id"))
            .unique(on: "case_id", "person_id").create()
        try await database.schema(CaseReport.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("report_id", .uuid, .required, .references(Report.schema, "id"))
            .unique(on: "case_id", "report_id").create()
        try await database.schema(CaseMember.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("role", .string, .required)
            .field("legal_basis", .string, .required)
            .field("consent_date", .datetime)
            .field("consent_scope", .string)
            .field("consent_withdrawn_at", .datetime)
            .field("added_by", .uuid, .required, .references(User.schema, "id"))
            .field("added_at", .datetime, .required)
            .field("ended_at", .datetime)
            .create()
        try await database.schema(CaseNote.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("author_id", .uuid, .required, .references(User.schema, "id"))
            .field("body_sealed", .string, .required)
            .field("sensitive", .bool, .required)
            .field("readers", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(CaseEvent.schema).id()
            .field("case_id", .uuid, .required, .references(CaseFile.schema, "id"))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid, .required, .references(User.schema, "id"))
            .field("kind", .string, .required)
            .field("from_value", .string)
            .field("to_value", .string)
            .field("reason", .string)
            .create()
        let sql = database.sql
        try await sql.create(index: "cases_director").on(CaseFile.schema).column("director_id").run()
        try await sql.create(index: "case_members_user").on(CaseMember.schema).column("user_id").run()
        try await sql.create(index: "case_persons_person").on(CasePerson.schema).column("person_id").run()
        try await sql.create(index: "case_notes_case").on(CaseNote.schema).column("case_id").run()
        try await sql.create(index: "case_events_case").on(CaseEvent.schema).column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [CaseEvent.schema, CaseNote.schema, CaseMember.schema, CaseReport.schema, CasePerson.schema, CaseFile.schema] {
            try await database.schema(schema).delete()
        }
    }
}
