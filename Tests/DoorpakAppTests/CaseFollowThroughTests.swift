import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
@testable import DoorpakApp

/// Issue 12, "nothing falls between chairs", for cases: the one asked to take over the direction
/// declines with a reason (page and API); an unanswered proposal climbs the escalation ladder;
/// notices for membership, meetings (which get a reference) and cooling-off decisions reach exactly
/// the people who must act; the director adds persons to an open case; the lists "Mijn werk" uses.
@Suite struct CaseFollowThroughTests {
    static func at(_ day: String, _ time: String = "10:00") -> Date { Formats.parse(day: day, time: time)! }

    /// Who received notices of `kind` (about `reference`, when given), sorted.
    static func recipients(_ kind: NotificationKind, about reference: String? = nil, on db: any Database) async throws -> [UUID] {
        let query = Notification.query(on: db).filter(\.$kind == kind.rawValue)
        if let reference { query.filter(\.$reference == reference) }
        return try await query.all().map(\.recipientID).sorted { $0.uuidString < $1.uuidString }
    }

    static func sorted(_ ids: [UUID]) -> [UUID] { ids.sorted { $0.uuidString < $1.uuidString } }

    /// The stores and principals most tests need, on one database.
    struct Setup {
        let db: AppDatabase
        let persons: PersonStore
        let cases: CaseStore
        let report: Report

        func principal(_ id: UUID) async throws -> Principal {
            try #require(try await Principal.load(userID: id, via: .session, on: db.db()))
        }

        /// A person linked to the northern report by `principal`.
        func person(_ name: String, by principal: Principal) async throws -> String {
            try await persons.link(PersonDraft(name: name), role: "causing_concern", to: report, by: principal).pseudonym
        }
    }

    static func setup(_ world: TestWorld, _ db: AppDatabase) async throws -> Setup {
        let persons = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
        let police = try #require(try await Principal.load(userID: world.users[.police]!, via: .session, on: db.db()))
        let report = try await ReportStore(database: db).find(reference: world.reportNorth, by: police)
        return Setup(db: db, persons: persons, cases: CaseStore(database: db, persons: persons), report: report)
    }

    /// A user of the test world's own making (not a persona).
    static func user(_ name: String, role: Role, organisation: UUID?, active: Bool = true, on db: any Database) async throws -> UUID {
        let user = User(email: "\(name.lowercased())@test.example", name: name, passwordHash: "x", role: role, organisationID: organisation)
        user.active = active
        try await user.create(on: db)
        return user.id!
    }

    // MARK: Declining

