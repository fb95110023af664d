import FluentKit
import Foundation

/// The only door to cooling-off dwellings, placements and their history. The register and the
/// calendar hold no personal data and are open to everyone with record access. A placement is
/// visible to whoever may see its person, and to coordinators and administrators, who decide on
/// requests; they see the pseudonym, not the name, when the person is outside their own sight.
struct CoolingOffStore: Sendable {
    let database: AppDatabase
    let persons: PersonStore


    private func requireRecords(_ principal: Principal) throws {
        guard principal.reportScope != .none else { throw AppError.notFound }
    }

    // MARK: Dwellings

    func dwellings(by principal: Principal, includeInactive: Bool = false) async throws -> [CoolingOffDwelling] {
        try requireRecords(principal)
        let query = CoolingOffDwelling.query(on: database.db()).sort(\.$name)
        if !includeInactive { query.filter(\.$active == true) }
        return try await query.all()
    }

    func dwelling(_ id: UUID, by principal: Principal) async throws -> CoolingOffDwelling {
        try requireRecords(principal)
        guard let dwelling = try await CoolingOffDwelling.find(id, on: database.db()) else { throw AppError.notFound }
        return dwelling
    }

    struct DwellingDraft: Sendable {
        var name: String?
        var addressLabel: String?
        var capacity: String?
        var active = true
    }

