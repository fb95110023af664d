import FluentKit
import Foundation
@testable import DoorpakApp

/// A small, fully known world for route tests: two districts with one site each, partner
/// organisations, one user per role and one report per site.
struct TestWorld: Sendable {
    let config: AppConfig
    let districtNorth: UUID, districtSouth: UUID
    let locationNorth: UUID, locationSouth: UUID
    let placeNorth: UUID
    let police: UUID, ggd: UUID, corporation: UUID
    let users: [Persona: UUID]
    /// A report at the northern site, routed to the police.
    let reportNorth: String
    /// A report at the southern site, routed to the GGD.
    let reportSouth: String
    let categoryViolence: UUID
    let categoryConfused: UUID

    static let password = "correct horse battery"

    /// One user per role, named for what they may see.
    enum Persona: String, CaseIterable, Sendable {
        case admin, coordinatorNorth, staffNorth, police, ggd, analyst, privacyOfficer
        var email: String { "\(rawValue.lowercased())@test.example" }
    }

    static func make(_ database: TestDatabase) async throws -> TestWorld {
        let config = database.freshConfig()
        return try await AppDatabase.with(config) { db in
            try await db.migrate()
            return try await populate(db, config: config)
        }
    }

    private static func populate(_ database: AppDatabase, config: AppConfig) async throws -> TestWorld {
        let db = database.db()
        let north = District(name: "Noord"), south = District(name: "Zuid")
        try await north.create(on: db)
        try await south.create(on: db)
        let police = Organisation(name: "Politie", kind: .police)
        let ggd = Organisation(name: "GGD", kind: .publicHealth)
        let corporation = Organisation(name: "Woonstad", kind: .housingCorporation)
        let city = Organisation(name: "Gemeente", kind: .city)
        for organisation in [police, ggd, corporation, city] { try await organisation.create(on: db) }
        let siteNorth = Location(name: "Startblok Noord", districtID: north.id!, corporationID: corporation.id, units: 300,
                                 openedOn: nil, plannedClosingOn: nil)
        let siteSouth = Location(name: "Startblok Zuid", districtID: south.id!, corporationID: corporation.id, units: 150,
                                 openedOn: nil, plannedClosingOn: nil)
        try await siteNorth.create(on: db)
        try await siteSouth.create(on: db)
        let place = Place(locationID: siteNorth.id!, name: "Blok A", kind: .building, position: 1)
        try await place.create(on: db)
        try await Place(locationID: siteSouth.id!, name: "Wasruimte", kind: .sharedSpace, position: 1).create(on: db)

        let hash = try await Passwords(cost: 4).hash(password)
        var users: [Persona: UUID] = [:]
        let roles: [Persona: (Role, UUID?)] = [
            .admin: (.administrator, city.id), .coordinatorNorth: (.coordinator, city.id), .staffNorth: (.locationStaff, corporation.id),
            .police: (.partner, police.id), .ggd: (.partner, ggd.id), .analyst: (.analyst, city.id),
            .privacyOfficer: (.privacyOfficer, city.id),
        ]
        for persona in Persona.allCases {
            let (role, organisation) = roles[persona]!
            let user = User(email: persona.email, name: persona.rawValue.capitalized, passwordHash: hash, role: role, organisationID: organisation)
            try await user.create(on: db)
            users[persona] = user.id!
        }
        try await UserDistrict(userID: users[.coordinatorNorth]!, districtID: north.id!).create(on: db)
        try await UserLocation(userID: users[.staffNorth]!, locationID: siteNorth.id!).create(on: db)

        let categories = try await Category.query(on: db).all()
        let violence = categories.first { $0.code == "violence" }!
        let confused = categories.first { $0.code == "confused_behaviour" }!
        let admin = try await Principal.load(userID: users[.admin]!, via: .session, on: db)!
        let store = ReportStore(database: database)
        let reportNorth = try await store.create(draft(category: violence.id!, location: siteNorth.id!, text: "Vechtpartij bij de ingang"), by: admin)
        let reportSouth = try await store.create(draft(category: confused.id!, location: siteSouth.id!, text: "Verwarde bewoner in de gang"), by: admin)
        // The world starts without notices: the two reports' queue notices are not what tests look at.
        try await Notification.query(on: db).delete()
        try await OutboxMessage.query(on: db).delete()
        return TestWorld(config: config, districtNorth: north.id!, districtSouth: south.id!, locationNorth: siteNorth.id!,
                         locationSouth: siteSouth.id!, placeNorth: place.id!, police: police.id!, ggd: ggd.id!,
                         corporation: corporation.id!, users: users, reportNorth: reportNorth.reference,
                         reportSouth: reportSouth.reference, categoryViolence: violence.id!, categoryConfused: confused.id!)
    }

    static func draft(category: UUID, location: UUID, text: String, kind: String = "incident") -> ReportDraft {
        ReportDraft(kind: kind, category: category.uuidString, location: location.uuidString, place: nil,
                    occurredAt: Date.now.addingTimeInterval(-3600), urgency: nil, source: nil, description: text)
    }

    /// Runs work against the world's database (for assertions on stored rows).
    func withDatabase<T: Sendable>(_ work: (AppDatabase) async throws -> T) async throws -> T {
        try await AppDatabase.with(config, work)
    }
}
