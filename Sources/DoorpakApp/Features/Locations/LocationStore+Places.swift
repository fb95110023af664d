import FluentKit
import Foundation

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
