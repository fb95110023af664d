import Foundation
import Hummingbird

/// The cooling-off API: the register, availability, open placements, one placement, a request
/// and the steps of a placement. The same store calls as the pages. Persons appear by pseudonym.
struct CoolingOffAPI {
    let store: CoolingOffStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/cooling-off/dwellings", use: dwellings)
        api.get("/cooling-off/availability", use: availability)
        api.get("/cooling-off/placements", use: placements)
        api.get("/cooling-off/placements/:id", use: placement)
        api.post("/cooling-off/placements/:id/steps", use: step)
        api.post("/persons/:pseudonym/placements", use: request)
    }

    static let renames = ["guidance_organisation": "guidanceOrganisationId", "dwelling": "dwellingId"]

    private func mapping<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch AppError.invalid(let issues) {
            throw AppError.invalid(issues.map { FieldIssue(Self.renames[$0.name] ?? $0.name, $0.code) })
        }
    }

    func dwellings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try APIBody.response(ItemsDTO(items: try await store.dwellings(by: principal, includeInactive: true).map(DwellingDTO.init)))
    }

    func availability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let dwellings = try await store.dwellings(by: principal)
        let availability = try await store.availability(by: principal)
        let days = (0..<CoolingOffRoutes.calendarDays).map { PlacementDays.adding($0, to: .now) }
        return try APIBody.response(ItemsDTO(items: dwellings.map { dwelling in
            AvailabilityDTO(dwellingId: dwelling.id!.api, capacity: dwelling.capacity, days: days.map { day in
                .init(date: Formats.isoDay(day), free: max(0, dwelling.capacity - availability.taken(dwelling.id!, on: day)))
            })
        }))
    }

    func placements(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        return try APIBody.response(ItemsDTO(items: try await store.openPlacements(by: principal).map { PlacementDTO($0.placement, person: $0.person) }))
    }

    func placement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let visible = try await store.placement(try context.parameters.require("id", as: UUID.self), by: context.principal())
        return try APIBody.response(PlacementDTO(visible.placement, person: visible.person))
    }

    func step(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let visible = try await store.placement(try context.parameters.require("id", as: UUID.self), by: principal)
        // Only coordinators, administrators and the requester take steps; for others there are none.
        let policy = PlacementPolicy(principal: principal)
        guard policy.manages || visible.placement.requestedBy == principal.userID else { throw AppError.notFound }
        let input = try await APIBody.decode(PlacementStepInput.self, from: request)
        guard let step = input.step.flatMap(PlacementStep.init(rawValue:)), step != .request else {
            throw AppError.invalid([FieldIssue("step", input.step == nil ? "required" : "unknown")])
        }
        try await mapping {
            try await store.perform(step, on: visible.placement, with: .init(dwelling: input.dwellingId, day: input.day, reason: input.reason,
                                                                              outcome: input.outcome), by: principal)
        }
        return try APIBody.response(PlacementDTO(visible.placement, person: visible.person))
    }

    func request(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let pseudonym = try context.parameters.require("pseudonym")
        _ = try await store.persons.record(pseudonym: pseudonym, by: principal)
        let input = try await APIBody.decode(PlacementRequestInput.self, from: request)
        let placement = try await mapping {
            try await store.request(.init(reason: input.reason, from: input.from, through: input.through,
                                          guidanceOrganisation: input.guidanceOrganisationId, dwelling: input.dwellingId), for: pseudonym, by: principal)
        }
        let person = try await store.placement(placement.id!, by: principal).person
        return try APIBody.response(PlacementDTO(placement, person: person), status: .created,
                                    headers: [.location: "\(APIInfo.basePath)/cooling-off/placements/\(placement.id!.api)"])
    }
}

struct PlacementRequestInput: APIInput {
    var reason: String?
    var from: String?
    var through: String?
    var guidanceOrganisationId: String?
    var dwellingId: String?
    static let members = ["reason", "from", "through", "guidanceOrganisationId", "dwellingId"]
}

struct PlacementStepInput: APIInput {
    var step: String?
    var dwellingId: String?
    var day: String?
    var reason: String?
    var outcome: String?
    static let members = ["step", "dwellingId", "day", "reason", "outcome"]
}

struct DwellingDTO: Encodable {
    var id: String
    var name: String
    var addressLabel: String
    var capacity: Int
    var active: Bool
    init(_ dwelling: CoolingOffDwelling) {
        id = dwelling.id!.api
        name = dwelling.name
        addressLabel = dwelling.addressLabel
        capacity = dwelling.capacity
        active = dwelling.active
    }
}

struct AvailabilityDTO: Encodable {
    struct Day: Encodable { var date: String; var free: Int }
    var dwellingId: String
    var capacity: Int
    var days: [Day]
}

struct PlacementDTO: Encodable {
    var id: String
    var personPseudonym: String
    var status: String
    @Nullable var dwellingId: String?
    var proposedStart: String
    var proposedEnd: String
    var plannedEnd: String
    @Nullable var startedOn: String?
    @Nullable var endedOn: String?
    @Nullable var outcome: String?
    @Nullable var guidanceOrganisationId: String?
    var overdue: Bool

    init(_ placement: CoolingOffPlacement, person: PersonRecord) {
        id = placement.id!.api
        personPseudonym = person.pseudonym
        status = placement.status
        dwellingId = placement.dwellingID.api
        proposedStart = Formats.isoDay(placement.proposedStart)
        proposedEnd = Formats.isoDay(placement.proposedEnd)
        plannedEnd = Formats.isoDay(placement.plannedEnd)
        startedOn = placement.startedOn.map(Formats.isoDay)
        endedOn = placement.endedOn.map(Formats.isoDay)
        outcome = placement.outcome
        guidanceOrganisationId = placement.guidanceOrganisationID.api
        overdue = PlacementWarning.isOverdue(placement, today: .now)
    }
}
