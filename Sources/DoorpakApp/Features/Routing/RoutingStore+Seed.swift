import FluentKit
import Foundation

/// Writing the default routing rules (`RoutingSeed`).
extension RoutingStore {
    /// Seeds what is missing, in the caller's transaction: the fallback when there is no active one,
    /// and the per-category rules when there are no other rules at all (an administrator's own
    /// rules are never added to). Returns whether a fallback exists afterwards.
    @discardableResult
    static func seedDefaults(on db: any Database, now: Date) async throws -> Bool {
        // Named fields only: this also runs inside an early migration, before later columns exist.
        let organisations = try await Organisation.query(on: db).field(\.$id).field(\.$name).field(\.$kind).field(\.$active).field(\.$createdAt)
            .sort(\.$createdAt).sort(\.$name).all().filter(\.active)
        guard let city = organisations.first(where: { $0.organisationKind == .city }) else { return false }
        let rules = try await RoutingRule.query(on: db).all()
        let created = now.wholeSeconds
        if !rules.contains(where: { $0.active && $0.isFallback }) {
            try await RoutingRule(organisationID: city.id!, acknowledgeDays: RoutingSeed.fallbackAcknowledgeDays, resolveDays: RoutingSeed.fallbackResolveDays,
                                  createdAt: created).create(on: db)
        }
        guard rules.isEmpty else { return true }
        let categories = try await Category.query(on: db).sort(\.$position).all()
        let locations = try await Location.query(on: db).sort(\.$name).all()
        for category in categories {
            let kind = OrganisationKind(rawValue: category.defaultOrganisationKind) ?? .other
            let days = RoutingSeed.days(for: category.urgency)
            if kind == .housingCorporation {
                for location in locations {
                    guard let corporation = location.corporationID, organisations.contains(where: { $0.id == corporation }) else { continue }
                    try await RoutingRule(categoryID: category.id, locationID: location.id, organisationID: corporation,
                                          acknowledgeDays: days.acknowledge, resolveDays: days.resolve, createdAt: created).create(on: db)
                }
            } else if let organisation = organisations.first(where: { $0.organisationKind == kind }) {
                try await RoutingRule(categoryID: category.id, organisationID: organisation.id!,
                                      acknowledgeDays: days.acknowledge, resolveDays: days.resolve, createdAt: created).create(on: db)
            }
        }
        return true
    }
}
