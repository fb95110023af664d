import FluentKit
import Foundation

/// The only door to districts, locations and their places. These are configuration data, not
/// personal data: every signed-in user may read them; only administrators change them (the
/// admin routes check the role), and every change leaves an audit entry in its transaction.
struct LocationStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) { self.database = database }

    // MARK: Districts

    func districts() async throws -> [District] {
        try await District.query(on: database.db()).sort(\.$name).all()
    }

    func district(_ id: UUID) async throws -> District {
        guard let district = try await District.find(id, on: database.db()) else { throw AppError.notFound }
        return district
    }

    func createDistrict(_ draft: DistrictDraft, by principal: Principal) async throws -> District {
        let (name, issues) = draft.validate()
        guard let name else { throw AppError.invalid(issues) }
        return try await NameRules.unique("name") { try await database.db().transaction { tx in
            try await Self.checkUniqueDistrict(name, except: nil, on: tx)
            let district = District(name: name)
            try await district.create(on: tx)
            try await Audit.record(.create, "district", district.id!.uuidString, by: principal, on: tx)
            return district
        } }
    }

    func renameDistrict(_ id: UUID, _ draft: DistrictDraft, by principal: Principal) async throws {
        let (name, issues) = draft.validate()
        guard let name else { throw AppError.invalid(issues) }
        try await NameRules.unique("name") { try await database.db().transaction { tx in
            guard let district = try await District.find(id, on: tx) else { throw AppError.notFound }
            try await Self.checkUniqueDistrict(name, except: id, on: tx)
            district.name = name
            try await district.update(on: tx)
            try await Audit.record(.update, "district", id.uuidString, by: principal, on: tx)
        } }
    }

    private static func checkUniqueDistrict(_ name: String, except id: UUID?, on db: any Database) async throws {
        let taken = try await District.query(on: db).all().contains { $0.id != id && NameRules.sameName($0.name, name) }
        if taken { throw AppError.invalid([FieldIssue("name", "taken")]) }
    }

    /// The ids among `ids` that are existing districts (for user assignments).
    static func existingDistrictIDs(_ ids: [UUID], on db: any Database) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(try await District.query(on: db).filter(\.$id ~~ ids).all().compactMap(\.id))
    }

    /// The ids among `ids` that are existing locations (for user assignments).
    static func existingLocationIDs(_ ids: [UUID], on db: any Database) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(try await Location.query(on: db).filter(\.$id ~~ ids).all().compactMap(\.id))
    }

    // MARK: Locations

    /// Every location, optionally in one district, by name.
    func locations(district: UUID? = nil) async throws -> [Location] {
        let query = Location.query(on: database.db())
        if let district { query.filter(\.$districtID == district) }
        return try await query.sort(\.$name).all()
    }

    func location(_ id: UUID) async throws -> Location {
        guard let location = try await Location.find(id, on: database.db()) else { throw AppError.notFound }
        return location
    }

    func createLocation(_ draft: LocationDraft, by principal: Principal) async throws -> Location {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        return try await NameRules.unique("name") { try await database.db().transaction { tx in
            try await Self.checkReferences(valid, except: nil, on: tx)
            let location = Location(name: valid.name, districtID: valid.districtID, corporationID: valid.corporationID,
                                    units: valid.units, openedOn: valid.openedOn, plannedClosingOn: valid.plannedClosingOn,
                                    active: valid.active)
            try await location.create(on: tx)
            try await Audit.record(.create, "location", location.id!.uuidString, by: principal, on: tx)
            return location
        } }
    }

    /// Changes a location. When it moves to another district its reports move along, in the same transaction.
    func updateLocation(_ id: UUID, _ draft: LocationDraft, by principal: Principal) async throws {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        try await NameRules.unique("name") { try await database.db().transaction { tx in
            guard let location = try await Location.find(id, on: tx) else { throw AppError.notFound }
            try await Self.checkReferences(valid, except: id, on: tx)
            if location.districtID != valid.districtID {
                try await ReportStore.rehome(location: id, to: valid.districtID, on: tx)
            }
            location.name = valid.name
            location.districtID = valid.districtID
            location.corporationID = valid.corporationID
            location.units = valid.units
            location.openedOn = valid.openedOn
            location.plannedClosingOn = valid.plannedClosingOn
            location.active = valid.active
            try await location.update(on: tx)
            try await Audit.record(.update, "location", id.uuidString, by: principal, on: tx)
        } }
    }

    /// A unique name, an existing district, and a corporation that is a housing corporation.
    private static func checkReferences(_ valid: LocationDraft.Valid, except id: UUID?, on db: any Database) async throws {
        var issues: [FieldIssue] = []
        let taken = try await Location.query(on: db).all().contains { $0.id != id && NameRules.sameName($0.name, valid.name) }
        if taken { issues.append(FieldIssue("name", "taken")) }
        if try await District.find(valid.districtID, on: db) == nil { issues.append(FieldIssue("district", "unknown")) }
        if let corporation = valid.corporationID {
            let found = try await OrganisationStore.find(corporation, on: db)
            if found?.organisationKind != .housingCorporation { issues.append(FieldIssue("corporation", "unknown")) }
        }
        if !issues.isEmpty { throw AppError.invalid(issues) }
    }
}

