import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct CaseTests {
    @Test func phasesMoveStepByStepCloseWithOutcomeAndReopenWithReason() {
        #expect(CasePhase.check(from: .registration, to: .analysis, outcome: nil, reason: nil) == .allowed)
        #expect(CasePhase.check(from: .analysis, to: .registration, outcome: nil, reason: nil) == .allowed)
        #expect(CasePhase.check(from: .registration, to: .execution, outcome: nil, reason: nil) == .refused)
        #expect(CasePhase.check(from: .plan, to: .closed, outcome: nil, reason: "klaar") == .outcomeAndReasonRequired)
        #expect(CasePhase.check(from: .plan, to: .closed, outcome: .stabilised, reason: " ") == .outcomeAndReasonRequired)
        #expect(CasePhase.check(from: .aftercare, to: .closed, outcome: .stabilised, reason: "Rustig") == .allowed)
        #expect(CasePhase.check(from: .closed, to: .analysis, outcome: nil, reason: nil) == .reasonRequired)
        #expect(CasePhase.check(from: .closed, to: .analysis, outcome: nil, reason: "Nieuw incident") == .allowed)
        #expect(CasePhase.check(from: .closed, to: .plan, outcome: nil, reason: "x") == .refused)
    }

    /// A case from opening to closing through the store: one director at every moment, a member
    /// with consent who sees the person and the ordinary notes but not the sensitive one, nothing
    /// new after withdrawal; the coordinator sees metadata only; a hand-over takes effect on
    /// acceptance; a deactivated director puts the case on the coordinator's list.
    @Test(arguments: TestDatabase.available)
    func caseLifecycleThroughTheStore(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            func principal(_ persona: TestWorld.Persona) async throws -> Principal {
                try #require(try await Principal.load(userID: world.users[persona]!, via: .session, on: db.db()))
            }
            let police = try await principal(.police), ggd = try await principal(.ggd), coordinator = try await principal(.coordinatorNorth)
            let staff = try await principal(.staffNorth)
            let persons = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
            let store = CaseStore(database: db, persons: persons)
            let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: police)
            let pseudonym = try await persons.link(PersonDraft(name: "Fictief Casus"), role: "causing_concern", to: report, by: police).pseudonym
            await #expect(throws: AppError.self) { try await persons.record(pseudonym: pseudonym, by: ggd, on: db.db()) }

            await #expect(throws: AppError.self) { try await store.open(.init(pseudonyms: [pseudonym], reason: " "), by: police) }
            let file = try await store.open(.init(pseudonyms: [pseudonym], reason: "Herhaalde incidenten, zorg geweigerd",
                                                  reportReferences: [world.reportNorth]), by: police)
            #expect(file.reference.hasPrefix("CS-"))
            #expect(file.directorID == police.userID)
            #expect(file.districtID == world.districtNorth)
            #expect(try await store.find(reference: file.reference, by: police).access == .director)
            #expect(try await store.find(reference: file.reference, by: coordinator).access == .coordinatorMetadata)
            await #expect(throws: AppError.self) { try await store.find(reference: file.reference, by: ggd) }
            await #expect(throws: AppError.self) { try await store.find(reference: file.reference, by: staff) }
            // Who else is involved tells others about the case director.
            let staffView = try await persons.find(pseudonym: pseudonym, by: staff)
            #expect(try await persons.involvements(of: staffView, by: staff).contains { $0.caseDirector && $0.contactName == "Police" })

            // A member with consent: date and scope are required.
            let missing = await #expect(throws: AppError.self) {
                try await store.addMember(.init(userID: ggd.userID, role: "GGD-verpleegkundige", legalBasis: "consent"), to: file, access: .director, by: police)
            }
            if case .invalid(let issues) = missing { #expect(Set(issues.map(\.name)) == ["consent_date", "consent_scope"]) }
            _ = try await store.addMember(.init(userID: ggd.userID, role: "GGD-verpleegkundige", legalBasis: "consent",
                                                consentDate: Formats.isoDay(.now), consentScope: "Zorgcoördinatie"), to: file, access: .director, by: police)
            #expect(try await store.find(reference: file.reference, by: ggd).access == .member)
            // Through the case, the member now sees the person.
            #expect(try await persons.record(pseudonym: pseudonym, by: ggd, on: db.db()).pseudonym == pseudonym)

            let start = Date.now
            try await store.addNote("Gesprek gehad, afspraak GGD", sensitive: false, readers: [], to: file, access: .director, by: police, now: start)
            try await store.addNote("Diagnose bekend bij huisarts", sensitive: true, readers: [], to: file, access: .director, by: police, now: start)
            let seen = try await store.notes(of: file, access: .member, by: ggd).map(\.body)
            #expect(seen == ["Gesprek gehad, afspraak GGD"])
            #expect(try await store.notes(of: file, access: .director, by: police).count == 2)
            #expect(try await store.notes(of: file, access: .coordinatorMetadata, by: coordinator).isEmpty)
            let sealed = try await CaseNote.query(on: db.db()).all().map(\.bodySealed)
            #expect(sealed.allSatisfy { $0.hasPrefix("dp1.") && !$0.contains("Diagnose") })

            let member = try #require(try await store.activeMember(of: file, userID: ggd.userID, on: db.db()))
            try await store.withdrawConsent(member.id!, in: file, access: .director, by: police, now: start.addingTimeInterval(60))
            try await store.addNote("Na intrekking", sensitive: false, readers: [], to: file, access: .director, by: police, now: start.addingTimeInterval(120))
            #expect(try await store.notes(of: file, access: .member, by: ggd).map(\.body) == ["Gesprek gehad, afspraak GGD"])
            await #expect(throws: AppError.self) {
                try await store.addNote("Mag niet", sensitive: false, readers: [], to: file, access: .member, by: ggd)
            }

            // Phases; closing needs outcome and reason; reopening a reason.
            try await store.changePhase(file, access: .director, to: .analysis, outcome: nil, reason: nil, by: police)
            await #expect(throws: AppError.self) {
                try await store.changePhase(file, access: .member, to: .plan, outcome: nil, reason: nil, by: ggd)
            }
            await #expect(throws: AppError.self) {
                try await store.changePhase(file, access: .director, to: .closed, outcome: nil, reason: "Klaar", by: police)
            }
            try await store.changePhase(file, access: .director, to: .closed, outcome: "stabilised", reason: "Rust op de locatie", by: police)
            #expect(file.casePhase == .closed && file.outcome == "stabilised")
            await #expect(throws: AppError.self) {
                try await store.changePhase(file, access: .director, to: .analysis, outcome: nil, reason: nil, by: police)
            }
            try await store.changePhase(file, access: .director, to: .analysis, outcome: nil, reason: "Nieuw incident", by: police)

            // Hand-over: proposed, and the direction moves only on acceptance.
            try await store.proposeDirector(file, access: .director, userID: staff.userID, reason: "Dichter bij de locatie", by: police)
            #expect(file.directorID == police.userID)
            await #expect(throws: AppError.self) { try await store.acceptDirection(file, by: ggd) }
            try await store.acceptDirection(try await store.findProposed(reference: file.reference, by: staff), by: staff)
            let reloaded = try #require(try await CaseFile.find(file.id, on: db.db()))
            #expect(reloaded.directorID == staff.userID && reloaded.proposedDirectorID == nil)

            // The director is deactivated: the case is on the coordinator's list until someone takes it over.
            #expect(try await store.needingDirector(by: coordinator).isEmpty)
            let user = try #require(try await User.find(staff.userID, on: db.db()))
            user.active = false
            try await user.update(on: db.db())
            #expect(try await store.needingDirector(by: coordinator).map(\.reference) == [file.reference])
            let kinds = try await store.history(of: reloaded, access: .director).map(\.kind)
            // Every step is in the history (events within one second have no defined order between them).
            #expect(kinds.sorted() == ["opened", "member_added", "note", "sensitive_note", "phase", "closed", "reopened", "director_proposed",
                                       "director_accepted", "consent_withdrawn", "note"].sorted())
            #expect(Array(kinds.suffix(2)) == ["consent_withdrawn", "note"])
        }
    }
}

