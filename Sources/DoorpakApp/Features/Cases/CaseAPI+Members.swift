import Foundation
import Hummingbird

/// The people of a case in the API: the hand-over of the direction (proposed, then accepted by the
/// new director), members with their legal basis and consent, and notes. Same store calls as the
/// case page; this file only translates JSON.
extension CaseAPI {
    func addMembers(to api: RouterGroup<AppRequestContext>) {
        api.post("/cases/:case/director", use: proposeDirector)
        api.post("/cases/:case/director/accept", use: acceptDirection)
        api.post("/cases/:case/director/claim", use: claimDirection)
        api.post("/cases/:case/director/decline", use: declineDirection)
        api.post("/cases/:case/persons", use: addPerson)
        api.get("/cases/:case/members", use: members)
        api.post("/cases/:case/members", use: addMember)
        api.post("/cases/:case/members/:id/withdraw-consent", use: withdrawConsent)
        api.post("/cases/:case/members/:id/end", use: endMembership)
        api.get("/cases/:case/notes", use: notes)
        api.post("/cases/:case/notes", use: addNote)
    }

    // MARK: Direction

    func proposeDirector(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        // The body first: a body too large is 413 for everyone, whether or not they may propose.
        let input = try await APIBody.decode(DirectorInput.self, from: request)
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        guard try await store.policy(for: found.file, access: found.access, by: principal).mayProposeDirector else { throw AppError.notFound }
        let proposed = try Self.uuid(input.directorId, "directorId")
        try await mapping { try await store.proposeDirector(found.file, access: found.access, userID: proposed, reason: input.reason, by: principal) }
        return try APIBody.response(try await dto(found.file, access: found.access, by: principal))
    }

    /// Only the proposed director finds the case through this door; for everyone else it is 404.
    func acceptDirection(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        // The body first: a body too large is 413 for everyone, whether or not they were proposed.
        _ = try await ReportAPI.decodeOptional(EmptyInput.self, from: request, empty: EmptyInput())
        let file = try await store.findProposed(reference: context.parameters.require("case"), by: principal)
        try await store.acceptDirection(file, by: principal)
        return try APIBody.response(try await dto(file, access: .director, by: principal))
    }

    /// A district coordinator takes over a case that has no active director (`CasePolicy`); for
    /// anyone else, or while the director is active, the operation does not exist (404).
    func claimDirection(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        // The body first: a body too large is 413 for everyone, whether or not they may claim.
        let input = try await APIBody.decode(ClaimInput.self, from: request)
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        guard try await store.policy(for: found.file, access: found.access, by: principal).mayClaimDirection else { throw AppError.notFound }
        try await ReportAPI.renaming(["claim_reason": "reason"]) {
            try await store.claimDirection(found.file, access: found.access, reason: input.reason, by: principal)
        }
        return try APIBody.response(try await dto(found.file, access: .director, by: principal))
    }

    /// The one asked declines the direction, with a `reason` (required); the director stays and the
    /// proposer is told. Only the proposed director finds the case through this door (404 otherwise).
    /// Answers the case's facts as the caller now reaches it (`access` is `none` without a part in it).
    func declineDirection(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        // The body first: a body too large is 413 for everyone, whether or not they were proposed.
        let input = try await APIBody.decode(ClaimInput.self, from: request)
        let file = try await store.findProposed(reference: context.parameters.require("case"), by: principal)
        try await ReportAPI.renaming(["decline_reason": "reason"]) {
            try await store.declineDirection(file, reason: input.reason, by: principal)
        }
        let access = try await store.access(to: file, by: principal)
        return try APIBody.response(CaseSummaryDTO(file, access: access, for: principal))
    }

    // MARK: Persons

    /// The director adds a person to the open case by `pseudonym`; one out of the director's reach
    /// is 422 on `pseudonym`, like one that does not exist.
    func addPerson(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let input = try await APIBody.decode(CasePersonInput.self, from: request)
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        guard found.access.directs else { throw AppError.notFound }
        try await ReportAPI.renaming(["person": "pseudonym"]) {
            try await store.addPerson(pseudonym: input.pseudonym, to: found.file, access: found.access, by: principal)
        }
        return try APIBody.response(try await dto(found.file, access: found.access, by: principal), status: .created,
                                    headers: [.location: path(found.file.reference)])
    }

    // MARK: Members

    func members(_ request: Request, context: AppRequestContext) async throws -> Response {
        let found = try await store.find(reference: context.parameters.require("case"), by: context.principal())
        return try APIBody.response(ItemsDTO(items: try await store.members(of: found.file).map(CaseMemberDTO.init)))
    }

    func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(MemberInput.self, from: request)
        guard found.access.directs else { throw AppError.notFound }
        let userID = try Self.uuid(input.userId, "userId")
        let member = try await mapping {
            try await store.addMember(.init(userID: userID, role: input.role, legalBasis: input.legalBasis, consentDate: input.consentDate,
                                            consentScope: input.consentScope), to: found.file, access: found.access, by: principal)
        }
        return try APIBody.response(CaseMemberDTO(member), status: .created)
    }

    func withdrawConsent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        _ = try await ReportAPI.decodeOptional(EmptyInput.self, from: request, empty: EmptyInput())
        guard found.access.directs else { throw AppError.notFound }
        try await store.withdrawConsent(id, in: found.file, access: found.access, by: principal)
        guard let member = try await store.members(of: found.file).first(where: { $0.id == id }) else { throw AppError.notFound }
        return try APIBody.response(CaseMemberDTO(member))
    }

    func endMembership(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        _ = try await ReportAPI.decodeOptional(EmptyInput.self, from: request, empty: EmptyInput())
        guard found.access.directs else { throw AppError.notFound }
        try await store.endMembership(id, in: found.file, access: found.access, by: principal)
        guard let member = try await store.members(of: found.file).first(where: { $0.id == id }) else { throw AppError.notFound }
        return try APIBody.response(CaseMemberDTO(member))
    }

    // MARK: Notes

    /// The notes the caller may read: none for the coordinator (metadata only), no sensitive note
    /// unless named, nothing written after a member's consent was withdrawn.
    func notes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let notes = try await store.notes(of: found.file, access: found.access, by: principal)
        return try APIBody.response(ItemsDTO(items: notes.map { CaseNoteDTO($0.note, body: $0.body) }))
    }

    func addNote(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let found = try await store.find(reference: context.parameters.require("case"), by: principal)
        let input = try await APIBody.decode(CaseNoteInput.self, from: request)
        guard found.access.readsContent else { throw AppError.notFound }
        let readers = (input.readerIds ?? []).map(UUID.init(uuidString:))
        if readers.contains(nil) { throw AppError.invalid([FieldIssue("readerIds", "invalid")]) }
        let text = input.body ?? ""
        let note = try await store.addNote(text, sensitive: input.sensitive ?? false, readers: readers.compactMap { $0 }, to: found.file,
                                           access: found.access, by: principal)
        return try APIBody.response(CaseNoteDTO(note, body: text.trimmingCharacters(in: .whitespacesAndNewlines)), status: .created)
    }

    /// An id member: absent is `nil` (the store says whether it is required), malformed is 422.
    static func uuid(_ raw: String?, _ name: String) throws -> UUID? {
        guard let raw else { return nil }
        guard let id = UUID(uuidString: raw) else { throw AppError.invalid([FieldIssue(name, "invalid")]) }
        return id
    }
}
