import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Every route the router knows × every role × an in-scope and an out-of-scope record.
/// A route without a rule here fails the test, so a new route cannot ship without a decision
/// about who may use it.
@Suite struct AccessMatrixTests {
    /// Who may use a route.
    enum Rule {
        /// Anyone, signed in or not.
        case publicRoute
        /// Any signed-in user.
        case signedIn
        /// Users with record access (everyone but analysts).
        case records
        /// One report: its reader must have it in scope.
        case report
        /// One person: visible through a linked report in scope (the same in/out pairs as `report`,
        /// with the person linked to each report).
        case person
        /// Cooling-off dwellings' register: coordinators and administrators.
        case coolingOffManager
        /// One cooling-off placement: whoever may see its person, coordinators, administrators (and the requester).
        case placement
        /// A step of a placement: coordinators, administrators and the requester (the persona-admin here).
        case placementStep
        /// One case: its director (the police persona), members (GGD), administrators and the district's coordinator (facts).
        case caseRead
        /// The director's changes to a case (administrators do not: the role gives no content). Notes also: the GGD member's
        /// consent is withdrawn by the withdraw route, which sorts before the notes route.
        case caseDirector
        /// Proposing a new director: the director (administrators and the coordinator only when the case has no active director).
        case caseProposal
        /// Accepting the direction, or claiming it: only the proposed director, or the coordinator of a case without an active director (nobody in the matrix).
        case caseAcceptance
        /// Reading-and-writing the case's content beyond the director's forms (the cooling-off request form):
        /// the director and the GGD member; administrators and the coordinator (metadata only) and outsiders 404.
        case caseContent
        /// Closing one of the case's actions: past access control for the director (422 for an
        /// empty result; the action's own rule may refuse with 403); the coordinator (metadata only) and outsiders 404,
        /// and so does the GGD member: its consent is withdrawn by the API's withdraw route, which sorts before these.
        case caseActionStep
        /// Counts of case factors (no cases, no persons): analysts, coordinators (their districts) and administrators.
        case factorAggregates
        /// The list of cases needing a director: coordinators and administrators; everyone else 404.
        case caseCoordinator
        /// Closing a case's action through the API: past access control for the director and the
        /// GGD member (its API routes sort before the withdraw route, so its consent still holds; the action's own
        /// rule then refuses it with 403); the coordinator (metadata only) and outsiders 404.
        case caseAPIActionStep
        /// The factor counts over cases: analysts, administrators and coordinators (their districts); everyone else 404.
        case caseFactorCounts
        /// A follow-through step on one report (pick up, hand over, actions): out of scope is 404;
        /// in scope the step's own rules may still refuse (403, 409, 422), but never as "not found".
        case reportStep
        /// The breakthrough meeting's agenda: coordinators of the item's district and administrators;
        /// to everyone else it does not exist (404).
        case breakthrough
        /// A team lead's view of their team (in the test world the northern coordinator leads the northern staff).
        case teamLead
        /// One of the user's own personal access tokens.
        case ownToken
        /// Administrators only.
        case admin
        /// The access log: privacy officers and administrators.
        case auditLog
        /// Asking for break-the-glass access to a report or a person: anyone with record access, for any well-formed
        /// reference or pseudonym (in scope, out of scope or non-existent alike, so it never tells whether it exists).
        case breakGlassRequest
        /// Reviewing a break-the-glass grant: privacy officers and administrators.
        case breakGlassReview
        /// Data-subject requests (Features/SubjectRights): privacy officers and administrators; everyone else 404.
        /// Allowed means past access control (the export without a reason answers 422). There is no API route: tokens never export.
        case subjectRights
        /// A case meeting (Features/CaseMeetings), organised by the northern coordinator with the police and the GGD
        /// invited and the matrix case on its agenda: organiser, invited organisations' users and administrators see it;
        /// the location staff (not invited) and roles without records get 404.
        case caseMeeting
        /// Changing a meeting and its agenda: its organiser and administrators; everyone else 404.
        case caseMeetingOrganiser
        /// Recording an agenda item's outcome: the organiser and the case's director (police); not administrators by role.
        /// (The matrix item was recorded already, so allowed users get 409 or a redirect, never 404.)
        case caseMeetingRecord
        /// Planning a meeting: coordinators, administrators and case directors (police directs the matrix case).
        case caseMeetingPlanner
        /// Opening a case (which makes the opener its director): whoever reaches the person, but not
        /// administrators (it would open the person's details to them by role alone).
        case caseOpening
        /// A "consider a case" item (Features/Concerns) in the northern district: its coordinator only; everyone else,
        /// administrators included, 404. (The API's open-case runs first and opens the case; the pages then answer 409.)
        case concern
    }

