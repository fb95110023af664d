import FluentKit
import Foundation

/// How quickly a report needs attention. Stored as its level so that sorting is by severity.
enum Urgency: Int, Codable, CaseIterable, Comparable, Sendable {
    case low = 1, normal = 2, high = 3, critical = 4

    var code: String { Self.codes[self]! }
    init?(code: String) {
        guard let match = Self.codes.first(where: { $0.value == code }) else { return nil }
        self = match.key
    }
    static func < (a: Urgency, b: Urgency) -> Bool { a.rawValue < b.rawValue }
    private static let codes: [Urgency: String] = [.low: "low", .normal: "normal", .high: "high", .critical: "critical"]
}

/// A report category from the seeded taxonomy, editable by administrators.
final class Category: Model, @unchecked Sendable {
    static let schema = "categories"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name_nl") var nameNL: String
    @Field(key: "name_en") var nameEN: String
    @Field(key: "default_urgency") var defaultUrgency: Int
    @Field(key: "default_organisation_kind") var defaultOrganisationKind: String
    @Field(key: "active") var active: Bool
    @Field(key: "position") var position: Int

    init() {}
    init(id: UUID? = nil, code: String, nameNL: String, nameEN: String, defaultUrgency: Urgency,
         defaultOrganisationKind: OrganisationKind, active: Bool = true, position: Int) {
        self.id = id
        self.code = code
        self.nameNL = nameNL
        self.nameEN = nameEN
        self.defaultUrgency = defaultUrgency.rawValue
        self.defaultOrganisationKind = defaultOrganisationKind.rawValue
        self.active = active
        self.position = position
    }

    func name(_ language: Language) -> String { language == .en ? nameEN : nameNL }
    var urgency: Urgency { Urgency(rawValue: defaultUrgency) ?? .normal }
}
/// The seed taxonomy from `domain.md`: what every new installation starts with.
enum CategorySeed {
    static var all: [Category] {
        let rows: [(String, String, String, Urgency, OrganisationKind)] = [
            ("intimidation_women", "Intimidatie van vrouwen", "Intimidation of women", .high, .police),
            ("sexual_harassment", "Seksuele intimidatie of aanranding", "Sexual harassment or assault", .critical, .police),
            ("violence", "Geweld", "Violence", .critical, .police),
            ("threat", "Bedreiging", "Threat", .high, .police),
            ("discrimination", "Discriminatie", "Discrimination", .high, .city),
            ("resident_conflict", "Conflict tussen bewoners", "Resident conflict", .normal, .housingCorporation),
            ("noise_nuisance", "Geluid en overlast", "Noise and nuisance", .normal, .housingCorporation),
            ("damage_vandalism", "Schade en vandalisme", "Damage and vandalism", .normal, .housingCorporation),
            ("fire_safety", "Brandveiligheid", "Fire safety", .high, .housingCorporation),
            ("drugs_alcohol", "Drugs en alcohol", "Drugs and alcohol", .normal, .police),
            ("confused_behaviour", "Verward of psychiatrisch gedrag", "Confused or psychiatric behaviour", .high, .publicHealth),
            ("self_harm", "Zelfbeschadiging of suïciderisico", "Self-harm or suicide risk", .critical, .mentalHealthCare),
            ("feeling_unsafe", "Gevoel van onveiligheid", "Feeling unsafe", .normal, .city),
            ("loneliness", "Eenzaamheid en terugtrekking", "Loneliness and withdrawal", .low, .statusHolderGuidance),
            ("debt_money", "Schulden en geldzorgen", "Debt and money worries", .low, .wpi),
            ("house_rules", "Overtreding huisregels", "House-rule breach", .low, .housingCorporation),
            ("other", "Overig", "Other", .normal, .city),
        ]
        return rows.enumerated().map { index, row in
            Category(code: row.0, nameNL: row.1, nameEN: row.2, defaultUrgency: row.3,
                     defaultOrganisationKind: row.4, position: index + 1)
        }
    }
}
