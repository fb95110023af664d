import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// The follow-through API: pick up, hand-overs, actions, closing with open actions, the timeline,
/// the escalation timing and the breakthrough agenda. Every response is checked against the
/// OpenAPI document.
/// Ids carried from one persona's calls to the next (the API closures are `@Sendable`).
private final class Carried: @unchecked Sendable {
    var first = "", second = ""
}

@Suite struct FollowThroughAPITests {
    static func id(_ value: UUID) -> String { value.uuidString.lowercased() }
    static var today: String { Formats.isoDay(.now) }

    @Test(arguments: TestDatabase.available)
    func handOverDeclinedThenAccepted(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let path = "/api/v1/reports/\(world.reportNorth)"
        let police = Self.id(world.users[.police]!), ggdUser = Self.id(world.users[.ggd]!)
        let carried = Carried()
        try await world.withAPI(as: .police) { api in
            let picked = try await api.request(.post, path + "/pickup")
            #expect(picked.status == .ok)
            #expect(picked.apiVersion == APIInfo.version)
            try OpenAPI.check(picked, "POST", "/reports/{reference}/pickup")
            #expect(try picked.object()["ownerId"] as? String == police)
            #expect(try picked.object()["status"] as? String == "in_progress")

            let invalid = try await api.post(path + "/handovers", ["organisationId": "nope", "personId": Self.id(world.users[.staffNorth]!)])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.isProblem)
            try OpenAPI.check(invalid, "POST", "/reports/{reference}/handovers")
            #expect(Set(try invalid.invalidParams()) == ["organisationId", "personId", "reason"])
            let unknownMember = try await api.post(path + "/handovers", ["organisation": Self.id(world.ggd), "reason": "x"])
            #expect(unknownMember.status == .badRequest)

            let asked = try await api.post(path + "/handovers", ["organisationId": Self.id(world.ggd), "personId": ggdUser,
                                                                  "reason": "Zorgvraag, geen politiezaak"])
            #expect(asked.status == .created)
            try OpenAPI.check(asked, "POST", "/reports/{reference}/handovers")
            let handover = try asked.object()
            carried.first = try #require(handover["id"] as? String)
            let first = carried.first
            #expect(handover["status"] as? String == "requested")
            #expect(handover["fromUserId"] as? String == police)
            #expect(handover["toUserId"] as? String == ggdUser)
            #expect(handover["allowedAnswers"] as? [String] == ["withdraw"], "the sender may only withdraw")
            // One pending request at a time.
            let again = try await api.post(path + "/handovers", ["organisationId": Self.id(world.ggd), "reason": "Nog een keer"])
            #expect(again.status == .conflict)
            try OpenAPI.check(again, "POST", "/reports/{reference}/handovers")
            // The sender cannot answer for the receiver.
            let own = try await api.post(path + "/handovers/\(first)/accept", [:])
            #expect(own.status == .forbidden)
            try OpenAPI.check(own, "POST", "/reports/{reference}/handovers/{id}/accept")
        }
        try await world.withAPI(as: .ggd) { api in
            let first = carried.first
            // Asked to act: the report is in the receiver's scope while the request waits.
            let list = try await api.get(path + "/handovers")
            #expect(list.status == .ok)
            try OpenAPI.check(list, "GET", "/reports/{reference}/handovers")
            #expect(try list.items().first?["allowedAnswers"] as? [String] == ["accept", "decline"])

            let noReason = try await api.request(.post, path + "/handovers/\(first)/decline")
            #expect(noReason.status == .unprocessableContent)
            try OpenAPI.check(noReason, "POST", "/reports/{reference}/handovers/{id}/decline")
            #expect(try noReason.invalidParams() == ["reason"])
            #expect(try await api.post(path + "/handovers/\(first)/decline", ["reason": "  "]).invalidParams() == ["reason"])

            let declined = try await api.post(path + "/handovers/\(first)/decline", ["reason": "Geen zorgvraag bekend"])
            #expect(declined.status == .ok)
            try OpenAPI.check(declined, "POST", "/reports/{reference}/handovers/{id}/decline")
            #expect(try declined.object()["status"] as? String == "declined")
            #expect(try declined.object()["answerReason"] as? String == "Geen zorgvraag bekend")
            #expect(try declined.object()["answeredById"] as? String == ggdUser)
            // Declined: no longer asked, so the report is out of the receiver's scope again.
            let twice = try await api.post(path + "/handovers/\(first)/accept", [:])
            #expect(twice.status == .notFound)
            #expect(try await api.get(path).status == .notFound)
        }
        try await world.withAPI(as: .police) { api in
            #expect(try await api.get(path).object()["ownerId"] as? String == police, "the sender stays the owner")
            let asked = try await api.post(path + "/handovers", ["organisationId": Self.id(world.ggd), "reason": "Toch zorg nodig"])
            #expect(asked.status == .created)
            carried.second = try #require(try asked.object()["id"] as? String)
            #expect(try asked.object()["toUserId"] is NSNull)
        }
        try await world.withAPI(as: .ggd) { api in
            let (first, second) = (carried.first, carried.second)
            let accepted = try await api.request(.post, path + "/handovers/\(second)/accept")
            #expect(accepted.status == .ok)
            try OpenAPI.check(accepted, "POST", "/reports/{reference}/handovers/{id}/accept")
            #expect(try accepted.object()["status"] as? String == "accepted")
            #expect(try accepted.object()["allowedAnswers"] as? [String] == [])
            let report = try await api.get(path).object()
            #expect(report["ownerId"] as? String == ggdUser, "whoever of the organisation accepts becomes the owner")
            #expect(report["organisationId"] as? String == Self.id(world.ggd))
            let list = try await api.get(path + "/handovers")
            // Both requests may fall in one second, so compare without order.
            #expect(Set(try list.items().compactMap { $0["status"] as? String }) == ["accepted", "declined"])

            let timeline = try await api.get(path + "/timeline")
            #expect(timeline.status == .ok)
            try OpenAPI.check(timeline, "GET", "/reports/{reference}/timeline")
            let handovers = try timeline.items().filter { $0["field"] as? String == "handover" }
            // Entries of one second have no order among themselves: compare as sorted lists.
            #expect(handovers.compactMap { $0["to"] as? String }.sorted() == ["accepted", "declined", "requested", "requested"])
            #expect(handovers.allSatisfy { $0["itemKind"] as? String == "handover" })
            #expect(handovers.filter { $0["itemId"] as? String == first }.compactMap { $0["to"] as? String }.sorted() == ["declined", "requested"])
            #expect(handovers.first { $0["to"] as? String == "declined" }?["reason"] as? String == "Geen zorgvraag bekend")
            let fields = try timeline.items().compactMap { $0["field"] as? String }
            #expect(fields.filter { $0 == "owner" }.count == 2 && fields.contains("organisation"))
            // The history is the same list, for existing clients.
            let history = try await api.get(path + "/history")
            try OpenAPI.check(history, "GET", "/reports/{reference}/history")
            #expect(try history.items().count == timeline.items().count)
        }
        try await world.withAPI(as: .police) { api in
            let report = try await api.get(path)
            #expect(report.status == .notFound, "handed over: out of the old organisation's scope")
        }
    }

    @Test(arguments: TestDatabase.available)
    func actionsAndClosingWithOpenActions(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let path = "/api/v1/reports/\(world.reportNorth)"
        let carried = Carried()
        try await world.withAPI(as: .police) { api in
            #expect(try await api.request(.post, path + "/pickup").status == .ok)
            let empty = try await api.post(path + "/actions", [:])
            #expect(empty.status == .unprocessableContent)
            try OpenAPI.check(empty, "POST", "/reports/{reference}/actions")
            #expect(Set(try empty.invalidParams()) == ["title", "organisationId", "dueOn"])
            let wrong = try await api.post(path + "/actions", ["title": "Gesprek", "organisationId": Self.id(world.police),
                                                                "assigneeId": Self.id(world.users[.ggd]!), "dueOn": "2001-01-01"])
            #expect(Set(try wrong.invalidParams()) == ["dueOn"], "field checks first")
            let notThere = try await api.post(path + "/actions", ["title": "Gesprek", "organisationId": Self.id(world.police),
                                                                   "assigneeId": Self.id(world.users[.ggd]!), "dueOn": Self.today])
            #expect(try notThere.invalidParams() == ["assigneeId"])
            #expect((try notThere.object()["invalidParams"] as? [[String: Any]])?.first?["code"] as? String == "not_in_organisation")
            #expect(try await api.post(path + "/actions", ["title": "x", "organisationId": Self.id(world.police), "dueOn": "2026-02-30"])
                .invalidParams() == ["dueOn"])

            let added = try await api.post(path + "/actions", ["title": "Gesprek met bewoner", "organisationId": Self.id(world.police),
                                                                "assigneeId": Self.id(world.users[.police]!), "dueOn": Self.today])
            #expect(added.status == .created)
            try OpenAPI.check(added, "POST", "/reports/{reference}/actions")
            let action = try added.object()
            let first = try #require(action["id"] as? String)
            carried.first = first
            #expect(action["status"] as? String == "open")
            #expect(action["dueOn"] as? String == Self.today)
            #expect(action["mayClose"] as? Bool == true)
            #expect(action["deadlineState"] as? String == "due_soon")
            let other = try await api.post(path + "/actions", ["title": "Huisbezoek GGD", "organisationId": Self.id(world.ggd), "dueOn": "2031-06-02"])
            let second = try #require(try other.object()["id"] as? String)
            carried.second = second

            let report = try await api.get(path)
            try OpenAPI.check(report, "GET", "/reports/{reference}")
            #expect(try report.object()["openActions"] as? Int == 2)

            let noResult = try await api.post(path + "/actions/\(first)/complete", ["result": " "])
            #expect(noResult.status == .unprocessableContent)
            try OpenAPI.check(noResult, "POST", "/reports/{reference}/actions/{id}/complete")
            #expect(try noResult.invalidParams() == ["result"])
            #expect(try await api.post(path + "/actions/\(first)/complete", [:]).invalidParams() == ["result"])
            let done = try await api.post(path + "/actions/\(first)/complete", ["result": "Gesproken, afspraken gemaakt"])
            #expect(done.status == .ok)
            try OpenAPI.check(done, "POST", "/reports/{reference}/actions/{id}/complete")
            #expect(try done.object()["status"] as? String == "done")
            #expect(try done.object()["result"] as? String == "Gesproken, afspraken gemaakt")
            #expect(try done.object()["deadlineState"] as? String == "none")
            #expect(try await api.post(path + "/actions/\(first)/cancel", ["reason": "x"]).status == .conflict)
            #expect(try await api.post(path + "/actions/\(second)/cancel", [:]).invalidParams() == ["reason"])

            // Resolving with an open action is refused, also when asking to cancel it: that is for coordinators.
            for body: [String: Any] in [["status": "resolved"], ["status": "resolved", "closeOpenActions": true, "reason": "Klaar"]] {
                let refused = try await api.patch(path, body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                try OpenAPI.check(refused, "PATCH", "/reports/{reference}")
                let param = try #require((try refused.object()["invalidParams"] as? [[String: Any]])?.first)
                #expect(param["name"] as? String == "status")
                #expect(param["code"] as? String == "open_actions")
            }
            // Refused as a whole: the urgency sent along is not applied on its own.
            let combined = try await api.patch(path, ["status": "resolved", "urgency": "low"])
            #expect(try combined.invalidParams() == ["status"])
            let unchanged = try await api.get(path).object()
            #expect(unchanged["status"] as? String == "in_progress")
            #expect(unchanged["urgency"] as? String == "critical")
            let list = try await api.get(path + "/actions")
            try OpenAPI.check(list, "GET", "/reports/{reference}/actions")
            #expect(Dictionary(uniqueKeysWithValues: try list.items().map { ($0["id"] as! String, $0["status"] as! String) }) == [first: "done", second: "open"])
        }
        try await world.withAPI(as: .coordinatorNorth) { api in
            let second = carried.second
            let noReason = try await api.patch(path, ["status": "resolved", "closeOpenActions": true])
            #expect(try noReason.invalidParams() == ["reason"])
            #expect(try await api.patch(path, ["status": "resolved", "closeOpenActions": "yes"]).status == .badRequest)
            let resolved = try await api.patch(path, ["status": "resolved", "closeOpenActions": true, "reason": "Opgelost in overleg"])
            #expect(resolved.status == .ok)
            try OpenAPI.check(resolved, "PATCH", "/reports/{reference}")
            #expect(try resolved.object()["status"] as? String == "resolved")
            #expect(try resolved.object()["openActions"] as? Int == 0)
            let actions = try await api.get(path + "/actions").items()
            let cancelled = try #require(actions.first { $0["id"] as? String == second })
            #expect(cancelled["status"] as? String == "cancelled")
            #expect(cancelled["cancelReason"] as? String == "Opgelost in overleg")
            let timeline = try await api.get(path + "/timeline").items().filter { $0["field"] as? String == "action" }
            #expect(timeline.compactMap { $0["to"] as? String }.sorted() == ["cancelled", "done", "open", "open"])
            #expect(timeline.allSatisfy { $0["itemKind"] as? String == "action" && $0["itemId"] is String })
        }
    }

    @Test(arguments: TestDatabase.available)
    func outOfScopeReportIsNotFound(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let (actionID, handoverID) = try await world.withDatabase { database in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: database.db()))
            let report = try await ReportStore(database: database).find(reference: world.reportSouth, by: admin)
            let action = try await ActionStore(database: database).add(
                ActionDraft(title: "Check", organisation: world.ggd.uuidString, dueOn: "2031-06-02"), to: ActionSubject(report), by: admin)
            let handover = try await HandoverStore(database: database).request(.init(organisation: world.corporation.uuidString, reason: "Test"),
                                                                               for: report, by: admin)
            return (Self.id(action.id!), Self.id(handover.id!))
        }
        let path = "/api/v1/reports/\(world.reportSouth)"
        try await world.withAPI(as: .police) { api in
            for get in ["/handovers", "/actions", "/timeline"] {
                let response = try await api.get(path + get)
                #expect(response.status == .notFound, "\(get)")
                #expect(response.isProblem)
                #expect(response.apiVersion == APIInfo.version)
            }
            let posts: [(String, [String: Any])] = [
                ("/pickup", [:]), ("/handovers", ["organisationId": Self.id(world.police), "reason": "x"]),
                ("/handovers/\(handoverID)/accept", [:]), ("/handovers/\(handoverID)/withdraw", [:]),
                ("/actions", ["title": "x", "organisationId": Self.id(world.police), "dueOn": Self.today]),
                ("/actions/\(actionID)/complete", ["result": "x"]), ("/actions/\(actionID)/cancel", ["reason": "x"]),
            ]
            for (suffix, body) in posts {
                let response = try await api.post(path + suffix, body)
                #expect(response.status == .notFound, "\(suffix)")
                #expect(response.isProblem)
            }
            // An in-scope report does not open another report's items.
            let north = "/api/v1/reports/\(world.reportNorth)"
            #expect(try await api.post(north + "/actions/\(actionID)/complete", ["result": "x"]).status == .notFound)
            #expect(try await api.post(north + "/handovers/\(handoverID)/withdraw", [:]).status == .notFound)
            #expect(try await api.post(north + "/actions/not-an-id/complete", ["result": "x"]).status == .notFound)
        }
        try await world.withAPI(as: .ggd) { api in
            // The same items, in scope: reachable.
            let actions = try await api.get(path + "/actions")
            #expect(try actions.items().count == 1)
            let done = try await api.post(path + "/actions/\(actionID)/complete", ["result": "Gedaan"])
            #expect(done.status == .ok)
        }
    }

    @Test(arguments: TestDatabase.available)
    func escalationPolicies(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        @Sendable func validTiming() -> [String: Any] {
            ["reminderHours": 4, "teamLeadDays": 0, "managerDays": 1, "coordinatorDays": 2, "breakthroughDays": 4, "boardDays": 8,
             "handoverAnswerDays": 1]
        }
        try await world.withAPI(as: .analyst) { api in
            let list = try await api.get("/api/v1/escalation-policies")
            #expect(list.status == .ok)
            try OpenAPI.check(list, "GET", "/escalation-policies")
            #expect(try list.items().compactMap { $0["urgency"] as? String } == ["low", "normal", "high", "critical"])
            let normal = try #require(try list.items().first { $0["urgency"] as? String == "normal" })
            #expect(normal["coordinatorDays"] as? Int == EscalationTiming.defaults(.normal).coordinatorDays)
        }
        for persona in [TestWorld.Persona.coordinatorNorth, .police, .analyst] {
            try await world.withAPI(as: persona) { api in
                let refused = try await api.request(.put, "/api/v1/escalation-policies/high", body: APIClient.encode(validTiming()))
                #expect(refused.status == .notFound, "\(persona)")
                #expect(refused.isProblem)
                try OpenAPI.check(refused, "PUT", "/escalation-policies/{urgency}")
                // Refused before the body is read: a bad body is not a hint that the resource exists.
                #expect(try await api.request(.put, "/api/v1/escalation-policies/high", body: "{").status == .notFound)
            }
        }
        try await world.withAPI(as: .admin) { api in
            let valid = validTiming()
            func put(_ urgency: String, _ body: [String: Any]) async throws -> TestResponse {
                try await api.request(.put, "/api/v1/escalation-policies/\(urgency)", body: APIClient.encode(body))
            }
            let saved = try await put("high", valid)
            #expect(saved.status == .ok)
            try OpenAPI.check(saved, "PUT", "/escalation-policies/{urgency}")
            #expect(try saved.object()["boardDays"] as? Int == 8)
            let read = try await api.get("/api/v1/escalation-policies").items().first { $0["urgency"] as? String == "high" }
            #expect(read?["reminderHours"] as? Int == 4)
            let timing = try await world.withDatabase { try await EscalationStore.timing(for: .high, on: $0.db()) }
            #expect(timing.breakthroughDays == 4)

            var disordered = valid
            disordered["coordinatorDays"] = 5
            let refused = try await put("high", disordered)
            #expect(refused.status == .unprocessableContent)
            try OpenAPI.check(refused, "PUT", "/escalation-policies/{urgency}")
            #expect(try refused.invalidParams() == ["breakthroughDays"], "the rung that comes before the one below it")
            var missing = valid
            missing.removeValue(forKey: "boardDays")
            missing.removeValue(forKey: "reminderHours")
            #expect(Set(try await put("high", missing).invalidParams()) == ["boardDays", "reminderHours"])
            #expect(try await put("high", valid.merging(["managerDays": "one"]) { $1 }).status == .badRequest)
            #expect(try await put("extreme", valid).status == .notFound)
            #expect(try await put("normal", valid.merging(["handoverAnswerDays": 0]) { $1 }).invalidParams() == ["handoverAnswerDays"])
        }
    }

    /// Puts `reportNorth` (or one of its items) on the breakthrough agenda the way the job does:
    /// moving the clock a month on and running a pass.
    static func escalate(_ world: TestWorld) async throws {
        try await world.withDatabase { database in
            let steps = try await EscalationJob(database: database).pass(now: Date.now.addingTimeInterval(45 * 86_400))
            #expect(steps.steps > 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func breakthroughDecisionCreatesActions(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await Self.escalate(world)
        let carried = Carried()
        try await world.withAPI(as: .coordinatorNorth) { api in
            let agenda = try await api.get("/api/v1/breakthrough")
            #expect(agenda.status == .ok)
            #expect(agenda.apiVersion == APIInfo.version)
            try OpenAPI.check(agenda, "GET", "/breakthrough")
            let items = try agenda.items()
            #expect(items.compactMap { $0["reportReference"] as? String } == [world.reportNorth], "only the coordinator's district")
            let item = try #require(items.first)
            let itemID = try #require(item["id"] as? String)
            carried.first = itemID
            #expect(item["itemKind"] as? String == "report")
            #expect(item["level"] as? String == "breakthrough")
            #expect(item["decision"] is NSNull)
            let board = try await api.get("/api/v1/breakthrough?level=board")
            try OpenAPI.check(board, "GET", "/breakthrough")
            #expect(try board.items().compactMap { $0["reportReference"] as? String } == [world.reportNorth])
            let badLevel = try await api.get("/api/v1/breakthrough?level=team_lead")
            #expect(badLevel.status == .badRequest)
            try OpenAPI.check(badLevel, "GET", "/breakthrough")
            #expect(try badLevel.invalidParams() == ["level"])

            let report = try await api.get("/api/v1/reports/\(world.reportNorth)").object()
            #expect(report["escalationLevel"] as? String == "board")

            let invalid = try await api.post("/api/v1/breakthrough/\(itemID)/decision", [
                "decision": " ",
                "actions": [["title": "Casusoverleg", "organisationId": Self.id(world.police), "dueOn": "2031-06-02"],
                            ["title": "", "organisationId": Self.id(world.ggd), "dueOn": "2001-01-01"]],
            ])
            #expect(invalid.status == .unprocessableContent)
            try OpenAPI.check(invalid, "POST", "/breakthrough/{id}/decision")
            #expect(Set(try invalid.invalidParams()) == ["decision", "actions[1].title", "actions[1].dueOn"])
            let nested = try await api.post("/api/v1/breakthrough/\(itemID)/decision", [
                "decision": "x", "actions": [["title": "x", "organisationId": Self.id(world.police), "dueOn": "2031-06-02", "owner": "me"]],
            ])
            #expect(nested.status == .badRequest, "an unknown member inside an action is refused")

            let decided = try await api.post("/api/v1/breakthrough/\(itemID)/decision", [
                "decision": "Politie en GGD plannen samen een huisbezoek",
                "actions": [["title": "Huisbezoek plannen", "organisationId": Self.id(world.police),
                             "assigneeId": Self.id(world.users[.police]!), "dueOn": "2031-06-02"],
                            ["title": "Zorgaanbod bespreken", "organisationId": Self.id(world.ggd), "dueOn": "2031-06-09"]],
            ])
            #expect(decided.status == .ok)
            try OpenAPI.check(decided, "POST", "/breakthrough/{id}/decision")
            #expect(try decided.object()["decision"] as? String == "Politie en GGD plannen samen een huisbezoek")
            #expect(try decided.object()["decidedById"] as? String == Self.id(world.users[.coordinatorNorth]!))

            let actions = try await api.get("/api/v1/reports/\(world.reportNorth)/actions").items()
            #expect(Set(actions.compactMap { $0["title"] as? String }) == ["Huisbezoek plannen", "Zorgaanbod bespreken"])
            #expect(actions.first { $0["title"] as? String == "Huisbezoek plannen" }?["assigneeId"] as? String == Self.id(world.users[.police]!))
            #expect(try await api.get("/api/v1/reports/\(world.reportNorth)").object()["openActions"] as? Int == 2)
            #expect(try await api.get("/api/v1/breakthrough").items().isEmpty, "decided: off the agenda")
            let again = try await api.post("/api/v1/breakthrough/\(itemID)/decision", ["decision": "Nogmaals"])
            #expect(again.status == .conflict)
            try OpenAPI.check(again, "POST", "/breakthrough/{id}/decision")

            let timeline = try await api.get("/api/v1/reports/\(world.reportNorth)/timeline")
            try OpenAPI.check(timeline, "GET", "/reports/{reference}/timeline")
            let entries = try timeline.items()
            let escalated = entries.filter { $0["field"] as? String == "escalated" }
            #expect(escalated.compactMap { $0["level"] as? String }.contains("breakthrough"))
            #expect(escalated.allSatisfy { $0["itemKind"] as? String == "report" && $0["itemId"] is NSNull })
            let decision = try #require(entries.first { $0["field"] as? String == "decision" })
            #expect(decision["level"] as? String == "breakthrough")
            #expect(decision["reason"] as? String == "Politie en GGD plannen samen een huisbezoek")
        }
        for persona in [TestWorld.Persona.police, .staffNorth, .ggd, .analyst] {
            try await world.withAPI(as: persona) { api in
                let itemID = carried.first
                let agenda = try await api.get("/api/v1/breakthrough")
                #expect(agenda.status == .notFound, "\(persona)")
                try OpenAPI.check(agenda, "GET", "/breakthrough")
                #expect(try await api.post("/api/v1/breakthrough/\(itemID)/decision", ["decision": "x"]).status == .notFound)
            }
        }
        try await world.withAPI(as: .admin) { api in
            // Administrators see every district's agenda: the southern report went up too.
            let agenda = try await api.get("/api/v1/breakthrough")
            #expect(try agenda.items().compactMap { $0["reportReference"] as? String } == [world.reportSouth])
        }
    }
}
