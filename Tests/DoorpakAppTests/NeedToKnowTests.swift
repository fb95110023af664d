import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Regression tests for the need-to-know symptoms of issue 11 (`docs/threat-model.md` names each):
/// nobody widens their own access without the holder's consent.
@Suite struct NeedToKnowTests {
    static func id(_ value: UUID) -> String { value.uuidString.lowercased() }

    /// A case about a person linked by the police, directed by the police persona, with the GGD
    /// as a member by consent and a sensitive note.
    static func policeCase(_ api: CaseAPITests.Clients, world: TestWorld) async throws -> String {
        let police = api[.police]
        let pseudonym = try await CaseAPITests.person(police, world: world)
        let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Herhaalde incidenten",
                                                             "reportReferences": [world.reportNorth]])
        #expect(opened.status == .created)
        let reference = try #require(try opened.object()["reference"] as? String)
        let member = try await police.post("/api/v1/cases/\(reference)/members",
                                           ["userId": id(world.users[.ggd]!), "role": "GGD", "legalBasis": "legal_task"])
        #expect(member.status == .created)
        let factors = try await police.request(.put, "/api/v1/cases/\(reference)/factors", body: #"{"present":["trauma_indications"]}"#)
        #expect(factors.status == .ok)
        return reference
    }

    /// Symptom 1: the district coordinator cannot make themselves director (no self-proposal,
    /// no proposal at all while the director is active); only a case without an active director
    /// can be claimed, with a reason, and its members are told.
    @Test(arguments: TestDatabase.available)
    func coordinatorCannotMakeThemselvesDirector(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let reference = try await Self.policeCase(api, world: world)
            let path = "/api/v1/cases/\(reference)"
            let coordinator = api[.coordinatorNorth]
            let me = Self.id(world.users[.coordinatorNorth]!)
            #expect(try await coordinator.post(path + "/director", ["directorId": me]).status == .notFound)
            #expect(try await coordinator.post(path + "/director", ["directorId": Self.id(world.users[.ggd]!)]).status == .notFound)
            #expect(try await coordinator.post(path + "/director/claim", ["reason": "Ik neem het over"]).status == .notFound)
            #expect(try await coordinator.post(path + "/director/accept", [:]).status == .notFound)
            #expect(try await coordinator.get(path + "/notes").items().isEmpty)
            // While the director is active the hand-over is theirs: not an administrator's, for anyone.
            #expect(try await api[.admin].post(path + "/director", ["directorId": Self.id(world.users[.admin]!)]).status == .notFound)
            #expect(try await api[.admin].post(path + "/director", ["directorId": Self.id(world.users[.ggd]!)]).status == .notFound)

            // The director leaves: now the coordinator may claim (a reason first), and the member is told.
            try await world.withDatabase { db in
                try await UserStore(database: db, passwords: Passwords(cost: 4))
                    .setActive(world.users[.police]!, false, by: try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())))
            }
            let selfProposal = try await coordinator.post(path + "/director", ["directorId": me])
            #expect(selfProposal.status == .unprocessableContent)
            let noReason = try await coordinator.post(path + "/director/claim", [:])
            #expect(noReason.status == .unprocessableContent)
            #expect(try noReason.invalidParams() == ["reason"])
            let claimed = try await coordinator.post(path + "/director/claim", ["reason": "Regiehouder uit dienst"])
            #expect(claimed.status == .ok)
            #expect(try claimed.object()["directorId"] as? String == me)
            let notices = try await api[.ggd].get("/api/v1/notifications")
            #expect(try notices.items().contains { $0["kind"] as? String == "case_director_claimed" && $0["reference"] as? String == reference })
            let history = try await coordinator.get(path + "/history")
            #expect(try history.items().contains { $0["kind"] as? String == "director_claimed" && $0["reason"] as? String == "Regiehouder uit dienst" })
        }
    }

    /// Symptom 1, second half: opening a case naming someone else makes it a proposal.
    @Test(arguments: TestDatabase.available)
    func openingForAnotherDirectorIsAProposal(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let pseudonym = try await CaseAPITests.person(api[.police], world: world)
            let opened = try await api[.police].post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Zorgen",
                                                                      "directorId": Self.id(world.users[.ggd]!)])
            #expect(opened.status == .created)
            let body = try opened.object()
            #expect(body["directorId"] as? String == Self.id(world.users[.police]!))
            let reference = try #require(body["reference"] as? String)
            #expect(try await api[.ggd].get("/api/v1/cases/\(reference)/notes").status == .notFound)
            #expect(try await api[.ggd].post("/api/v1/cases/\(reference)/director/accept", [:]).status == .ok)
            #expect(try await api[.ggd].get("/api/v1/cases/\(reference)/notes").status == .ok)
        }
    }

    /// Symptom 2: the coordinator's history has no reasons, results or factor codes.
    @Test(arguments: TestDatabase.available)
    func historyHidesContentFromTheCoordinator(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let reference = try await Self.policeCase(api, world: world)
            let path = "/api/v1/cases/\(reference)/history"
            let director = try await api[.police].get(path).items()
            #expect(director.contains { $0["kind"] as? String == "factor" && $0["reason"] as? String == "trauma_indications" })
            let coordinator = try await api[.coordinatorNorth].get(path)
            #expect(coordinator.status == .ok)
            let items = try coordinator.items()
            #expect(items.count == director.count)
            #expect(items.allSatisfy { $0["reason"] is NSNull || $0["reason"] == nil })
            #expect(!coordinator.text.contains("trauma"))
        }
    }

    /// Symptom 3: the owner is set directly only to a colleague in the responsible organisation,
    /// never cleared; the status belongs to that organisation, its owner and coordinators.
    @Test(arguments: TestDatabase.available)
    func ownershipStaysInTheResponsibleOrganisation(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            // The northern report is the police's; the southern one the GGD's.
            let south = "/api/v1/reports/\(world.reportSouth)"
            #expect(try await api[.police].get(south).status == .notFound)
            let toPolice = try await api[.admin].patch(south, ["ownerId": Self.id(world.users[.police]!)])
            #expect(toPolice.status == .unprocessableContent)
            #expect(try toPolice.invalidParams() == ["ownerId"])
            #expect(try await api[.police].get(south).status == .notFound)
            let toGGD = try await api[.admin].patch(south, ["ownerId": Self.id(world.users[.ggd]!)])
            #expect(toGGD.status == .ok)
            let cleared = try await api[.ggd].patch(south, ["ownerId": NSNull()])
            #expect(cleared.status == .unprocessableContent)
            #expect(try cleared.invalidParams() == ["ownerId"])

            // Site staff read the police's report at their site, but its status is not theirs.
            let north = "/api/v1/reports/\(world.reportNorth)"
            #expect(try await api[.staffNorth].get(north).status == .ok)
            let resolved = try await api[.staffNorth].patch(north, ["status": "in_progress"])
            #expect(resolved.status == .forbidden)
            #expect(try await api[.police].patch(north, ["status": "in_progress"]).status == .ok)
        }
    }

    /// Symptom 4: after consent is withdrawn the member sees nothing new of any kind.
    @Test(arguments: TestDatabase.available)
    func withdrawnConsentEndsEverythingNew(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let police = api[.police]
            let pseudonym = try await CaseAPITests.person(police, world: world)
            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Zorgen"])
            let reference = try #require(try opened.object()["reference"] as? String)
            let path = "/api/v1/cases/\(reference)"
            let member = try await police.post(path + "/members", ["userId": Self.id(world.users[.ggd]!), "role": "GGD", "legalBasis": "consent",
                                                                   "consentDate": "2026-01-05", "consentScope": "zorg"])
            let memberID = try #require(try member.object()["id"] as? String)
            #expect(try await police.post(path + "/goals", ["domain": "housing", "text": "Voor de intrekking"]).status == .created)
            let before = try await police.post(path + "/actions", ["title": "Huisbezoek", "organisationId": world.police.uuidString.lowercased(),
                                                                   "dueOn": "2031-06-02"])
            #expect(before.status == .created)
            let beforeID = try #require(try before.object()["id"] as? String)
            #expect(try await api[.ggd].get("/api/v1/persons/\(pseudonym)").status == .ok)
            // One second later, so "before" and "after" differ at the stored precision.
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await police.post(path + "/members/\(memberID)/withdraw-consent", [:]).status == .ok)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await police.post(path + "/goals", ["domain": "health", "text": "Na de intrekking"]).status == .created)
            #expect(try await police.request(.put, path + "/factors", body: #"{"present":["debts"]}"#).status == .ok)
            #expect(try await police.post(path + "/actions/\(beforeID)/complete", ["result": "Resultaat na de intrekking"]).status == .ok)
            #expect(try await police.post(path + "/actions", ["title": "Actie na de intrekking", "organisationId": world.police.uuidString.lowercased(),
                                                              "dueOn": "2031-06-02"]).status == .created)

            let ggd = api[.ggd]
            let goals = try await ggd.get(path + "/goals")
            #expect(goals.text.contains("Voor de intrekking") && !goals.text.contains("Na de intrekking"))
            let factors = try await ggd.get(path + "/factors").items()
            let debts = try #require(factors.first { $0["code"] as? String == "debts" })
            #expect(debts["state"] as? String == "not_recorded", "recorded after the withdrawal: \(debts)")
            #expect(try await police.get(path + "/factors").items().contains { $0["code"] as? String == "debts" && $0["state"] as? String == "present" })
            let history = try await ggd.get(path + "/history").items()
            #expect(!history.contains { $0["kind"] as? String == "goal_added" && $0["to"] as? String == "health" })
            #expect(!history.contains { $0["kind"] as? String == "factor" })
            let timeline = try await ggd.get(path + "/timeline")
            #expect(timeline.status == .ok)
            #expect(!timeline.text.contains("Na de intrekking") && !timeline.text.contains("na de intrekking"))
            // Actions: the one set before, as it stood then (open, no result); not the later one.
            let actions = try await ggd.get(path + "/actions")
            #expect(try actions.items().map { $0["title"] as? String } == ["Huisbezoek"])
            #expect(try actions.items().first?["status"] as? String == "open")
            #expect(!actions.text.contains("Resultaat na de intrekking"))
            #expect(try await police.get(path + "/actions").text.contains("Resultaat na de intrekking"))
            // The person's details no longer come through the case.
            #expect(try await ggd.get("/api/v1/persons/\(pseudonym)").status == .notFound)
        }
    }

    /// Symptom 5: a match on name and date of birth links to the existing person, shows who else
    /// is involved, and never the details another organisation recorded.
    @Test(arguments: TestDatabase.available)
    func aMatchDisclosesNothingOthersRecorded(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let recorded = try await api[.police].post("/api/v1/reports/\(world.reportNorth)/persons",
                                                       ["role": "causing_concern", "name": "Fictief Match", "birthDate": "2001-02-03",
                                                        "contact": "06-11112222, Blok A 12", "languages": ["ti"]])
            #expect(recorded.status == .created)
            let pseudonym = try #require(try recorded.object()["pseudonym"] as? String)
            // The GGD registers the same resident on its own report: the match works.
            let matched = try await api[.ggd].post("/api/v1/reports/\(world.reportSouth)/persons",
                                                   ["role": "affected", "name": "fictief  MATCH", "birthDate": "2001-02-03"])
            #expect(matched.status == .created || matched.status == .ok)
            #expect(try matched.object()["pseudonym"] as? String == pseudonym)
            #expect(try matched.object()["matched"] as? Bool == true)

            let seen = try await api[.ggd].get("/api/v1/persons/\(pseudonym)")
            #expect(seen.status == .ok)
            let body = try seen.object()
            #expect(body["detailsWithheld"] as? Bool == true)
            #expect(body["contact"] is NSNull && body["locationId"] is NSNull && (body["languages"] as? [String])?.isEmpty == true)
            #expect(!seen.text.contains("06-11112222"))
            try OpenAPI.check(seen, "GET", "/persons/{pseudonym}")
            // Who else is involved: the police, whom to contact.
            let involvements = try await api[.ggd].get("/api/v1/persons/\(pseudonym)/involvements")
            #expect(involvements.text.contains(world.police.uuidString.lowercased()))
            // Details one cannot read are not edited blind.
            #expect(try await api[.ggd].patch("/api/v1/persons/\(pseudonym)", ["contact": "iets anders"]).status == .forbidden)
            // The recording organisation, and the site staff who read the police's report, still see them.
            #expect(try await api[.police].get("/api/v1/persons/\(pseudonym)").object()["contact"] as? String == "06-11112222, Blok A 12")
            #expect(try await api[.staffNorth].get("/api/v1/persons/\(pseudonym)").object()["detailsWithheld"] as? Bool == false)
        }
    }

    /// Need-to-know within a role: site staff read the facts of every report at their site, but the
    /// description and notes of one in a sensitive category only when they registered it, own it or
    /// are asked to act on it; administrators set which categories are sensitive.
    @Test(arguments: TestDatabase.available)
    func siteStaffReadSensitiveContentOnlyWhenItIsTheirs(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let reference = try await world.withDatabase { db in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            return try await ReportStore(database: db).create(TestWorld.draft(category: world.categoryConfused, location: world.locationNorth,
                                                                                text: "Bewoner zegt stemmen te horen, Zeldzaamwoord"), by: admin).reference
        }
        try await CaseAPITests.withClients(world) { api in
            let path = "/api/v1/reports/\(reference)"
            let staff = api[.staffNorth]
            let seen = try await staff.get(path)
            #expect(seen.status == .ok, "the facts are theirs")
            #expect(try seen.object()["contentWithheld"] as? Bool == true)
            #expect(try seen.object()["description"] is NSNull)
            #expect(!seen.text.contains("Zeldzaamwoord"))
            try OpenAPI.check(seen, "GET", "/reports/{reference}")
            #expect(try await api[.coordinatorNorth].post(path + "/notes", ["body": "Notitie van de coördinator"]).status == .created)
            #expect(try await staff.get(path + "/notes").items().isEmpty)
            #expect(try await staff.post(path + "/notes", ["body": "Blind"]).status == .forbidden)
            // Nor do they link persons to it or ask anyone to act on it, blind.
            #expect(try await staff.post(path + "/persons", ["role": "witness", "name": "Fictief Getuige"]).status == .forbidden)
            #expect(try await staff.get(path + "/persons").items().isEmpty)
            #expect(try await staff.post(path + "/actions", ["title": "Blind", "organisationId": world.corporation.uuidString.lowercased(),
                                                             "dueOn": "2031-06-02"]).status == .forbidden)
            // A search cannot probe the content either.
            #expect(try await staff.get("/api/v1/reports?q=zeldzaamwoord").items().isEmpty)
            #expect(try await api[.coordinatorNorth].get("/api/v1/reports?q=zeldzaamwoord").items().count == 1)
            // The coordinator of the district reads it all.
            #expect(try await api[.coordinatorNorth].get(path).object()["contentWithheld"] as? Bool == false)

            // Asked to act (an action for the corporation): now it is theirs.
            let action = try await api[.coordinatorNorth].post(path + "/actions", ["title": "Gesprek met bewoner", "organisationId": world.corporation.uuidString.lowercased(),
                                                                          "dueOn": "2031-06-02"])
            #expect(action.status == .created)
            let asked = try await staff.get(path)
            #expect(try asked.object()["contentWithheld"] as? Bool == false)
            #expect(asked.text.contains("Zeldzaamwoord"))
            #expect(try await staff.get(path + "/notes").items().count == 1)
        }
        // A category that is not sensitive: the facts and the content for every site staff member.
        try await world.withDatabase { db in
            let violence = try await CategoryStore.isSensitive(world.categoryViolence, on: db.db())
            let confused = try await CategoryStore.isSensitive(world.categoryConfused, on: db.db())
            #expect(!violence && confused)
        }
        try await CaseAPITests.withClients(world) { api in
            let open = try await api[.staffNorth].get("/api/v1/reports/\(world.reportNorth)").object()
            #expect(open["contentWithheld"] as? Bool == false)
        }
    }

    /// Need-to-know within a role: administrators see the facts of every report, person and case,
    /// but read descriptions, notes, person fields and case content only under an emergency grant
    /// (reports, persons; for reading only), like anyone else. Site staff who do not read a
    /// sensitive report's content link no persons to it and ask nobody to act on it.
    @Test(arguments: TestDatabase.available)
    func administratorsReadContentOnlyUnderAGrant(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let caseReference = try await Self.policeCase(api, world: world)
            let note = try await api[.police].post("/api/v1/cases/\(caseReference)/notes", ["body": "Gevoelige notitie", "sensitive": false])
            #expect(note.status == .created)
            let admin = api[.admin]
            // The case: facts, not content.
            let file = try await admin.get("/api/v1/cases/\(caseReference)")
            #expect(file.status == .ok)
            #expect(try file.object()["readsContent"] as? Bool == false)
            #expect(try file.object()["openingReason"] is NSNull)
            #expect(try await admin.get("/api/v1/cases/\(caseReference)/notes").items().isEmpty)
            #expect(try await admin.get("/api/v1/cases/\(caseReference)/factors").status == .notFound)
            #expect(try await admin.post("/api/v1/cases/\(caseReference)/notes", ["body": "Blind"]).status == .notFound)
            let history = try await admin.get("/api/v1/cases/\(caseReference)/history").items()
            #expect(history.allSatisfy { $0["reason"] is NSNull || $0["reason"] == nil })

            // A report the administrator did not register: the facts; the description under a grant.
            let registered = try await world.withDatabase { db in
                let coordinator = try #require(try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db.db()))
                return try await ReportStore(database: db).create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                                                    text: "Ruzie in de gang"), by: coordinator).reference
            }
            let path = "/api/v1/reports/\(registered)"
            #expect(try await api[.coordinatorNorth].post(path + "/notes", ["body": "Notitie coördinator"]).status == .created)
            let facts = try await admin.get(path)
            #expect(facts.status == .ok)
            #expect(try facts.object()["contentWithheld"] as? Bool == true)
            #expect(try facts.object()["description"] is NSNull)
            #expect(try await admin.get(path + "/notes").items().isEmpty)
            #expect(try await admin.post(path + "/notes", ["body": "Blind"]).status == .forbidden)
            #expect(try await admin.get("/api/v1/reports?q=ruzie").items().isEmpty, "free text finds references only")
            #expect(try await api[.coordinatorNorth].get("/api/v1/reports?q=ruzie").items().count == 1)

            // Opening a case would make them its director (and so open the person): not by role.
            #expect(try await admin.post("/api/v1/cases", ["personPseudonyms": [try #require(try await api[.police].get("/api/v1/reports/\(world.reportNorth)/persons").items().first?["pseudonym"] as? String)],
                                                           "reason": "Zelf regie nemen"]).status == .notFound)

            // The person: a pseudonym only.
            let pseudonym = try #require(try await api[.police].get("/api/v1/reports/\(world.reportNorth)/persons").items().first?["pseudonym"] as? String)
            let person = try await admin.get("/api/v1/persons/\(pseudonym)")
            #expect(person.status == .ok)
            #expect(try person.object()["identityWithheld"] as? Bool == true)
            #expect(try person.object()["name"] is NSNull)
            try OpenAPI.check(person, "GET", "/persons/{pseudonym}")

            // Under emergency grants: reading, logged with the grant, never writing.
            try await world.withDatabase { db in
                let principal = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
                let grants = BreakGlassStore(database: db)
                _ = try await grants.grantReport(reference: registered, reason: "Klacht van bewoner onderzoeken", by: principal)
                _ = try await grants.grantPerson(pseudonym: pseudonym, reason: "Klacht van bewoner onderzoeken", by: principal)
            }
            let opened = try await admin.get(path)
            #expect(try opened.object()["contentWithheld"] as? Bool == false)
            #expect(try await admin.get(path + "/notes").items().count == 1)
            #expect(try await admin.post(path + "/notes", ["body": "Onder noodtoegang"]).status == .forbidden)
            #expect(try await admin.get("/api/v1/persons/\(pseudonym)").object()["identityWithheld"] as? Bool == false)
            try await world.withDatabase { db in
                let reads = try await AuditEntry.query(on: db.db()).filter(\.$recordID == registered).filter(\.$userID == world.users[.admin]!).all()
                #expect(reads.contains { ($0.purpose ?? "").hasPrefix("break-glass: ") })
            }
        }
    }

    /// Administrators set which categories are sensitive, on the category form.
    @Test func administratorsMarkACategorySensitive() async throws {
        let world = try await TestWorld.make(.sqlite)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let form = try await browser.get("/admin/categories/\(world.categoryViolence.uuidString)")
            #expect(form.text.contains("name=\"sensitive\""))
            let saved = try await browser.post("/admin/categories/\(world.categoryViolence.uuidString)",
                                               [("name_nl", "Geweld"), ("name_en", "Violence"), ("default_urgency", "critical"),
                                                ("default_organisation_kind", "police"), ("active", "on"), ("sensitive", "on")])
            #expect(saved.status == .seeOther)
        }
        try await world.withDatabase { db in
            let sensitive = try await CategoryStore.isSensitive(world.categoryViolence, on: db.db())
            #expect(sensitive)
        }
    }

    /// Symptom 7: a `back`/`next` value is only ever a local path.
    @Test func redirectTargetsAreLocalPathsOnly() {
        let hostile = ["/\t/example.org", "/\n/example.org", "/\r\n/example.org", "//example.org", "/\\example.org", "/\\/example.org",
                       "\\\\example.org", "https://example.org", "http:/example.org", "/ /example.org", "/\u{00A0}/example.org",
                       "/\u{2028}/example.org", "javascript:alert(1)", "", "example.org", "/\u{0}/x", String(repeating: "/a", count: 300)]
        for value in hostile { #expect(SignIn.safeNext(value) == nil, "\(value.debugDescription)") }
        for value in ["/", "/reports", "/reports?status=new&q=a%20b", "/cases/CS-2026-000001#notes", "/%2F/example.org"] {
            #expect(SignIn.safeNext(value) == value)
        }
    }

    @Test func languageSwitchNeverRedirectsAway() async throws {
        let world = try await TestWorld.make(.sqlite)
        try await buildApplication(world.config).test(.router) { client in
            for back in ["/%09/example.org", "/%0A/example.org", "//example.org", "/%5Cexample.org", "https://example.org", "%2F%2Fexample.org"] {
                let response = try await client.execute(uri: "/lang/en?back=\(back)", method: .get)
                #expect(response.headers[.location] == "/", "\(back)")
            }
            let fine = try await client.execute(uri: "/lang/en?back=%2Freports%3Fstatus%3Dnew", method: .get)
            #expect(fine.headers[.location] == "/reports?status=new")
            let login = try await client.execute(uri: "/login?next=/%09/example.org", method: .get)
            #expect(!login.text.contains("example.org"))
        }
    }

    /// Symptom 8: a session-cookie write to the API needs the CSRF header; tokens expire and end
    /// with a password change, a two-factor reset or deactivation.
    @Test(arguments: TestDatabase.available)
    func apiWritesWithTheCookieNeedCSRFAndTokensEnd(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let token = try await world.token(for: .police)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let body = ByteBuffer(string: #"{"body":"Via de API"}"#)
            let path = "/api/v1/reports/\(world.reportNorth)/notes"
            var headers: HTTPFields = [.cookie: browser.cookieHeader, .contentType: "application/json"]
            let refused = try await client.execute(uri: path, method: .post, headers: headers, body: body)
            #expect(refused.status == .forbidden)
            headers[HTTPField.Name("X-CSRF-Token")!] = "wrong"
            #expect(try await client.execute(uri: path, method: .post, headers: headers, body: body).status == .forbidden)
            headers[HTTPField.Name("X-CSRF-Token")!] = Browser.csrf
            #expect(try await client.execute(uri: path, method: .post, headers: headers, body: body).status == .created)
            // Reads need no proof.
            #expect(try await client.execute(uri: path, method: .get, headers: [.cookie: browser.cookieHeader]).status == .ok)

            let api = APIClient(client: client, token: token)
            #expect(try await api.get("/api/v1/reports").status == .ok)
            // A password change revokes the token.
            let changed = try await browser.post("/account/password", [("current_password", TestWorld.password),
                                                                       ("new_password", "een heel ander wachtwoord 42"),
                                                                       ("repeat_password", "een heel ander wachtwoord 42")])
            #expect(changed.status == .seeOther)
            #expect(try await api.get("/api/v1/reports").status == .unauthorized)
        }
        // Expiry: a token past its date signs nobody in; deactivation and a two-factor reset revoke.
        let ggd = try await world.token(for: .ggd)
        let staff = try await world.token(for: .staffNorth)
        try await world.withDatabase { db in
            try await APIToken.query(on: db.db()).filter(\.$tokenHash == APIToken.hash(ggd)).set(\.$expiresAt, to: .now.addingTimeInterval(-1)).update()
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            try await TwoFactorStore(database: db, cipher: try FieldCipher(world.config.keys)).remove(userID: world.users[.staffNorth]!, by: admin, action: .twoFactorReset)
        }
        let analyst = try await world.token(for: .analyst)
        try await world.withDatabase { db in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            try await UserStore(database: db, passwords: Passwords(cost: 4)).setActive(world.users[.analyst]!, false, by: admin)
        }
        try await buildApplication(world.config).test(.router) { client in
            for revoked in [ggd, staff, analyst] {
                let status = try await APIClient(client: client, token: revoked).get("/api/v1/notifications").status
                #expect(status == .unauthorized)
            }
        }
    }

    /// Symptom 9: the client address behind a trusted proxy, and the header ignored otherwise.
    @Test func clientAddressBehindTrustedProxies() throws {
        let none = TrustedProxies()
        #expect(none.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.9"]) == "10.0.0.1")
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, ::1/128, 192.168.1.5")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        // A client cannot smuggle an address in: the nearest untrusted hop counts.
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["1.2.3.4, 203.0.113.9"]) == "203.0.113.9")
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["1.2.3.4", "203.0.113.9, 10.2.3.4"]) == "203.0.113.9")
        #expect(proxies.client(peer: "::1", forwardedFor: ["2001:db8::1"]) == "2001:db8::1")
        #expect(proxies.client(peer: "::ffff:10.1.1.1", forwardedFor: ["198.51.100.7"]) == "198.51.100.7")
        // Not from a proxy: the header is ignored.
        #expect(proxies.client(peer: "203.0.113.50", forwardedFor: ["1.1.1.1"]) == "203.0.113.50")
        // Garbage stops the walk at the last good hop.
        #expect(proxies.client(peer: "10.0.0.1", forwardedFor: ["not-an-ip"]) == "10.0.0.1")
        #expect(throws: InvalidAddressRange.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: InvalidAddressRange.self) { try TrustedProxies(parsing: "example.org") }
    }

    @Test(arguments: TestDatabase.available)
    func signInThrottleKeysOnTheForwardedClient(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var config = world.config
        config.trustedProxies = try TrustedProxies(parsing: "0.0.0.0/0, ::/0")
        config.auth.apiRateLimit = APIRateLimit(tokenBurst: 1000, tokenPerMinute: 1000, addressBurst: 2, addressPerMinute: 1)
        // Over a real socket: the peer (127.0.0.1) is the trusted proxy.
        try await buildApplication(config).test(.live) { client in
            func call(from address: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/api/v1/locations", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: address]).status
            }
            // One address runs out; another one behind the same proxy does not.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 { statuses.append(try await call(from: "203.0.113.1")) }
            #expect(statuses.contains(.tooManyRequests))
            #expect(try await call(from: "203.0.113.2") != .tooManyRequests)
        }
    }
}
