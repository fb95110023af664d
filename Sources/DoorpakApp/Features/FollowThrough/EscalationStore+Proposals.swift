import FluentKit
import Foundation

/// The ladder for an unanswered proposal to take over a case's direction, climbed like a
/// hand-over's (same cut-offs, claim and write): a reminder to the one asked before the deadline;
/// after it, the one who proposed (they still direct the case and must chase it or ask someone
/// else) together with the team lead of the one asked, then their organisation's manager, the
/// case's district coordinators, the breakthrough meeting and the board. The escalation rows
/// belong to the case (its timeline shows them); notices carry the case's reference and link only.
extension EscalationStore {
    func escalateDirectionProposals(urgency: Urgency, to level: EscalationLevel, cutoff: DeadlineCutoff, people: EscalationTargets,
                                    now: Date, on db: any Database) async throws -> Int {
        let waiting = DirectionProposalStatus.requested.rawValue
        var steps = 0
        while true {
            let ids = try await CaseDirectionProposal.query(on: db).filter(\.$status == waiting).filter(\.$urgency == urgency.rawValue)
                .filter(\.$escalationLevel == level.rawValue - 1).filter("answer_due_at", passed: cutoff)
                .field(\.$id).limit(Self.batchSize).all().compactMap(\.id)
            if ids.isEmpty { return steps }
            steps += try await db.transaction { tx in
                let claimed = try await Self.claim(CaseDirectionProposal.schema, ids: ids, to: level, status: waiting, on: tx)
                let proposals = try await CaseDirectionProposal.query(on: tx).filter(\.$id ~~ claimed).all()
                try await Self.write(proposals.map { proposal in
                    Step(kind: .directionProposal, id: proposal.id!, subject: .caseFile, reference: proposal.caseReference, subjectID: proposal.caseID,
                         district: proposal.districtID, deadline: proposal.answerDueAt, historyFrom: nil, notice: .escalated,
                         link: "/cases/\(proposal.caseReference)", to: Self.recipients(of: proposal, at: level, people: people))
                }, level: level, now: now, on: tx)
                return proposals.count
            }
        }
    }

    /// The ladder's people for the one asked, and the proposer at the first rung after the deadline.
    static func recipients(of proposal: CaseDirectionProposal, at level: EscalationLevel, people: EscalationTargets) -> [UUID] {
        let ladder = people.recipients(level, owner: proposal.proposedTo, organisation: proposal.toOrganisationID, district: proposal.districtID)
        return level == .teamLead ? ladder + [proposal.proposedBy] : ladder
    }
}