    static func rule(for route: String) -> Rule? {
        let exact: [String: Rule] = [
            "GET /health": .publicRoute, "GET /login": .publicRoute, "POST /login": .publicRoute, "GET /lang/{code}": .publicRoute,
            "GET /api/v1/openapi.json": .publicRoute,
            // Sign-in steps: they act only on a pending sign-in (else back to /login), so anyone may ask.
            "GET /login/two-factor": .publicRoute, "POST /login/two-factor": .publicRoute,
            "GET /login/new-password": .publicRoute, "POST /login/new-password": .publicRoute,
            "GET /login/two-factor/setup": .publicRoute, "POST /login/two-factor/setup": .publicRoute,
            "GET /reauth": .signedIn, "POST /reauth": .signedIn,
            "GET /account/password": .signedIn, "POST /account/password": .signedIn,
            "GET /account/two-factor": .signedIn, "POST /account/two-factor": .signedIn,
            "POST /account/two-factor/disable": .signedIn, "POST /account/two-factor/recovery-codes": .signedIn,
            "GET /api/v1/me/security": .signedIn,
            // Single sign-on: start and the provider's redirect back; 404 when not configured.
            "GET /login/sso": .publicRoute, "GET /login/sso/callback": .publicRoute,
            // Re-authentication at the provider (signed-in users) and the provider's logout page; 404 when not configured.
            "GET /reauth/sso": .publicRoute, "GET /logout/sso": .publicRoute,
            "GET /": .signedIn, "POST /logout": .signedIn, "GET /account": .signedIn, "POST /account/tokens": .signedIn,
            "GET /locations": .signedIn, "GET /locations/{id}": .signedIn,
            "GET /api/v1/me": .signedIn, "GET /api/v1/districts": .signedIn, "GET /api/v1/locations": .signedIn,
            "GET /api/v1/locations/{id}": .signedIn, "GET /api/v1/categories": .signedIn, "GET /api/v1/organisations": .signedIn,
            "GET /api/v1/routing-rules": .signedIn,
            // Notifications: every signed-in user has their own list and preference; there is no id of
            // anyone else's to ask for (NotificationsTests checks that others' never show or change).
            "GET /notifications": .signedIn, "POST /notifications/read": .signedIn, "POST /account/notifications": .signedIn,
            "GET /api/v1/notifications": .signedIn, "POST /api/v1/notifications/read": .signedIn,
            "GET /api/v1/me/notification-settings": .signedIn, "PATCH /api/v1/me/notification-settings": .signedIn,
            "GET /api/v1/escalation-policies": .signedIn, "PUT /api/v1/escalation-policies/{urgency}": .admin,
            "GET /api/v1/breakthrough": .breakthrough, "POST /api/v1/breakthrough/{id}/decision": .breakthrough,
            "GET /reports": .records, "GET /reports/new": .records, "POST /reports": .records,
            "GET /api/v1/reports": .records, "POST /api/v1/reports": .records,
            "GET /api/v1/concerns": .records,
            "GET /concerns/{id}": .concern, "POST /concerns/{id}/open-case": .concern, "POST /concerns/{id}/dismiss": .concern,
            "GET /api/v1/concerns/{id}": .concern, "POST /api/v1/concerns/{id}/open-case": .concern, "POST /api/v1/concerns/{id}/dismiss": .concern,
            "POST /account/tokens/{id}/revoke": .ownToken,
            "GET /audit": .auditLog, "GET /api/v1/audit": .auditLog,
            "GET /break-glass/reports/{reference}": .breakGlassRequest, "POST /break-glass/reports/{reference}": .breakGlassRequest,
            "GET /break-glass/persons/{pseudonym}": .breakGlassRequest, "POST /break-glass/persons/{pseudonym}": .breakGlassRequest,
            "GET /audit/break-glass": .auditLog, "GET /api/v1/break-glass": .auditLog,
            "POST /audit/break-glass/{id}/review": .breakGlassReview, "POST /api/v1/break-glass/{id}/review": .breakGlassReview,
            "GET /work": .records, "GET /api/v1/work": .records, "GET /work/team": .teamLead, "GET /work/district": .breakthrough,
            "GET /breakthrough": .breakthrough, "GET /breakthrough/{id}": .breakthrough, "POST /breakthrough/{id}": .breakthrough,
            "GET /retention": .auditLog, "GET /api/v1/destruction-records": .auditLog,
            "GET /privacy": .subjectRights, "POST /privacy/search": .subjectRights, "GET /privacy/persons/{pseudonym}/export": .subjectRights,
            "POST /privacy/persons/{pseudonym}/erase": .subjectRights, "GET /privacy/persons/{pseudonym}/export.json": .subjectRights,
            // Persons: search needs record access (analysts and privacy officers have none).
            "GET /persons": .records, "POST /persons/search": .records, "POST /api/v1/persons/search": .records,
            "GET /cooling-off": .records, "GET /api/v1/cooling-off/dwellings": .records, "GET /api/v1/cooling-off/availability": .records,
            "GET /api/v1/cooling-off/placements": .records, "GET /cases": .records,
            "GET /cases/{case}": .caseRead, "POST /cases/{case}/phase": .caseDirector, "POST /cases/{case}/members": .caseDirector,
            "POST /cases/{case}/members/{id}/withdraw-consent": .caseDirector, "POST /cases/{case}/members/{id}/end": .caseDirector, "POST /cases/{case}/notes": .caseDirector,
            "POST /cases/{case}/director": .caseProposal, "POST /cases/{case}/director/accept": .caseAcceptance,
            "POST /cases/{case}/director/claim": .caseAcceptance, "POST /cases/{case}/director/decline": .caseAcceptance,
            "POST /cases/{case}/persons": .caseDirector,
            // The plan, factors, actions, linked reports (Features/Cases): the director's; the placement request from
            // the case sorts after the withdraw route (the GGD member's consent is withdrawn by then: 404).
            "POST /cases/{case}/goals": .caseDirector, "POST /cases/{case}/goals/{goal}": .caseDirector,
            "POST /cases/{case}/factors": .caseDirector, "POST /cases/{case}/actions": .caseDirector,
            "POST /cases/{case}/reports": .caseDirector, "POST /cases/{case}/placements": .caseDirector,
            "GET /cases/{case}/placements/new": .caseContent, "GET /cases/{case}/actions/{action}": .caseRead, "GET /cases/factors": .factorAggregates,
            "POST /cases/{case}/actions/{action}/complete": .caseActionStep, "POST /cases/{case}/actions/{action}/cancel": .caseActionStep,
            // The cases API (Features/Cases/CaseAPI*): the same rules as the case pages. The API's withdraw
            // route sorts before its notes route, so the GGD member's consent is gone when notes are posted.
            "GET /api/v1/cases": .records, "POST /api/v1/cases": .caseOpening, "GET /api/v1/cases/needing-director": .caseCoordinator,
            "GET /api/v1/cases/{case}": .caseRead, "PATCH /api/v1/cases/{case}": .caseDirector, "GET /api/v1/cases/{case}/history": .caseRead,
            "POST /api/v1/cases/{case}/director": .caseProposal, "POST /api/v1/cases/{case}/director/accept": .caseAcceptance,
            "POST /api/v1/cases/{case}/director/claim": .caseAcceptance, "POST /api/v1/cases/{case}/director/decline": .caseAcceptance,
            "POST /api/v1/cases/{case}/persons": .caseDirector,
            "GET /api/v1/cases/{case}/members": .caseRead, "POST /api/v1/cases/{case}/members": .caseDirector,
            "POST /api/v1/cases/{case}/members/{id}/withdraw-consent": .caseDirector, "POST /api/v1/cases/{case}/members/{id}/end": .caseDirector,
            "GET /api/v1/cases/{case}/notes": .caseRead, "POST /api/v1/cases/{case}/notes": .caseDirector,
            // Plan, factors (content readers only), actions, linked reports, placement from the case, timeline.
            "GET /api/v1/cases/{case}/goals": .caseRead, "POST /api/v1/cases/{case}/goals": .caseDirector,
            "PATCH /api/v1/cases/{case}/goals/{goal}": .caseDirector,
            "GET /api/v1/cases/{case}/factors": .caseContent, "PUT /api/v1/cases/{case}/factors": .caseDirector,
            "GET /api/v1/case-factors": .caseFactorCounts,
            "GET /api/v1/cases/{case}/actions": .caseRead, "POST /api/v1/cases/{case}/actions": .caseDirector,
            "GET /api/v1/cases/{case}/actions/{action}": .caseContent,
            "POST /api/v1/cases/{case}/actions/{action}/complete": .caseAPIActionStep,
            "POST /api/v1/cases/{case}/actions/{action}/cancel": .caseAPIActionStep,
            "GET /api/v1/cases/{case}/reports": .caseRead, "POST /api/v1/cases/{case}/reports": .caseDirector,
            "POST /api/v1/cases/{case}/placements": .caseDirector, "GET /api/v1/cases/{case}/timeline": .caseRead,
            "GET /cooling-off/dwellings/new": .coolingOffManager, "POST /cooling-off/dwellings": .coolingOffManager,
            "GET /cooling-off/dwellings/{id}/edit": .coolingOffManager, "POST /cooling-off/dwellings/{id}": .coolingOffManager,
            "GET /cooling-off/placements/{id}": .placement, "GET /api/v1/cooling-off/placements/{id}": .placement,
            "POST /cooling-off/placements/{id}/{step}": .placementStep, "POST /api/v1/cooling-off/placements/{id}/steps": .placementStep,
            "GET /meetings": .records, "GET /api/v1/case-meetings": .records,
            "GET /meetings/new": .caseMeetingPlanner, "POST /meetings": .caseMeetingPlanner, "POST /api/v1/case-meetings": .caseMeetingPlanner,
            "GET /meetings/{id}": .caseMeeting, "GET /meetings/{id}/agenda": .caseMeeting, "GET /api/v1/case-meetings/{id}": .caseMeeting,
            "POST /meetings/{id}": .caseMeetingOrganiser, "POST /meetings/{id}/agenda": .caseMeetingOrganiser,
            "POST /meetings/{id}/items/{item}/remove": .caseMeetingOrganiser, "PATCH /api/v1/case-meetings/{id}": .caseMeetingOrganiser,
            "GET /meetings/{id}/items/{item}": .caseMeetingRecord, "POST /meetings/{id}/items/{item}": .caseMeetingRecord,
            "POST /api/v1/case-meetings/{id}/items/{item}/outcome": .caseMeetingRecord,
            "GET /persons/{pseudonym}/cases/new": .caseOpening, "POST /persons/{pseudonym}/cases": .caseOpening,
            // Attachments on a case (Features/Attachments): its content, so the director and consenting members only;
            // the web upload sorts after the API's withdraw route (the GGD member's consent is gone by then: 404).
            "GET /cases/{case}/attachments/{attachment}": .caseContent, "POST /cases/{case}/attachments": .caseDirector,
            "GET /api/v1/cases/{case}/attachments": .caseContent, "POST /api/v1/cases/{case}/attachments": .caseContent,
            "GET /api/v1/cases/{case}/attachments/{attachment}": .caseContent,
        ]
        if let rule = exact[route] { return rule }
        let path = route.split(separator: " ")[1]
        if path.hasPrefix("/admin") { return .admin }
        if (path.hasPrefix("/reports/{reference}/") || path.hasPrefix("/api/v1/reports/{reference}/"))
            && ["pickup", "handovers", "actions"].contains(where: { path.contains("/\($0)") }) {
            return .reportStep
        }
        if path.contains("{reference}") { return .report }
        if path.contains("{pseudonym}") { return .person }
        return nil
    }

