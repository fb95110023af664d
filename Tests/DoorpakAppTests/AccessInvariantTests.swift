import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PropertyBased
import Testing
@testable import DoorpakApp

/// Property-based checks of need-to-know (issue 11): random sequences of API calls by random
/// users of every role against a world with two reports (police's and GGD's) and a case directed by
/// the police with the GGD as a consenting member. After every call:
/// - no call widens anyone's access (the reports they find, the case content they read), the
///   caller's own least of all; a hand-over widens the new director's only when the director (the
///   holder) made it;
/// - a report that had an owner still has one;
/// - the case has an active director who reads it;
/// - page and API agree on whether each user reaches each report and the case.
/// A failure shrinks to the shortest sequence of calls (the steps are numbers, decoded below).
@Suite struct AccessInvariantTests {
    static let personas = TestWorld.Persona.allCases

    enum Operation: Int, CaseIterable {
        case assignOwner, clearOwner, pickUp, startWork, handOverDirection, claimDirection, withdrawConsent, linkMatchingPerson
    }

    /// The operations drawn, the ones that move who reads what twice as often.
    static let drawn: [Operation] = Operation.allCases + [.assignOwner, .handOverDirection]

    /// One call: who, what, on which report, naming whom.
    struct Step: CustomStringConvertible {
        let actor: TestWorld.Persona
        let operation: Operation
        let northReport: Bool
        let target: TestWorld.Persona

        init(_ number: Int) {
            let p = AccessInvariantTests.personas.count
            actor = AccessInvariantTests.personas[number % p]
            let ops = AccessInvariantTests.drawn.count
            operation = AccessInvariantTests.drawn[(number / p) % ops]
            northReport = (number / (p * ops)) % 2 == 0
            // Half of the calls name the caller themselves: the way one would try to widen one's own access.
            let rest = number / (p * ops * 2)
            target = rest % 2 == 0 ? actor : AccessInvariantTests.personas[(rest / 2) % p]
        }

        var description: String { "\(actor) \(operation) \(northReport ? "north" : "south") → \(target)" }
    }

    /// What one user reaches: report references (API list), whether they read the case's content.
    struct Reach: Equatable {
        var reports: Set<String>
        var caseContent: Bool
    }

    /// On the stage's own database only (SQLite in the SQLite stage, PostgreSQL in the PostgreSQL
    /// stage): the SQLite run is the long one, and repeating it in the PostgreSQL stage adds minutes.
    @Test(arguments: [TestDatabase.available.last!])
    func noCallWidensTheCallersAccess(_ database: TestDatabase) async throws {
        let count = database == .sqlite ? 25 : 4
        await propertyCheck(count: count, input: Gen.int(in: 0...(7 * 10 * 2 * 14 - 1)).array(of: 2...8)) { numbers in
            try await Self.check(numbers.map(Step.init), database)
        }
    }

