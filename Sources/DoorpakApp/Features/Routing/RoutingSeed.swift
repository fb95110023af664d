import FluentKit
import Foundation

/// The default routing rules: a fallback to the city, and per category a rule mirroring the
/// category's default organisation kind. Housing-corporation matters go to each site's own
/// corporation, so they get one rule per site.
///
/// Seeded by the migration when organisations already exist, and otherwise lazily: by the demo
/// seeder and at the first intake that finds no active fallback rule (`RoutingStore.route`).
enum RoutingSeed {
    static let fallbackAcknowledgeDays = 1
    static let fallbackResolveDays = 10

    /// Acknowledge/resolve days per default urgency of a category.
    static func days(for urgency: Urgency) -> (acknowledge: Int, resolve: Int) {
        switch urgency {
        case .critical: (1, 3)
        case .high: (1, 5)
        case .normal: (1, 10)
        case .low: (2, 15)
        }
    }

    /// Seeds what is missing, in the caller's transaction: the fallback when there is no active one,
    /// and the per-category rules when there are no other rules at all (an administrator's own
    /// rules are never added to). Returns whether a fallback exists afterwards.
    @discardableResult
    static func seed(on db: any Database, now: Date) async throws -> Bool {
        // Named fields only: this also runs inside an early migration, before later columns exist.
        let organisations = try await Organisation.query(on: db).field(\.$id).field(\.$name).field(\.$kind).field(\.$active).field(\.$createdAt)
            .sort(\.$createdAt).sort(\.$name).all().filter(\.active)
        guard let city = organisations.first(where: { $0.organisationKind == .city }) else { return false }
        let rules = try await RoutingRule.query(on: db).all()
        let created = now.wholeSeconds
        if !rules.contains(where: { $0.active && $0.isFallback }) {
            try await RoutingRule(organisationID: city.id!, acknowledgeDays: fallbackAcknowledgeDays, resolveDays: fallbackResolveDays,
                                  createdAt: created).create(on: db)
        }
        guard rules.isEmpty else { return true }
        let categories = try await Category.query(on: db).sort(\.$position).all()
        let locations = try await Location.query(on: db).sort(\.$name).all()
        for category in categories {
            let kind = OrganisationKind(rawValue: category.defaultOrganisationKind) ?? .other
            let days = days(for: category.urgency)
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
