import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// The cases API: opening (422 naming the member), who sees what (outsider 404, coordinator
/// metadata without notes, member's notes end at withdrawal of consent), phases (closing without
/// outcome refused, 409 for a jump), hand-over of the direction, paging. Every response is
/// checked against the OpenAPI document, and none holds the person's name.
@Suite struct CaseAPITests {
    static func id(_ value: UUID) -> String { value.uuidString.lowercased() }
    static let personName = "Fictief Casus-API"

    /// API clients for every persona on one running application.
    struct Clients: Sendable {
        let all: [TestWorld.Persona: APIClient]
        subscript(_ persona: TestWorld.Persona) -> APIClient { all[persona]! }
    }

    static func withClients(_ world: TestWorld, _ work: @Sendable @escaping (Clients) async throws -> Void) async throws {
        var tokens: [TestWorld.Persona: String] = [:]
        for persona in TestWorld.Persona.allCases { tokens[persona] = try await world.token(for: persona) }
        let fixed = tokens
        try await buildApplication(world.config).test(.router) { client in
            try await work(Clients(all: fixed.mapValues { APIClient(client: client, token: $0) }))
        }
    }

    /// A person linked to the northern report by the police persona, by pseudonym.
    static func person(_ api: APIClient, world: TestWorld, name: String = personName) async throws -> String {
        let linked = try await api.post("/api/v1/reports/\(world.reportNorth)/persons", ["role": "causing_concern", "name": name])
        #expect(linked.status == .created)
        return try #require(try linked.object()["pseudonym"] as? String)
    }

    /// Checks the response against the document and that it does not hold the person's name.
    static func check(_ response: TestResponse, _ method: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try OpenAPI.check(response, method, path, sourceLocation: sourceLocation)
        #expect(!response.text.contains(personName), "\(method) \(path) shows the person's name", sourceLocation: sourceLocation)
    }

