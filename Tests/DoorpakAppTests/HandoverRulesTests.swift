import Foundation
import Testing
@testable import DoorpakApp

/// `HandoverRules.check`: every answer × every status × every kind of caller, for a hand-over to a
/// named person and for one to an organisation with nobody named.
@Suite struct HandoverRulesTests {
    let receivingOrganisation = UUID(), sendingOrganisation = UUID(), otherOrganisation = UUID()
    let sender = UUID(), namedReceiver = UUID(), colleague = UUID()

    enum Caller: String, CaseIterable, CustomTestStringConvertible {
        case namedReceiver, organisationMember, organisationAnalyst, otherOrganisation, sender, coordinator, administrator
        var testDescription: String { rawValue }
    }

    func principal(_ caller: Caller) -> Principal {
        func make(_ id: UUID, _ role: Role, _ organisation: UUID?) -> Principal {
            Principal(userID: id, name: "x", email: "x@test.example", role: role, organisationID: organisation,
                      districtIDs: [], locationIDs: [], via: .session)
        }
        return switch caller {
        case .namedReceiver: make(namedReceiver, .partner, receivingOrganisation)
        case .organisationMember: make(colleague, .partner, receivingOrganisation)
        // Same organisation, but no record access: never a receiver.
        case .organisationAnalyst: make(UUID(), .analyst, receivingOrganisation)
        case .otherOrganisation: make(UUID(), .partner, otherOrganisation)
        case .sender: make(sender, .partner, sendingOrganisation)
        case .coordinator: make(UUID(), .coordinator, otherOrganisation)
        case .administrator: make(UUID(), .administrator, otherOrganisation)
        }
    }

    func check(_ answer: HandoverRules.Answer, _ status: HandoverStatus = .requested, named: Bool, reason: String? = "Past ons niet",
               _ caller: Caller) -> HandoverRules.Outcome {
        HandoverRules.check(answer, status: status, toUser: named ? namedReceiver : nil, toOrganisation: receivingOrganisation,
                            fromUser: sender, reason: reason, by: principal(caller))
    }

    @Test(arguments: Caller.allCases)
    func acceptAndDeclineToANamedPersonOnlyByThatPerson(_ caller: Caller) {
        let expected: HandoverRules.Outcome = caller == .namedReceiver ? .allowed : .notReceiver
        #expect(check(.accept, named: true, caller) == expected)
        #expect(check(.decline, named: true, caller) == expected)
    }

    @Test(arguments: Caller.allCases)
    func acceptAndDeclineToAnOrganisationByAnyoneThereWithRecordAccess(_ caller: Caller) {
        let receiver = caller == .namedReceiver || caller == .organisationMember
        #expect(check(.accept, named: false, caller) == (receiver ? .allowed : .notReceiver))
        #expect(check(.decline, named: false, caller) == (receiver ? .allowed : .notReceiver))
    }

    @Test(arguments: Caller.allCases)
    func withdrawBySenderCoordinatorOrAdministratorOnly(_ caller: Caller) {
        let mayWithdraw = [.sender, .coordinator, .administrator].contains(caller)
        for named in [true, false] {
            #expect(check(.withdraw, named: named, caller) == (mayWithdraw ? .allowed : .notSender), "named \(named)")
            // Withdrawing needs no reason.
            #expect(check(.withdraw, named: named, reason: nil, caller) == (mayWithdraw ? .allowed : .notSender))
        }
    }

    @Test(arguments: [nil, "", "   ", "\n\t "] as [String?])
    func declineNeedsAReasonAcceptDoesNot(_ reason: String?) {
        for named in [true, false] {
            let caller: Caller = named ? .namedReceiver : .organisationMember
            #expect(check(.decline, named: named, reason: reason, caller) == .reasonRequired)
            #expect(check(.accept, named: named, reason: reason, caller) == .allowed)
        }
        // Who is not the receiver hears that first, reason or not.
        #expect(check(.decline, named: true, reason: reason, .otherOrganisation) == .notReceiver)
    }

    @Test(arguments: [HandoverStatus.accepted, .declined, .withdrawn])
    func anAnsweredHandoverTakesNoFurtherAnswer(_ status: HandoverStatus) {
        for answer in [HandoverRules.Answer.accept, .decline, .withdraw] {
            for caller in Caller.allCases {
                for named in [true, false] {
                    #expect(check(answer, status, named: named, caller) == .notPending, "\(answer) by \(caller)")
                    #expect(check(answer, status, named: named, reason: nil, caller) == .notPending)
                }
            }
        }
    }

    @Test func eachAnswerLeadsToItsStatusAndOnlyRequestedIsPending() {
        #expect(HandoverRules.status(after: .accept) == .accepted)
        #expect(HandoverRules.status(after: .decline) == .declined)
        #expect(HandoverRules.status(after: .withdraw) == .withdrawn)
        #expect(HandoverStatus.allCases.filter(\.isPending) == [.requested])
    }
}
