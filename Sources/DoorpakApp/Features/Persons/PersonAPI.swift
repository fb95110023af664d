import Foundation
import Hummingbird

/// The persons API: search (with a reason), one person, their involvements, editing, and a
/// report's persons. The same `PersonStore` calls as the HTML routes.
struct PersonAPI {
    let store: PersonStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.post("/persons/search", use: search)
        api.get("/persons/:pseudonym", use: show)
        api.patch("/persons/:pseudonym", use: update)
        api.get("/persons/:pseudonym/involvements", use: involvements)
        api.get("/reports/:reference/persons", use: reportPersons)
        api.post("/reports/:reference/persons", use: link)
    }

    static let renames = ["birth_date": "birthDate", "resident_since": "residentSince", "location": "locationId",
                          "interpreter_needed": "interpreterNeeded", "existing": "existingPseudonym"]

    private func mapping<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch AppError.invalid(let issues) {
            throw AppError.invalid(issues.map { FieldIssue(Self.renames[$0.name] ?? $0.name, $0.code) })
        }
    }

    func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        guard principal.reportScope != .none else { throw AppError.notFound }
        let input = try await APIBody.decode(PersonSearchInput.self, from: request)
        let found = try await mapping {
            try await store.search(name: input.name ?? "", birthDate: input.birthDate, reason: input.reason ?? "", by: principal)
        }
        return try APIBody.response(ItemsDTO(items: found.map(PersonDTO.init)))
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let person = try await store.find(pseudonym: context.parameters.require("pseudonym"), by: context.principal())
        return try APIBody.response(PersonDTO(person))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        let current = try await store.find(pseudonym: pseudonym, by: principal, purpose: "edit")
        let input = try await APIBody.decode(PersonPatchInput.self, from: request, accepting: [APIBody.json, APIBody.mergePatch])
        let patch = input.person
        var draft = PersonDraft(name: current.name, birthDate: current.birthDate, contact: current.contact,
                                location: current.locationID?.uuidString, unit: current.unit,
                                residentSince: current.residentSince.map(Formats.isoDay), languages: current.languages,
                                interpreterNeeded: current.interpreterNeeded)
        patch.apply(to: &draft)
        let person = try await mapping { try await store.update(pseudonym: pseudonym, with: draft, reason: input.reason, by: principal) }
        return try APIBody.response(PersonDTO(person))
    }

    func involvements(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let person = try await store.find(pseudonym: context.parameters.require("pseudonym"), by: principal)
        return try APIBody.response(ItemsDTO(items: try await store.involvements(of: person, by: principal).map(InvolvementDTO.init)))
    }

    func reportPersons(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.reports.find(reference: context.parameters.require("reference"), by: principal)
        return try APIBody.response(ItemsDTO(items: try await store.links(of: report, by: principal).map(PersonLinkDTO.init)))
    }

    func link(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.reports.find(reference: context.parameters.require("reference"), by: principal)
        let input = try await APIBody.decode(PersonLinkInput.self, from: request)
        var draft = PersonDraft()
        input.person.apply(to: &draft)
        let choice: PersonStore.LinkChoice = input.existingPseudonym.map { .existing($0) } ?? (input.newPerson == true ? .newPerson : .offerCandidates)
        let outcome: PersonStore.LinkOutcome
        do {
            outcome = try await mapping { try await store.link(draft, role: input.role, to: report, by: principal, choice: choice) }
        } catch let similar as PersonStore.SimilarPersons {
            // "Is it one of these?": nothing was written; the client links one (`existingPseudonym`) or confirms `newPerson`.
            var response = try APIBody.response(SimilarPersonsProblem(candidates: similar.candidates.map(PersonCandidateDTO.init)), status: .conflict)
            response.headers[.contentType] = "application/problem+json"
            return response
        }
        let path = "\(APIInfo.basePath)/persons/\(outcome.pseudonym)"
        return try APIBody.response(LinkOutcomeDTO(pseudonym: outcome.pseudonym, role: input.role ?? "", matched: outcome.matched),
                                    status: .created, headers: [.location: path])
    }
}

// MARK: - Requests

/// `POST /persons/search`.
struct PersonSearchInput: APIInput {
    var name: String?
    var birthDate: String?
    var reason: String?
    static let members = ["name", "birthDate", "reason"]
}

/// A person's fields in a request; members left out stay as they are (PATCH) or empty (new).
struct PersonInput: APIInput {
    var name: String?
    var birthDate: String??
    var contact: String??
    var locationId: String??
    var unit: String??
    var residentSince: String??
    var languages: [String]?
    var interpreterNeeded: Bool?

    static let members = ["name", "birthDate", "contact", "locationId", "unit", "residentSince", "languages", "interpreterNeeded"]