    @Test(arguments: TestDatabase.available)
    func theOneAskedDeclinesThroughTheAPIWithAReason(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let police = api[.police], staff = api[.staffNorth]
            let pseudonym = try await CaseAPITests.person(police, world: world)
            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Escalerende conflicten",
                                                                 "reportReferences": [world.reportNorth]])
            let reference = try #require(try opened.object()["reference"] as? String)
            let path = "/api/v1/cases/\(reference)"
            let proposed = try await police.post(path + "/director", ["directorId": CaseAPITests.id(world.users[.staffNorth]!), "reason": "Dichterbij"])
            #expect(proposed.status == .ok)

            // The one asked finds the proposal in the API's Mijn werk; nobody else does.
            let waiting = try await staff.get("/api/v1/work")
            try OpenAPI.check(waiting, "GET", "/work")
            let proposals = try #require(try waiting.object()["directionProposals"] as? [[String: Any]])
            #expect(proposals.map { $0["caseReference"] as? String } == [reference])
            #expect((try await police.get("/api/v1/work").object()["directionProposals"] as? [Any])?.isEmpty == true)

            // Only the one asked finds the door; without a reason it is 422 naming `reason`.
            #expect(try await police.post(path + "/director/decline", ["reason": "Nee"]).status == .notFound)
            #expect(try await api[.ggd].post(path + "/director/decline", ["reason": "Nee"]).status == .notFound)
            let missing = try await staff.post(path + "/director/decline", [:])
            #expect(missing.status == .unprocessableContent)
            try CaseAPITests.check(missing, "POST", "/cases/{case}/director/decline")
            #expect(try missing.invalidParams() == ["reason"])
            let blank = try await staff.post(path + "/director/decline", ["reason": "   "])
            #expect(try blank.invalidParams() == ["reason"])

            let declined = try await staff.post(path + "/director/decline", ["reason": "Geen capaciteit deze maand"])
            #expect(declined.status == .ok)
            try CaseAPITests.check(declined, "POST", "/cases/{case}/director/decline")
            let facts = try declined.object()
            #expect(facts["access"] as? String == "none")
            #expect(facts["proposedDirectorId"] is NSNull)
            #expect(facts["directorId"] as? String == CaseAPITests.id(world.users[.police]!))
            // The proposal is over: no second answer, no acceptance, no more access for the one asked.
            #expect(try await staff.post(path + "/director/decline", ["reason": "Nogmaals"]).status == .notFound)
            #expect(try await staff.request(.post, path + "/director/accept").status == .notFound)
            #expect(try await staff.get(path).status == .notFound)

            // The director reads why in the history; whoever proposed was told, nobody else.
            let history = try await police.get(path + "/history").items()
            let event = try #require(history.first { $0["kind"] as? String == "director_declined" })
            #expect(event["reason"] as? String == "Geen capaciteit deze maand")
            #expect(event["actorId"] as? String == CaseAPITests.id(world.users[.staffNorth]!))
            try await world.withDatabase { db in
                #expect(try await Self.recipients(.caseDirectorDeclined, on: db.db()) == [world.users[.police]!])
                let notice = try #require(try await Notification.query(on: db.db()).filter(\.$kind == "case_director_declined").first())
                #expect(notice.reference == reference && notice.link == "/cases/\(reference)")
                // The reason is sealed at rest, like every case reason.
                let row = try #require(try await db.db().sql.raw("SELECT reason FROM case_events WHERE kind = 'director_declined'").first())
                let stored = try row.decode(column: "reason", as: String.self)
                #expect(!stored.contains("capaciteit"))
                let proposal = try #require(try await CaseDirectionProposal.query(on: db.db()).filter(\.$caseReference == reference).first())
                #expect(proposal.proposalStatus == .declined && proposal.answeredBy == world.users[.staffNorth]!)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theOneAskedDeclinesOnTheCasePageWithTheErrorInPlace(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let reference = try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let police = try await setup.principal(world.users[.police]!)
            let pseudonym = try await setup.person("Fictief Weigering", by: police)
            return try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Zorgen over woonsituatie",
                                                    directorID: world.users[.ggd]!, reportReferences: [world.reportNorth]), by: police).reference
        }
        try await buildApplication(world.config).test(.router) { client in
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            let page = try await ggd.get("/cases/\(reference)")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="decline-form""#) && page.text.contains(#"id="answer-due""#))
            #expect(page.text.contains(#"name="_csrf""#))
            // Without a reason: the form again, 422, the error beside the field and in the summary.
            let missing = try await ggd.post("/cases/\(reference)/director/decline", [("decline_reason", " ")])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains(#"id="decline_reason-error""#) && missing.text.contains(#"id="error-summary""#))
            // Without the CSRF token nothing happens.
            #expect(try await ggd.post("/cases/\(reference)/director/decline", [("decline_reason", "Nee")], csrf: false).status == .forbidden)
            let declined = try await ggd.post("/cases/\(reference)/director/decline", [("decline_reason", "Buiten ons werkgebied")])
            #expect(declined.status == .seeOther)
            #expect(declined.headers[.location] == "/cases")
            #expect(try await ggd.get("/cases/\(reference)").status == .notFound)
            // The opener still directs and reads the reason in the case's timeline.
            let police = Browser(client)
            try await police.signIn(.police)
            let own = try await police.get("/cases/\(reference)")
            #expect(own.status == .ok)
            #expect(own.text.contains("Buiten ons werkgebied"))
        }
        let told = try await world.withDatabase { db in try await Self.recipients(.caseDirectorDeclined, about: reference, on: db.db()) }
        #expect(told == [world.users[.police]!])
    }

    // MARK: Escalation

    /// An unanswered proposal gets a deadline two working days out and climbs the ladder as a
    /// hand-over does: the one asked is reminded, then the proposer and the manager of the one
    /// asked hear of it, then the manager alone, then the case's district coordinator (not another
    /// district's); once answered it climbs no more.
    @Test(arguments: TestDatabase.available)
    func anUnansweredProposalClimbsTheEscalationLadder(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let sql = db.db()
            let police = try await setup.principal(world.users[.police]!), ggd = try await setup.principal(world.users[.ggd]!)
            let manager = try await Self.user("Ggdmanager", role: .partner, organisation: world.ggd, on: sql)
            try await Organisation.query(on: sql).filter(\.$id == world.ggd).set(\.$managerID, to: manager).update()
            let south = try await Self.user("Coordinatorzuid", role: .coordinator, organisation: nil, on: sql)
            try await UserDistrict(userID: south, districtID: world.districtSouth).create(on: sql)
            try await Report.query(on: sql).set(\.$status, to: ReportStatus.closed.rawValue).update()

            let pseudonym = try await setup.person("Fictief Ladder Regie", by: police)
            let file = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Herhaalde incidenten", directorID: ggd.userID,
                                                        reportReferences: [world.reportNorth]), by: police, now: Self.at("2026-03-02"))
            let proposal = try #require(try await CaseDirectionProposal.query(on: sql).filter(\.$caseID == file.id!).first())
            #expect(proposal.answerDueAt == Self.at("2026-03-04") && proposal.proposedBy == police.userID && proposal.proposedTo == ggd.userID)
            let waiting = try await setup.cases.openDirectionProposals(for: ggd)
            #expect(waiting == [.init(caseReference: file.reference, proposedAt: Self.at("2026-03-02"), answerDueAt: Self.at("2026-03-04"))])
            #expect(try await setup.cases.openDirectionProposals(for: police).isEmpty)

            let job = EscalationJob(database: db)
            func escalated() async throws -> [UUID] { try await Self.recipients(.escalated, about: file.reference, on: sql) }
            func clear() async throws { try await Notification.query(on: sql).filter(\.$kind == NotificationKind.escalated.rawValue).delete() }

            // Before the deadline nothing; within the reminder hours the one asked is reminded.
            #expect(try await job.pass(now: Self.at("2026-03-02", "12:00")).steps == 0)
            #expect(try await job.pass(now: Self.at("2026-03-03", "12:00")).steps == 1)
            #expect(try await escalated() == [ggd.userID])
            try await clear()
            // A working day past the deadline: the proposer and the manager of the one asked (no team lead).
            #expect(try await job.pass(now: Self.at("2026-03-05", "12:00")).steps == 1)
            #expect(try await escalated() == Self.sorted([police.userID, manager]))
            try await clear()
            #expect(try await job.pass(now: Self.at("2026-03-06", "12:00")).steps == 1)
            #expect(try await escalated() == [manager])
            try await clear()
            // Five working days past it: the coordinator of the case's district, not the southern one.
            #expect(try await job.pass(now: Self.at("2026-03-10", "12:00")).steps == 0)
            #expect(try await job.pass(now: Self.at("2026-03-11", "12:00")).steps == 1)
            #expect(try await escalated() == [world.users[.coordinatorNorth]!])
            let rows = try await Escalation.query(on: sql).filter(\.$itemID == proposal.id!).sort(\.$level).all()
            #expect(rows.map(\.level) == [1, 2, 3, 4])
            #expect(rows.allSatisfy { $0.itemKind == "direction_proposal" && $0.subjectKind == "case" && $0.subjectID == file.id! })
            let links = try await Notification.query(on: sql).filter(\.$reference == file.reference).all().map(\.link)
            #expect(links.allSatisfy { $0 == "/cases/\(file.reference)" })
            // The case's timeline shows the climb (to those who read the case).
            let timeline = try await setup.cases.timeline(of: file, access: .director, by: police)
            #expect(timeline.entries.filter { $0.kind == .escalation }.count == 4)

            // Declined: the proposal is answered and climbs no further, ever.
            try await setup.cases.declineDirection(file, reason: "Geen mandaat", by: ggd, now: Self.at("2026-03-12"))
            #expect(try await setup.cases.openDirectionProposals(for: ggd).isEmpty)
            #expect(try await job.pass(now: Self.at("2026-05-29", "12:00")).steps == 0)
        }
    }

    /// A proposal answered in time never escalates; a new proposal replaces the one waiting; closing
    /// the case ends it.
    @Test(arguments: TestDatabase.available)
    func answeredReplacedOrClosedProposalsDoNotClimb(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let sql = db.db()
            let police = try await setup.principal(world.users[.police]!), ggd = try await setup.principal(world.users[.ggd]!)
            let staff = try await setup.principal(world.users[.staffNorth]!)
            try await Report.query(on: sql).set(\.$status, to: ReportStatus.closed.rawValue).update()
            let pseudonym = try await setup.person("Fictief Vervangen", by: police)
            let file = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Zorgen", reportReferences: [world.reportNorth]),
                                                  by: police, now: Self.at("2026-03-02"))
            try await setup.cases.proposeDirector(file, access: .director, userID: ggd.userID, reason: nil, by: police, now: Self.at("2026-03-02"))
            try await setup.cases.proposeDirector(file, access: .director, userID: staff.userID, reason: nil, by: police, now: Self.at("2026-03-03"))
            let rows = try await CaseDirectionProposal.query(on: sql).filter(\.$caseID == file.id!).sort(\.$proposedAt).all()
            #expect(rows.map(\.proposalStatus) == [.withdrawn, .requested])
            #expect(try await setup.cases.openDirectionProposals(for: ggd).isEmpty)
            #expect(try await setup.cases.openDirectionProposals(for: staff).map(\.caseReference) == [file.reference])
            // Closing ends the waiting proposal with the case.
            try await setup.cases.changePhase(file, access: .director, to: .closed, outcome: CaseOutcome.stabilised.rawValue, reason: "Rustig",
                                              by: police, now: Self.at("2026-03-03", "11:00"))
            #expect(file.proposedDirectorID == nil)
            #expect(try await setup.cases.openDirectionProposals(for: staff).isEmpty)
            #expect(try await EscalationJob(database: db).pass(now: Self.at("2026-04-30")).steps == 0)
        }
    }

    // MARK: Notices

    @Test(arguments: TestDatabase.available)
    func membershipNoticesReachTheMemberOnly(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let sql = db.db()
            let police = try await setup.principal(world.users[.police]!)
            let pseudonym = try await setup.person("Fictief Lid", by: police)
            let file = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Zorgen", reportReferences: [world.reportNorth]), by: police)
            let member = try await setup.cases.addMember(.init(userID: world.users[.ggd]!, role: "Zorg", legalBasis: "covenant"), to: file,
                                                         access: .director, by: police)
            #expect(try await Self.recipients(.caseMemberAdded, on: sql) == [world.users[.ggd]!])
            #expect(try await Self.recipients(.caseMemberRemoved, on: sql).isEmpty)
            let notice = try #require(try await Notification.query(on: sql).filter(\.$kind == "case_member_added").first())
            #expect(notice.reference == file.reference && notice.link == "/cases/\(file.reference)")
            try await setup.cases.endMembership(member.id!, in: file, access: .director, by: police)
            #expect(try await Self.recipients(.caseMemberRemoved, on: sql) == [world.users[.ggd]!])
            // Ending it again changes nothing and tells nobody twice.
            try await setup.cases.endMembership(member.id!, in: file, access: .director, by: police)
            #expect(try await Self.recipients(.caseMemberRemoved, on: sql).count == 1)
        }
    }

    /// Meetings get a reference (`CO-YYYY-NNNNNN`), shown in the API and on the page; the invited
    /// organisations' active users with record access hear that it is planned, and that it changed
    /// (moment, place, status); a newly invited organisation hears that it is planned; the organiser,
    /// other organisations, inactive users and analysts hear nothing; an agenda change is no news.
    @Test(arguments: TestDatabase.available)
    func meetingsHaveAReferenceAndTellTheInvitedOrganisations(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (meetingID, reference) = try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let sql = db.db()
            let coordinator = try await setup.principal(world.users[.coordinatorNorth]!)
            let police = try await setup.principal(world.users[.police]!)
            let colleague = try await Self.user("Ggdcollega", role: .partner, organisation: world.ggd, on: sql)
            _ = try await Self.user("Ggdoud", role: .partner, organisation: world.ggd, active: false, on: sql)
            _ = try await Self.user("Ggdanalist", role: .analyst, organisation: world.ggd, on: sql)
            let pseudonym = try await setup.person("Fictief Overleg", by: police)
            let file = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Zorgen", reportReferences: [world.reportNorth]), by: police)
            let store = CaseMeetingStore(database: db, cases: setup.cases)
            let day = Formats.isoDay(.now.addingTimeInterval(2 * 86_400))
            let meeting = try await store.plan(.init(day: day, time: "10:00", place: "Zaal 1", organisations: [world.ggd.uuidString]),
                                               agenda: [file.reference], by: coordinator)
            let year = Formats.calendar.component(.year, from: .now)
            #expect(meeting.reference.range(of: #"^CO-\#(year)-\d{6}$"#, options: .regularExpression) != nil)
            let second = try await store.plan(.init(day: day, time: "14:00", organisations: [world.police.uuidString]), by: coordinator)
            #expect(second.reference != meeting.reference)
            #expect(try await Self.recipients(.meetingPlanned, about: meeting.reference, on: sql) == Self.sorted([world.users[.ggd]!, colleague]))
            #expect(try await Self.recipients(.meetingPlanned, about: second.reference, on: sql) == [world.users[.police]!])
            let notice = try #require(try await Notification.query(on: sql).filter(\.$reference == meeting.reference).first())
            #expect(notice.link == "/meetings/\(meeting.id!.uuidString.lowercased())")

            // Moved and the police invited too: the police hears it is planned, the GGD that it changed.
            let agenda = try await store.agenda(meeting.id!, by: coordinator)
            try await store.change(agenda, .init(day: day, time: "11:00", organisations: [world.ggd.uuidString, world.police.uuidString]), by: coordinator)
            #expect(try await Self.recipients(.meetingPlanned, about: meeting.reference, on: sql)
                    == Self.sorted([world.users[.ggd]!, colleague, world.users[.police]!]))
            #expect(try await Self.recipients(.meetingChanged, about: meeting.reference, on: sql) == Self.sorted([world.users[.ggd]!, colleague]))
            // The same details again, or only the agenda: no news.
            let again = try await store.agenda(meeting.id!, by: coordinator)
            try await store.change(again, .init(day: day, time: "11:00"), agendaReferences: [], by: coordinator)
            #expect(try await Self.recipients(.meetingChanged, about: meeting.reference, on: sql).count == 2)
            #expect(try await Self.recipients(.meetingPlanned, on: sql).count == 4)
            return (meeting.id!, meeting.reference)
        }
        try await CaseAPITests.withClients(world) { api in
            let shown = try await api[.ggd].get("/api/v1/case-meetings/\(meetingID.uuidString.lowercased())")
            #expect(shown.status == .ok)
            try OpenAPI.check(shown, "GET", "/case-meetings/{id}")
            #expect(try shown.object()["reference"] as? String == reference)
            let list = try await api[.ggd].get("/api/v1/case-meetings")
            try OpenAPI.check(list, "GET", "/case-meetings")
            #expect(try list.items().map { $0["reference"] as? String } == [reference])
        }
        try await buildApplication(world.config).test(.router) { client in
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            #expect(try await ggd.get("/meetings/\(meetingID.uuidString.lowercased())").text.contains(#"<dd id="meeting-reference">\#(reference)</dd>"#))
            #expect(try await ggd.get("/meetings").text.contains(reference))
        }
    }

    /// A cooling-off request goes to the coordinators who decide on it (those of the case's
    /// district), its approval or refusal to the requester; nobody else hears of them.
    @Test(arguments: TestDatabase.available)
    func placementNoticesReachTheApproversAndTheRequester(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let sql = db.db()
            let police = try await setup.principal(world.users[.police]!), coordinator = try await setup.principal(world.users[.coordinatorNorth]!)
            let south = try await Self.user("Coordinatorzuid", role: .coordinator, organisation: nil, on: sql)
            try await UserDistrict(userID: south, districtID: world.districtSouth).create(on: sql)
            let pseudonym = try await setup.person("Fictief Afkoelen", by: police)
            let file = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Ernstig incident", reportReferences: [world.reportNorth]),
                                                  by: police)
            let coolingOff = CoolingOffStore(database: db, persons: setup.persons)
            let dwelling = try await coolingOff.save(.init(name: "Woning Linde", addressLabel: "Lindelaan 4", capacity: "2"), id: nil, by: coordinator)
            let from = Formats.isoDay(.now.addingTimeInterval(86_400)), through = Formats.isoDay(.now.addingTimeInterval(8 * 86_400))
            let draft = CoolingOffStore.RequestDraft(reason: "Afkoelen na incident", from: from, through: through, guidanceOrganisation: world.ggd.uuidString)
            let first = try await setup.cases.requestPlacement(draft, for: pseudonym, in: file, by: police)
            #expect(try await Self.recipients(.placementRequested, on: sql) == [coordinator.userID])
            let notice = try #require(try await Notification.query(on: sql).filter(\.$kind == "placement_requested").first())
            #expect(notice.reference == pseudonym && notice.link == "/cooling-off/placements/\(first.id!.uuidString)")
            #expect(!notice.reference.contains("Fictief"))

            try await coolingOff.perform(.approve, on: first, with: .init(dwelling: dwelling.id!.uuidString), by: coordinator)
            #expect(try await Self.recipients(.placementApproved, on: sql) == [police.userID])
            #expect(try await Self.recipients(.placementRefused, on: sql).isEmpty)
            let second = try await setup.cases.requestPlacement(draft, for: pseudonym, in: file, by: police)
            try await coolingOff.perform(.reject, on: second, with: .init(reason: "Geen plek"), by: coordinator)
            #expect(try await Self.recipients(.placementRefused, on: sql) == [police.userID])
            #expect(try await Self.recipients(.placementApproved, on: sql).count == 1)
            #expect(try await Self.recipients(.placementRequested, on: sql) == [coordinator.userID, coordinator.userID])
        }
    }

    /// An action on a case tells its assignee (the follow-through notices already do this).
    @Test(arguments: TestDatabase.available)
    func anActionAssignedOnACaseTellsTheAssignee(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let police = try await setup.principal(world.users[.police]!)
            let pseudonym = try await setup.person("Fictief Afspraak", by: police)
            let file = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Zorgen", reportReferences: [world.reportNorth]), by: police)
            let action = try await ActionStore(database: db).add(ActionDraft(title: "Huisbezoek", organisation: world.ggd.uuidString,
                                                                             assignee: world.users[.ggd]!.uuidString, dueOn: "2031-06-02"),
                                                                 to: ActionSubject(file), by: police)
            #expect(try await Self.recipients(.actionAssigned, about: file.reference, on: db.db()) == [world.users[.ggd]!])
            let notice = try #require(try await Notification.query(on: db.db()).filter(\.$kind == "action_assigned").first())
            #expect(notice.link == "/cases/\(file.reference)/actions/\(action.id!.uuidString)")
        }
    }

    // MARK: Persons

    /// A household: a case opened for two persons shows both; the director adds a third later
    /// (history, access log); a person out of the director's reach, an unknown or a duplicate
    /// pseudonym is 422 on `pseudonym`; a member cannot add anyone (404).
    @Test(arguments: TestDatabase.available)
    func theDirectorAddsPersonsToAnOpenCase(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let outOfReach = try await world.withDatabase { db in
            // A person linked to the southern report only: the police cannot see them.
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            let persons = PersonStore(database: db, cipher: try FieldCipher(world.config.keys))
            let south = try await ReportStore(database: db).find(reference: world.reportSouth, by: admin)
            return try await persons.link(PersonDraft(name: "Fictief Zuid"), role: "affected", to: south, by: admin).pseudonym
        }
        try await CaseAPITests.withClients(world) { api in
            let police = api[.police]
            let first = try await CaseAPITests.person(police, world: world)
            let second = try await CaseAPITests.person(police, world: world, name: "Fictief Huisgenoot")
            let third = try await CaseAPITests.person(police, world: world, name: "Fictief Derde")
            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [first, second], "reason": "Huishouden in nood",
                                                                 "reportReferences": [world.reportNorth]])
            #expect(opened.status == .created)
            #expect(Set(try opened.object()["personPseudonyms"] as? [String] ?? []) == [first, second])
            let reference = try #require(try opened.object()["reference"] as? String)
            let path = "/api/v1/cases/\(reference)"

            for (body, code) in [([:], "required"), (["pseudonym": outOfReach], "unknown"), (["pseudonym": "PS-NOPE"], "unknown"),
                                 (["pseudonym": first], "taken")] as [([String: Any], String)] {
                let refused = try await police.post(path + "/persons", body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                try CaseAPITests.check(refused, "POST", "/cases/{case}/persons")
                #expect(try refused.invalidParams() == ["pseudonym"], "\(body)")
                #expect(refused.text.contains(code), "\(body)")
            }
            #expect(try await api[.ggd].post(path + "/persons", ["pseudonym": third]).status == .notFound)
            #expect(try await api[.coordinatorNorth].post(path + "/persons", ["pseudonym": third]).status == .notFound)

            let added = try await police.post(path + "/persons", ["pseudonym": third.lowercased()])
            #expect(added.status == .created)
            try CaseAPITests.check(added, "POST", "/cases/{case}/persons")
            #expect(try added.object()["personPseudonyms"] as? [String] == [first, second, third].sorted())
            #expect(try await police.get(path).object()["personPseudonyms"] as? [String] == [first, second, third].sorted())
            let history = try await police.get(path + "/history").items()
            #expect(history.contains { $0["kind"] as? String == "person_added" && $0["to"] as? String == third })
            try await world.withDatabase { db in
                let audit = try await AuditEntry.query(on: db.db()).filter(\.$recordType == "person").filter(\.$recordID == third).all()
                #expect(audit.contains { $0.purpose == "added to case \(reference)" })
            }
        }
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client)
            try await police.signIn(.police)
            let reference = try await world.withDatabase { db in try await CaseFile.query(on: db.db()).first()!.reference }
            let page = try await police.get("/cases/\(reference)")
            #expect(page.text.contains(#"id="person-form""#))
            let refused = try await police.post("/cases/\(reference)/persons", [("person", outOfReach)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(#"id="person-error""#) && refused.text.contains(#"value="\#(outOfReach)""#))
            let ggd = Browser(client)
            try await ggd.signIn(.ggd)
            #expect(try await ggd.post("/cases/\(reference)/persons", [("person", outOfReach)]).status == .notFound)
        }
    }

    // MARK: Lists for "Mijn werk"

    @Test(arguments: TestDatabase.available)
    func casesWithoutAnActiveDirectorAreListedForTheirDistrictsCoordinator(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let orphanReference = try await world.withDatabase { db in
            let setup = try await Self.setup(world, db)
            let sql = db.db()
            let police = try await setup.principal(world.users[.police]!), ggd = try await setup.principal(world.users[.ggd]!)
            let coordinator = try await setup.principal(world.users[.coordinatorNorth]!)
            let pseudonym = try await setup.person("Fictief Zonder Regie", by: police)
            let orphan = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Zorgen", reportReferences: [world.reportNorth]), by: police)
            let waiting = try await setup.cases.open(.init(pseudonyms: [pseudonym], reason: "Andere zorgen", directorID: ggd.userID,
                                                           reportReferences: [world.reportNorth]), by: police)
            try await User.query(on: sql).filter(\.$id == police.userID).set(\.$active, to: false).update()
            // Both need a director on the API's list; only the one whose director left has none active.
            #expect(Set(try await setup.cases.needingDirector(by: coordinator).map(\.reference)) == [orphan.reference, waiting.reference])
            #expect(try await setup.cases.casesWithoutActiveDirector(by: coordinator).map(\.reference).sorted()
                    == [orphan.reference, waiting.reference].sorted())
            // The waiting one is directed by the (now inactive) opener too: accept it, and only the orphan is left.
            try await setup.cases.acceptDirection(waiting, by: ggd)
            #expect(try await setup.cases.casesWithoutActiveDirector(by: coordinator).map(\.reference) == [orphan.reference])
            await #expect(throws: AppError.self) { try await setup.cases.casesWithoutActiveDirector(by: ggd) }
            let south = try await Self.user("Coordinatorzuid", role: .coordinator, organisation: nil, on: sql)
            try await UserDistrict(userID: south, districtID: world.districtSouth).create(on: sql)
            #expect(try await setup.cases.casesWithoutActiveDirector(by: try await setup.principal(south)).isEmpty)
            return orphan.reference
        }
        // The same list in the API's Mijn werk, for the coordinator only.
        let token = try await world.token(for: .coordinatorNorth), ggdToken = try await world.token(for: .ggd)
        try await buildApplication(world.config).test(.router) { client in
            let work = try await APIClient(client: client, token: token).get("/api/v1/work")
            try OpenAPI.check(work, "GET", "/work")
            let listed = try #require(try work.object()["casesWithoutDirector"] as? [[String: Any]])
            #expect(listed.map { $0["reference"] as? String } == [orphanReference])
            let other = try await APIClient(client: client, token: ggdToken).get("/api/v1/work")
            #expect((try other.object()["casesWithoutDirector"] as? [Any])?.isEmpty == true)
        }
    }
}
