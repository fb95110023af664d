import FluentKit
import Foundation
import Testing
@testable import DoorpakApp

/// Free-text search through the database's full-text index (FTS5 on SQLite, a Dutch `tsvector` on
/// PostgreSQL): words and word starts, accents ignored, every word must occur, FTS syntax typed by a
/// user is only text, and a report is found from the moment its transaction commits.
@Suite struct ReportSearchTests {
    @Test func queriesAreWordsOfLettersAndDigits() {
        #expect(ReportSearch.terms("Rook, in \"het\" TRAPPENHUIS!") == ["rook", "in", "het", "trappenhuis"])
        #expect(ReportSearch.terms("\"x\" OR y* NEAR(a b)") == ["x", "or", "y", "near", "a", "b"])
        #expect(ReportSearch.terms("*** -- ''").isEmpty)
        #expect(ReportSearch.terms(String(repeating: "woord ", count: 20)).count == ReportSearch.maxTerms)
    }

    @Test(arguments: TestDatabase.available)
    func wordsAndWordStartsAreFoundInTheScope(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let reference = try await world.withDatabase { db in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db()))
            return try await ReportStore(database: db).create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                                                text: "Rookontwikkeling in het trappenhuis bij het café, bewoners onrustig"),
                                                                by: admin).reference
        }
        try await CaseAPITests.withClients(world) { api in
            let coordinator = api[.coordinatorNorth]
            let found = { (query: String) in
                let response = try await coordinator.get("/api/v1/reports?q=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query))
                #expect(response.status == .ok, "\(query)")
                return try response.items().compactMap { $0["reference"] as? String }
            }
            for query in ["trappenhuis", "Trappenhuis", "trap", "cafe", "café", "rook trappenhuis", "onrustig bewoners", reference] {
                #expect(try await found(query).contains(reference), "\(query) finds it")
            }
            for query in ["ingang trappenhuis", "brand", "***", "\"trappenhuis\" OR brand", "trappenhuis NOT café"] {
                #expect(try await !found(query).contains(reference), "\(query) does not")
            }
            // Out of scope stays out of scope: the southern coordinator's search is scoped as ever.
            let south = try await api[.coordinatorNorth].get("/api/v1/reports?q=verwarde")
            #expect(try south.items().isEmpty, "the southern report is not in the northern coordinator's scope")
        }
    }
}
