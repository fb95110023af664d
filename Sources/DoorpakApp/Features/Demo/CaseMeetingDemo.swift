import FluentKit
import Foundation

/// Demo case meetings: an earlier meeting (held, one item discussed with minutes, a decision and an
/// action for the GGD) and an upcoming one, both organised by the demo coordinator. They use the
/// demo's open cases; without any, two cases are opened for demo persons first (directed by the
/// police and the GGD demo accounts). Written through the stores, sealed and logged like real data.
struct CaseMeetingDemo: Sendable {
    let database: AppDatabase
    let cipher: FieldCipher

    func seed(now: Date) async throws {
        let db = database.db()
        guard try await CaseMeeting.query(on: db).count() == 0,
              let coordinatorUser = try await User.query(on: db).filter(\.$email == "coordinator@doorpak.example").first(),
              let coordinator = try await Principal.load(userID: coordinatorUser.id!, via: .session, on: db) else { return }
        let persons = PersonStore(database: database, cipher: cipher)
        let cases = CaseStore(database: database, persons: persons)
        let store = CaseMeetingStore(database: database, cases: cases)
        func user(_ email: String) async throws -> User? { try await User.query(on: db).filter(\.$email == email).first() }
        func organisation(_ kind: OrganisationKind) async throws -> UUID? {
            try await Organisation.query(on: db).filter(\.$kind == kind.rawValue).filter(\.$active == true).sort(\.$name).first()?.id
        }
        var files = try await CaseFile.query(on: db).filter(\.$phase != CasePhase.closed.rawValue)
            .filter(\.$districtID ~~ coordinator.districtIDs).sort(\.$openedAt).limit(2).all()
        if files.isEmpty {
            let people = try await PersonRecord.query(on: db).sort(\.$createdAt).limit(3).all()
            guard people.count >= 3, let police = try await user("politie@doorpak.example"), let ggd = try await user("ggd@doorpak.example") else { return }
            files.append(try await cases.open(.init(pseudonyms: [people[0].pseudonym],
                                                    reason: "Betrokken bij herhaalde incidenten op de gang; weigert tot nu toe hulp.",
                                                    directorID: police.id), by: coordinator, now: now.addingTimeInterval(-30 * 86_400)))
            files.append(try await cases.open(.init(pseudonyms: [people[2].pseudonym],
                                                    reason: "Signalen van terugtrekking en schulden; zorgen van buren.",
                                                    directorID: ggd.id), by: coordinator, now: now.addingTimeInterval(-20 * 86_400)))
        }
        let invited = try await [OrganisationKind.police, .publicHealth, .statusHolderGuidance, .housingCorporation].asyncMap(organisation).compactMap { $0 }
        guard !invited.isEmpty else { return }
        let earlier = Formats.calendar.startOfDay(for: now.addingTimeInterval(-14 * 86_400)).addingTimeInterval(10 * 3600)
        let held = try await store.plan(.init(day: Formats.isoDay(earlier), time: "10:00", place: "Stadsdeelkantoor Noord, zaal 3",
                                              organisations: invited.map(\.uuidString)),
                                        agenda: files.map(\.reference), by: coordinator, now: earlier.addingTimeInterval(-7 * 86_400))
        let agenda = try await store.agenda(held.id!, by: coordinator)
        if let first = agenda.entries.first, let ggd = try await user("ggd@doorpak.example"), let ggdOrganisation = ggd.organisationID {
            try await store.record(.init(minutes: "Bewoner is op de gang opnieuw in conflict geraakt. Wijkagent en GGD hebben samen een gesprek gevoerd; "
                                         + "hij staat open voor één vervolggesprek met tolk.",
                                         decisions: ["GGD plant een huisbezoek met tolk.", "Over vier weken opnieuw op de agenda."],
                                         actions: [ActionDraft(title: "Huisbezoek met tolk plannen", organisation: ggdOrganisation.uuidString,
                                                               assignee: ggd.id!.uuidString, dueOn: Formats.isoDay(now.addingTimeInterval(7 * 86_400)))]),
                                   item: first.item.id!, of: agenda, by: coordinator, now: earlier.addingTimeInterval(3600))
        }
        let next = Formats.calendar.startOfDay(for: now.addingTimeInterval(7 * 86_400))
        _ = try await store.plan(.init(day: Formats.isoDay(next), time: "14:00", place: "Zorg- en Veiligheidshuis, ruimte 1",
                                       organisations: invited.map(\.uuidString)),
                                 agenda: files.map(\.reference), by: coordinator, now: now)
    }
}