    enum CodingKeys: String, CodingKey { case name, birthDate, contact, locationId, unit, residentSince, languages, interpreterNeeded }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func nullable(_ key: CodingKeys) throws -> String?? {
            guard container.contains(key) else { return nil }
            return .some(try container.decodeNil(forKey: key) ? nil : try container.decode(String.self, forKey: key))
        }
        name = try container.decodeIfPresent(String.self, forKey: .name)
        birthDate = try nullable(.birthDate)
        contact = try nullable(.contact)
        locationId = try nullable(.locationId)
        unit = try nullable(.unit)
        residentSince = try nullable(.residentSince)
        languages = try container.decodeIfPresent([String].self, forKey: .languages)
        interpreterNeeded = try container.decodeIfPresent(Bool.self, forKey: .interpreterNeeded)
    }

    init() {}

    func apply(to draft: inout PersonDraft) {
        if let name { draft.name = name }
        if let birthDate { draft.birthDate = birthDate }
        if let contact { draft.contact = contact }
        if let locationId { draft.location = locationId }
        if let unit { draft.unit = unit }
        if let residentSince { draft.residentSince = residentSince }
        if let languages { draft.languages = languages }
        if let interpreterNeeded { draft.interpreterNeeded = interpreterNeeded }
    }
}

/// `PATCH /persons/{pseudonym}`: the changed fields and the reason for the correction (GDPR art. 16),
/// which any change requires.
struct PersonPatchInput: APIInput {
    var reason: String?
    var person: PersonInput

    static let members = ["reason"] + PersonInput.members

    init(from decoder: any Decoder) throws {
        reason = try decoder.container(keyedBy: AnyCodingKey.self).decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "reason"))
        person = try PersonInput(from: decoder)
    }
}

/// `POST /reports/{reference}/persons`: the role and the person; after a 409 with candidates, the
/// pseudonym of the one picked (`existingPseudonym`) or `newPerson: true`.
struct PersonLinkInput: APIInput {
    var role: String?
    var existingPseudonym: String?
    var newPerson: Bool?
    var person: PersonInput

    static let members = ["role", "existingPseudonym", "newPerson"] + PersonInput.members

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        role = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "role"))
        existingPseudonym = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "existingPseudonym"))
        newPerson = try container.decodeIfPresent(Bool.self, forKey: AnyCodingKey(stringValue: "newPerson"))
        person = try PersonInput(from: decoder)
    }
}

// MARK: - Responses

struct PersonDTO: Encodable {
    var pseudonym: String
    @Nullable var name: String?
    @Nullable var birthDate: String?
    @Nullable var contact: String?
    @Nullable var locationId: String?
    @Nullable var unit: String?
    @Nullable var residentSince: String?
    var languages: [String]
    var interpreterNeeded: Bool
    /// The details were recorded by another organisation and are not the caller's (then the
    /// details are null or empty); "who else is involved" says whom to contact.
    var detailsWithheld: Bool
    var identityWithheld: Bool
    var updatedAt: String

    init(_ person: Person) {
        pseudonym = person.pseudonym
        name = person.identityWithheld ? nil : person.name
        birthDate = person.birthDate
        contact = person.contact
        locationId = person.locationID.api
        unit = person.unit
        residentSince = person.residentSince.map(Formats.isoDay)
        languages = person.languages
        interpreterNeeded = person.interpreterNeeded
        detailsWithheld = person.detailsWithheld
        identityWithheld = person.identityWithheld
        updatedAt = APIDates.write(person.updatedAt)
    }
}

struct InvolvementDTO: Encodable {
    var organisationId: String
    var organisationName: String
    @Nullable var contactName: String?
    @Nullable var contactEmail: String?
    var since: String
    var caseDirector: Bool

    init(_ involvement: PersonStore.Involvement) {
        caseDirector = involvement.caseDirector
        organisationId = involvement.organisationID.api
        organisationName = involvement.organisationName
        contactName = involvement.contactName
        contactEmail = involvement.contactEmail
        since = APIDates.write(involvement.since)
    }
}

struct PersonLinkDTO: Encodable {
    var pseudonym: String
    var role: String
    var linkedAt: String

    init(_ link: PersonStore.Link) {
        pseudonym = link.person.pseudonym
        role = link.role.rawValue
        linkedAt = APIDates.write(link.linkedAt)
    }
}

struct LinkOutcomeDTO: Encodable {
    var pseudonym: String
    var role: String
    var matched: Bool
}

/// A similar person in the caller's scope, with only what `PersonPolicy` lets the caller read.
struct PersonCandidateDTO: Encodable {
    var person: PersonDTO
    var swappedNames: Bool
    var birthDateMissing: Bool

    init(_ candidate: PersonStore.Candidate) {
        person = PersonDTO(candidate.person)
        swappedNames = candidate.swappedNames
        birthDateMissing = candidate.birthDateMissing
    }
}

/// 409 on a link: persons the caller already sees look like the one sent; nothing was written.
struct SimilarPersonsProblem: Encodable {
    var type = "https://doorpak.nl/problems/similar-persons"
    var title = "Similar persons exist"
    var status = 409
    var detail = "Link one of the candidates (existingPseudonym) or confirm a new person (newPerson: true)."
    var candidates: [PersonCandidateDTO]
}
