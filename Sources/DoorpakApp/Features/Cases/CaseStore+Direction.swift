import FluentKit
import Foundation
import SQLKit

/// The life of a direction proposal beside the case's own `proposed_director_id`: its answer
/// deadline (working days, as for a hand-over), its end (accepted, declined, withdrawn), and the
/// lists "Mijn werk" shows. The escalation job takes an unanswered proposal up the ladder
/// (`EscalationStore+Proposals.swift`).
extension CaseStore {
    /// What a new proposal needs from outside its transaction: the answer deadline and the
    /// organisation of the one asked.
    struct ProposalTerms: Sendable {
        let answerDueAt: Date
        let toOrganisationID: UUID?
    }

    static func proposalTerms(to userID: UUID, now: Date, on db: any Database) async throws -> ProposalTerms {
        let timing = try await EscalationStore.timing(for: .normal, on: db)
        let calendar = try await RoutingStore.calendar(on: db)
        let organisation = try await User.find(userID, on: db)?.organisationID
        return ProposalTerms(answerDueAt: EscalationLadder.handoverDeadline(requestedAt: now.wholeSeconds, timing: timing, calendar: calendar),
                             toOrganisationID: organisation)
    }

    /// Records a new proposal (in the caller's transaction); one still waiting is withdrawn first.
    static func startProposal(_ file: CaseFile, to userID: UUID, terms: ProposalTerms, by principal: Principal, now: Date,
                              on tx: any Database) async throws {
        try await endProposals(of: file, as: .withdrawn, by: principal, now: now, on: tx)
        let proposal = CaseDirectionProposal()
        proposal.caseID = file.id!
        proposal.caseReference = file.reference
        proposal.districtID = file.districtID
        proposal.proposedBy = principal.userID
        proposal.proposedTo = userID
        proposal.toOrganisationID = terms.toOrganisationID
        proposal.urgency = Urgency.normal.rawValue
        proposal.status = DirectionProposalStatus.requested.rawValue
        proposal.proposedAt = now.wholeSeconds
        proposal.answerDueAt = terms.answerDueAt
        proposal.escalationLevel = 0
        try await proposal.create(on: tx)
    }

    /// Ends the proposals of `file` still waiting (in the caller's transaction); returns them.
    @discardableResult
    static func endProposals(of file: CaseFile, as status: DirectionProposalStatus, by principal: Principal, now: Date,
                             on tx: any Database) async throws -> [CaseDirectionProposal] {
        let pending = try await CaseDirectionProposal.query(on: tx).filter(\.$caseID == file.id!)
            .filter(\.$status == DirectionProposalStatus.requested.rawValue).all()
        for proposal in pending {
            proposal.status = status.rawValue
            proposal.answeredAt = now.wholeSeconds
            proposal.answeredBy = principal.userID
            try await proposal.update(on: tx)
        }
        return pending
    }

    /// The one asked to take over the direction declines, with a reason: the proposal ends, the
    /// director stays, the history keeps the reason (sealed like every case reason), and whoever
    /// proposed hears of it. For anyone else the operation does not exist (404).
    func declineDirection(_ file: CaseFile, reason: String?, by principal: Principal, now: Date = .now) async throws {
        guard file.proposedDirectorID == principal.userID else { throw AppError.notFound }
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 2000) { throw AppError.invalid([FieldIssue("decline_reason", issue)]) }
        let db = database.db()
        let pending = try await CaseDirectionProposal.query(on: db).filter(\.$caseID == file.id!)
            .filter(\.$status == DirectionProposalStatus.requested.rawValue).sort(\.$proposedAt, .descending).first()
        // Who asked: the proposal's row; a proposal older than the rows, the director who still holds the case.
        let proposer = pending?.proposedBy ?? file.directorID
        file.proposedDirectorID = nil
        file.updatedAt = now.wholeSeconds
        let notice = Notice(recipient: proposer, kind: .caseDirectorDeclined, reference: file.reference, link: "/cases/\(file.reference)")
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "director_declined",
                                        from: principal.userID.uuidString, to: file.directorID.uuidString, reason: reason),
                        by: principal, purpose: "declined the direction") { tx in
            try await Self.endProposals(of: file, as: .declined, by: principal, now: now, on: tx)
            if proposer != principal.userID { try await Notifications.send([notice], on: tx, now: now) }
        }
    }

    // MARK: For "Mijn werk"

    /// A proposal to take over a case's direction that waits for this user's answer.
    struct OpenDirectionProposal: Sendable, Equatable {
        let caseReference: String
        let proposedAt: Date
        let answerDueAt: Date
    }

    /// The direction proposals addressed to `principal` still waiting for their answer, soonest due
    /// first (only the case's reference and dates: the one asked has no part in the case yet).
    func openDirectionProposals(for principal: Principal) async throws -> [OpenDirectionProposal] {
        let db = database.db()
        let proposals = try await CaseDirectionProposal.query(on: db).filter(\.$proposedTo == principal.userID)
            .filter(\.$status == DirectionProposalStatus.requested.rawValue).sort(\.$answerDueAt).all()
        guard !proposals.isEmpty else { return [] }
        // The case itself says who is asked now (a proposal row never outlives it, but be strict).
        let asked = Set(try await CaseFile.query(on: db).filter(\.$id ~~ proposals.map(\.caseID))
            .filter(\.$proposedDirectorID == principal.userID).all().compactMap(\.id))
        return proposals.filter { asked.contains($0.caseID) }
            .map { OpenDirectionProposal(caseReference: $0.caseReference, proposedAt: $0.proposedAt, answerDueAt: $0.answerDueAt) }
    }

    /// The open cases without an active director (the director was deactivated) in the districts
    /// `principal` oversees (`CasePolicy.districtsOverseen`: a coordinator's districts, every
    /// district for an administrator), oldest first; facts only. 404 for anyone who oversees none.
    func casesWithoutActiveDirector(by principal: Principal) async throws -> [CaseFile] {
        try await directionQuery(by: principal, includingWaitingHandOvers: false)
    }
}
