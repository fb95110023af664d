import FluentKit
import Foundation

/// A "consider a case" item: one person concerns several organisations, or came up in several
/// reports in a short time (`ConcernRules`). The district coordinator decides: open a case, or
/// dismiss it with a reason. Only `ConcernStore` reads or writes these rows.
///
/// The person and reports are kept as ids without foreign keys: erasure and retention remove a
/// person's items with the person (`ConcernStore.forget`), and a purged report simply drops out.
final class ConcernItem: Model, @unchecked Sendable {
    static let schema = "concern_items"
    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @OptionalField(key: "district_id") var districtID: UUID?
    /// Registering organisations of the linked reports, comma-separated ids.
    @Field(key: "organisation_ids") var organisationIDs: String
    /// The linked reports when the item was raised (and while it stays open), comma-separated ids.
    @Field(key: "report_ids") var reportIDs: String
    /// `organisations` or `frequency`: which rule raised it.
    @Field(key: "trigger") var trigger: String
    @Field(key: "status") var status: String
    @Field(key: "raised_at") var raisedAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    /// Sealed, bound to this row (`FieldCipher.seal(_:in:)`), like a case's reasons.
    @OptionalField(key: "dismissal_reason") var dismissalReason: String?
    @OptionalField(key: "case_id") var caseID: UUID?

    init() {}

    var concernStatus: ConcernStatus { ConcernStatus(rawValue: status) ?? .open }
    var organisations: [UUID] { Self.ids(organisationIDs) }
    var reports: [UUID] { Self.ids(reportIDs) }

    static func ids(_ text: String) -> [UUID] { text.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
    static func text(_ ids: [UUID]) -> String { ids.map(\.uuidString).joined(separator: ",") }

    /// What key rotation re-seals in this table.
    static let encrypted = EncryptedTable(table: schema, columns: ["dismissal_reason"], indexes: [], rowBound: true)
    static func reasonSlot(_ id: UUID) -> SealSlot { SealSlot(table: schema, column: "dismissal_reason", rowID: id) }
}

enum ConcernStatus: String, Codable, CaseIterable, Sendable {
    case open
    case openedAsCase = "opened_as_case"
    case dismissed
}
