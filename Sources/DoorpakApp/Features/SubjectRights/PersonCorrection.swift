import FluentKit
import Foundation
import SQLKit

/// The kept trail of a correction (GDPR art. 16): one row per changed field of a person, with
/// the value before and after (both sealed with the person cipher, like the person's own
/// fields), who changed it, when and why. Written by `PersonStore.update` in the transaction of
/// the change; read by the art. 15 export. Rows are never changed; an erasure (art. 17) deletes
/// them with the data they hold.
final class PersonCorrection: Model, @unchecked Sendable {
    static let schema = "person_corrections"
    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    /// The field's name as in forms (`name`, `birth_date`, `contact`, `location`, `unit`,
    /// `resident_since`, `languages`, `interpreter_needed`).
    @Field(key: "field") var field: String
    /// `nil` when the field was empty before (or after).
    @OptionalField(key: "old_sealed") var oldSealed: String?
    @OptionalField(key: "new_sealed") var newSealed: String?
    @Field(key: "reason") var reason: String
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role") var role: String
    @Field(key: "at") var at: Date

    init() {}

    /// What key rotation re-encrypts in this table.
    static let encrypted = EncryptedTable(table: schema, columns: ["old_sealed", "new_sealed"], indexes: [])
}

/// One field's change, in the clear (before sealing / after opening).
struct FieldChange: Sendable, Equatable {
    let field: String
    let old: String?
    let new: String?
}

/// Corrections as rules: which fields a change touches, and the reason it needs. Pure.
enum PersonCorrections {
    static let fields = ["name", "birth_date", "contact", "location", "unit", "resident_since", "languages", "interpreter_needed"]
    static let minReason = 5
    static let maxReason = 500

    /// The fields that differ between the stored person and the validated edit, in form order
    /// (languages as a set: the order they were ticked in is no change).
    static func changes(from person: Person, to valid: PersonDraft.Valid) -> [FieldChange] {
        let before = values(name: person.name, birthDate: person.birthDate, contact: person.contact, locationID: person.locationID,
                            unit: person.unit, residentSince: person.residentSince, languages: person.languages,
                            interpreterNeeded: person.interpreterNeeded)
        let after = values(name: valid.name, birthDate: valid.birthDate, contact: valid.contact, locationID: valid.locationID,
                           unit: valid.unit, residentSince: valid.residentSince, languages: valid.languages,
                           interpreterNeeded: valid.interpreterNeeded)
        return fields.compactMap { field in
            let old = before[field] ?? nil, new = after[field] ?? nil
            return old == new ? nil : FieldChange(field: field, old: old, new: new)
        }
    }

    private static func values(name: String, birthDate: String?, contact: String?, locationID: UUID?, unit: String?,
                               residentSince: Date?, languages: [String], interpreterNeeded: Bool) -> [String: String?] {
        [
            "name": name, "birth_date": birthDate, "contact": contact, "location": locationID?.uuidString.lowercased(), "unit": unit,
            "resident_since": residentSince.map(Formats.isoDay), "languages": languages.isEmpty ? nil : languages.sorted().joined(separator: ","),
            "interpreter_needed": interpreterNeeded ? "true" : "false",
        ]
    }

    /// The reason for a correction: required, 5 to 500 characters, no control characters.
    static func checkReason(_ raw: String?) -> FieldIssue? {
        let reason = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: maxReason) { return FieldIssue("reason", issue) }
        if reason.count < minReason { return FieldIssue("reason", "too_short") }
        return nil
    }

    /// Writes the trail of one correction inside the caller's transaction (`SubjectRightsStore`).
    static func record(_ changes: [FieldChange], person: PersonRecord, reason: String, cipher: FieldCipher, by principal: Principal,
                       at: Date, on tx: any Database) async throws {
        try await SubjectRightsStore.recordCorrection(changes, person: person, reason: reason, cipher: cipher, by: principal, at: at, on: tx)
    }
}
