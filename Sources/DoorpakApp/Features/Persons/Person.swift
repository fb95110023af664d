import FluentKit
import Foundation
import SQLKit

/// A person as stored: name, date of birth and contact details sealed with `FieldCipher`, found
/// by blind indexes; the rest is the minimum case work needs. There is no ethnicity field and
/// nationality is not recorded. Only `PersonStore` reads or writes these rows.
final class PersonRecord: Model, @unchecked Sendable {
    static let schema = "persons"
    @ID(key: .id) var id: UUID?
    /// Stable and meaningless (`P-7K3Q-9D`): shown wherever the name is not needed.
    @Field(key: "pseudonym") var pseudonym: String
    @Field(key: "name_sealed") var nameSealed: String
    /// Blind index of the normalised name (see `PersonName.normalise`).
    @Field(key: "name_index") var nameIndex: String
    @OptionalField(key: "birth_date_sealed") var birthDateSealed: String?
    @OptionalField(key: "birth_date_index") var birthDateIndex: String?
    @OptionalField(key: "contact_sealed") var contactSealed: String?
    @OptionalField(key: "location_id") var locationID: UUID?
    @OptionalField(key: "unit") var unit: String?
    @OptionalField(key: "resident_since") var residentSince: Date?
    /// Language codes, comma-separated (`nl,ar,ti`).
    @Field(key: "languages") var languages: String
    @Field(key: "interpreter_needed") var interpreterNeeded: Bool
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// What key rotation re-encrypts in this table.
    static let encrypted = EncryptedTable(table: schema, columns: ["name_sealed", "birth_date_sealed", "contact_sealed"], indexes: [
        BlindIndexColumn(column: "name_index", source: "name_sealed", normalise: PersonName.normalise),
        BlindIndexColumn(column: "birth_date_index", source: "birth_date_sealed", normalise: { $0 }),
    ])
}

/// A person opened for someone allowed to see them.
struct Person: Sendable {
    let id: UUID
    let pseudonym: String
    let name: String
    let birthDate: String?
    let contact: String?
    let locationID: UUID?
    let unit: String?
    let residentSince: Date?
    let languages: [String]
    let interpreterNeeded: Bool
    let createdAt: Date
    let updatedAt: Date
    /// The details were recorded by another organisation and are not this user's (`PersonPolicy`).
    var detailsWithheld = false
    /// Name and date of birth withheld too: an administrator without an emergency grant.
    var identityWithheld = false
}

/// How a person is involved in a report.
enum PersonRole: String, Codable, CaseIterable, Sendable {
    case affected, causingConcern = "causing_concern", witness, reporter
}

/// A person's part in a report. One link per person and report; unlinking marks it ended
/// (the link's history stays) and linking again reopens it.
final class PersonReportLink: Model, @unchecked Sendable {
    static let schema = "person_report_links"
    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "report_id") var reportID: UUID
    @Field(key: "role") var role: String
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "unlinked_at") var unlinkedAt: Date?
    @OptionalField(key: "unlinked_by") var unlinkedBy: UUID?

    init() {}
    init(personID: UUID, reportID: UUID, role: PersonRole, createdBy: UUID, createdAt: Date) {
        self.personID = personID
        self.reportID = reportID
        self.role = role.rawValue
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    var personRole: PersonRole { PersonRole(rawValue: role) ?? .affected }
}

/// Names as the blind index sees them: "Ámina  el-Idrissi" and "amina el idrissi" are one name.
enum PersonName {
    @Sendable static func normalise(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en"))
        let letters = folded.unicodeScalars.map { CharacterSet.letters.contains($0) || CharacterSet.decimalDigits.contains($0) ? Character($0) : " " }
        return String(letters).split(separator: " ").joined(separator: " ")
    }
}

/// Pseudonyms: `P-` and six characters from an alphabet without look-alikes (no 0/O, 1/I/L).
enum Pseudonym {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let chars = (0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return "P-" + String(chars[0..<4]) + "-" + String(chars[4..<6])
    }

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    static func isValid(_ text: String) -> Bool {
        text.range(of: #"^P-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$"#, options: .regularExpression) != nil
    }
}

struct CreatePersons: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersonRecord.schema)
            .id()
            .field("pseudonym", .string, .required)
            .field("name_sealed", .string, .required)
            .field("name_index", .string, .required)
            .field("birth_date_sealed", .string)
            .field("birth_date_index", .string)
            .field("contact_sealed", .string)
            .field("location_id", .uuid, .references(Location.schema, "id"))
            .field("unit", .string)
            .field("resident_since", .date)
            .field("languages", .string, .required)
            .field("interpreter_needed", .bool, .required)
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "pseudonym")
            .create()
        try await database.schema(PersonReportLink.schema)
            .id()
            .field("person_id", .uuid, .required, .references(PersonRecord.schema, "id"))
            .field("report_id", .uuid, .required, .references(Report.schema, "id"))
            .field("role", .string, .required)
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("unlinked_at", .datetime)
            .field("unlinked_by", .uuid, .references(User.schema, "id"))
            .unique(on: "person_id", "report_id")
            .create()
        let sql = database.sql
        try await sql.create(index: "persons_name_index").on(PersonRecord.schema).column("name_index").run()
        try await sql.create(index: "person_report_links_report").on(PersonReportLink.schema).column("report_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PersonReportLink.schema).delete()
        try await database.schema(PersonRecord.schema).delete()
    }
}
