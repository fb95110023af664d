import Foundation

// MARK: - Requests

/// `POST /cases`. The director defaults to the caller.
struct CaseOpenInput: APIInput {
    var personPseudonyms: [String]?
    var reason: String?
    var directorId: String?
    var reportReferences: [String]?
    static let members = ["personPseudonyms", "reason", "directorId", "reportReferences"]
}

/// `PATCH /cases/{case}`: the phase to move to, with the outcome and reason closing needs; closing
/// with open actions needs `cancelOpenActions` (they are then cancelled with the reason).
struct CasePatch: APIInput {
    var phase: String?
    var outcome: String?
    var reason: String?
    var cancelOpenActions: Bool?
    static let members = ["phase", "outcome", "reason", "cancelOpenActions"]
}

/// `POST /cases/{case}/director/claim` and `POST /cases/{case}/director/decline`: the reason.
struct ClaimInput: APIInput {
    var reason: String?
    static let members = ["reason"]
}

/// `POST /cases/{case}/director`: propose a new director.
struct DirectorInput: APIInput {
    var directorId: String?
    var reason: String?
    static let members = ["directorId", "reason"]
}

/// `POST /cases/{case}/persons`: a person to add, by pseudonym.
struct CasePersonInput: APIInput {
    var pseudonym: String?
    static let members = ["pseudonym"]
}

/// `POST /cases/{case}/members`; consent needs its date and scope.
struct MemberInput: APIInput {
    var userId: String?
    var role: String?
    var legalBasis: String?
    var consentDate: String?
    var consentScope: String?
    static let members = ["userId", "role", "legalBasis", "consentDate", "consentScope"]
}

/// `POST /cases/{case}/notes`; a sensitive note names its readers among the members.
struct CaseNoteInput: APIInput {
    var body: String?
    var sensitive: Bool?
    var readerIds: [String]?
    static let members = ["body", "sensitive", "readerIds"]
}

/// A body with no members (steps that need none may still send `{}`).
struct EmptyInput: APIInput {
    static let members: [String] = []
}

// MARK: - Responses

extension CaseStore.Access {
    /// How the API names the caller's access.
    var code: String {
        switch self {
        case .director: "director"
        case .member, .withdrawnMember: "member"
        case .administrator: "administrator"
        case .coordinatorMetadata: "coordinator"
        }
    }
}

/// A case as lists show it: facts only, never the opening reason, notes or persons.
struct CaseSummaryDTO: Encodable {
    var reference: String
    var phase: String
    /// How the caller reaches the case: `proposed` while only asked to take over the direction,
    /// `none` right after opening it for another director.
    var access: String
    var directorId: String
    @Nullable var proposedDirectorId: String?
    @Nullable var districtId: String?
    var openedAt: String
    var updatedAt: String
    @Nullable var closedAt: String?
    @Nullable var outcome: String?

    init(_ file: CaseFile, access: CaseStore.Access?, for principal: Principal) {
        reference = file.reference
        phase = file.phase
        self.access = access?.code ?? (file.proposedDirectorID == principal.userID ? "proposed" : "none")
        directorId = file.directorID.api
        proposedDirectorId = file.proposedDirectorID.api
        districtId = file.districtID.api
        openedAt = APIDates.write(file.openedAt)
        updatedAt = APIDates.write(file.updatedAt)
        closedAt = file.closedAt.map(APIDates.write)
        outcome = file.casePhase == .closed ? file.outcome : nil
    }
}

struct CasePageDTO: Encodable {
    var items: [CaseSummaryDTO]
    @Nullable var next: String?
}

/// One case: its facts, persons by pseudonym and members; the opening reason only for those who
/// read its content (not the district coordinator).
struct CaseDTO: Encodable {
    let summary: CaseSummaryDTO
    let readsContent: Bool
    var openingReason: String?
    let closingReason: String?
    let personPseudonyms: [String]
    let members: [CaseMemberDTO]
    /// The phases the caller may move the case to now (directors and administrators; closing and reopening need a reason).
    let allowedPhases: [String]
    /// Whether the caller is the proposed director and may accept the direction.
    let mayAccept: Bool
    /// Why the direction is handed over: only for the one asked, who cannot read the history yet.
    var handoverReason: String? = nil