/// The places on a site: buildings, floors, entrances, shared spaces.
extension LocationStore {
    /// The places of a location in their display order.
    func places(of location: UUID) async throws -> [Place] {
        try await Place.query(on: database.db()).filter(\.$locationID == location)
            .sort(\.$position).sort(\.$name).all()
    }

    /// One place of one location; a place of another location is not found.
    func place(_ id: UUID, of location: UUID) async throws -> Place {
        guard let place = try await Place.query(on: database.db()).filter(\.$id == id).filter(\.$locationID == location).first() else {
            throw AppError.notFound
        }
        return place
    }

    /// Adds a place; without a position it goes last.
    func addPlace(to location: UUID, _ draft: PlaceDraft, by principal: Principal) async throws -> Place {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        return try await NameRules.unique("name") { try await database.db().transaction { tx in
            guard try await Location.find(location, on: tx) != nil else { throw AppError.notFound }
            let siblings = try await Place.query(on: tx).filter(\.$locationID == location).all()
            if siblings.contains(where: { NameRules.sameName($0.name, valid.name) }) { throw AppError.invalid([FieldIssue("name", "taken")]) }
            let position = valid.position ?? ((siblings.map(\.position).max() ?? 0) + 1)
            let place = Place(locationID: location, name: valid.name, kind: valid.kind, position: position)
            try await place.create(on: tx)
            try await Audit.record(.create, "place", place.id!.uuidString, by: principal, on: tx)
            return place
        } }
    }

    func updatePlace(_ id: UUID, of location: UUID, _ draft: PlaceDraft, by principal: Principal) async throws {
        let (valid, issues) = draft.validate()
        guard let valid else { throw AppError.invalid(issues) }
        try await NameRules.unique("name") { try await database.db().transaction { tx in
            guard let place = try await Place.query(on: tx).filter(\.$id == id).filter(\.$locationID == location).first() else {
                throw AppError.notFound
            }
            let siblings = try await Place.query(on: tx).filter(\.$locationID == location).filter(\.$id != id).all()
            if siblings.contains(where: { NameRules.sameName($0.name, valid.name) }) { throw AppError.invalid([FieldIssue("name", "taken")]) }
            place.name = valid.name
            place.kind = valid.kind.rawValue
            if let position = valid.position { place.position = position }
            try await place.update(on: tx)
            try await Audit.record(.update, "place", id.uuidString, by: principal, on: tx)
        } }
    }

    /// Removes a place that no report refers to; one that is referred to answers a conflict.
    func removePlace(_ id: UUID, of location: UUID, by principal: Principal) async throws {
        try await database.db().transaction { tx in
            guard let place = try await Place.query(on: tx).filter(\.$id == id).filter(\.$locationID == location).first() else {
                throw AppError.notFound
            }
            if try await ReportStore.placeIsReferenced(id, on: tx) { throw AppError.conflict("The place is referred to by reports.") }
            try await place.delete(on: tx)
            // AuditAction has no `delete`: the removal is an update of the place, marked as such.
            try await Audit.record(.update, "place", id.uuidString, by: principal, purpose: "removed", on: tx)
        }
    }
}
