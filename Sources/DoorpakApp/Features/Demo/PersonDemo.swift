import FluentKit
import Foundation

/// Demo persons (obviously invented names), their links to demo reports at Startblok
/// Noorderhaven, two cooling-off dwellings and one current placement. Written through the stores,
/// so the demo data is encrypted and logged exactly as real data would be.
struct PersonDemo: Sendable {
    let database: AppDatabase
    let cipher: FieldCipher

    static let persons: [(name: String, birthDate: String, languages: [String], interpreter: Bool)] = [
        ("Yusuf Demonaam", "2001-04-17", ["ar", "nl"], true),
        ("Lotte Testbewoner", "1999-11-02", ["nl", "en"], false),
        ("Ahmad Fictief", "2002-07-23", ["fa", "prs"], true),
        ("Mila Verzonnen", "2000-01-30", ["nl"], false),
        ("Semhar Voorbeeld", "2003-09-09", ["ti", "en"], true),
    ]

    func seed(now: Date) async throws {
        let db = database.db()
        guard try await PersonRecord.query(on: db).count() == 0,
              let coordinatorUser = try await User.query(on: db).filter(\.$email == "coordinator@doorpak.example").first(),
              let coordinator = try await Principal.load(userID: coordinatorUser.id!, via: .session, on: db),
              let site = try await Location.query(on: db).filter(\.$name == "Startblok Noorderhaven").first()
        else { return }
        // Recent reports at the site, newest first; open ones routed to different organisations
        // give "who else is involved" something to show.
        let reports = try await Report.query(on: db).filter(\.$locationID == site.id!).filter(\.$status != ReportStatus.closed.rawValue)
            .sort(\.$occurredAt, .descending).limit(40).all()
        guard reports.count >= 6 else { return }
        let store = PersonStore(database: database, cipher: cipher)
        let roles: [PersonRole] = [.causingConcern, .affected, .causingConcern, .witness, .affected]
        var pseudonyms: [String] = []
        for (index, spec) in Self.persons.enumerated() {
            let draft = PersonDraft(name: spec.name, birthDate: spec.birthDate, contact: "06-0000000\(index)", location: site.id!.uuidString,
                                    unit: "\(["A", "B", "C"][index % 3])-\(100 + index * 17)",
                                    residentSince: "202\(2 + index % 3)-0\(index + 2)-01", languages: spec.languages,
                                    interpreterNeeded: spec.interpreter)
            pseudonyms.append(try await store.link(draft, role: roles[index].rawValue, to: reports[index], by: coordinator, now: now).pseudonym)
        }
        // The first person is involved in two more reports, with another organisation responsible where there is one.
        let first = Self.persons[0]
        let others = reports.dropFirst(5).filter { $0.organisationID != reports[0].organisationID }.prefix(2)
        for report in others {
            _ = try await store.link(PersonDraft(name: first.name, birthDate: first.birthDate), role: PersonRole.causingConcern.rawValue,
                                     to: report, by: coordinator, now: now)
        }

        let coolingOff = CoolingOffStore(database: database, persons: store)
        let kade = try await coolingOff.save(.init(name: "Afkoelwoning Rivierkade", addressLabel: "Rivierkade 12-A", capacity: "1"),
                                             id: nil, by: coordinator)
        _ = try await coolingOff.save(.init(name: "Afkoelwoning Parkzicht", addressLabel: "Parkzicht 3", capacity: "2"), id: nil, by: coordinator)
        let guidance = try await Organisation.query(on: db).filter(\.$kind == OrganisationKind.statusHolderGuidance.rawValue).first()
        let start = PlacementDays.adding(-3, to: now)
        let placement = try await coolingOff.request(
            .init(reason: "Na herhaalde bedreigingen op de gang is afstand nodig om de situatie op de locatie te laten bedaren.",
                  from: Formats.isoDay(start), through: Formats.isoDay(PlacementDays.adding(14, to: start)),
                  guidanceOrganisation: guidance?.id?.uuidString, dwelling: kade.id!.uuidString),
            for: pseudonyms[0], by: coordinator, now: start)
        try await coolingOff.perform(.approve, on: placement, with: .init(dwelling: kade.id!.uuidString), by: coordinator, now: start)
        try await coolingOff.perform(.start, on: placement, with: .init(day: Formats.isoDay(start)), by: coordinator, now: start)
    }
}