    /// `reasons`: the case's opened reasons (`CaseStore.reasons(of:)`), given only to who reads its content.
    init(_ file: CaseFile, access: CaseStore.Access?, reasons: CaseStore.Reasons?, persons: [String], members: [CaseMemberDTO], by principal: Principal) {
        summary = CaseSummaryDTO(file, access: access, for: principal)
        readsContent = access?.readsContent ?? false
        let reasons = readsContent ? reasons : nil
        openingReason = reasons?.opening
        closingReason = file.casePhase == .closed ? reasons?.closing : nil
        personPseudonyms = persons
        self.members = members
        let directs = access?.directs == true
        allowedPhases = !directs ? [] : file.casePhase == .closed ? [CasePhase.analysis.rawValue]
            : (file.casePhase.neighbours + [.closed]).map(\.rawValue)
        mayAccept = file.proposedDirectorID == principal.userID
    }

    init(_ file: CaseFile, access: CaseStore.Access?, reasons: CaseStore.Reasons?, persons: [String], members: [CaseMember], by principal: Principal) {
        self.init(file, access: access, reasons: reasons, persons: persons, members: members.map(CaseMemberDTO.init), by: principal)
    }

    /// For the one asked to take over the direction: the facts and the opening reason, no persons or members yet.
    init(proposed file: CaseFile, openingReason: String, handoverReason: String?, by principal: Principal) {
        self.init(file, access: nil, reasons: nil, persons: [], members: [CaseMemberDTO](), by: principal)
        self.openingReason = openingReason
        self.handoverReason = handoverReason.flatMap { $0.isEmpty ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey { case readsContent, openingReason, closingReason, personPseudonyms, members, allowedPhases, mayAccept, handoverReason }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(readsContent, forKey: .readsContent)
        try container.encode(openingReason, forKey: .openingReason)
        try container.encode(closingReason, forKey: .closingReason)
        try container.encode(personPseudonyms, forKey: .personPseudonyms)
        try container.encode(members, forKey: .members)
        try container.encode(allowedPhases, forKey: .allowedPhases)
        try container.encode(mayAccept, forKey: .mayAccept)
        try container.encode(handoverReason, forKey: .handoverReason)
    }
}

/// A member with the legal basis for sharing; consent carries its date, scope and withdrawal.
struct CaseMemberDTO: Encodable {
    var id: String
    var userId: String
    var role: String
    var legalBasis: String
    @Nullable var consentDate: String?
    @Nullable var consentScope: String?
    @Nullable var consentWithdrawnAt: String?
    var addedAt: String
    @Nullable var endedAt: String?

    init(_ member: CaseMember) {
        id = member.id!.api
        userId = member.userID.api
        role = member.role
        legalBasis = member.legalBasis
        consentDate = member.consentDate.map(Formats.isoDay)
        consentScope = member.consentScope
        consentWithdrawnAt = member.consentWithdrawnAt.map(APIDates.write)
        addedAt = APIDates.write(member.addedAt)
        endedAt = member.endedAt.map(APIDates.write)
    }
}

struct CaseNoteDTO: Encodable {
    var id: String
    var authorId: String
    var body: String
    var sensitive: Bool
    /// For a sensitive note: who besides the director may read it.
    var readerIds: [String]
    var createdAt: String

    init(_ note: CaseNote, body: String) {
        id = note.id!.api
        authorId = note.authorID.api
        self.body = body
        sensitive = note.sensitive
        readerIds = note.readerIDs.map(\.api)
        createdAt = APIDates.write(note.createdAt)
    }
}

/// One entry of a case's history. `from` and `to` are phases, outcomes or user ids, depending on `kind`.
struct CaseEventDTO: Encodable {
    var at: String
    var actorId: String
    var kind: String
    @Nullable var from: String?
    @Nullable var to: String?
    @Nullable var reason: String?

    init(_ event: CaseEvent) {
        at = APIDates.write(event.at)
        actorId = event.actorID.api
        kind = event.kind
        from = event.fromValue.map { UUID(uuidString: $0)?.api ?? $0 }
        to = event.toValue.map { UUID(uuidString: $0)?.api ?? $0 }
        reason = event.reason
    }
}