    static func check(_ steps: [Step], _ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        var tokens: [TestWorld.Persona: String] = [:]
        for persona in personas { tokens[persona] = try await world.token(for: persona) }
        let fixed = tokens
        try await buildApplication(world.config).test(.router) { client in
            let api = Dictionary(uniqueKeysWithValues: personas.map { ($0, APIClient(client: client, token: fixed[$0])) })
            let police = api[.police]!
            let person = try await police.post("/api/v1/reports/\(world.reportNorth)/persons", ["role": "causing_concern", "name": "Eigen Schap",
                                                                                                "birthDate": "2000-01-01", "contact": "06-99998888"])
            let pseudonym = try #require(try person.object()["pseudonym"] as? String)
            let opened = try await police.post("/api/v1/cases", ["personPseudonyms": [pseudonym], "reason": "Zorgen"])
            let reference = try #require(try opened.object()["reference"] as? String)
            let member = try await police.post("/api/v1/cases/\(reference)/members", ["userId": world.users[.ggd]!.uuidString.lowercased(),
                                                                                      "role": "GGD", "legalBasis": "consent", "consentDate": "2026-01-05",
                                                                                      "consentScope": "zorg"])
            let memberID = try #require(try member.object()["id"] as? String)
            #expect(try await police.post("/api/v1/cases/\(reference)/notes", ["body": "Gevoelige notitie"]).status == .created)

            func reach(_ persona: TestWorld.Persona) async throws -> Reach {
                let list = try await api[persona]!.get("/api/v1/reports")
                let refs = list.status == .ok ? Set(try list.items().compactMap { $0["reference"] as? String }) : []
                let notes = try await api[persona]!.get("/api/v1/cases/\(reference)/notes")
                return Reach(reports: refs, caseContent: notes.status == .ok && notes.text.contains("Gevoelige notitie"))
            }
            func owners() async throws -> [String: String?] {
                var result: [String: String?] = [:]
                for report in [world.reportNorth, world.reportSouth] {
                    result[report] = try await api[.admin]!.get("/api/v1/reports/\(report)").object()["ownerId"] as? String
                }
                return result
            }

            var history: [Step] = []
            // What everyone reaches now: read once, then carried from one step to the next.
            var before: [TestWorld.Persona: Reach] = [:]
            for persona in personas { before[persona] = try await reach(persona) }
            for step in steps {
                history.append(step)
                let ownersBefore = try await owners()
                let client = api[step.actor]!
                let report = step.northReport ? world.reportNorth : world.reportSouth
                let target = world.users[step.target]!.uuidString.lowercased()
                // Whose access may grow with this call: the one the director (the holder) hands the case to.
                var consented: TestWorld.Persona?
                switch step.operation {
                case .assignOwner: _ = try await client.patch("/api/v1/reports/\(report)", ["ownerId": target])
                case .clearOwner: _ = try await client.patch("/api/v1/reports/\(report)", ["ownerId": NSNull()])
                case .pickUp: _ = try await client.post("/api/v1/reports/\(report)/pickup", [:])
                case .startWork: _ = try await client.patch("/api/v1/reports/\(report)", ["status": "in_progress"])
                case .handOverDirection:
                    // Proposed by the caller; the one named accepts at once.
                    let holder = try await api[.admin]!.get("/api/v1/cases/\(reference)").object()["directorId"] as? String
                    if try await client.post("/api/v1/cases/\(reference)/director", ["directorId": target]).status == .ok,
                       try await api[step.target]!.post("/api/v1/cases/\(reference)/director/accept", [:]).status == .ok {
                        if holder == world.users[step.actor]!.uuidString.lowercased() { consented = step.target }
                    }
                case .claimDirection: _ = try await client.post("/api/v1/cases/\(reference)/director/claim", ["reason": "Overnemen"])
                case .withdrawConsent: _ = try await client.post("/api/v1/cases/\(reference)/members/\(memberID)/withdraw-consent", [:])
                case .linkMatchingPerson:
                    _ = try await client.post("/api/v1/reports/\(report)/persons", ["role": "affected", "name": "eigen schap", "birthDate": "2000-01-01"])
                    let seen = try await client.get("/api/v1/persons/\(pseudonym)")
                    if seen.status == .ok, step.actor != .police, !(try seen.object()["detailsWithheld"] as? Bool ?? false) {
                        // Details only through one's own work: the police recorded them; the case's
                        // director or consenting member, or someone reading the police's report.
                        let readsCase = try await reach(step.actor).caseContent
                        let readsPoliceReport = try await client.get("/api/v1/reports/\(world.reportNorth)").status == .ok
                        let throughWork = readsCase || readsPoliceReport
                        #expect(throughWork, "a match disclosed another organisation's details: \(history)")
                    }
                }
                // Nobody's access grows, the caller's least of all, but for a hand-over by the holder.
                var after: [TestWorld.Persona: Reach] = [:]
                for persona in personas {
                    let now = try await reach(persona), earlier = before[persona]!
                    after[persona] = now
                    guard persona != consented else { continue }
                    #expect(now.reports.isSubset(of: earlier.reports), "\(persona) found more reports after \(history)")
                    #expect(!now.caseContent || earlier.caseContent, "\(persona) reads the case after \(history)")
                }
                before = after
                // A report that had an owner keeps one.
                let ownersAfter = try await owners()
                for (report, owner) in ownersBefore where owner != nil {
                    #expect(ownersAfter[report] ?? nil != nil, "\(report) lost its owner after \(history)")
                }
                // The case has an active director who reads it.
                let directorID = try await api[.admin]!.get("/api/v1/cases/\(reference)").object()["directorId"] as? String
                let director = try #require(personas.first { world.users[$0]!.uuidString.lowercased() == directorID }, "director \(String(describing: directorID))")
                #expect(before[director]?.caseContent == true, "the director \(director) cannot read the case after \(history)")
            }
            // Page and API agree on what each user reaches.
            for persona in personas {
                let browser = Browser(client)
                try await browser.signIn(persona)
                for path in ["/reports/\(world.reportNorth)", "/reports/\(world.reportSouth)", "/cases/\(reference)"] {
                    let page = try await browser.get(path).status
                    let json = try await api[persona]!.get("/api/v1" + path).status
                    #expect((page == .ok) == (json == .ok), "\(persona) \(path): page \(page), API \(json) after \(history)")
                }
            }
        }
    }
}
