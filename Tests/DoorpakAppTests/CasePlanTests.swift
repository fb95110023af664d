import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// The case page's substance through the store: the plan (goals per life domain, sealed, only the
/// director changes it, the coordinator never reads a goal's text), structured factors with their
/// history, case actions through the shared mechanism (closing a case with open actions refused
/// unless they are cancelled), more reports linked within scope, and a placement requested from the case.
@Suite struct CasePlanTests {
    struct Setting: Sendable {
        let db: AppDatabase
        let store: CaseStore
        let file: CaseFile
        let pseudonym: String
        let police: Principal, ggd: Principal, coordinator: Principal, staff: Principal, analyst: Principal, admin: Principal
    }

    /// A case of the police persona for a person linked to the northern report, the GGD persona a member with consent.
    static func setting(_ world: TestWorld, _ db: AppDatabase) async throws -> Setting {
        func principal(_ persona: TestWorld.Persona) async throws -> Principal {
            try #require(try await Principal.load(userID: world.users[persona]!, via: .session, on: db.db()))
        }
        let police = try await principal(.police), ggd = try await principal(.ggd), coordinator = try await principal(.coordinatorNorth)
        let persons = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
        let store = CaseStore(database: db, persons: persons)
        let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: police)
        let pseudonym = try await persons.link(PersonDraft(name: "Fictief Plan"), role: "causing_concern", to: report, by: police).pseudonym
        let file = try await store.open(.init(pseudonyms: [pseudonym], reason: "Herhaalde incidenten", reportReferences: [world.reportNorth]), by: police)
        _ = try await store.addMember(.init(userID: ggd.userID, role: "GGD", legalBasis: "consent", consentDate: Formats.isoDay(.now),
                                            consentScope: "Zorg"), to: file, access: .director, by: police)
        return Setting(db: db, store: store, file: file, pseudonym: pseudonym, police: police, ggd: ggd, coordinator: coordinator,
                       staff: try await principal(.staffNorth), analyst: try await principal(.analyst), admin: try await principal(.admin))
    }

    static func issues(_ error: (any Error)?) -> Set<String> {
        if case .invalid(let issues) = error as? AppError { return Set(issues.map(\.name)) }
        return []
    }

    @Test(arguments: TestDatabase.available)
    func goalsPerLifeDomainSealedAndDirectorOnly(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let s = try await Self.setting(world, db)
            let (store, file) = (s.store, s.file)
            // Members read the plan but do not change it; a coordinator cannot either.
            await #expect(throws: AppError.self) {
                try await store.addGoal(domain: "housing", text: "Mag niet", to: file, access: .member, by: s.ggd)
            }
            await #expect(throws: AppError.self) {
                try await store.addGoal(domain: "housing", text: "Mag niet", to: file, access: .coordinatorMetadata, by: s.coordinator)
            }
            let refused = await #expect(throws: AppError.self) {
                try await store.addGoal(domain: "nationality", text: " ", to: file, access: .director, by: s.police)
            }
            #expect(Self.issues(refused) == ["goal_domain", "goal_text"])
            let goal = try await store.addGoal(domain: "housing", text: "Behoud van de woning, geen nieuwe overlast", to: file, access: .director, by: s.police)
            _ = try await store.addGoal(domain: "safety", text: "Geen bedreigingen meer", to: file, access: .director, by: s.police)

            // Sealed at rest, like notes; in domain order for the page.
            let stored = try #require(try await CaseGoal.find(goal.id, on: db.db()))
            #expect(stored.textSealed.hasPrefix("dp1.") && !stored.textSealed.contains("woning"))
            #expect(EncryptedColumns.all.contains { $0.table == CaseGoal.schema && $0.columns.contains("text_sealed") })
            let forMember = try await store.goals(of: file, access: .member)
            #expect(forMember.map(\.goal.domain) == ["safety", "housing"])
            #expect(forMember.last?.text == "Behoud van de woning, geen nieuwe overlast")
            let forCoordinator = try await store.goals(of: file, access: .coordinatorMetadata)
            #expect(forCoordinator.count == 2 && forCoordinator.allSatisfy { $0.text == nil && $0.result == nil })

            // Closing needs an outcome and a short result; once only.
            let missing = await #expect(throws: AppError.self) {
                try await store.closeGoal(goal.id!, status: "open", result: "", in: file, access: .director, by: s.police)
            }
            #expect(Self.issues(missing) == ["goal_status", "goal_result"])
            await #expect(throws: AppError.self) {
                try await store.closeGoal(goal.id!, status: "achieved", result: "Rustig", in: file, access: .member, by: s.ggd)
            }
            try await store.closeGoal(goal.id!, status: "achieved", result: "Huurachterstand geregeld", in: file, access: .director, by: s.police)
            let conflict = await #expect(throws: AppError.self) {
                try await store.closeGoal(goal.id!, status: "dropped", result: "Nog eens", in: file, access: .director, by: s.police)
            }
            if case .conflict? = conflict {} else { Issue.record("a second closing is a conflict, got \(String(describing: conflict))") }
            let closed = try #require(try await store.goals(of: file, access: .director).first { $0.goal.id == goal.id })
            #expect(closed.goal.goalStatus == .achieved && closed.result == "Huurachterstand geregeld" && closed.goal.closedBy == s.police.userID)
            let kinds = try await store.history(of: file, access: .director).map(\.kind)
            #expect(kinds.filter { $0 == "goal_added" }.count == 2 && kinds.contains("goal_closed"))
            // The audit log has the writes.
            let audited = try await AuditEntry.query(on: db.db()).filter(\.$recordID == file.reference).filter(\.$action == "update").count()
            #expect(audited >= 4)
        }
    }

    /// `doorpak keys rotate` re-encrypts goal texts and results (an open goal's empty result stays empty).
    @Test(arguments: TestDatabase.available)
    func keyRotationCoversGoals(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let s = try await Self.setting(world, db)
            let old = try Keyring(json: Data(#"{"current":"k1","keys":{"k1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}"#.utf8))
            let rotated = old.addingKey()
            func store(_ keyring: Keyring) -> CaseStore { CaseStore(database: db, persons: PersonStore(database: db, cipher: FieldCipher(keyring: keyring))) }
            let open = try await store(old).addGoal(domain: "finances", text: "Budgetbeheer geregeld", to: s.file, access: .director, by: s.police)
            let closed = try await store(old).addGoal(domain: "housing", text: "Geen huurachterstand", to: s.file, access: .director, by: s.police)
            try await store(old).closeGoal(closed.id!, status: "dropped", result: "Verhuisd", in: s.file, access: .director, by: s.police)
            let outcome = try await KeyRotation(cipher: FieldCipher(keyring: rotated), database: db).reencrypt([CaseGoal.encrypted])
            #expect(outcome == KeyRotation.Outcome(rewritten: 2, failed: 0))
            let rows = try await CaseGoal.query(on: db.db()).all()
            #expect(rows.allSatisfy { $0.textSealed.hasPrefix("dp1.k2.") && ($0.resultSealed?.hasPrefix("dp1.k2.") ?? ($0.id == open.id)) })
            let onlyNew = try Keyring(current: "k2", keys: ["k2": rotated.keys["k2"]!])
            let goals = try await store(onlyNew).goals(of: s.file, access: .director)
            #expect(goals.map(\.text) == ["Geen huurachterstand", "Budgetbeheer geregeld"] && goals.map(\.result) == ["Verhuisd", nil])
        }
    }

    @Test(arguments: TestDatabase.available)
    func factorsOnAFixedListWithHistory(_ database: TestDatabase) async throws {
        // Never a factor: anything about nationality, origin or ethnicity.
        #expect(!CaseFactor.allCases.contains { ["nation", "origin", "ethnic", "country", "migra"].contains(where: $0.rawValue.contains) })
        #expect(CaseFactorRules.changes(current: [.debts: true], present: [.debts]).map(\.factor) == CaseFactor.allCases.filter { $0 != .debts })
        #expect([0, 1, 4, 5, 12].map { SuppressedCount($0).shown } == [0, nil, nil, 5, 12])
        #expect(CaseFactorRules.changes(current: Dictionary(uniqueKeysWithValues: CaseFactor.allCases.map { ($0, false) }), present: []).isEmpty)

        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let s = try await Self.setting(world, db)
            let (store, file) = (s.store, s.file)
            await #expect(throws: AppError.self) { try await store.recordFactors(present: ["debts"], in: file, access: .member, by: s.ggd) }
            let unknown = await #expect(throws: AppError.self) {
                try await store.recordFactors(present: ["debts", "nationality"], in: file, access: .director, by: s.police)
            }
            #expect(Self.issues(unknown) == ["factors"])
            #expect(try await store.factors(of: file, access: .director).isEmpty)

            let first = try await store.recordFactors(present: ["debts", "trauma_indications"], in: file, access: .director, by: s.police)
            #expect(first.count == CaseFactor.allCases.count)
            let factors = try await store.factors(of: file, access: .member)
            #expect(factors.count == CaseFactor.allCases.count)
            #expect(factors[.debts]?.present == true && factors[.isolation]?.present == false && factors[.debts]?.recordedBy == s.police.userID)
            #expect(try await store.factors(of: file, access: .coordinatorMetadata).isEmpty)

            // Only what changed is written again, each change in the history.
            let second = try await store.recordFactors(present: ["debts", "isolation"], in: file, access: .director, by: s.admin)
            #expect(Set(second.map(\.factor)) == [.isolation, .traumaIndications])
            #expect(try await store.factors(of: file, access: .director)[.debts]?.recordedBy == s.police.userID)
            #expect(try await store.factors(of: file, access: .director)[.isolation]?.recordedBy == s.admin.userID)
            let events = try await store.history(of: file, access: .director).filter { $0.kind == "factor" }
            #expect(events.count == CaseFactor.allCases.count + 2)
            #expect(events.contains { $0.reason == "isolation" && $0.fromValue == "absent" && $0.toValue == "present" })
            #expect(try await store.recordFactors(present: ["debts", "isolation"], in: file, access: .director, by: s.police).isEmpty)

            // Counts for policy staff, never to others; a count of 1 to 4 never leaves the store.
            let counts = try await store.factorCounts(by: s.analyst)
            #expect(counts[.debts]?.present.shown == nil && counts[.debts]?.recorded.shown == nil)
            #expect(counts[.traumaIndications]?.present.shown == 0)
            #expect(try await store.factorCounts(by: s.coordinator)[.isolation]?.present.shown == nil)
            await #expect(throws: AppError.self) { try await store.factorCounts(by: s.staff) }
            await #expect(throws: AppError.self) { try await store.factorCounts(by: s.police) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func caseActionsAndClosingWithOpenActions(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let s = try await Self.setting(world, db)
            let (store, file) = (s.store, s.file)
            let goal = try await store.addGoal(domain: "health", text: "Intake GGZ", to: file, access: .director, by: s.police)
            let due = Formats.isoDay(Date.now.addingTimeInterval(7 * 86_400))
            let draft = ActionDraft(title: "Intake bij de GGZ plannen", organisation: world.ggd.uuidString, assignee: s.ggd.userID.uuidString, dueOn: due)
            await #expect(throws: AppError.self) { try await store.addAction(draft, goal: nil, to: file, access: .member, by: s.ggd) }
            let bad = await #expect(throws: AppError.self) {
                try await store.addAction(ActionDraft(title: "", organisation: nil, dueOn: due), goal: UUID().uuidString, to: file, access: .director, by: s.police)
            }
            #expect(Self.issues(bad) == ["title", "organisation", "goal"])
            let action = try await store.addAction(draft, goal: goal.id!.uuidString, to: file, access: .director, by: s.police)
            #expect(action.subjectKind == ActionSubjectKind.caseFile.rawValue && action.subjectID == file.id && action.subjectReference == file.reference)
            #expect(action.urgency == Urgency.normal.rawValue)
            #expect(try await store.goalLinks(of: [action]) == [action.id!: goal.id!])
            let second = try await store.addAction(ActionDraft(title: "Budgetcoach regelen", organisation: world.police.uuidString, dueOn: due),
                                                   goal: nil, to: file, access: .director, by: s.police)
            #expect(try await store.actions(of: file, access: .director).map(\.id) == [action.id, second.id])
            #expect(try await store.openActionCount(of: file) == 2)

            // Closing: the coordinator's metadata access closes nothing here; the assignee (member) may.
            await #expect(throws: AppError.self) {
                try await store.closeAction(action.id!, .done(result: "x"), in: file, access: .coordinatorMetadata, by: s.coordinator)
            }
            let empty = await #expect(throws: AppError.self) {
                try await store.closeAction(action.id!, .done(result: " "), in: file, access: .member, by: s.ggd)
            }
            #expect(Self.issues(empty) == ["result"])
            try await store.closeAction(action.id!, .done(result: "Intake op 3 december"), in: file, access: .member, by: s.ggd)
            // An action of another subject is not this case's.
            let reportAction = try await ActionStore(database: db).add(ActionDraft(title: "Elders", organisation: world.police.uuidString, dueOn: due),
                                                                       to: ActionSubject(try await ReportStore(database: db).find(reference: world.reportNorth, by: s.police)),
                                                                       by: s.police)
            await #expect(throws: AppError.self) {
                try await store.closeAction(reportAction.id!, .done(result: "x"), in: file, access: .director, by: s.police)
            }

            // Closing the case with an open action: refused, unless the director has it cancelled with the reason.
            let refused = await #expect(throws: AppError.self) {
                try await store.changePhase(file, access: .director, to: .closed, outcome: "stabilised", reason: "Rust", by: s.police)
            }
            #expect(Self.issues(refused) == ["phase"])
            #expect(file.casePhase != .closed)
            try await store.changePhase(file, access: .director, to: .closed, outcome: "stabilised", reason: "Rust op de locatie",
                                        cancelOpenActions: true, by: s.police)
            let after = try await store.actions(of: file, access: .director)
            #expect(after.map(\.actionStatus) == [.done, .cancelled])
            #expect(after.last?.cancelReason == "Rust op de locatie")
            #expect(try await store.openActionCount(of: file) == 0)
            // A closed case's plan is frozen.
            await #expect(throws: AppError.self) {
                try await store.addGoal(domain: "housing", text: "Te laat", to: file, access: .director, by: s.police)
            }
            let actionEvents = try await store.history(of: file, access: .director).filter { $0.kind == "action" }
            // Agreed twice, done once, cancelled once: each step in the case's history.
            #expect(actionEvents.count == 4)
        }
    }

    @Test(arguments: TestDatabase.available)
    func reportsLinkedWithinScopeAndPlacementFromTheCase(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let s = try await Self.setting(world, db)
            let (store, file) = (s.store, s.file)
            // The police persona does not see the southern report: it reads as unknown, like a missing one.
            let outside = await #expect(throws: AppError.self) {
                try await store.linkReports([world.reportSouth], to: file, access: .director, by: s.police)
            }
            #expect(Self.issues(outside) == ["report_references"])
            let missing = await #expect(throws: AppError.self) {
                try await store.linkReports(["DP-2099-999999"], to: file, access: .director, by: s.police)
            }
            #expect(Self.issues(missing) == ["report_references"])
            await #expect(throws: AppError.self) { try await store.linkReports([world.reportSouth], to: file, access: .member, by: s.ggd) }
            #expect(try await store.linkReports([world.reportNorth.lowercased()], to: file, access: .director, by: s.police).isEmpty)
            #expect(try await store.linkReports([world.reportSouth], to: file, access: .director, by: s.admin) == [world.reportSouth])
            // The GGD member reads only the southern report: the northern one is a reference without content.
            let forGGD = try await store.linkedReports(of: file, by: s.ggd)
            #expect(Set(forGGD.map(\.reference)) == [world.reportNorth, world.reportSouth])
            #expect(forGGD.first { $0.reference == world.reportNorth }?.readable == false)
            #expect(forGGD.first { $0.reference == world.reportNorth }?.events.isEmpty == true)
            #expect(forGGD.first { $0.reference == world.reportSouth }?.readable == true)

            // A placement requested from the case is bound to it and in the case's history and timeline.
            let draft = CoolingOffStore.RequestDraft(reason: "Afkoelen na incident", from: Formats.isoDay(.now), through: Formats.isoDay(.now.addingTimeInterval(14 * 86_400)),
                                                     guidanceOrganisation: world.ggd.uuidString)
            await #expect(throws: AppError.self) { try await store.requestPlacement(draft, for: s.pseudonym, in: file, by: s.coordinator) }
            await #expect(throws: AppError.self) { try await store.requestPlacement(draft, for: "P-2222-22", in: file, by: s.police) }
            let placement = try await store.requestPlacement(draft, for: s.pseudonym, in: file, by: s.police)
            #expect(placement.caseID == file.id)
            #expect(try await store.history(of: file, access: .director).contains { $0.kind == "placement_requested" && $0.toValue == s.pseudonym })
            let timeline = try await store.timeline(of: file, access: .director, by: s.police).sorted
            #expect(timeline.contains { $0.kind == .placement && $0.href == "/cooling-off/placements/\(placement.id!.uuidString)" })
            // The director (police) reads the northern report, not the southern one the administrator linked.
            #expect(timeline.contains { $0.what == "cases.timeline.report_registered" && $0.parts.first == .text(world.reportNorth) && $0.href != nil })
            #expect(timeline.contains { $0.what == "cases.timeline.report_hidden" && $0.parts == [.text(world.reportSouth)] && $0.href == nil })
            let forCoordinator = try await store.timeline(of: file, access: .coordinatorMetadata, by: s.coordinator).sorted
            #expect(forCoordinator.allSatisfy { $0.detail == nil })
        }
    }

    /// The case page's forms: refused ones answer 422 with the message beside the field and what was
    /// typed kept; the coordinator sees no goal text and no factors; closing with an open action is
    /// refused on the page until the director ticks that it is cancelled.
    @Test(arguments: TestDatabase.available)
    func planPages(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), ggd = Browser(client), coordinator = Browser(client), staff = Browser(client)
            try await police.signIn(.police)
            try await ggd.signIn(.ggd)
            try await coordinator.signIn(.coordinatorNorth)
            try await staff.signIn(.staffNorth)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", [("role", "causing_concern"), ("name", "Fictief Planpagina")])
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            let opened = try await police.post("/persons/\(pseudonym)/cases", [("reason", "Herhaalde incidenten"), ("reports", world.reportNorth)])
            let path = try #require(opened.headers[.location])
            #expect(try await police.post(path + "/members", [("member", world.users[.ggd]!.uuidString), ("member_role", "GGD"),
                                                              ("legal_basis", "consent"), ("consent_date", Formats.isoDay(.now)),
                                                              ("consent_scope", "Zorg")]).status == .seeOther)

            let empty = try await police.post(path + "/goals", [("goal_domain", "housing"), ("goal_text", " ")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains(#"id="goal-text-error""#) && empty.text.contains(#"<option value="housing" selected>"#))
            #expect(try await police.post(path + "/goals", [("goal_domain", "housing"), ("goal_text", "Woning behouden zonder overlast")]).status == .seeOther)
            #expect(try await ggd.post(path + "/goals", [("goal_domain", "safety"), ("goal_text", "Mag niet")]).status == .notFound)
            let page = try await police.get(path)
            #expect(page.text.contains("Woning behouden zonder overlast") && page.text.contains(#"id="goal-form""#) && page.text.contains("Tijdlijn"))
            let member = try await ggd.get(path)
            #expect(member.text.contains("Woning behouden zonder overlast") && !member.text.contains(#"id="goal-form""#))
            let meta = try await coordinator.get(path)
            #expect(meta.status == .ok && !meta.text.contains("Woning behouden") && !meta.text.contains(#"id="factors""#))
            #expect(try await staff.get(path).status == .notFound)

            // Factors: the director's checkboxes; an unknown code is refused.
            #expect(try await ggd.post(path + "/factors", [("factors_form", "1"), ("factors", "debts")]).status == .notFound)
            #expect(try await police.post(path + "/factors", [("factors_form", "1"), ("factors", "nationality")]).status == .unprocessableContent)
            // Without the form's marker nothing is recorded (unticked boxes are not sent, a garbled post has no marker).
            #expect(try await police.post(path + "/factors", []).status == .unprocessableContent)
            #expect(try await police.post(path + "/factors", [("factors_form", "1"), ("factors", "debts")]).status == .seeOther)
            #expect(try await police.get(path).text.contains(#"value="debts" checked"#))
            // The aggregate: one case, so the counts for debts are too small to show; no case reference on it.
            let analyst = Browser(client)
            try await analyst.signIn(.analyst)
            let counts = try await analyst.get("/cases/factors")
            #expect(counts.status == .ok && counts.text.contains("minder dan 5") && !counts.text.contains("CS-"))
            #expect(try await coordinator.get("/cases/factors").status == .ok)
            #expect(try await police.get("/cases/factors").status == .notFound)

            // An action: refused empty with the typed title kept, then agreed.
            let refused = try await police.post(path + "/actions", [("action_title", "Budgetcoach"), ("action_due_on", "")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(#"id="action_due_on-error""#) && refused.text.contains(#"value="Budgetcoach""#))
            let due = Formats.isoDay(Date.now.addingTimeInterval(5 * 86_400))
            #expect(try await police.post(path + "/actions", [("action_title", "Budgetcoach regelen"), ("action_organisation", world.police.uuidString),
                                                              ("action_due_on", due)]).status == .seeOther)
            #expect(try await coordinator.get(path).text.contains("Budgetcoach regelen"))

            // Reports out of scope read as unknown; a placement request from the case for its person.
            let outside = try await police.post(path + "/reports", [("report_references", world.reportSouth)])
            #expect(outside.status == .unprocessableContent && outside.text.contains(#"id="report-references-error""#))
            let form = try await police.get(path + "/placements/new")
            #expect(form.status == .ok && form.text.contains("\(path)/placements?person=\(pseudonym)"))
            #expect(try await coordinator.get(path + "/placements/new").status == .notFound)

            // Closing with an open action.
            let blocked = try await police.post(path + "/phase", [("phase", "closed"), ("outcome", "stabilised"), ("reason", "Rust")])
            #expect(blocked.status == .unprocessableContent && blocked.text.contains(#"id="phase-error""#) && blocked.text.contains(#"id="cancel-open-actions""#))
            #expect(try await police.post(path + "/phase", [("phase", "closed"), ("outcome", "stabilised"), ("reason", "Rust"),
                                                            ("cancel_open_actions", "1")]).status == .seeOther)
            let closed = try await police.get(path)
            #expect(closed.text.contains("situatie gestabiliseerd") && !closed.text.contains(#"id="goal-form""#))
        }
    }
}
