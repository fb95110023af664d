import FluentKit
import Foundation

extension WorkStore {
    /// Tells an organisation (or a team) that a report waits in its intake queue without an owner.
    /// Called inside the transaction that routed, re-routed or handed the report on.
    static func notifyQueue(of report: Report, except actor: UUID?, on db: any Database, now: Date) async throws {
        guard report.ownerID == nil, report.reportStatus.isOpen, let organisation = report.organisationID else { return }
        let ids = try await listeners(of: organisation, team: report.teamID, for: report, except: actor, on: db)
        let notices = ids.map { Notice(recipient: $0, kind: .queued, reference: report.reference, link: "/reports/\(report.reference)",
                                       urgent: report.reportUrgency >= .high) }
        try await Notifications.send(notices, on: db, now: now)
    }

    /// Who of an organisation (or one of its teams) is told that `report` waits for them: its active
    /// members with record access who see the report in their scope (site staff at its site,
    /// coordinators of its district) and want to be told of its urgency (`QueuePreference`: high and
    /// critical by default), never `actor`. Used for the intake queue and for a hand-over asked of
    /// the organisation as a whole.
    static func listeners(of organisation: UUID, team: UUID?, for report: Report, except actor: UUID?,
                          on db: any Database) async throws -> [UUID] {
        let query = UserStore.recordWorkers(of: organisation, on: db)
        if let team { query.filter(\.$teamID == team) }
        var members = try await query.all().filter { $0.id != actor }
        // Site staff and coordinators of the organisation see only their own sites and districts.
        let staff = members.filter { $0.userRole == .locationStaff }.compactMap(\.id)
        let coordinators = members.filter { $0.userRole == .coordinator }.compactMap(\.id)
        let atSite = staff.isEmpty ? [] : try await UserLocation.query(on: db).filter(\.$userID ~~ staff)
            .filter(\.$locationID == report.locationID).all().map(\.userID)
        let inDistrict = coordinators.isEmpty ? [] : try await UserDistrict.query(on: db).filter(\.$userID ~~ coordinators)
            .filter(\.$districtID == report.districtID).all().map(\.userID)
        let reach = Set(atSite + inDistrict)
        members.removeAll { ($0.userRole == .locationStaff || $0.userRole == .coordinator) && !reach.contains($0.id!) }
        let ids = members.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let settings = try await NotificationSetting.query(on: db).filter(\.$id ~~ ids).all()
        let preference = Dictionary(uniqueKeysWithValues: settings.map { ($0.id!, $0.queuePreference) })
        return ids.filter { (preference[$0] ?? .standard).wants(report.reportUrgency) }
    }
}