extension CaseTests {
    /// The pages: opening from the person page (errors in place), a member with consent, notes,
    /// phases, closing with an outcome; the member sees the case, an outsider gets 404.
    @Test(arguments: TestDatabase.available)
    func casePages(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client), ggd = Browser(client), staff = Browser(client), coordinator = Browser(client)
            try await police.signIn(.police)
            try await ggd.signIn(.ggd)
            try await staff.signIn(.staffNorth)
            try await coordinator.signIn(.coordinatorNorth)
            let created = try await police.post("/reports/\(world.reportNorth)/persons", [("role", "causing_concern"), ("name", "Fictief Casuspagina")])
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            #expect(try await police.get("/persons/\(pseudonym)/cases/new").status == .ok)
            let failed = try await police.post("/persons/\(pseudonym)/cases", [("reason", ""), ("reports", world.reportNorth)])
            #expect(failed.status == .unprocessableContent)
            #expect(failed.text.contains(#"id="reason-error""#) && failed.text.contains(world.reportNorth))
            let opened = try await police.post("/persons/\(pseudonym)/cases", [("reason", "Herhaalde incidenten"), ("reports", world.reportNorth)])
            let path = try #require(opened.headers[.location])
            #expect(path.hasPrefix("/cases/CS-"))
            #expect(try await police.get(path).text.contains("Herhaalde incidenten"))
            #expect(try await ggd.get(path).status == .notFound)
            let noConsent = try await police.post(path + "/members", [("member", world.users[.ggd]!.uuidString), ("member_role", "GGD"),
                                                                      ("legal_basis", "consent")])
            #expect(noConsent.status == .unprocessableContent)
            #expect(noConsent.text.contains(#"id="consent_date-error""#))
            #expect(try await police.post(path + "/members", [("member", world.users[.ggd]!.uuidString), ("member_role", "GGD"),
                                                              ("legal_basis", "consent"), ("consent_date", Formats.isoDay(.now)),
                                                              ("consent_scope", "Zorg")]).status == .seeOther)
            #expect(try await police.post(path + "/notes", [("body", "Gewone aantekening")]).status == .seeOther)
            #expect(try await police.post(path + "/notes", [("body", "Medisch detail"), ("sensitive", "1")]).status == .seeOther)
            let member = try await ggd.get(path)
            #expect(member.status == .ok)
            #expect(member.text.contains("Gewone aantekening") && !member.text.contains("Medisch detail"))
            let meta = try await coordinator.get(path)
            #expect(meta.text.contains(#"id="metadata-only""#) && !meta.text.contains("Gewone aantekening") && !meta.text.contains("Herhaalde incidenten"))
            #expect(try await staff.get(path).status == .notFound)
            #expect(try await police.post(path + "/phase", [("phase", "analysis")]).status == .seeOther)
            let close = try await police.post(path + "/phase", [("phase", "closed"), ("reason", "Rust")])
            #expect(close.status == .unprocessableContent)
            #expect(close.text.contains(#"id="outcome-error""#))
            #expect(try await police.post(path + "/phase", [("phase", "closed"), ("outcome", "stabilised"), ("reason", "Rust")]).status == .seeOther)
            #expect(try await police.get(path).text.contains("situatie gestabiliseerd"))
            #expect(try await ggd.get("/cases").text.contains(String(path.dropFirst("/cases/".count))))
        }
    }
}
