import FluentKit
import Foundation

/// The fixed list of case factors for pattern analysis (issue 5): recorded per case as present or
/// absent so that cases can be compared later. The codes are stable English snake_case and never
/// change meaning; add new ones at the end. Nationality, origin and ethnicity are not factors and
/// never will be (`domain.md`): `allowedCodes` is the whole list, nothing else is stored.
enum CaseFactor: String, Codable, CaseIterable, Sendable {
    case traumaIndications = "trauma_indications"
    case careRefusal = "care_refusal"
    case substanceUse = "substance_use"
    case debts
    case isolation
    case neighbourConflicts = "neighbour_conflicts"
    case earlierIncidents = "earlier_incidents"
    case psychiatricSymptoms = "psychiatric_symptoms"
    case lossOfDailyStructure = "loss_of_daily_structure"
    case aggressionTowardsOthers = "aggression_towards_others"
    case selfHarmRisk = "self_harm_risk"
    case evictionRisk = "eviction_risk"
    case domesticViolence = "domestic_violence"

    static let allowedCodes = Set(allCases.map(\.rawValue))
}

/// One factor of one case as last recorded: present or absent, by whom and when. A factor never
/// recorded has no row ("not recorded" is not "absent"). Each change is also a `CaseEvent` of kind
/// `factor` (from/to `present`/`absent`, reason = the code), so the history is kept.
final class CaseFactorRecord: Model, @unchecked Sendable {
    static let schema = "case_factors"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "code") var code: String
    @Field(key: "present") var present: Bool
    @Field(key: "recorded_by") var recordedBy: UUID
    @Field(key: "recorded_at") var recordedAt: Date
    init() {}

    var factor: CaseFactor? { CaseFactor(rawValue: code) }
}

/// What changes when the director saves the factor checkboxes: every factor on the list is then
/// recorded, ticked as present and unticked as absent; only changed ones are written.
enum CaseFactorRules {
    struct Change: Equatable, Sendable {
        let factor: CaseFactor
        /// `nil` when it was never recorded before.
        let from: Bool?
        let to: Bool
    }

    static func changes(current: [CaseFactor: Bool], present: Set<CaseFactor>) -> [Change] {
        CaseFactor.allCases.compactMap { factor in
            let now = present.contains(factor)
            return current[factor] == now ? nil : Change(factor: factor, from: current[factor], to: now)
        }
    }
}