    /// The report each persona may read, and one it may not.
    static let scope: [TestWorld.Persona: (inside: KeyPath<TestWorld, String>?, outside: KeyPath<TestWorld, String>?)] = [
        .admin: (\.reportNorth, nil),
        .coordinatorNorth: (\.reportNorth, \.reportSouth),
        .staffNorth: (\.reportNorth, \.reportSouth),
        .police: (\.reportNorth, \.reportSouth),
        .ggd: (\.reportSouth, \.reportNorth),
        .analyst: (nil, \.reportNorth),
        .privacyOfficer: (nil, \.reportNorth),
    ]

    static func routes(_ world: TestWorld) async throws -> [String] {
        try await world.withDatabase { database in
            let services = AppServices(config: world.config, database: database, views: try await Views.load(), passwords: Passwords(cost: 4))
            let router = buildRouter(services, sessions: DatabasePersistDriver(database: database))
            return router.routes.map { "\($0.method.rawValue.uppercased()) \($0.path)" }.sorted()
        }
    }

    @Test func everyRouteHasARule() async throws {
        let world = try await TestWorld.make(.sqlite)
        let missing = try await Self.routes(world).filter { Self.rule(for: $0) == nil }
        #expect(missing.isEmpty, "routes without an access rule: \(missing)")
    }

