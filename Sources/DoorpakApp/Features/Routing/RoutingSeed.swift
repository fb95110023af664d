import Foundation

/// The default routing rules: a fallback to the city, and per category a rule mirroring the
/// category's default organisation kind. Housing-corporation matters go to each site's own
/// corporation, so they get one rule per site.
///
/// `RoutingStore.seedDefaults` writes them: by the migration when organisations already exist,
/// and otherwise lazily, by the demo seeder and at the first intake that finds no active fallback
/// rule (`RoutingStore.route`).
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
}
