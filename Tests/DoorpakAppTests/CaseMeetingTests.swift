import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Case meetings: who sees a meeting and what of each agenda item, an item's outcome written in
/// one transaction, and the agreed actions in the assignee's work.
@Suite struct CaseMeetingTests {
    @Test func statusesAndAccessRules() throws {
        #expect(CaseMeetingStatus.planned.next == [.held, .cancelled])
        #expect(CaseMeetingStatus.held.next.isEmpty && CaseMeetingStatus.cancelled.next.isEmpty)
        #expect(!CaseMeetingStatus.cancelled.takesOutcome && CaseMeetingStatus.held.takesOutcome && !CaseMeetingStatus.held.agendaOpen)
        #expect(CaseMeetingPolicy.itemView(nil) == .hidden)
        #expect(CaseMeetingPolicy.itemView(.coordinatorMetadata) == .referenceOnly)
        #expect(CaseMeetingPolicy.itemView(.member) == .content && CaseMeetingPolicy.itemView(.director) == .content)

        let district = UUID(), organisation = UUID(), me = UUID()
        func principal(_ role: Role, organisation: UUID? = nil, districts: [UUID] = []) -> Principal {
            Principal(userID: me, name: "T", email: "t@x", role: role, organisationID: organisation, districtIDs: districts, locationIDs: [], via: .session)
        }
        let other = UUID()
        #expect(CaseMeetingPolicy.mayView(organiserID: me, invited: [], caseDistricts: [], principal(.partner, organisation: UUID())))
        #expect(CaseMeetingPolicy.mayView(organiserID: other, invited: [organisation], caseDistricts: [], principal(.partner, organisation: organisation)))
        #expect(!CaseMeetingPolicy.mayView(organiserID: other, invited: [UUID()], caseDistricts: [district], principal(.partner, organisation: organisation)))
        #expect(CaseMeetingPolicy.mayView(organiserID: other, invited: [], caseDistricts: [district], principal(.coordinator, districts: [district])))
        #expect(!CaseMeetingPolicy.mayView(organiserID: other, invited: [], caseDistricts: [district], principal(.coordinator, districts: [UUID()])))
        // Roles without records never see a meeting, even when their organisation is invited.
        #expect(!CaseMeetingPolicy.mayView(organiserID: other, invited: [organisation], caseDistricts: [], principal(.analyst, organisation: organisation)))
        #expect(CaseMeetingPolicy.mayPutOnAgenda(directorID: me, districtID: nil, principal(.partner, organisation: organisation)))
        #expect(!CaseMeetingPolicy.mayPutOnAgenda(directorID: other, districtID: district, principal(.partner, organisation: organisation)))
        #expect(CaseMeetingPolicy.mayPutOnAgenda(directorID: other, districtID: district, principal(.coordinator, districts: [district])))
        #expect(CaseMeetingPolicy.mayRecord(organiserID: other, directorID: me, principal(.partner, organisation: organisation)))
        #expect(!CaseMeetingPolicy.mayRecord(organiserID: other, directorID: other, principal(.partner, organisation: organisation)))
        #expect(!CaseMeetingPolicy.mayRecord(organiserID: me, directorID: me, principal(.analyst, organisation: organisation)))

        let (valid, issues) = CaseMeetingDraft(day: "2026-12-03", time: "25:00", organisations: []).validate(now: .now, partial: false)
        #expect(valid.plannedAt == nil)
        #expect(Set(issues.map(\.name)) == ["time", "organisations"])
    }

    /// The facts of the world the other tests share: case A (police directs, north, GGD not a member)
    /// and case B (GGD directs, south); a meeting planned by the administrator with both on the
    /// agenda and the police, the GGD and the corporation invited.
    struct Setup {
        let store: CaseMeetingStore
        let meeting: CaseMeeting
        let caseA: CaseFile, caseB: CaseFile
        let pseudonymA: String
        let principals: [TestWorld.Persona: Principal]
        func itemID(_ file: CaseFile) async throws -> UUID {
            try await store.agenda(meeting.id!, by: principals[.admin]!).entries.first { $0.file.id == file.id }!.item.id!
        }
    }