    @Test(arguments: TestDatabase.available)
    func everyRoleOnEveryRoute(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let routes = try await Self.routes(world)
        let ids = try await Self.ids(world)
        try await buildApplication(world.config).test(.router) { client in
            // Per persona: a token for the API calls, and the id of a second one that the revoke route may revoke.
            var tokens: [TestWorld.Persona: (token: String, id: String)] = [:]
            for persona in TestWorld.Persona.allCases {
                let token = try await world.token(for: persona)
                let spare = try await world.token(for: persona)
                let id = try await world.withDatabase { try await APIToken.query(on: $0.db()).filter(\.$tokenHash == APIToken.hash(spare)).first()!.id! }
                tokens[persona] = (token, id.uuidString)
            }
            var failures: [String] = []
            for route in routes {
                guard let rule = Self.rule(for: route) else { continue }
                let parts = route.split(separator: " ").map(String.init)
                let (method, pattern) = (parts[0], parts[1])
                let isAPI = pattern.hasPrefix("/api/")
                // Anonymous first.
                let anonymous = try await Self.send(method, Self.fill(pattern, ids: ids, reference: world.reportNorth, token: tokens[.police]!.id),
                                                    browser: Browser(client), token: nil, isAPI: isAPI)
                let anonymousOK = rule == .publicRoute ? anonymous < 500 : (isAPI ? anonymous == 401 : anonymous == 303)
                if !anonymousOK { failures.append("anonymous \(route) → \(anonymous)") }

                for persona in TestWorld.Persona.allCases {
                    let browser = Browser(client)
                    try await browser.signIn(persona)
                    let token = isAPI ? tokens[persona]!.token : nil
                    var cases: [(uri: String, allowed: Bool)] = []
                    switch rule {
                    case .publicRoute, .signedIn:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: tokens[persona]!.id), true)]
                    case .records:
                        cases = [(pattern, persona != .analyst && persona != .privacyOfficer)]
                    case .admin:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), persona == .admin)]
                    case .auditLog:
                        cases = [(pattern, persona == .admin || persona == .privacyOfficer),
                                 (pattern + "?recordType=report&recordId=" + world.reportNorth, persona == .admin || persona == .privacyOfficer)]
                    case .breakthrough:
                        // An agenda item in the northern district, and (for the decision) one in the southern.
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), persona == .admin || persona == .coordinatorNorth)]
                        if pattern.contains("{id}") {
                            cases.append((Self.fill(pattern, ids: ids, reference: world.reportSouth, token: ""), persona == .admin))
                        }
                    case .teamLead:
                        cases = [(pattern, persona == .coordinatorNorth)]
                    case .breakGlassRequest:
                        // An empty reason posts as 422 (past access control); analysts and privacy officers get 404.
                        let records = persona != .analyst && persona != .privacyOfficer
                        let outside = Self.scope[persona]!.outside.map { world[keyPath: $0] } ?? world.reportSouth
                        cases = [(Self.fill(pattern, ids: ids, reference: outside, token: ""), records),
                                 (Self.fill(pattern, ids: ids, reference: "DP-2099-999999", token: ""), records)]
                    case .breakGlassReview:
                        // An expired grant (see `ids`): the first reviewer gets it, the second 409, others 404.
                        cases = [(Self.fill(pattern, ids: ids, reference: "", token: ""), persona == .admin || persona == .privacyOfficer)]
                    case .ownToken:
                        let other = persona == .police ? TestWorld.Persona.ggd : .police
                        cases = [(Self.fill(pattern, ids: ids, reference: "", token: tokens[persona]!.id), true),
                                 (Self.fill(pattern, ids: ids, reference: "", token: tokens[other]!.id), false)]
                    case .caseRead, .caseDirector, .caseProposal, .caseAcceptance, .caseContent, .caseActionStep, .caseAPIActionStep:
                        let allowed: [TestWorld.Persona] = switch rule {
                        case .caseRead: [.admin, .police, .coordinatorNorth, .ggd]
                        // Administrators see a case's facts, not its content, and do not direct it (issue 11).
                        case .caseAPIActionStep: [.police, .ggd]
                        case .caseContent: [.police, .ggd]
                        case .caseActionStep: [.police]
                        case .caseDirector: [.police]
                        // The coordinator proposes only when the case has no active director (issue 11).
                        case .caseProposal: [.police]
                        default: []
                        }
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), allowed.contains(persona))]
                    case .caseCoordinator:
                        cases = [(pattern, persona == .admin || persona == .coordinatorNorth)]
                    case .concern:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), persona == .coordinatorNorth)]
                    case .caseFactorCounts:
                        cases = [(pattern, [.admin, .coordinatorNorth, .analyst].contains(persona))]
                    case .factorAggregates:
                        cases = [(pattern, [.admin, .analyst, .coordinatorNorth].contains(persona))]
                    case .coolingOffManager:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), persona == .admin || persona == .coordinatorNorth)]
                    case .placement:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""),
                                  [.admin, .coordinatorNorth, .staffNorth, .police].contains(persona))]
                    case .caseMeeting, .caseMeetingOrganiser, .caseMeetingRecord, .caseMeetingPlanner:
                        let allowed: [TestWorld.Persona] = switch rule {
                        case .caseMeeting: [.admin, .coordinatorNorth, .police, .ggd]
                        case .caseMeetingOrganiser: [.admin, .coordinatorNorth]
                        case .caseMeetingRecord: [.coordinatorNorth, .police]
                        default: [.admin, .coordinatorNorth, .police]
                        }
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), allowed.contains(persona))]
                    case .subjectRights:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), persona == .admin || persona == .privacyOfficer)]
                    case .placementStep:
                        cases = [(Self.fill(pattern, ids: ids, reference: world.reportNorth, token: ""), persona == .admin || persona == .coordinatorNorth)]
                    case .caseOpening where !pattern.contains("{pseudonym}"):
                        cases = [(pattern, ![.analyst, .privacyOfficer, .admin].contains(persona))]
                    case .caseOpening:
                        let (inside, outside) = Self.scope[persona]!
                        if let inside { cases.append((Self.fill(pattern, ids: ids, reference: world[keyPath: inside], token: ""), persona != .admin)) }
                        if let outside { cases.append((Self.fill(pattern, ids: ids, reference: world[keyPath: outside], token: ""), false)) }
                    case .report, .reportStep, .person:
                        let (inside, outside) = Self.scope[persona]!
                        if let inside { cases.append((Self.fill(pattern, ids: ids, reference: world[keyPath: inside], token: ""), true)) }
                        if let outside { cases.append((Self.fill(pattern, ids: ids, reference: world[keyPath: outside], token: ""), false)) }
                    }
                    for (uri, allowed) in cases {
                        let status = try await Self.send(method, uri, browser: browser, token: token, isAPI: isAPI)
                        // Public routes have no access control to pass: any answer but a server error will do.
                        let ok = rule == .publicRoute ? status < 500
                            : rule == .reportStep && allowed ? status != 404 && status != 401 && status < 500
                            : rule == .subjectRights && allowed ? status != 404 && status != 401 && status < 500
                            : (rule == .caseActionStep || rule == .caseAPIActionStep) && allowed ? status != 404 && status != 401 && status < 500
                            : allowed ? Self.passes(status) : status == 404
                        if !ok { failures.append("\(persona) \(method) \(uri) → \(status), expected \(allowed ? "access" : "404")") }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.count) access failures:\n\(failures.joined(separator: "\n"))")
        }
    }

    /// Got past access control: not 401/403/404 and no server error.
    static func passes(_ status: Int) -> Bool { ![401, 403, 404].contains(status) && status < 500 }

    static func send(_ method: String, _ uri: String, browser: Browser, token: String?, isAPI: Bool) async throws -> Int {
        if isAPI {
            let api = APIClient(client: browser.client, token: token)
            switch method {
            case "GET": return Int(try await api.get(uri).status.code)
            case "POST": return Int(try await api.post(uri, [:]).status.code)
            case "PATCH": return Int(try await api.patch(uri, [:]).status.code)
            case "PUT": return Int(try await api.request(.put, uri, body: "{}").status.code)
            default: throw TestFailure("no API method \(method)")
            }
        }
        switch method {
        case "GET": return Int(try await browser.get(uri).status.code)
        case "POST":
            // Signing out would end the persona's session for the cases after it: sign out a copy.
            if uri == "/logout" { return Int(try await Browser(browser.client).post(uri, []).status.code) }
            return Int(try await browser.post(uri, []).status.code)
        default: throw TestFailure("no web method \(method)")
        }
    }

    /// Ids to put into route parameters.
    struct IDs: Sendable {
        let world: [String: String]
    }

    static func ids(_ world: TestWorld) async throws -> IDs {
        try await world.withDatabase { database in
            let db = database.db()
            // An extra account for the admin user routes, so deactivating it harms no persona.
            let spare = User(email: "spare@test.example", name: "Spare", passwordHash: "x", role: .partner, organisationID: world.police)
            try await spare.create(on: db)
            let category = try await Category.query(on: db).first()!
            let fallback = try await RoutingRule.query(on: db).all().first { $0.isFallback }!
            let closure = ClosureDay(date: Formats.parse(day: "2031-06-02")!, description: "Test")
            try await closure.create(on: db)
            // An open action and a pending hand-over on each report, for the follow-through routes,
            // addressed to an organisation no persona works for (being asked to act widens the scope).
            let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db)!
            let bystander = Organisation(name: "Veilig Thuis", kind: .veiligThuis)
            try await bystander.create(on: db)
            let organisation = bystander.id!
            var followThrough: [String: String] = [:]
            // The northern coordinator leads the northern location staff (for the team view).
            try await User.query(on: db).filter(\.$id == world.users[.staffNorth]!).set(\.$teamLeadID, to: world.users[.coordinatorNorth]!).update()
            for reference in [world.reportNorth, world.reportSouth] {
                let report = try await Report.query(on: db).filter(\.$reference == reference).first()!
                let action = try await ActionStore(database: database).add(
                    ActionDraft(title: "Check", organisation: organisation.uuidString, dueOn: "2031-06-02"), to: ActionSubject(report), by: admin)
                let handover = try await HandoverStore(database: database).request(
                    .init(organisation: organisation.uuidString, reason: "Test"), for: report, by: admin)
                followThrough["actions:\(reference)"] = action.id!.uuidString
                followThrough["handovers:\(reference)"] = handover.id!.uuidString
                // An item escalated to the breakthrough meeting, undecided, in the report's district.
                let escalation = Escalation()
                escalation.itemKind = EscalationItemKind.report.rawValue
                escalation.itemID = report.id!
                escalation.subjectKind = ActionSubjectKind.report.rawValue
                escalation.subjectID = report.id!
                escalation.subjectReference = report.reference
                escalation.districtID = report.districtID
                escalation.level = EscalationLevel.breakthrough.rawValue
                escalation.deadline = Date.now.addingTimeInterval(-30 * 86_400).wholeSeconds
                escalation.at = Date.now.wholeSeconds
                try await escalation.create(on: db)
                followThrough["breakthrough:\(reference)"] = escalation.id!.uuidString
            }
            // A person linked to each report (for `{pseudonym}` routes; see `fill`).
            let persons = PersonStore(database: database, cipher: try FieldCipher(world.config.keys))
            var pseudonyms: [String: String] = [:]
            for reference in [world.reportNorth, world.reportSouth] {
                let report = try await ReportStore(database: database).find(reference: reference, by: admin)
                pseudonyms["pseudonym " + reference] = try await persons.link(PersonDraft(name: "Matrix \(reference)"), role: "affected",
                                                                               to: report, by: admin).pseudonym
            }
            // A cooling-off dwelling, and a placement requested by the administrator for the northern person.
            let coolingOff = CoolingOffStore(database: database, persons: persons)
            let dwelling = try await coolingOff.save(.init(name: "Matrix", addressLabel: "Matrixlaan 1", capacity: "1"), id: nil, by: admin)
            let placement = try await coolingOff.request(.init(reason: "Test", from: Formats.isoDay(.now), through: Formats.isoDay(.now),
                                                               guidanceOrganisation: world.ggd.uuidString),
                                                         for: pseudonyms["pseudonym " + world.reportNorth]!, by: admin)
            pseudonyms["dwellings"] = dwelling.id!.uuidString
            pseudonyms["placements"] = placement.id!.uuidString
            // A case directed by the police persona, with the GGD persona as member (consent).
            let police = try await Principal.load(userID: world.users[.police]!, via: .session, on: db)!
            let cases = CaseStore(database: database, persons: persons)
            // Its own person: membership makes the case's persons visible to the GGD persona.
            let casePerson = try await persons.link(PersonDraft(name: "Matrix casus"), role: "affected",
                                                    to: try await ReportStore(database: database).find(reference: world.reportNorth, by: admin), by: admin)
            let file = try await cases.open(.init(pseudonyms: [casePerson.pseudonym], reason: "Test",
                                                  reportReferences: [world.reportNorth]), by: police)
            let member = try await cases.addMember(.init(userID: world.users[.ggd]!, role: "GGD", legalBasis: "consent",
                                                         consentDate: Formats.isoDay(.now), consentScope: "Test"), to: file, access: .director, by: police)
            pseudonyms["case"] = file.reference
            // An attachment on each report (by the administrator, who registered both) and on the case (by its director).
            let attachments = AttachmentStore(database: database, cipher: persons.cipher, reports: ReportStore(database: database), cases: cases,
                                              maxBytes: world.config.attachments.maxBytes)
            let pdf = UploadedFile(fieldName: "file", fileName: "matrix.pdf", declaredType: "application/pdf", data: Data("%PDF-1.4 matrix".utf8),
                                   truncated: false)
            for reference in [world.reportNorth, world.reportSouth] {
                let subject = try await attachments.report(reference, by: admin)
                pseudonyms["attachment " + reference] = try await attachments.add(pdf, to: subject, by: admin).id!.uuidString
            }
            pseudonyms["attachment case"] = try await attachments.add(pdf, to: try await attachments.caseFile(file.reference, by: police),
                                                                      by: police).id!.uuidString
            pseudonyms["members"] = member.id!.uuidString
            // A second member for the route that ends a membership (ending the GGD persona's would change what it sees later).
            let leaver = User(email: "matrix-lid@test", name: "Matrix lid", passwordHash: "x", role: .partner, organisationID: world.police)
            try await leaver.create(on: db)
            pseudonyms["members-to-end"] = try await cases.addMember(.init(userID: leaver.id!, role: "Wijkagent", legalBasis: "legal_task"),
                                                                     to: file, access: .director, by: police).id!.uuidString
            // A goal of the plan and an open action on the case, for the goal and action routes.
            let goal = try await cases.addGoal(domain: "housing", text: "Matrix: woonruimte behouden", to: file, access: .director, by: police)
            let caseAction = try await cases.addAction(ActionDraft(title: "Check", organisation: organisation.uuidString, dueOn: "2031-06-02"),
                                                       goal: goal.id!.uuidString, to: file, access: .director, by: police)
            pseudonyms["goal"] = goal.id!.uuidString
            pseudonyms["case-action"] = caseAction.id!.uuidString
            // A case meeting on the matrix case, organised by the northern coordinator, police and GGD invited;
            // its item is recorded already, so no route of the matrix changes what the others see.
            let coordinator = try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db)!
            let meetings = CaseMeetingStore(database: database, cases: cases)
            let meeting = try await meetings.plan(.init(day: Formats.isoDay(.now), time: "10:00", organisations: [world.police.uuidString, world.ggd.uuidString]),
                                                  agenda: [file.reference], by: coordinator)
            let agenda = try await meetings.agenda(meeting.id!, by: coordinator)
            try await meetings.record(.init(minutes: "Matrix"), item: agenda.entries[0].item.id!, of: agenda, by: coordinator)
            pseudonyms["meetings"] = meeting.id!.uuidString
            pseudonyms["case-meetings"] = meeting.id!.uuidString
            pseudonyms["items"] = agenda.entries[0].item.id!.uuidString
            // A "consider a case" item about a person of the northern report, in the northern district.
            let concernPerson = try await persons.link(PersonDraft(name: "Matrix zorg"), role: "affected",
                                                       to: try await ReportStore(database: database).find(reference: world.reportNorth, by: admin), by: admin)
            let concern = ConcernItem()
            concern.personID = try await PersonRecord.query(on: db).filter(\.$pseudonym == concernPerson.pseudonym).first()!.id!
            concern.districtID = world.districtNorth
            concern.organisationIDs = ConcernItem.text([world.police, world.ggd])
            concern.reportIDs = ConcernItem.text([try await Report.query(on: db).filter(\.$reference == world.reportNorth).first()!.id!])
            concern.trigger = "organisations"
            concern.status = ConcernStatus.open.rawValue
            concern.raisedAt = Date.now.wholeSeconds
            concern.updatedAt = Date.now.wholeSeconds
            try await concern.create(on: db)
            pseudonyms["concerns"] = concern.id!.uuidString.lowercased()
            // An expired break-the-glass grant, for the review routes (expired, so it widens no scope).
            let grant = BreakGlassGrant(userID: world.users[.ggd]!, role: .partner, recordType: "report", recordID: world.reportNorth,
                                        reason: "Matrix: verlopen noodtoegang", grantedAt: Date.now.addingTimeInterval(-7200).wholeSeconds,
                                        expiresAt: Date.now.addingTimeInterval(-3600).wholeSeconds)
            try await grant.create(on: db)
            let team = Team(organisationID: world.ggd, name: "Matrix-team", createdAt: Date.now.wholeSeconds)
            try await team.create(on: db)
            return IDs(world: [
                "teams": team.id!.uuidString,
                "break-glass": grant.id!.uuidString,
                "routing-rules": fallback.id!.uuidString, "closure-days": closure.id!.uuidString,
                "locations": world.locationNorth.uuidString, "districts": world.districtNorth.uuidString,
                "organisations": world.ggd.uuidString, "categories": category.id!.uuidString,
                "users": spare.id!.uuidString, "place": world.placeNorth.uuidString,
            ].merging(followThrough) { a, _ in a }.merging(pseudonyms) { a, _ in a })
        }
    }

    /// Puts concrete values into a route pattern.
    static func fill(_ pattern: String, ids: IDs, reference: String, token: String) -> String {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var out: [String] = []
        for (index, segment) in segments.enumerated() {
            switch segment {
            case "{reference}": out.append(reference)
            // The person linked to the report in play: in scope exactly when that report is.
            case "{pseudonym}": out.append(ids.world["pseudonym " + reference] ?? "P-2222-22")
            case "{step}": out.append("extend")
            case "{case}": out.append(ids.world["case"]!)
            case "{attachment}": out.append(ids.world[segments.contains("cases") ? "attachment case" : "attachment " + reference] ?? UUID().uuidString)
            case "{goal}": out.append(ids.world["goal"]!)
            case "{action}": out.append(ids.world["case-action"]!)
            case "{item}": out.append(ids.world["items"]!)
            case "{id}" where segments[index - 1] == "members" && segments.last == "end": out.append(ids.world["members-to-end"]!)
            case "{id}" where ids.world["\(segments[index - 1]):\(reference)"] != nil:
                out.append(ids.world["\(segments[index - 1]):\(reference)"]!)
            case "{code}": out.append("en")
            case "{urgency}": out.append("normal")
            case "{place}": out.append(ids.world["place"]!)
            case "{id}":
                let owner = index > 0 ? segments[index - 1] : ""
                out.append(owner == "tokens" ? token : ids.world[owner] ?? UUID().uuidString)
            default: out.append(segment)
            }
        }
        return out.joined(separator: "/")
    }
}
