import FluentKit
import Foundation

extension WorkStore {
    /// Tells an organisation (or a team) that a report waits in its intake queue without an owner:
    /// its active members who see the report in their scope, may pick it up and want to be told
    /// (`QueuePreference`: high and critical by default, and those e-mailed at once), never the user
    /// who caused it. Called inside the transaction that routed, re-routed or handed the report on.
    static func notifyQueue(of report: Report, except actor: UUID?, on db: any Database, now: Date) async throws {
        guard report.ownerID == nil, report.reportStatus.isOpen, let organisation = report.organisationID else { return }
        let query = UserStore.recordWorkers(of: organisation, on: db)
        if let team = report.teamID { query.filter(\.$teamID == team) }
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
        guard !ids.isEmpty else { return }
        let settings = try await NotificationSetting.query(on: db).filter(\.$id ~~ ids).all()
        let preference = Dictionary(uniqueKeysWithValues: settings.map { ($0.id!, $0.queuePreference) })
        let urgency = report.reportUrgency
        let notices = ids.filter { (preference[$0] ?? .standard).wants(urgency) }
            .map { Notice(recipient: $0, kind: .queued, reference: report.reference, link: "/reports/\(report.reference)",
                          urgent: urgency >= .high) }
        try await Notifications.send(notices, on: db, now: now)
    }
}
