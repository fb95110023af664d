import FluentKit
import Foundation

/// Demo cases for the demo persons, one of each situation a case director meets: a case in
/// execution with a plan, factors, members on different legal bases, an ordinary and a sensitive
/// note, an action done and one overdue; a young case in analysis; a hand-over of the direction
/// waiting for acceptance (on the coordinator's list); and a closed case with its outcome.
/// Written through `CaseStore` with moved clocks, so everything is sealed, in the history and in
/// the access log as real work would be.
struct CaseDemo: Sendable {
    let database: AppDatabase
    let cipher: FieldCipher

    static let day: TimeInterval = 86_400

    func seed(now: Date) async throws {
        let db = database.db()
        guard try await CaseFile.query(on: db).count() == 0 else { return }
        let people = try await PersonRecord.query(on: db).sort(\.$createdAt).sort(\.$pseudonym).all()
        func principal(_ email: String) async throws -> Principal? {
            guard let user = try await User.query(on: db).filter(\.$email == email).first() else { return nil }
            return try await Principal.load(userID: user.id!, via: .session, on: db)
        }
        guard people.count >= 5,
              let coordinator = try await principal("coordinator@doorpak.example"),
              let police = try await principal("politie@doorpak.example"),
              let ggd = try await principal("ggd@doorpak.example"),
              let nurse = try await principal("michiel.vanleeuwen@doorpak.example"),
              let ggz = try await principal("hanna.deboer@doorpak.example"),
              let guidance = try await principal("sophie.vanwijk@doorpak.example"),
              let income = try await principal("roel.timmermans@doorpak.example")
        else { return }
        let store = CaseStore(database: database, persons: PersonStore(database: database, cipher: cipher))
        func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * Self.day) }
        func day(_ date: Date) -> String { Formats.isoDay(date) }
        func organisation(_ principal: Principal) -> String { principal.organisationID?.uuidString ?? "" }
        let reports = try await PersonReportLink.query(on: db).all()
        func references(of person: PersonRecord) async throws -> [String] {
            let ids = reports.filter { $0.personID == person.id }.map(\.reportID)
            return try await Report.query(on: db).filter(\.$id ~~ ids).all(\.$reference)
        }

        // 1. In execution: the police directs, a GGD nurse (consent) and the status-holder guidance (covenant) take part.
        var file = try await store.open(.init(pseudonyms: [people[0].pseudonym],
                                              reason: "Vijf incidenten in drie maanden (bedreiging, geluidsoverlast, ruzie op de gang); weigert tot nu toe hulp. "
                                                  + "Buren, vooral vrouwelijke bewoners, voelen zich onveilig.",
                                              directorID: police.userID, reportReferences: try await references(of: people[0])),
                                        by: coordinator, now: ago(62))
        // Opened naming another director: a proposal they accept (issue 11).
        try await store.acceptDirection(file, by: police, now: ago(62))
        _ = try await store.addMember(.init(userID: nurse.userID, role: "GGD-verpleegkundige (bemoeizorg)", legalBasis: "consent",
                                            consentDate: day(ago(55)), consentScope: "Zorgcoördinatie en overleg met politie en begeleiding"),
                                      to: file, access: .director, by: police, now: ago(55))
        _ = try await store.addMember(.init(userID: guidance.userID, role: "Begeleider statushouders", legalBasis: "covenant"),
                                      to: file, access: .director, by: police, now: ago(54))
        try await store.changePhase(file, access: .director, to: .analysis, outcome: nil, reason: nil, by: police, now: ago(50))
        _ = try await store.recordFactors(present: ["trauma_indications", "care_refusal", "earlier_incidents", "neighbour_conflicts", "loss_of_daily_structure"],
                                          in: file, access: .director, by: police, now: ago(48))
        try await store.changePhase(file, access: .director, to: .plan, outcome: nil, reason: nil, by: police, now: ago(40))
        let safety = try await store.addGoal(domain: "safety", text: "Geen nieuwe bedreigingen van medebewoners; afspraken over de gang nagekomen.",
                                             to: file, access: .director, by: police, now: ago(39))
        let health = try await store.addGoal(domain: "health", text: "Contact met de GGZ op gang: eerste gesprek met tolk, daarna behandeladvies.",
                                             to: file, access: .director, by: police, now: ago(39))
        _ = try await store.addGoal(domain: "daily_activity_income", text: "Dagbesteding of taalcursus vier dagdelen per week.",
                                    to: file, access: .director, by: police, now: ago(39))
        try await store.changePhase(file, access: .director, to: .execution, outcome: nil, reason: nil, by: police, now: ago(35))
        let visit = try await store.addAction(ActionDraft(title: "Huisbezoek samen met de wijkagent", organisation: organisation(nurse), assignee: nurse.userID.uuidString,
                                                          dueOn: day(ago(28))), goal: health.id!.uuidString, to: file, access: .director, by: police, now: ago(35))
        try await store.closeAction(visit.id!, .done(result: "Gesprek gevoerd met tolk; bewoner staat open voor één gesprek bij de GGZ."),
                                    in: file, access: .member, by: nurse, now: ago(27))
        _ = try await store.addAction(ActionDraft(title: "Afspraken over de gang op papier zetten en ondertekenen", organisation: organisation(guidance),
                                                  assignee: guidance.userID.uuidString, dueOn: day(ago(3))),
                                      goal: safety.id!.uuidString, to: file, access: .director, by: police, now: ago(20))
        _ = try await store.addNote("Wijkagent en begeleider spraken bewoner samen; hij zegt dat het lawaai 's nachts hem niet laat slapen.",
                                    sensitive: false, readers: [], to: file, access: .director, by: police, now: ago(26))
        _ = try await store.addNote("GGD: aanwijzingen voor een posttraumatische stressstoornis; bewoner wil geen diagnose in het dossier van de corporatie.",
                                    sensitive: true, readers: [], to: file, access: .member, by: nurse, now: ago(25))

        // 2. In analysis: the GGD directs, the police takes part on the basis of its legal task.
        file = try await store.open(.init(pseudonyms: [people[2].pseudonym],
                                          reason: "Trekt zich terug, betaalt de huur niet meer; buren maken zich zorgen.",
                                          directorID: ggd.userID, reportReferences: try await references(of: people[2])),
                                    by: coordinator, now: ago(21))
        try await store.acceptDirection(file, by: ggd, now: ago(21))
        _ = try await store.addMember(.init(userID: income.userID, role: "Consulent werk en inkomen", legalBasis: "legal_task"),
                                      to: file, access: .director, by: ggd, now: ago(20))
        try await store.changePhase(file, access: .director, to: .analysis, outcome: nil, reason: nil, by: ggd, now: ago(19))
        _ = try await store.recordFactors(present: ["debts", "isolation"], in: file, access: .director, by: ggd, now: ago(18))
        _ = try await store.addAction(ActionDraft(title: "Schuldhulpverlening aanmelden", organisation: organisation(income), assignee: income.userID.uuidString,
                                                  dueOn: day(now.addingTimeInterval(5 * Self.day))), goal: nil, to: file, access: .director, by: ggd, now: ago(18))

        // 3. The police proposes to hand the direction to the GGZ: it waits for acceptance.
        file = try await store.open(.init(pseudonyms: [people[1].pseudonym],
                                          reason: "Slachtoffer van intimidatie op de gang; angstklachten, durft 's avonds niet naar buiten.",
                                          directorID: police.userID, reportReferences: try await references(of: people[1])),
                                    by: coordinator, now: ago(12))
        try await store.acceptDirection(file, by: police, now: ago(12))
        _ = try await store.recordFactors(present: ["neighbour_conflicts"], in: file, access: .director, by: police, now: ago(11))
        try await store.proposeDirector(file, access: .director, userID: ggz.userID,
                                        reason: "Zorg staat voorop; de GGZ kan de regie beter voeren.", by: police, now: ago(4))

        // 4. Closed with an outcome.
        file = try await store.open(.init(pseudonyms: [people[4].pseudonym],
                                          reason: "Conflicten met buren na verhuizing; geen dagbesteding.",
                                          directorID: coordinator.userID, reportReferences: try await references(of: people[4])),
                                    by: coordinator, now: ago(140))
        try await store.changePhase(file, access: .director, to: .analysis, outcome: nil, reason: nil, by: coordinator, now: ago(130))
        _ = try await store.recordFactors(present: ["neighbour_conflicts", "loss_of_daily_structure"], in: file, access: .director, by: coordinator, now: ago(129))
        try await store.changePhase(file, access: .director, to: .plan, outcome: nil, reason: nil, by: coordinator, now: ago(120))
        let activity = try await store.addGoal(domain: "daily_activity_income", text: "Werkervaringsplek bij de kringloop.",
                                               to: file, access: .director, by: coordinator, now: ago(119))
        try await store.changePhase(file, access: .director, to: .execution, outcome: nil, reason: nil, by: coordinator, now: ago(110))
        try await store.closeGoal(activity.id!, status: "achieved", result: "Werkt drie dagen per week bij de kringloop.",
                                  in: file, access: .director, by: coordinator, now: ago(40))
        try await store.changePhase(file, access: .director, to: .aftercare, outcome: nil, reason: nil, by: coordinator, now: ago(38))
        try await store.changePhase(file, access: .director, to: .closed, outcome: "stabilised",
                                    reason: "Drie maanden zonder incidenten; dagbesteding loopt.", by: coordinator, now: ago(9))
    }
}