    static func setUp(_ world: TestWorld, _ db: AppDatabase) async throws -> Setup {
        var principals: [TestWorld.Persona: Principal] = [:]
        for persona in TestWorld.Persona.allCases {
            principals[persona] = try await Principal.load(userID: world.users[persona]!, via: .session, on: db.db())
        }
        let persons = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
        let cases = CaseStore(database: db, persons: persons)
        let police = principals[.police]!, ggd = principals[.ggd]!
        let reportNorth = try await ReportStore(database: db).find(reference: world.reportNorth, by: police)
        let pseudonymA = try await persons.link(PersonDraft(name: "Fictief Overleg"), role: "causing_concern", to: reportNorth, by: police).pseudonym
        let caseA = try await cases.open(.init(pseudonyms: [pseudonymA], reason: "Herhaalde incidenten", reportReferences: [world.reportNorth]), by: police)
        let reportSouth = try await ReportStore(database: db).find(reference: world.reportSouth, by: ggd)
        let pseudonymB = try await persons.link(PersonDraft(name: "Fictief Zuid"), role: "affected", to: reportSouth, by: ggd).pseudonym
        let caseB = try await cases.open(.init(pseudonyms: [pseudonymB], reason: "Zorg geweigerd", reportReferences: [world.reportSouth]), by: ggd)
        let store = CaseMeetingStore(database: db, cases: cases)
        let meeting = try await store.plan(.init(day: Formats.isoDay(.now.addingTimeInterval(86_400)), time: "14:30", place: "Stadsdeelkantoor, zaal 2",
                                                 organisations: [world.police, world.ggd, world.corporation].map(\.uuidString)),
                                           agenda: [caseA.reference, caseB.reference], by: principals[.admin]!)
        return Setup(store: store, meeting: meeting, caseA: caseA, caseB: caseB, pseudonymA: pseudonymA, principals: principals)
    }

    static func outcome(_ world: TestWorld, organisation: UUID? = nil) -> CaseMeetingStore.Outcome {
        .init(minutes: "Verslag A: bewoner weigert nog steeds zorg", decisions: ["GGD benadert opnieuw", "Over twee weken terug op de agenda"],
              actions: [ActionDraft(title: "Huisbezoek met tolk", organisation: (organisation ?? world.ggd).uuidString, assignee: world.users[.ggd]!.uuidString,
                                    dueOn: Formats.isoDay(.now.addingTimeInterval(7 * 86_400)))])
    }

