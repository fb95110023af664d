import FluentKit
import Foundation
import SQLKit

/// A cooling-off dwelling ("afkoelwoning"): a scarce place elsewhere where a resident stays for a
/// while, with guidance, after a serious incident.
final class CoolingOffDwelling: Model, @unchecked Sendable {
    static let schema = "cooling_off_dwellings"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// An address label as staff know it (no resident's data).
    @Field(key: "address_label") var addressLabel: String
    @Field(key: "capacity") var capacity: Int
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(id: UUID? = nil, name: String, addressLabel: String, capacity: Int, active: Bool = true, createdAt: Date = .now) {
        self.id = id
        self.name = name
        self.addressLabel = addressLabel
        self.capacity = capacity
        self.active = active
        self.createdAt = createdAt.wholeSeconds
    }
}

/// A stay in a cooling-off dwelling, from request to end. Days are stored at noon (Amsterdam),
/// as every day-only value in Doorpak.
final class CoolingOffPlacement: Model, @unchecked Sendable {
    static let schema = "cooling_off_placements"
    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    /// The case it was requested from (cases link themselves here).
    @OptionalField(key: "case_id") var caseID: UUID?
    /// Chosen at approval (a request may propose one).
    @OptionalField(key: "dwelling_id") var dwellingID: UUID?
    @Field(key: "status") var status: String
    @Field(key: "reason") var reason: String
    @Field(key: "proposed_start") var proposedStart: Date
    @Field(key: "proposed_end") var proposedEnd: Date
    /// The end as planned now: the proposed end, moved by extensions.
    @Field(key: "planned_end") var plannedEnd: Date
    @OptionalField(key: "guidance_organisation_id") var guidanceOrganisationID: UUID?
    @Field(key: "requested_by") var requestedBy: UUID
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "started_on") var startedOn: Date?
    @OptionalField(key: "ended_on") var endedOn: Date?
    @OptionalField(key: "outcome") var outcome: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var placementStatus: PlacementStatus { PlacementStatus(rawValue: status) ?? .requested }
}

/// One step in a placement's life: append-only.
final class CoolingOffEvent: Model, @unchecked Sendable {
    static let schema = "cooling_off_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "placement_id") var placementID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "actor_id") var actorID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "value") var value: String?
    @OptionalField(key: "reason") var reason: String?
    /// The order of writing within the same second (`WriteSequence`): steps sort by `(at, seq)`.
    @Field(key: "seq") var seq: Int64

    init() {}
    init(placementID: UUID, at: Date, actorID: UUID, kind: PlacementStep, value: String? = nil, reason: String? = nil) {
        self.seq = WriteSequence.next()
        self.placementID = placementID
        self.at = at.wholeSeconds
        self.actorID = actorID
        self.kind = kind.rawValue
        self.value = value
        self.reason = reason
    }
}

struct CreateCoolingOff: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CoolingOffDwelling.schema)
            .id()
            .field("name", .string, .required)
            .field("address_label", .string, .required)
            .field("capacity", .int, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(CoolingOffPlacement.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, "id"))
            .field("case_id", .uuid)
            .field("dwelling_id", .uuid, .references(CoolingOffDwelling.schema, "id"))
            .field("status", .string, .required)
            .field("reason", .string, .required)
            .field("proposed_start", .datetime, .required)
            .field("proposed_end", .datetime, .required)
            .field("planned_end", .datetime, .required)
            .field("guidance_organisation_id", .uuid, .references(Organisation.schema, "id"))
            .field("requested_by", .uuid, .required, .references(User.schema, "id"))
            .field("requested_at", .datetime, .required)
            .field("started_on", .datetime)
            .field("ended_on", .datetime)
            .field("outcome", .string)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(CoolingOffEvent.schema)
            .id()
            .field("placement_id", .uuid, .required, .references(CoolingOffPlacement.schema, "id"))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid, .required, .references(User.schema, "id"))
            .field("kind", .string, .required)
            .field("value", .string)
            .field("reason", .string)
            .create()
        let sql = database.sql
        try await sql.create(index: "cooling_off_placements_status").on(CoolingOffPlacement.schema).column("status").run()
        try await sql.create(index: "cooling_off_placements_person").on(CoolingOffPlacement.schema).column("person_id").run()
        try await sql.create(index: "cooling_off_events_placement").on(CoolingOffEvent.schema).column("placement_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CoolingOffEvent.schema).delete()
        try await database.schema(CoolingOffPlacement.schema).delete()
        try await database.schema(CoolingOffDwelling.schema).delete()
    }
}
