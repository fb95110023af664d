import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Linking a person by a name that looks like someone the user already sees offers "is it one of
/// these?" instead of silently creating a second person; someone the user does not see is never
/// offered.
@Suite struct PersonCandidateTests {
    static func personCount(_ world: TestWorld) async throws -> Int {
        try await world.withDatabase { try await PersonRecord.query(on: $0.db()).count() }
    }

    @Test(arguments: TestDatabase.available)
    func linkOffersCandidatesInScope(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        // Two more reports at the northern site, registered by the site staff (routed to the police).
        let (first, second) = try await world.withDatabase { database in
            (try await ConcernTests.report(world, by: .staffNorth, daysAgo: 3, database: database).reference,
             try await ConcernTests.report(world, by: .staffNorth, daysAgo: 2, database: database).reference)
        }
        let ggdReport = try await world.withDatabase { database in
            try await ConcernTests.report(world, by: .ggd, daysAgo: 1, category: world.categoryConfused, database: database).reference
        }
        try await CaseAPITests.withClients(world) { api in
            let staff = api[.staffNorth]
            let created = try await staff.post("/api/v1/reports/\(first)/persons", ["role": "affected", "name": "Mohammed Tesfay", "birthDate": "2001-03-04"])
            #expect(created.status == .created)
            let pseudonym = try #require(try created.object()["pseudonym"] as? String)
            let before = try await Self.personCount(world)

            // Another spelling, no date of birth: a candidate, nothing written.
            let offered = try await staff.post("/api/v1/reports/\(second)/persons", ["role": "witness", "name": "Muhammad Tesfaye"])
            #expect(offered.status == .conflict)
            #expect(offered.isProblem)
            try OpenAPI.check(offered, "POST", "/reports/{reference}/persons")
            let candidates = try offered.object()["candidates"] as? [[String: Any]] ?? []
            #expect(candidates.count == 1)
            let candidate = try #require(candidates.first)
            #expect((candidate["person"] as? [String: Any])?["pseudonym"] as? String == pseudonym)
            #expect(candidate["birthDateMissing"] as? Bool == true)
            #expect(candidate["swappedNames"] as? Bool == false)
            let checked1 = try await Self.personCount(world)
            #expect(checked1 == before)

            // Swapped names are offered too, marked as such.
            let swapped = try await staff.post("/api/v1/reports/\(second)/persons", ["role": "witness", "name": "Tesfai Mohamed", "birthDate": "2001-03-04"])
            #expect(swapped.status == .conflict)
            let swappedCandidate = try #require((try swapped.object()["candidates"] as? [[String: Any]])?.first)
            #expect(swappedCandidate["swappedNames"] as? Bool == true)
            // Another date of birth: someone else, no candidate.
            let otherBirthDate = try await staff.post("/api/v1/reports/\(second)/persons", ["role": "witness", "name": "Muhammad Tesfaye", "birthDate": "1990-01-01"])
            #expect(otherBirthDate.status == .created)
            #expect(try otherBirthDate.object()["matched"] as? Bool == false)

            // Picking the candidate links that person.
            let picked = try await staff.post("/api/v1/reports/\(second)/persons",
                                              ["role": "witness", "name": "Muhammad Tesfaye", "existingPseudonym": pseudonym])
            #expect(picked.status == .created)
            #expect(try picked.object()["pseudonym"] as? String == pseudonym)
            #expect(try picked.object()["matched"] as? Bool == true)
            // A pseudonym the caller does not see is refused like an unknown one.
            let unseen = try await api[.ggd].post("/api/v1/reports/\(ggdReport)/persons",
                                                   ["role": "witness", "name": "X Y", "existingPseudonym": pseudonym])
            #expect(unseen.status == .unprocessableContent)
            #expect(try unseen.invalidParams() == ["existingPseudonym"])

            // The GGD does not see the staff's person: no candidate, never a widening; a new person.
            let ggd = try await api[.ggd].post("/api/v1/reports/\(ggdReport)/persons", ["role": "affected", "name": "Mohamed Tesfai"])
            #expect(ggd.status == .created)
            #expect(try ggd.object()["pseudonym"] as? String != pseudonym)
            #expect(!ggd.text.contains("Tesfay"))
            // Confirming a new person after the candidates.
            let confirmed = try await staff.post("/api/v1/reports/\(second)/persons", ["role": "witness", "name": "Mohamad Tesfay", "newPerson": true])
            #expect(confirmed.status == .created)
            #expect(try confirmed.object()["pseudonym"] as? String != pseudonym)
        }
    }

    @Test(arguments: TestDatabase.available)
    func linkFormAsksIsItOneOfThese(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (first, second) = try await world.withDatabase { database in
            (try await ConcernTests.report(world, by: .staffNorth, daysAgo: 3, database: database).reference,
             try await ConcernTests.report(world, by: .staffNorth, daysAgo: 2, database: database).reference)
        }
        try await buildApplication(world.config).test(.router) { client in
            let staff = Browser(client)
            try await staff.signIn(.staffNorth)
            let created = try await staff.post("/reports/\(first)/persons", [("role", "affected"), ("name", "Abdulrahman Haile")])
            #expect(created.status == .seeOther)
            let pseudonym = String(try #require(created.headers[.location]).dropFirst("/persons/".count).prefix(9))
            let before = try await Self.personCount(world)
            let offered = try await staff.post("/reports/\(second)/persons", [("role", "witness"), ("name", "Abd al-Rahman Hayle"), ("unit", "B-12")])
            #expect(offered.status == .ok)
            #expect(offered.text.contains("value=\"\(pseudonym)\""))
            #expect(offered.text.contains("id=\"existing-new\""))
            #expect(offered.text.contains("value=\"B-12\""), "what was typed is kept")
            let checked2 = try await Self.personCount(world)
            #expect(checked2 == before)
            let picked = try await staff.post("/reports/\(second)/persons", [("role", "witness"), ("name", "Abd al-Rahman Hayle"), ("existing", pseudonym)])
            #expect(picked.status == .seeOther)
            #expect(picked.headers[.location] == "/persons/\(pseudonym)?linked=matched")
            let fresh = try await staff.post("/reports/\(second)/persons", [("role", "witness"), ("name", "Abd al-Rahman Hayle"), ("existing", "new")])
            #expect(fresh.headers[.location]?.hasSuffix("?linked=new") == true)
            let checked3 = try await Self.personCount(world)
            #expect(checked3 == before + 1)
        }
    }
}
