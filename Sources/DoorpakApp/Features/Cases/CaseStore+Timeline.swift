import FluentKit
import Foundation

/// Gathers the case's timeline from every feature's own store, within what the user may see.
extension CaseStore {
    func timeline(of file: CaseFile, access: Access, by principal: Principal, actions known: [Action]? = nil,
                  meetings knownMeetings: [CaseMeetingStore.TimelineEntry]? = nil) async throws -> CaseTimeline {
        var timeline = CaseTimeline(readsContent: access.readsContent, cutoff: access.contentCutoff)
        timeline.add(events: try await history(of: file, access: .director))
        timeline.add(notes: try await notes(of: file, access: access, by: principal))
        timeline.add(reports: try await linkedReports(of: file, by: principal))
        var actions = known ?? []
        if known == nil { actions = try await self.actions(of: file, access: access) }
        timeline.add(actions: actions)
        let escalations = try await EscalationStore(database: database).escalations(of: .caseFile, id: file.id!)
        timeline.add(escalations: escalations, actions: actions)
        let people = try await persons(of: file)
        let coolingOff = CoolingOffStore(database: database, persons: persons)
        let pseudonyms = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0.pseudonym) })
        var placements: [CaseTimeline.Placement] = []
        for placement in try await coolingOff.placements(ofCase: file.id!, persons: people.compactMap(\.id)) {
            placements.append(.init(id: placement.id!, pseudonym: pseudonyms[placement.personID] ?? "–", reason: placement.reason,
                                    events: try await coolingOff.history(of: placement)))
        }
        timeline.add(placements: placements)
        var meetings = knownMeetings ?? []
        if knownMeetings == nil { meetings = try await CaseMeetingStore(database: database, cases: self).timelineEntries(caseID: file.id!, by: principal) }
        timeline.add(meetings: meetings)
        return timeline
    }
}