    @Test(arguments: TestDatabase.available)
    func openReadAndScope(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.withClients(world) { api in
            let police = api[.police]
            let pseudonym = try await Self.person(police, world: world)

            // Validation names the members; a person or report out of reach is `unknown`.
            let empty = try await police.post("/api/v1/cases", [:])
            #expect(empty.status == .unprocessableContent)
            try Self.check(empty, "POST", "/cases")
            #expect(Set(try empty.invalidParams()) == ["personPseudonyms", "reason"])
            let badDirector = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "x", "directorId": "nope"])
            #expect(try badDirector.invalidParams() == ["directorId"])
            let analystDirector = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "x",
                                                                          "directorId": Self.id(world.users[.analyst]!)])
            #expect(try analystDirector.invalidParams() == ["directorId"])
            let unseen = try await api[.ggd].post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Niet van mij"])
            #expect(unseen.status == .unprocessableContent)
            #expect(try unseen.invalidParams() == ["personPseudonyms"])
            let southReport = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "x", "reportReferences": [world.reportSouth]])
            #expect(southReport.status == .unprocessableContent)
            #expect(try southReport.invalidParams() == ["reportReferences"])
            let unknownMember = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "x", "name": "Iemand"])
            #expect(unknownMember.status == .badRequest)
            let form = try await police.request(.post, "/api/v1/cases", body: "reason=x", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == .unsupportedMediaType)
            try Self.check(form, "POST", "/cases")
            #expect(try await api[.analyst].post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "x"]).status == .notFound)

            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Herhaalde incidenten, zorg geweigerd",
                                                                 "reportReferences": [world.reportNorth]])
            #expect(opened.status == .created)
            try Self.check(opened, "POST", "/cases")
            let created = try opened.object()
            let reference = try #require(created["reference"] as? String)
            #expect(opened.headers[.location] == "/api/v1/cases/\(reference)")
            #expect(created["access"] as? String == "director")
            #expect(created["directorId"] as? String == Self.id(world.users[.police]!))
            #expect(created["districtId"] as? String == Self.id(world.districtNorth))
            #expect(created["personPseudonyms"] as? [String] == [pseudonym])
            #expect(created["allowedPhases"] as? [String] == ["analysis", "closed"])
            let path = "/api/v1/cases/\(reference)"

            // The director reads everything; the district's coordinator the metadata without reason or notes.
            let asDirector = try await police.get(path)
            try Self.check(asDirector, "GET", "/cases/{case}")
            #expect(try asDirector.object()["openingReason"] as? String == "Herhaalde incidenten, zorg geweigerd")
            let asCoordinator = try await api[.coordinatorNorth].get(path)
            #expect(asCoordinator.status == .ok)
            try Self.check(asCoordinator, "GET", "/cases/{case}")
            let metadata = try asCoordinator.object()
            #expect(metadata["access"] as? String == "coordinator")
            #expect(metadata["readsContent"] as? Bool == false)
            #expect(metadata["openingReason"] is NSNull)
            #expect(metadata["allowedPhases"] as? [String] == [])
            #expect(!asCoordinator.text.contains("Herhaalde incidenten"))
            // Everyone else: the case does not exist, on every route.
            for outsider in [TestWorld.Persona.ggd, .staffNorth, .analyst, .privacyOfficer] {
                for route in [path, path + "/notes", path + "/members", path + "/history"] {
                    let response = try await api[outsider].get(route)
                    #expect(response.status == .notFound, "\(outsider) \(route)")
                    #expect(response.isProblem)
                }
                #expect(try await api[outsider].post(path + "/notes", ["body": "Mag niet"]).status == .notFound)
                #expect(try await api[outsider].patch(path, ["phase": "analysis"]).status == .notFound)
            }
            let notFound = try await api[.ggd].get(path)
            try Self.check(notFound, "GET", "/cases/{case}")

            // Lists: the director's own; the coordinator's district; not the outsider's.
            let mine = try await police.get("/api/v1/cases")
            try Self.check(mine, "GET", "/cases")
            #expect(try mine.items().map { $0["reference"] as? String } == [reference])
            let district = try await api[.coordinatorNorth].get("/api/v1/cases")
            try Self.check(district, "GET", "/cases")
            #expect(try district.items().map { $0["access"] as? String } == ["coordinator"])
            #expect(try await api[.ggd].get("/api/v1/cases").items().isEmpty)
            #expect(try await api[.analyst].get("/api/v1/cases").status == .notFound)
            #expect(!district.text.contains("Herhaalde"))

            // The coordinator cannot write notes nor change the phase (metadata only); the history is there.
            #expect(try await api[.coordinatorNorth].post(path + "/notes", ["body": "Van de coördinator"]).status == .notFound)
            #expect(try await api[.coordinatorNorth].patch(path, ["phase": "analysis"]).status == .notFound)
            let history = try await api[.coordinatorNorth].get(path + "/history")
            try Self.check(history, "GET", "/cases/{case}/history")
            #expect(try history.items().map { $0["kind"] as? String } == ["opened"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func membersConsentAndNotes(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.withClients(world) { api in
            let police = api[.police], ggd = api[.ggd]
            let pseudonym = try await Self.person(police, world: world)
            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Zorg geweigerd", "reportReferences": [world.reportNorth]])
            let path = "/api/v1/cases/\(try #require(try opened.object()["reference"] as? String))"
            let ggdID = Self.id(world.users[.ggd]!)

            let noConsent = try await police.post(path + "/members", ["userId": ggdID, "role": "GGD-verpleegkundige", "legalBasis": "consent"])
            #expect(noConsent.status == .unprocessableContent)
            try Self.check(noConsent, "POST", "/cases/{case}/members")
            #expect(Set(try noConsent.invalidParams()) == ["consentDate", "consentScope"])
            let badBasis = try await police.post(path + "/members", ["userId": "x", "role": " ", "legalBasis": "friendship"])
            #expect(try badBasis.invalidParams() == ["userId"])
            let badFields = try await police.post(path + "/members", ["userId": ggdID, "role": " ", "legalBasis": "friendship"])
            #expect(Set(try badFields.invalidParams()) == ["role", "legalBasis"])
            #expect(try await ggd.post(path + "/members", ["userId": ggdID, "role": "x", "legalBasis": "covenant"]).status == .notFound)

            let added = try await police.post(path + "/members", ["userId": ggdID, "role": "GGD-verpleegkundige", "legalBasis": "consent",
                                                                  "consentDate": Formats.isoDay(.now), "consentScope": "Zorgcoördinatie"])
            #expect(added.status == .created)
            try Self.check(added, "POST", "/cases/{case}/members")
            let memberID = try #require(try added.object()["id"] as? String)
            #expect(try added.object()["consentScope"] as? String == "Zorgcoördinatie")
            let taken = try await police.post(path + "/members", ["userId": ggdID, "role": "Nog eens", "legalBasis": "covenant"])
            #expect(try taken.invalidParams() == ["userId"])

            // The member reads the case and its person now, ordinary notes but not a sensitive one they are not named for.
            let asMember = try await ggd.get(path)
            try Self.check(asMember, "GET", "/cases/{case}")
            #expect(try asMember.object()["access"] as? String == "member")
            #expect(try await ggd.get("/api/v1/persons/\(pseudonym)").status == .ok)
            let note = try await police.post(path + "/notes", ["body": "Gesprek gehad, afspraak GGD"])
            #expect(note.status == .created)
            try Self.check(note, "POST", "/cases/{case}/notes")
            #expect(try note.object()["body"] as? String == "Gesprek gehad, afspraak GGD")
            let sensitive = try await police.post(path + "/notes", ["body": "Diagnose bekend bij huisarts", "sensitive": true])
            #expect(try sensitive.object()["sensitive"] as? Bool == true)
            #expect(try sensitive.object()["readerIds"] as? [String] == [])
            let badReaders = try await police.post(path + "/notes", ["body": "x", "sensitive": true, "readerIds": ["nope"]])
            #expect(try badReaders.invalidParams() == ["readerIds"])
            let noBody = try await police.post(path + "/notes", ["body": "  "])
            #expect(noBody.status == .unprocessableContent)
            #expect(try noBody.invalidParams() == ["body"])
            let named = try await police.post(path + "/notes", ["body": "Strafzaak loopt", "sensitive": true, "readerIds": [ggdID]])
            #expect(try named.object()["readerIds"] as? [String] == [ggdID])

            let memberNotes = try await ggd.get(path + "/notes")
            try Self.check(memberNotes, "GET", "/cases/{case}/notes")
            let seen = try memberNotes.items().compactMap { $0["body"] as? String }
            #expect(Set(seen) == ["Gesprek gehad, afspraak GGD", "Strafzaak loopt"])
            #expect(try await police.get(path + "/notes").items().count == 3)
            let coordinatorNotes = try await api[.coordinatorNorth].get(path + "/notes")
            #expect(coordinatorNotes.status == .ok)
            #expect(try coordinatorNotes.items().isEmpty)
            let memberNote = try await ggd.post(path + "/notes", ["body": "Huisbezoek gedaan"])
            #expect(memberNote.status == .created)

            // Withdrawal: only the director; then nothing new for the member, and no more notes from them.
            #expect(try await ggd.request(.post, path + "/members/\(memberID)/withdraw-consent").status == .notFound)
            let withdrawn = try await police.request(.post, path + "/members/\(memberID)/withdraw-consent")
            #expect(withdrawn.status == .ok)
            try Self.check(withdrawn, "POST", "/cases/{case}/members/{id}/withdraw-consent")
            #expect(try withdrawn.object()["consentWithdrawnAt"] is String)
            let before = Set(try await ggd.get(path + "/notes").items().compactMap { $0["body"] as? String })
            #expect(try await police.post(path + "/notes", ["body": "Na intrekking geschreven"]).status == .created)
            let after = Set(try await ggd.get(path + "/notes").items().compactMap { $0["body"] as? String })
            #expect(!after.contains("Na intrekking geschreven"))
            #expect(after.isSubset(of: before))
            #expect(try await ggd.post(path + "/notes", ["body": "Nog iets"]).status == .notFound)
            #expect(try await police.get(path + "/notes").items().contains { $0["body"] as? String == "Na intrekking geschreven" })
            let members = try await police.get(path + "/members")
            try Self.check(members, "GET", "/cases/{case}/members")
            #expect(try members.items().first?["consentWithdrawnAt"] is String)
            // A member on another basis has no consent to withdraw.
            let covenant = try await police.post(path + "/members", ["userId": Self.id(world.users[.staffNorth]!), "role": "Sociaal beheer",
                                                                     "legalBasis": "covenant"])
            let covenantID = try #require(try covenant.object()["id"] as? String)
            #expect(try await police.request(.post, path + "/members/\(covenantID)/withdraw-consent").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func phasesClosingAndDirection(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.withClients(world) { api in
            let police = api[.police], staff = api[.staffNorth], coordinator = api[.coordinatorNorth]
            let pseudonym = try await Self.person(police, world: world)
            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Escalerende conflicten",
                                                                 "reportReferences": [world.reportNorth]])
            let reference = try #require(try opened.object()["reference"] as? String)
            let path = "/api/v1/cases/\(reference)"

            let jump = try await police.patch(path, ["phase": "execution"])
            #expect(jump.status == .conflict)
            try Self.check(jump, "PATCH", "/cases/{case}")
            let unknown = try await police.patch(path, ["phase": "done", "outcome": "happy"])
            #expect(unknown.status == .unprocessableContent)
            #expect(Set(try unknown.invalidParams()) == ["phase", "outcome"])
            #expect(try await police.patch(path, [:]).invalidParams() == ["phase"])
            let forward = try await police.patch(path, ["phase": "analysis"], contentType: "application/json")
            #expect(forward.status == .ok)
            try Self.check(forward, "PATCH", "/cases/{case}")
            #expect(try forward.object()["phase"] as? String == "analysis")

            // Closing without an outcome (or reason) is refused, naming what is missing.
            let noOutcome = try await police.patch(path, ["phase": "closed", "reason": "Rust op de locatie"])
            #expect(noOutcome.status == .unprocessableContent)
            try Self.check(noOutcome, "PATCH", "/cases/{case}")
            #expect(try noOutcome.invalidParams() == ["outcome"])
            let nothing = try await police.patch(path, ["phase": "closed"])
            #expect(Set(try nothing.invalidParams()) == ["outcome", "reason"])
            #expect(try await police.get(path).object()["phase"] as? String == "analysis")
            let closed = try await police.patch(path, ["phase": "closed", "outcome": "stabilised", "reason": "Rust op de locatie"])
            #expect(closed.status == .ok)
            try Self.check(closed, "PATCH", "/cases/{case}")
            let closedCase = try closed.object()
            #expect(closedCase["phase"] as? String == "closed")
            #expect(closedCase["outcome"] as? String == "stabilised")
            #expect(closedCase["closingReason"] as? String == "Rust op de locatie")
            #expect(closedCase["closedAt"] is String)
            #expect(closedCase["allowedPhases"] as? [String] == ["analysis"])
            // A closed case has no hand-over; reopening needs a reason.
            #expect(try await police.post(path + "/director", ["directorId": Self.id(world.users[.staffNorth]!)]).status == .conflict)
            #expect(try await police.patch(path, ["phase": "analysis"]).invalidParams() == ["reason"])
            #expect(try await police.patch(path, ["phase": "plan", "reason": "x"]).status == .conflict)
            let reopened = try await police.patch(path, ["phase": "analysis", "reason": "Nieuw incident"])
            #expect(reopened.status == .ok)
            #expect(try reopened.object()["closedAt"] is NSNull)
            #expect(try reopened.object()["outcome"] is NSNull)

            // Hand-over of the direction: proposed by the director, effective on acceptance by the proposed user only.
            let invalid = try await police.post(path + "/director", ["directorId": Self.id(world.users[.analyst]!)])
            #expect(invalid.status == .unprocessableContent)
            try Self.check(invalid, "POST", "/cases/{case}/director")
            #expect(try invalid.invalidParams() == ["directorId"])
            #expect(try await police.post(path + "/director", [:]).invalidParams() == ["directorId"])
            let proposed = try await police.post(path + "/director", ["directorId": Self.id(world.users[.staffNorth]!), "reason": "Dichter bij de locatie"])
            #expect(proposed.status == .ok)
            try Self.check(proposed, "POST", "/cases/{case}/director")
            #expect(try proposed.object()["proposedDirectorId"] as? String == Self.id(world.users[.staffNorth]!))
            #expect(try proposed.object()["directorId"] as? String == Self.id(world.users[.police]!))
            // Waiting for acceptance: on the coordinator's list; not for others.
            let needing = try await coordinator.get("/api/v1/cases/needing-director")
            #expect(needing.status == .ok)
            try Self.check(needing, "GET", "/cases/needing-director")
            #expect(try needing.items().map { $0["reference"] as? String } == [reference])
            #expect(try await api[.admin].get("/api/v1/cases/needing-director").items().count == 1)
            let refused = try await police.get("/api/v1/cases/needing-director")
            #expect(refused.status == .notFound)
            try Self.check(refused, "GET", "/cases/needing-director")

            let wrongUser = try await api[.ggd].request(.post, path + "/director/accept")
            #expect(wrongUser.status == .notFound)
            try Self.check(wrongUser, "POST", "/cases/{case}/director/accept")
            #expect(try await police.request(.post, path + "/director/accept").status == .notFound)
            // The one asked reads the facts, the opening reason and why, not the persons, members or notes.
            let asAsked = try await staff.get(path)
            #expect(asAsked.status == .ok)
            try Self.check(asAsked, "GET", "/cases/{case}")
            let asked = try asAsked.object()
            #expect(asked["access"] as? String == "proposed" && asked["mayAccept"] as? Bool == true)
            #expect(asked["handoverReason"] as? String == "Dichter bij de locatie")
            #expect(asked["openingReason"] as? String == "Escalerende conflicten")
            #expect(asked["personPseudonyms"] as? [String] == [] && (asked["members"] as? [Any])?.isEmpty == true)
            #expect(try await staff.get(path + "/notes").status == .notFound)
            #expect(try await api[.ggd].get(path).status == .notFound)
            // The proposed director finds the request in their list (metadata only) and accepts it.
            let listed = try await staff.get("/api/v1/cases")
            try Self.check(listed, "GET", "/cases")
            #expect(try listed.items().map { "\($0["reference"] ?? "") \($0["access"] ?? "")" } == ["\(reference) proposed"])
            let accepted = try await staff.request(.post, path + "/director/accept")
            #expect(accepted.status == .ok)
            try Self.check(accepted, "POST", "/cases/{case}/director/accept")
            #expect(try accepted.object()["directorId"] as? String == Self.id(world.users[.staffNorth]!))
            #expect(try accepted.object()["proposedDirectorId"] is NSNull)
            #expect(try accepted.object()["access"] as? String == "director")
            // The former director is no longer in the case.
            #expect(try await police.get(path).status == .notFound)
            #expect(try await coordinator.get("/api/v1/cases/needing-director").items().isEmpty)

            let history = try await staff.get(path + "/history")
            try Self.check(history, "GET", "/cases/{case}/history")
            let kinds = try history.items().compactMap { $0["kind"] as? String }
            #expect(Set(kinds) == ["opened", "phase", "closed", "reopened", "director_proposed", "director_accepted"])
            let accept = try #require(try history.items().first { $0["kind"] as? String == "director_accepted" })
            #expect(accept["to"] as? String == Self.id(world.users[.staffNorth]!))
        }
    }

    @Test(arguments: TestDatabase.available)
    func casesArePagedWithACursor(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.withClients(world) { api in
            let police = api[.police]
            let pseudonym = try await Self.person(police, world: world)
            var references: [String] = []
            for index in 1...3 {
                let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Casus \(index)"])
                references.append(try #require(try opened.object()["reference"] as? String))
            }
            let first = try await police.get("/api/v1/cases?limit=2")
            try Self.check(first, "GET", "/cases")
            #expect(try first.items().count == 2)
            let next = try #require(try first.object()["next"] as? String)
            #expect(first.headers[HTTPField.Name("Link")!]?.contains("cursor=\(next)") == true)
            let second = try await police.get("/api/v1/cases?limit=2&cursor=\(next)")
            #expect(try second.items().count == 1)
            #expect(try second.object()["next"] is NSNull)
            let seen = try (first.items() + second.items()).compactMap { $0["reference"] as? String }
            #expect(Set(seen) == Set(references) && seen.count == 3)

            let bad = try await police.get("/api/v1/cases?limit=0&cursor=nonsense")
            #expect(bad.status == .badRequest)
            try Self.check(bad, "GET", "/cases")
            #expect(Set(try bad.invalidParams()) == ["limit", "cursor"])
        }
    }
}