    @Test(arguments: TestDatabase.available)
    func attendeesSeeOnlyWhatTheirCaseAccessAllows(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (meetingID, itemA, hiddenFromGGD, hiddenFromPolice) = try await world.withDatabase { db -> (UUID, UUID, [String], String) in
            let setup = try await Self.setUp(world, db)
            let store = setup.store, p = setup.principals
            // The northern coordinator may not put a southern case on an agenda; a partner no case they do not direct.
            await #expect(throws: AppError.self) { try await store.agendaCase(setup.caseB.reference, by: p[.coordinatorNorth]!) }
            await #expect(throws: AppError.self) { try await store.agendaCase(setup.caseA.reference, by: p[.ggd]!) }
            let itemA = try await setup.itemID(setup.caseA)
            try await store.record(Self.outcome(world), item: itemA, of: try await store.agenda(setup.meeting.id!, by: p[.police]!), by: p[.police]!)

            func view(_ persona: TestWorld.Persona) async throws -> [CaseMeetingPolicy.ItemView] {
                try await store.agenda(setup.meeting.id!, by: p[persona]!).entries.map(\.view)
            }
            #expect(try await view(.police) == [.content, .hidden])
            #expect(try await view(.ggd) == [.hidden, .content])
            #expect(try await view(.staffNorth) == [.hidden, .hidden])
            #expect(try await view(.coordinatorNorth) == [.referenceOnly, .hidden])
            // The administrator (here the organiser) sees the facts; content is for those in the case.
            #expect(try await view(.admin) == [.referenceOnly, .referenceOnly])
            for persona in [TestWorld.Persona.analyst, .privacyOfficer] {
                await #expect(throws: AppError.self) { try await store.agenda(setup.meeting.id!, by: p[persona]!) }
            }
            let ggdView = try await store.agenda(setup.meeting.id!, by: p[.ggd]!)
            let hidden = try #require(ggdView.entries.first { $0.file.id == setup.caseA.id })
            #expect(hidden.reference == nil && hidden.minutes == nil && hidden.decisions.isEmpty && hidden.actions.isEmpty && !hidden.mayRecord)
            let policeView = try await store.agenda(setup.meeting.id!, by: p[.police]!).entries[0]
            #expect(policeView.minutes == "Verslag A: bewoner weigert nog steeds zorg")
            #expect(policeView.decisions == ["GGD benadert opnieuw", "Over twee weken terug op de agenda"])
            #expect(policeView.actions.map(\.title) == ["Huisbezoek met tolk"])
            // The coordinator of the district sees the reference, not what was said.
            let coordinatorView = try await store.agenda(setup.meeting.id!, by: p[.coordinatorNorth]!).entries[0]
            #expect(coordinatorView.reference == setup.caseA.reference && coordinatorView.minutes == nil && coordinatorView.decisions.isEmpty)

            // Lists follow the same sight.
            #expect(try await store.list(by: p[.ggd]!, after: nil).items.map(\.id) == [setup.meeting.id])
            #expect(try await store.list(by: p[.coordinatorNorth]!, after: nil).items.map(\.id) == [setup.meeting.id])
            await #expect(throws: AppError.self) { try await store.list(by: p[.analyst]!, after: nil) }

            // Stored sealed; reads logged (the meeting, and each case whose content was shown).
            let sealed = try await CaseMeetingItem.query(on: db.db()).all().compactMap(\.minutesSealed)
            #expect(sealed.count == 1 && sealed.allSatisfy { $0.hasPrefix("dp1.") && !$0.contains("Verslag") })
            let decisions = try await CaseMeetingDecision.query(on: db.db()).all().map(\.textSealed)
            #expect(decisions.count == 2 && decisions.allSatisfy { !$0.contains("GGD") })
            let reads = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "case_meeting").filter(\.$action == "read").count()
            #expect(reads >= 6)
            let caseReads = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "case").filter(\.$recordID == setup.caseA.reference)
                .filter(\.$purpose == "case meeting \(setup.meeting.id!.uuidString)").count()
            #expect(caseReads >= 2)
            let agendaLogged = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "case").filter(\.$recordID == setup.caseB.reference)
                .filter(\.$purpose == "on the agenda of case meeting \(setup.meeting.id!.uuidString)").count()
            #expect(agendaLogged == 1)

            // The case's side: the timeline entry, minutes readable only with content access.
            let forPolice = try await store.timelineEntries(caseID: setup.caseA.id!, by: p[.police]!)
            #expect(forPolice.count == 1 && forPolice[0].decisionsCount == 2 && forPolice[0].minutesReadable && forPolice[0].meetingVisible)
            let forCoordinator = try await store.timelineEntries(caseID: setup.caseA.id!, by: p[.coordinatorNorth]!)
            #expect(forCoordinator.count == 1 && !forCoordinator[0].minutesReadable && forCoordinator[0].discussed)
            let caseB = try await store.timelineEntries(caseID: setup.caseB.id!, by: p[.ggd]!)
            #expect(caseB.count == 1 && !caseB[0].discussed && !caseB[0].minutesReadable && caseB[0].decisionsCount == 0)
            #expect(try await store.timelineEntries(caseID: setup.caseA.id!, by: p[.ggd]!).isEmpty)
            return (setup.meeting.id!, itemA, [setup.caseA.reference, setup.pseudonymA], setup.caseB.reference)
        }

        // The pages and the API say the same to the GGD: case A only as "a case you have no access to".
        try await buildApplication(world.config).test(.router) { client in
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            for path in ["/meetings/\(meetingID.uuidString.lowercased())", "/meetings/\(meetingID.uuidString.lowercased())/agenda"] {
                let page = try await ggd.get(path)
                #expect(page.status == .ok)
                #expect(page.text.contains("Een casus waarvoor u geen toegang heeft"))
                #expect(!page.text.contains("Verslag A") && !page.text.contains("Huisbezoek"))
                for secret in hiddenFromGGD { #expect(!page.text.contains(secret)) }
            }
            #expect(try await ggd.get("/meetings/\(meetingID.uuidString.lowercased())/items/\(itemA.uuidString.lowercased())").status == .notFound)
            let police = Browser(client)
            try await police.signIn(.police)
            let agenda = try await police.get("/meetings/\(meetingID.uuidString.lowercased())/agenda")
            #expect(agenda.status == .ok && agenda.text.contains("Verslag A") && agenda.text.contains("Huisbezoek met tolk"))
            #expect(!agenda.text.contains(hiddenFromPolice), "case B stays hidden from the police")
            #expect(agenda.text.contains(hiddenFromGGD[1]), "the police see case A's person by pseudonym")
            let staff = Browser(client)
            try await staff.signIn(.staffNorth)
            #expect(try await staff.get("/meetings/\(meetingID.uuidString.lowercased())").status == .ok)
            let analyst = Browser(client)
            try await analyst.signIn(.analyst)
            #expect(try await analyst.get("/meetings/\(meetingID.uuidString.lowercased())").status == .notFound)
        }
        try await world.withAPI(as: .ggd) { api in
            let response = try await api.get("/api/v1/case-meetings/\(meetingID.uuidString.lowercased())")
            #expect(response.status == .ok)
            try OpenAPI.check(response, "get", "/case-meetings/{id}")
            let items = try response.object()["items"] as? [[String: Any]] ?? []
            #expect(items.map { $0["access"] as? String } == ["none", "content"])
            #expect(items.first?["caseReference"] is NSNull && items.first?["minutes"] is NSNull)
            let list = try await api.get("/api/v1/case-meetings")
            #expect(list.status == .ok)
            try OpenAPI.check(list, "get", "/case-meetings")
        }
    }

    /// An invalid action refuses the whole outcome: no minutes, no decisions, no actions, no history.
    @Test(arguments: TestDatabase.available)
    func anInvalidActionSavesNothing(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setUp(world, db)
            let store = setup.store, police = setup.principals[.police]!
            let itemA = try await setup.itemID(setup.caseA)
            var outcome = Self.outcome(world)
            outcome.actions.append(ActionDraft(title: "Schuldhulp", organisation: UUID().uuidString, dueOn: Formats.isoDay(.now)))
            outcome.actions.append(ActionDraft(title: "Terugkoppeling", organisation: world.police.uuidString, dueOn: "2020-01-01"))
            let refused = await #expect(throws: AppError.self) {
                try await store.record(outcome, item: itemA, of: try await store.agenda(setup.meeting.id!, by: police), by: police)
            }
            if case .invalid(let issues) = refused { #expect(Set(issues.map(\.name)) == ["action_1_organisation", "action_2_due_on"]) }
            else { Issue.record("expected invalid, got \(String(describing: refused))") }
            func nothingSaved() async throws {
                let item = try #require(try await CaseMeetingItem.find(itemA, on: db.db()))
                #expect(item.minutesSealed == nil && item.recordedAt == nil && item.recordedBy == nil)
                #expect(try await CaseMeetingDecision.query(on: db.db()).count() == 0)
                #expect(try await CaseMeetingAction.query(on: db.db()).count() == 0)
                #expect(try await Action.query(on: db.db()).filter(\.$subjectID == setup.caseA.id!).count() == 0)
                #expect(try await CaseEvent.query(on: db.db()).filter(\.$caseID == setup.caseA.id!).filter(\.$kind == "meeting").count() == 0)
                #expect(try await CaseMeeting.find(setup.meeting.id, on: db.db())?.meetingStatus == .planned)
            }
            try await nothingSaved()
            // Empty minutes refuse it too, beside the field.
            await #expect(throws: AppError.self) {
                try await store.record(.init(minutes: " "), item: itemA, of: try await store.agenda(setup.meeting.id!, by: police), by: police)
            }
            try await nothingSaved()
            // A member (not the director, not the organiser) may not record; the item does not exist for them.
            await #expect(throws: AppError.self) {
                try await store.record(Self.outcome(world), item: itemA, of: try await store.agenda(setup.meeting.id!, by: setup.principals[.staffNorth]!),
                                       by: setup.principals[.staffNorth]!)
            }
            try await nothingSaved()

            // A valid outcome: everything at once, and the meeting is held.
            try await store.record(Self.outcome(world), item: itemA, of: try await store.agenda(setup.meeting.id!, by: police), by: police)
            #expect(try await CaseMeetingDecision.query(on: db.db()).count() == 2)
            #expect(try await CaseEvent.query(on: db.db()).filter(\.$caseID == setup.caseA.id!).filter(\.$kind == "meeting").count() == 1)
            #expect(try await CaseMeeting.find(setup.meeting.id, on: db.db())?.meetingStatus == .held)
            // Once per item: a second recording is refused and adds nothing.
            await #expect(throws: AppError.self) {
                try await store.record(Self.outcome(world), item: itemA, of: try await store.agenda(setup.meeting.id!, by: police), by: police)
            }
            #expect(try await CaseMeetingDecision.query(on: db.db()).count() == 2)
            #expect(try await Action.query(on: db.db()).filter(\.$subjectID == setup.caseA.id!).count() == 1)
            // A held meeting's agenda is fixed, and a discussed case cannot be taken off.
            let agenda = try await store.agenda(setup.meeting.id!, by: setup.principals[.admin]!)
            await #expect(throws: AppError.self) { try await store.removeFromAgenda(agenda, itemID: itemA, by: setup.principals[.admin]!) }
        }
    }

    /// An action agreed in the meeting is in the assignee's Mijn werk, on the page and in the API.
    @Test(arguments: TestDatabase.available)
    func agreedActionsAppearInTheAssigneesWork(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let actionID = try await world.withDatabase { db -> UUID in
            let setup = try await Self.setUp(world, db)
            let police = setup.principals[.police]!
            let itemA = try await setup.itemID(setup.caseA)
            try await setup.store.record(Self.outcome(world), item: itemA, of: try await setup.store.agenda(setup.meeting.id!, by: police), by: police)
            let action = try #require(try await Action.query(on: db.db()).filter(\.$subjectID == setup.caseA.id!).first())
            #expect(action.subjectKind == ActionSubjectKind.caseFile.rawValue && action.assigneeID == world.users[.ggd])
            let inbox = try await WorkStore(database: db).inbox(.mine, by: setup.principals[.ggd]!)
            #expect(inbox.actions.map(\.id) == [action.id])
            // The assignee hears of it.
            #expect(try await Notification.query(on: db.db()).filter(\.$recipientID == world.users[.ggd]!).count() >= 1)
            return action.id!
        }
        try await buildApplication(world.config).test(.router) { client in
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            let work = try await ggd.get("/work")
            #expect(work.status == .ok && work.text.contains("Huisbezoek met tolk"))
        }
        try await world.withAPI(as: .ggd) { api in
            let work = try await api.get("/api/v1/work")
            #expect(work.status == .ok && work.text.contains(actionID.uuidString.lowercased()))
        }
    }

    /// Two people recording the same item at the same moment: one outcome is kept, the other refused.
    @Test(arguments: TestDatabase.available)
    func twoRecordingsAtOnceKeepOne(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setUp(world, db)
            let police = setup.principals[.police]!, admin = setup.principals[.admin]!
            let itemA = try await setup.itemID(setup.caseA)
            // Both read the agenda before either records.
            let seenByPolice = try await setup.store.agenda(setup.meeting.id!, by: police)
            let seenByAdmin = try await setup.store.agenda(setup.meeting.id!, by: admin)
            let outcome = Self.outcome(world)
            let store = setup.store
            let results = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await store.record(outcome, item: itemA, of: seenByPolice, by: police)) != nil }
                group.addTask { (try? await store.record(outcome, item: itemA, of: seenByAdmin, by: admin)) != nil }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await CaseMeetingDecision.query(on: db.db()).count() == 2)
            #expect(try await CaseMeetingAction.query(on: db.db()).count() == 1)
            #expect(try await CaseEvent.query(on: db.db()).filter(\.$kind == "meeting").count() == 1)

            // The same case put on another agenda twice at once: once on it, the other told "taken" (not a server error).
            let other = try await store.plan(.init(day: Formats.isoDay(.now.addingTimeInterval(86_400)), time: "09:00",
                                                   organisations: [world.police.uuidString]), by: admin)
            let stale = try await store.agenda(other.id!, by: admin)
            let adds = await withTaskGroup(of: String.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        do { try await store.addToAgenda(stale, reference: setup.caseA.reference, by: admin); return "added" }
                        catch AppError.invalid(let issues) { return issues.map(\.code).joined() }
                        catch { return "error: \(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(adds.sorted() == ["added", "taken"])
            #expect(try await store.agenda(other.id!, by: admin).entries.count == 1)
        }
    }

    /// `doorpak keys rotate` re-encrypts the minutes and decisions; the new key alone then reads them.
    @Test(arguments: TestDatabase.available)
    func keyRotationCoversMinutesAndDecisions(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setUp(world, db)
            let police = setup.principals[.police]!
            let old = try Keyring(json: Data(#"{"current":"k1","keys":{"k1":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}"#.utf8))
            let rotated = old.addingKey()
            func store(_ keyring: Keyring) -> CaseMeetingStore {
                CaseMeetingStore(database: db, cases: CaseStore(database: db, persons: PersonStore(database: db, cipher: FieldCipher(keyring: keyring))))
            }
            let before = store(old)
            let itemA = try await setup.itemID(setup.caseA)
            try await before.record(Self.outcome(world), item: itemA, of: try await before.agenda(setup.meeting.id!, by: police), by: police)
            #expect(EncryptedColumns.all.contains { $0.table == CaseMeetingItem.schema } && EncryptedColumns.all.contains { $0.table == CaseMeetingDecision.schema })
            let rotation = KeyRotation(cipher: FieldCipher(keyring: rotated), database: db)
            let outcome = try await rotation.reencrypt([CaseMeetingItem.encrypted, CaseMeetingDecision.encrypted])
            #expect(outcome == KeyRotation.Outcome(rewritten: 3, failed: 0))
            let minutes = try await CaseMeetingItem.query(on: db.db()).all().compactMap(\.minutesSealed)
            let decisions = try await CaseMeetingDecision.query(on: db.db()).all().map(\.textSealed)
            #expect((minutes + decisions).allSatisfy { $0.hasPrefix("dp1.k2.") })
            let onlyNew = try Keyring(current: "k2", keys: ["k2": rotated.keys["k2"]!])
            let entry = try await store(onlyNew).agenda(setup.meeting.id!, by: police).entries.first { $0.item.id == itemA }
            #expect(entry?.minutes == "Verslag A: bewoner weigert nog steeds zorg" && entry?.decisions.count == 2)
        }
    }

    /// The page's list: planned meetings ahead, the rest a page at a time (latest first).
    @Test(arguments: TestDatabase.available)
    func overviewPagesThroughEarlierMeetings(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setUp(world, db)
            let coordinator = setup.principals[.coordinatorNorth]!
            var earlier: [UUID] = []
            for days in 1...3 {
                let meeting = try await setup.store.plan(.init(day: Formats.isoDay(.now.addingTimeInterval(Double(-days) * 86_400)), time: "09:00",
                                                               organisations: [world.police.uuidString]), by: coordinator)
                earlier.append(meeting.id!)
            }
            let first = try await setup.store.overview(by: coordinator, limit: 2)
            // The administrator's meeting ahead: the coordinator sees it for case A of their district.
            #expect(first.upcoming.map(\.id) == [setup.meeting.id])
            #expect(first.past.map(\.id) == Array(earlier.prefix(2)))
            let next = try #require(first.pastNext)
            let second = try await setup.store.overview(by: coordinator, pastAfter: next, limit: 2)
            #expect(second.past.map(\.id) == [earlier[2]] && second.pastNext == nil)
            // The police are invited to that one only; the staff of the location to none.
            let police = try await setup.store.overview(by: setup.principals[.police]!)
            #expect(police.upcoming.map(\.id) == [setup.meeting.id] && police.past.map(\.id) == earlier)
            let staff = try await setup.store.overview(by: setup.principals[.staffNorth]!)
            #expect(staff.upcoming.map(\.id) == [setup.meeting.id] && staff.past.isEmpty, "the corporation is invited to the administrator's meeting")
        }
    }

    /// Planning and keeping the agenda through the pages and the API, with errors beside the fields.
    @Test(arguments: TestDatabase.available)
    func planningThroughPagesAndAPI(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let caseReference = try await world.withDatabase { db in try await Self.setUp(world, db).caseA.reference }
        try await buildApplication(world.config).test(.router) { client in
            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            let invalid = try await coordinator.post("/meetings", [("day", "2026-13-01"), ("time", "10:00"), ("place", "Zaal 1")])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.text.contains("id=\"day-error\"") && invalid.text.contains("id=\"organisations-error\"") && invalid.text.contains("Zaal 1"))
            let day = Formats.isoDay(.now.addingTimeInterval(3 * 86_400))
            let created = try await coordinator.post("/meetings", [("day", day), ("time", "09:30"), ("place", "Zaal 1"),
                                                                  ("organisations", world.police.uuidString)])
            #expect(created.status == .seeOther)
            let href = try #require(created.headers[.location])
            let wrong = try await coordinator.post(href + "/agenda", [("case", "CS-2099-999999")])
            #expect(wrong.status == .unprocessableContent && wrong.text.contains("id=\"case-error\""))
            #expect(try await coordinator.post(href + "/agenda", [("case", caseReference.lowercased())]).status == .seeOther)
            let page = try await coordinator.get(href)
            #expect(page.status == .ok && page.text.contains(caseReference) && page.text.contains("Zaal 1"))
            let list = try await coordinator.get("/meetings")
            #expect(list.status == .ok && list.text.contains(href))
            // Not the organiser: the change routes do not exist for the police (who is invited and sees the meeting).
            let police = Browser(client)
            try await police.signIn(.police)
            #expect(try await police.get(href).status == .ok)
            #expect(try await police.post(href + "/agenda", [("case", caseReference)]).status == .notFound)
            #expect(try await coordinator.post(href, [("status", "cancelled")]).status == .seeOther)
            #expect(try await coordinator.post(href + "/agenda", [("case", caseReference)]).status == .conflict)
        }
        try await world.withAPI(as: .police) { api in
            let missing = try await api.post("/api/v1/case-meetings", ["place": "x"])
            #expect(missing.status == .unprocessableContent)
            #expect(Set(try missing.invalidParams()) == ["plannedAt", "invitedOrganisationIds"])
            let created = try await api.post("/api/v1/case-meetings", ["plannedAt": "2026-12-10T15:00:00+01:00", "invitedOrganisationIds": [world.ggd.uuidString],
                                                                       "agenda": [caseReference]])
            #expect(created.status == .created)
            try OpenAPI.check(created, "post", "/case-meetings")
            let body = try created.object()
            let id = try #require(body["id"] as? String)
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["caseReference"] as? String == caseReference && items[0]["mayRecord"] as? Bool == true)
            let itemID = try #require(items[0]["id"] as? String)
            let bad = try await api.post("/api/v1/case-meetings/\(id)/items/\(itemID)/outcome",
                                         ["minutes": "Besproken", "decisions": ["Doorgaan"], "actions": [["title": "Bellen", "dueOn": "2020-01-01"]]])
            #expect(bad.status == .unprocessableContent)
            #expect(Set(try bad.invalidParams()) == ["actions[0].organisationId", "actions[0].dueOn"])
            let recorded = try await api.post("/api/v1/case-meetings/\(id)/items/\(itemID)/outcome", ["minutes": "Besproken", "decisions": ["Doorgaan"]])
            #expect(recorded.status == .ok)
            try OpenAPI.check(recorded, "post", "/case-meetings/{id}/items/{item}/outcome")
            #expect(try recorded.object()["status"] as? String == "held")
            // A held meeting's agenda is fixed.
            let patch = try await api.patch("/api/v1/case-meetings/\(id)", ["agenda": []])
            #expect(patch.status == .conflict)
            let page1 = try await api.get("/api/v1/case-meetings?limit=1")
            let first = try page1.items()
            #expect(page1.status == .ok && first.count == 1)
            let next = try #require(try page1.object()["next"] as? String)
            let page2 = try await api.get("/api/v1/case-meetings?limit=1&cursor=\(next)")
            let second = try page2.items()
            #expect(page2.status == .ok && second.first?["id"] as? String != first.first?["id"] as? String)
            #expect(try await api.get("/api/v1/case-meetings?cursor=nonsense").status == .badRequest)
        }
    }
}
