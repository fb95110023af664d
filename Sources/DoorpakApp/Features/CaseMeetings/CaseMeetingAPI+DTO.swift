import Foundation

// The case meetings API's request bodies and responses.

struct CaseMeetingInput: APIInput {
    var plannedAt: String?
    var place: String?
    var invitedOrganisationIds: [String]?
    var agenda: [String]?
    static let members = ["plannedAt", "place", "invitedOrganisationIds", "agenda"]
}

struct CaseMeetingPatchInput: APIInput {
    var plannedAt: String?
    var place: String?
    var invitedOrganisationIds: [String]?
    var status: String?
    var agenda: [String]?
    static let members = ["plannedAt", "place", "invitedOrganisationIds", "status", "agenda"]
}

struct CaseMeetingOutcomeInput: APIInput {
    var minutes: String?
    var decisions: [String]?
    var actions: [ActionInput]?
    static let members = ["minutes", "decisions", "actions"]
}

struct CaseMeetingPageDTO: Encodable {
    var items: [CaseMeetingSummaryDTO]
    @Nullable var next: String?
}

/// A meeting without its agenda (the list): what every viewer of the meeting may see.
struct CaseMeetingSummaryDTO: Encodable {
    var id: String
    /// `CO-2026-000012`.
    var reference: String
    var plannedAt: String
    @Nullable var place: String?
    var organiserId: String
    var status: String
    var invitedOrganisationIds: [String]
    var itemCount: Int

    init(_ meeting: CaseMeeting, invited: [UUID], itemCount: Int) {
        id = meeting.id!.api
        reference = meeting.reference
        plannedAt = APIDates.write(meeting.plannedAt)
        place = meeting.place
        organiserId = meeting.organiserID.api
        status = meeting.status
        invitedOrganisationIds = invited.map(\.api).sorted()
        self.itemCount = itemCount
    }
}

/// A meeting with its agenda as the caller may see it.
struct CaseMeetingDTO: Encodable {
    var id: String
    var reference: String
    var plannedAt: String
    @Nullable var place: String?
    var organiserId: String
    var status: String
    var invitedOrganisationIds: [String]
    var itemCount: Int
    /// Whether the caller may change the meeting and its agenda.
    var mayOrganise: Bool
    var items: [CaseMeetingItemDTO]

    init(_ agenda: CaseMeetingStore.Agenda) {
        let summary = CaseMeetingSummaryDTO(agenda.meeting, invited: agenda.invited, itemCount: agenda.entries.count)
        id = summary.id
        reference = summary.reference
        plannedAt = summary.plannedAt
        place = summary.place
        organiserId = summary.organiserId
        status = summary.status
        invitedOrganisationIds = summary.invitedOrganisationIds
        itemCount = summary.itemCount
        mayOrganise = agenda.mayOrganise
        items = agenda.entries.map(CaseMeetingItemDTO.init)
    }
}

/// One agenda item: `access` says what the caller sees (`content`, `reference`, `none`); without
/// access the case reference, minutes, decisions and actions are `null` or empty.
struct CaseMeetingItemDTO: Encodable {
    struct ActionRow: Encodable {
        var id: String
        var title: String
        var organisationId: String
        @Nullable var assigneeId: String?
        var dueOn: String
        var status: String
    }

    var id: String
    var position: Int
    var access: String
    @Nullable var caseReference: String?
    @Nullable var minutes: String?
    var decisions: [String]
    var actions: [ActionRow]
    @Nullable var recordedAt: String?
    var mayRecord: Bool

    init(_ entry: CaseMeetingStore.Entry) {
        id = entry.item.id!.api
        position = entry.item.position
        access = switch entry.view { case .content: "content"; case .referenceOnly: "reference"; case .hidden: "none" }
        caseReference = entry.reference
        minutes = entry.minutes
        decisions = entry.decisions
        actions = entry.actions.map {
            ActionRow(id: $0.id!.api, title: $0.title, organisationId: $0.organisationID.api, assigneeId: $0.assigneeID.api, dueOn: $0.dueOn, status: $0.status)
        }
        recordedAt = entry.item.recordedAt.map(APIDates.write)
        mayRecord = entry.mayRecord && !entry.item.isRecorded
    }
}