    /// Registers a dwelling or changes one (coordinators and administrators).
    func save(_ draft: DwellingDraft, id: UUID?, by principal: Principal) async throws -> CoolingOffDwelling {
        try requireRecords(principal)
        guard PlacementPolicy(principal: principal).manages else { throw AppError.notFound }
        let db = database.db()
        let dwelling = try await id.asyncMap { id in try await CoolingOffDwelling.find(id, on: db) } ?? nil
        if id != nil, dwelling == nil { throw AppError.notFound }
        var issues: [FieldIssue] = []
        let name = (draft.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(name, required: true, max: 100) { issues.append(FieldIssue("name", issue)) }
        let address = (draft.addressLabel ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(address, required: true, max: 200) { issues.append(FieldIssue("address_label", issue)) }
        let capacity = draft.capacity.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if draft.capacity?.isEmpty ?? true { issues.append(FieldIssue("capacity", "required")) }
        else if capacity == nil || !(1...20).contains(capacity!) { issues.append(FieldIssue("capacity", "out_of_range")) }
        guard issues.isEmpty, let capacity else { throw AppError.invalid(issues) }
        let saved = dwelling ?? CoolingOffDwelling(name: name, addressLabel: address, capacity: capacity)
        saved.name = name
        saved.addressLabel = address
        saved.capacity = capacity
        saved.active = draft.active
        try await db.transaction { tx in
            try await saved.save(on: tx)
            try await Audit.record(dwelling == nil ? .create : .update, "cooling_off_dwelling", saved.id!.uuidString, by: principal, on: tx)
        }
        return saved
    }

    // MARK: Calendar

    /// Occupying placements (approved or active) for the calendar and the approval check.
    func availability(on db: any Database, today: Date = .now) async throws -> Availability {
        let placements = try await CoolingOffPlacement.query(on: db)
            .filter(\.$status ~~ PlacementStatus.allCases.filter(\.occupies).map(\.rawValue)).all()
        return Availability(stays: placements.compactMap { Availability.stay(of: $0, today: today) })
    }

    func availability(by principal: Principal, today: Date = .now) async throws -> Availability {
        try requireRecords(principal)
        return try await availability(on: database.db(), today: today)
    }

    // MARK: Placements

    /// A placement and whether the user may see its person (else: pseudonym only).
    struct Visible: Sendable {
        let placement: CoolingOffPlacement
        let person: PersonRecord
        let personVisible: Bool
    }

    func placement(_ id: UUID, by principal: Principal) async throws -> Visible {
        try requireRecords(principal)
        let db = database.db()
        guard let placement = try await CoolingOffPlacement.find(id, on: db),
              let person = try await PersonRecord.find(placement.personID, on: db) else { throw AppError.notFound }
        let personVisible = try await persons.visible([person.id!], by: principal, on: db).contains(person.id!)
        let policy = PlacementPolicy(principal: principal)
        guard policy.sees(placement, personVisible: personVisible) else { throw AppError.notFound }
        try await Audit.record(.read, "cooling_off_placement", id.uuidString, by: principal, on: db)
        return Visible(placement: placement, person: person, personVisible: policy.showsName(personVisible: personVisible))
    }

    func history(of placement: CoolingOffPlacement) async throws -> [CoolingOffEvent] {
        try await CoolingOffEvent.query(on: database.db()).filter(\.$placementID == placement.id!).sort(\.$at).sort(\.$seq).all()
    }

    /// Open placements (requested, approved, active) the user may see, for the occupancy view and
    /// the coordinator's list of requests; the person's name only where the user may see them.
    func openPlacements(by principal: Principal) async throws -> [Visible] {
        try requireRecords(principal)
        let db = database.db()
        let placements = try await CoolingOffPlacement.query(on: db)
            .filter(\.$status ~~ PlacementStatus.allCases.filter(\.isOpen).map(\.rawValue)).sort(\.$proposedStart).all()
        guard !placements.isEmpty else { return [] }
        let people = try await PersonRecord.query(on: db).filter(\.$id ~~ placements.map(\.personID)).all()
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id!, $0) })
        let visible = try await persons.visible(people.compactMap(\.id), by: principal, on: db)
        let policy = PlacementPolicy(principal: principal)
        return placements.compactMap { placement in
            guard let person = byID[placement.personID] else { return nil }
            let personVisible = visible.contains(person.id!)
            guard policy.sees(placement, personVisible: personVisible) else { return nil }
            return Visible(placement: placement, person: person, personVisible: policy.showsName(personVisible: personVisible))
        }
    }

    /// The placements of one person (already opened by the caller, so in scope).
    func placements(of person: Person) async throws -> [CoolingOffPlacement] {
        try await CoolingOffPlacement.query(on: database.db()).filter(\.$personID == person.id).sort(\.$requestedAt, .descending).all()
    }

    /// The placements requested from a case, and those of its persons made without a case (for the
    /// case's timeline; the caller has opened the case, so its persons are in sight).
    func placements(ofCase caseID: UUID, persons personIDs: [UUID]) async throws -> [CoolingOffPlacement] {
        try await CoolingOffPlacement.query(on: database.db())
            .group(.or) { or in
                or.filter(\.$caseID == caseID)
                if !personIDs.isEmpty { or.group(.and) { $0.filter(\.$caseID == nil).filter(\.$personID ~~ personIDs) } }
            }
            .sort(\.$requestedAt).all()
    }

    struct RequestDraft: Sendable {
        var reason: String?
        var from: String?
        var through: String?
        var guidanceOrganisation: String?
        var dwelling: String?
        var caseID: UUID?
    }

    /// A placement request for a person the user may see. `alsoWrite` runs in the same transaction
    /// (a case records the request in its own history).
    func request(_ draft: RequestDraft, for pseudonym: String, by principal: Principal, now: Date = .now,
                 alsoWrite: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> CoolingOffPlacement {
        let db = database.db()
        let person = try await persons.record(pseudonym: pseudonym, by: principal, on: db)
        var issues: [FieldIssue] = []
        let reason = (draft.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 2000) { issues.append(FieldIssue("reason", issue)) }
        let (from, through) = period(draft.from, draft.through, now: now, issues: &issues)
        let guidance = try await organisation(draft.guidanceOrganisation, field: "guidance_organisation", required: true, on: db, issues: &issues)
        let dwelling = try await dwellingID(draft.dwelling, on: db, issues: &issues)
        guard issues.isEmpty, let from, let through else { throw AppError.invalid(issues) }
        let placement = CoolingOffPlacement()
        placement.id = UUID()
        placement.personID = person.id!
        placement.caseID = draft.caseID
        placement.dwellingID = dwelling
        placement.status = PlacementStatus.requested.rawValue
        placement.reason = reason
        placement.proposedStart = from
        placement.proposedEnd = through
        placement.plannedEnd = through
        placement.guidanceOrganisationID = guidance
        placement.requestedBy = principal.userID
        placement.requestedAt = now.wholeSeconds
        placement.updatedAt = now.wholeSeconds
        try await db.transaction { tx in
            try await placement.create(on: tx)
            try await CoolingOffEvent(placementID: placement.id!, at: now, actorID: principal.userID, kind: .request,
                                      value: Formats.isoDay(from) + "/" + Formats.isoDay(through), reason: reason).create(on: tx)
            try await Audit.record(.create, "cooling_off_placement", placement.id!.uuidString, by: principal,
                                   purpose: "person \(person.pseudonym)", on: tx)
            try await alsoWrite?(tx)
            // Whoever decides hears of it: the pseudonym and the link only (as break-the-glass notices).
            try await FollowThroughNotices.send(.placementRequested, about: person.pseudonym, link: Self.link(placement),
                                                to: Self.approvers(of: placement, person: person, on: tx), except: principal.userID, on: tx, now: now)
        }
        return placement
    }

    static func link(_ placement: CoolingOffPlacement) -> String { "/cooling-off/placements/\(placement.id!.uuidString)" }

    /// Who decides on a request (`PlacementPolicy.manages`): the active coordinators of the district
    /// of its case, else of the person's location; when neither names a district with a coordinator,
    /// every active coordinator. Administrators keep the register but are not asked.
    static func approvers(of placement: CoolingOffPlacement, person: PersonRecord, on db: any Database) async throws -> [UUID] {
        var district: UUID?
        if let caseID = placement.caseID { district = try await CaseFile.find(caseID, on: db)?.districtID }
        if district == nil, let location = person.locationID { district = try await Location.find(location, on: db)?.districtID }
        let coordinators = try await User.query(on: db).filter(\.$role == Role.coordinator.rawValue).filter(\.$active == true).all().compactMap(\.id)
        guard let district else { return coordinators }
        let ofDistrict = try await UserDistrict.query(on: db).filter(\.$districtID == district).filter(\.$userID ~~ coordinators).all().map(\.userID)
        return ofDistrict.isEmpty ? coordinators : ofDistrict
    }

    private func period(_ fromText: String?, _ throughText: String?, now: Date, issues: inout [FieldIssue]) -> (Date?, Date?) {
        let from = PlacementDays.parse(fromText), through = PlacementDays.parse(throughText)
        if fromText?.isEmpty ?? true { issues.append(FieldIssue("from", "required")) } else if from == nil { issues.append(FieldIssue("from", "invalid")) }
        if throughText?.isEmpty ?? true { issues.append(FieldIssue("through", "required")) } else if through == nil { issues.append(FieldIssue("through", "invalid")) }
        if let from, let through {
            if through < from { issues.append(FieldIssue("through", "out_of_range")) }
            if from < PlacementDays.adding(-30, to: now) { issues.append(FieldIssue("from", "too_old")) }
            if through > PlacementDays.adding(366, to: from) { issues.append(FieldIssue("through", "out_of_range")) }
        }
        return (from, through)
    }

    private func organisation(_ raw: String?, field: String, required: Bool, on db: any Database, issues: inout [FieldIssue]) async throws -> UUID? {
        guard let raw, !raw.isEmpty else {
            if required { issues.append(FieldIssue(field, "required")) }
            return nil
        }
        guard let id = UUID(uuidString: raw), let found = try await Organisation.find(id, on: db), found.active else {
            issues.append(FieldIssue(field, "unknown"))
            return nil
        }
        return id
    }

    private func dwellingID(_ raw: String?, on db: any Database, issues: inout [FieldIssue]) async throws -> UUID? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw), let found = try await CoolingOffDwelling.find(id, on: db), found.active else {
            issues.append(FieldIssue("dwelling", "unknown"))
            return nil
        }
        return id
    }
}

extension CoolingOffStore {
    /// Names of the persons the user may see (each a logged read); the others stay pseudonyms.
    func personNames(_ placements: [Visible], by principal: Principal) async throws -> [UUID: String] {
        let shown = placements.filter(\.personVisible)
        guard !shown.isEmpty else { return [:] }
        return try await database.db().transaction { tx in
            var names: [UUID: String] = [:]
            for item in shown where names[item.person.id!] == nil {
                names[item.person.id!] = try persons.cipher.open(item.person.nameSealed)
                try await Audit.record(.read, "person", item.person.pseudonym, by: principal, purpose: "cooling-off placement", on: tx)
            }
            return names
        }
    }
}
