import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Who sees and decides "consider a case" items: the coordinators of the item's district. For
/// everyone else an item does not exist (404); the organisations involved are told through a notice
/// that links to the person, whom they already see.
enum ConcernPolicy {
    static func decides(_ principal: Principal, districtID: UUID?) -> Bool {
        guard principal.role == .coordinator, let districtID else { return false }
        return principal.districtIDs.contains(districtID)
    }

    /// Whether the user has items at all (the list and the count ask this before any query).
    static func hasItems(_ principal: Principal) -> Bool { principal.role == .coordinator && !principal.districtIDs.isEmpty }
}

/// The only door to "consider a case" items: raised inside the transaction that links a person to
/// a report (`detect`), listed and counted for the district coordinator, decided by them (open a
/// case, or dismiss with a reason, sealed). Every read and decision is in the access log.
struct ConcernStore: Sendable {
    private let database: AppDatabase
    let persons: PersonStore
    let cases: CaseStore

    init(database: AppDatabase, persons: PersonStore, cases: CaseStore) {
        self.database = database
        self.persons = persons
        self.cases = cases
    }

    // MARK: Detection

    /// Checks, after a link and inside its transaction, whether the person now concerns two
    /// registering organisations or `rule.reports` reports within `rule.days` (`ConcernRules`), and
    /// raises or refreshes the person's item. A new item tells the district's coordinators (link to
    /// the item) and, among the owners of the linked reports and the managers of the registering
    /// organisations, those who can see the person (link to the person); the notice names the
    /// pseudonym only.
    static func detect(personID: UUID, pseudonym: String, after principal: Principal, persons: PersonStore, rule: ConcernRule,
                       now: Date, on db: any Database) async throws {
        let links = try await PersonReportLink.query(on: db).filter(\.$personID == personID).filter(\.$unlinkedAt == nil).all()
        let reports = try await Report.query(on: db).filter(\.$id ~~ links.map(\.reportID)).sort(\.$occurredAt).all()
        let reporters = try await User.query(on: db).filter(\.$id ~~ Array(Set(reports.map(\.reporterID)))).all()
        let organisationOf = Dictionary(uniqueKeysWithValues: reporters.map { ($0.id!, $0.organisationID) })
        let signals = reports.map { ConcernRules.Signal(reportID: $0.id!, organisation: organisationOf[$0.reporterID] ?? nil, occurredAt: $0.occurredAt) }
        let last = try await ConcernItem.query(on: db).filter(\.$personID == personID).sort(\.$raisedAt, .descending).first()
        let previous = last.map { ConcernRules.Previous(status: $0.concernStatus, organisations: Set($0.organisations), reportCount: $0.reports.count) }
        let hasOpenCase = try await CaseStore.hasOpenCase(personID: personID, on: db)
        var organisations: [UUID] = []
        for signal in signals { if let id = signal.organisation, !organisations.contains(id) { organisations.append(id) } }
        switch ConcernRules.decide(signals, previous: previous, hasOpenCase: hasOpenCase, rule: rule) {
        case .none:
            return
        case .refreshOpen:
            guard let last else { return }
            let reportIDs = ConcernItem.text(signals.map(\.reportID)), organisationIDs = ConcernItem.text(organisations)
            guard last.reportIDs != reportIDs || last.organisationIDs != organisationIDs else { return }
            // An organisation that joins an open item is told as the first ones were (its report
            // owners and manager who see the person); the coordinator already has the item.
            let joined = organisations.filter { !last.organisations.contains($0) }
            last.reportIDs = reportIDs
            last.organisationIDs = organisationIDs
            last.updatedAt = now.wholeSeconds
            try await last.update(on: db)
            try await Audit.record(.update, "concern", last.id!.uuidString.lowercased(), by: principal, purpose: "report linked", on: db)
            if !joined.isEmpty {
                let theirs = reports.filter { report in organisationOf[report.reporterID].flatMap { $0 }.map(joined.contains) ?? false }
                let notices = try await recipients(of: last, pseudonym: pseudonym, reports: theirs, organisations: joined, persons: persons,
                                                   tellCoordinators: false, on: db)
                try await Notifications.send(notices, on: db, now: now)
            }
        case .raise(let trigger):
            let item = ConcernItem()
            item.id = UUID()
            item.personID = personID
            item.districtID = try await district(personID: personID, reports: reports, on: db)
            item.organisationIDs = ConcernItem.text(organisations)
            item.reportIDs = ConcernItem.text(signals.map(\.reportID))
            item.trigger = trigger.rawValue
            item.status = ConcernStatus.open.rawValue
            item.raisedAt = now.wholeSeconds
            item.updatedAt = now.wholeSeconds
            try await item.create(on: db)
            try await Audit.record(.create, "concern", item.id!.uuidString.lowercased(), by: principal, purpose: "repeat concern: \(trigger.rawValue)", on: db)
            let notices = try await recipients(of: item, pseudonym: pseudonym, reports: reports, organisations: organisations, persons: persons, on: db)
            try await Notifications.send(notices, on: db, now: now)
        }
    }

    /// The person's district: of their site when recorded, else of their most recent report.
    private static func district(personID: UUID, reports: [Report], on db: any Database) async throws -> UUID? {
        if let locationID = try await PersonStore.locationID(of: personID, on: db), let location = try await Location.find(locationID, on: db) {
            return location.districtID
        }
        return reports.last?.districtID
    }

    /// The district's active coordinators (to the item; unless `tellCoordinators` is false), and the
    /// owners of the linked reports and the managers of the registering organisations who can see
    /// the person (to the person).
    static func recipients(of item: ConcernItem, pseudonym: String, reports: [Report], organisations: [UUID], persons: PersonStore,
                           tellCoordinators: Bool = true, on db: any Database) async throws -> [Notice] {
        var notices: [Notice] = []
        var told = Set<UUID>()
        if tellCoordinators, let district = item.districtID {
            let assigned = try await UserDistrict.query(on: db).filter(\.$districtID == district).all().map(\.userID)
            let coordinators = try await User.query(on: db).filter(\.$id ~~ assigned).filter(\.$active == true)
                .filter(\.$role == Role.coordinator.rawValue).all()
            for user in coordinators where told.insert(user.id!).inserted {
                notices.append(Notice(recipient: user.id!, kind: .repeatConcern, reference: pseudonym, link: "/concerns/\(item.id!.uuidString.lowercased())"))
            }
        }
        let managers = try await Organisation.query(on: db).filter(\.$id ~~ organisations).all().compactMap(\.managerID)
        var candidates: [UUID] = []
        for id in reports.compactMap(\.ownerID) + managers where !told.contains(id) && !candidates.contains(id) { candidates.append(id) }
        for id in candidates {
            // Only who already sees the person hears of them: the notice must not be how they learn of them.
            guard let principal = try await Principal.load(userID: id, via: .session, on: db), principal.reportScope != .none,
                  try await persons.visible([item.personID], by: principal, on: db).contains(item.personID) else { continue }
            told.insert(id)
            notices.append(Notice(recipient: id, kind: .repeatConcern, reference: pseudonym, link: "/persons/\(pseudonym)"))
        }
        return notices
    }

    /// Removes a person's items (erasure, retention): they are about the person and nothing else.
    static func forget(personIDs: [UUID], on db: any Database) async throws {
        guard !personIDs.isEmpty else { return }
        try await ConcernItem.query(on: db).filter(\.$personID ~~ personIDs).delete()
    }

    // MARK: Lists

    struct Pending: Sendable {
        let id: UUID
        let pseudonym: String
        let raisedAt: Date
        let organisationCount: Int
        let reportCount: Int
    }

    /// The open items this user decides, oldest first (coordinators: their districts'; others none).
    func pending(for principal: Principal) async throws -> [Pending] {
        try await Self.pending(for: principal, on: database.db())
    }

    static func pending(for principal: Principal, on db: any Database) async throws -> [Pending] {
        guard let condition = Self.openItems(for: principal) else { return [] }
        let items = try await ConcernItem.query(on: db).filter(.sql(embed: condition)).sort(\.$raisedAt).limit(200).all()
        let pseudonyms = try await PersonStore.pseudonyms(of: items.map(\.personID), on: db)
        return items.map { Pending(id: $0.id!, pseudonym: pseudonyms[$0.personID] ?? "—", raisedAt: $0.raisedAt,
                                   organisationCount: $0.organisations.count, reportCount: $0.reports.count) }
    }

    /// The open items a coordinator decides on, as a condition on the items table: shared by the
    /// list and the navigation's one query (`WorkStore.count`, which counts them on the (status,
    /// district) index). `nil` for who has none.
    static func openItems(for principal: Principal) -> SQLQueryString? {
        guard ConcernPolicy.hasItems(principal) else { return nil }
        return "status = \(bind: ConcernStatus.open.rawValue) AND district_id IN (\(binds: principal.districtIDs.map { $0 as any Encodable & Sendable }))"
    }

    // MARK: One item

    /// One item as its coordinator sees it: the reports among the linked ones that they may read
    /// (facts only), how many others there are, and the dismissal reason opened.
    struct Page: Sendable {
        let item: ConcernItem
        let pseudonym: String
        let reports: [Report]
        let hiddenReports: Int
        let caseReference: String?
        let dismissalReason: String?
    }

    private func item(_ id: String, by principal: Principal, on db: any Database) async throws -> ConcernItem {
        guard let uuid = UUID(uuidString: id), let item = try await ConcernItem.find(uuid, on: db),
              ConcernPolicy.decides(principal, districtID: item.districtID) else { throw AppError.notFound }
        return item
    }

    /// The item, for its district's coordinator (others: not found); the read is logged.
    func find(_ id: String, by principal: Principal) async throws -> Page {
        let db = database.db()
        let item = try await item(id, by: principal, on: db)
        let pseudonym = try await PersonStore.pseudonyms(of: [item.personID], on: db)[item.personID] ?? "—"
        let readable = try await persons.reports.scoped(principal, on: db).filter(\.$id ~~ item.reports).sort(\.$occurredAt).all()
        try await Audit.record(.read, "concern", item.id!.uuidString.lowercased(), by: principal, on: db)
        let reason = try item.dismissalReason.map { try persons.cipher.open($0, in: ConcernItem.reasonSlot(item.id!)) }
        var caseReference: String?
        if let caseID = item.caseID { caseReference = try await cases.reference(of: caseID) }
        return Page(item: item, pseudonym: pseudonym, reports: readable, hiddenReports: max(0, item.reports.count - readable.count),
                    caseReference: caseReference, dismissalReason: reason)
    }

    // MARK: Decisions

    /// The opened case's reason, a record read by everyone in the case: in the city's working
    /// language, like the reasons people type, and without internal ids.
    static func caseReason(reports: Int, organisations: Int) -> String {
        "Geopend vanuit 'Casus overwegen': \(reports) \(reports == 1 ? "melding" : "meldingen") van \(organisations) \(organisations == 1 ? "organisatie" : "organisaties") over deze persoon."
    }

    /// Opens a case about the person with the linked reports the coordinator may read, through
    /// `CaseStore.open` (which checks `CasePolicy.mayOpenCase`; the coordinator becomes its director).
    /// The item records the case in the same transaction; an item already decided is a conflict.
    func openCase(_ id: String, by principal: Principal, now: Date = .now) async throws -> CaseFile {
        let db = database.db()
        let item = try await item(id, by: principal, on: db)
        guard item.concernStatus == .open else { throw AppError.conflict("This item has been decided already.") }
        guard CasePolicy.mayOpenCase(principal) else { throw AppError.notFound }
        let pseudonym = try await PersonStore.pseudonyms(of: [item.personID], on: db)[item.personID] ?? ""
        let references = try await persons.reports.scoped(principal, on: db).filter(\.$id ~~ item.reports).sort(\.$occurredAt).all().map(\.reference)
        let itemID = item.id!
        let opening = CaseStore.Opening(pseudonyms: [pseudonym],
                                        reason: Self.caseReason(reports: item.reports.count, organisations: item.organisations.count),
                                        reportReferences: references)
        return try await cases.open(opening, by: principal, now: now) { tx, file in
            // Decided once: a second click (or a colleague) finds it decided and nothing is written.
            guard let current = try await ConcernItem.find(itemID, on: tx), current.concernStatus == .open else {
                throw AppError.conflict("This item has been decided already.")
            }
            current.status = ConcernStatus.openedAsCase.rawValue
            current.decidedBy = principal.userID
            current.decidedAt = now.wholeSeconds
            current.caseID = file.id
            current.updatedAt = now.wholeSeconds
            try await current.update(on: tx)
            try await Audit.record(.update, "concern", itemID.uuidString.lowercased(), by: principal, purpose: "opened as case \(file.reference)", on: tx)
        }
    }

    /// Dismisses the item; a reason is required (422 naming `reason`) and stored sealed.
    func dismiss(_ id: String, reason: String?, by principal: Principal, now: Date = .now) async throws {
        let db = database.db()
        let item = try await item(id, by: principal, on: db)
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 2000) { throw AppError.invalid([FieldIssue("reason", issue)]) }
        guard item.concernStatus == .open else { throw AppError.conflict("This item has been decided already.") }
        let sealed = try persons.cipher.seal(reason, in: ConcernItem.reasonSlot(item.id!))
        try await db.transaction { tx in
            guard let current = try await ConcernItem.find(item.id!, on: tx), current.concernStatus == .open else {
                throw AppError.conflict("This item has been decided already.")
            }
            current.status = ConcernStatus.dismissed.rawValue
            current.decidedBy = principal.userID
            current.decidedAt = now.wholeSeconds
            current.dismissalReason = sealed
            current.updatedAt = now.wholeSeconds
            try await current.update(on: tx)
            try await Audit.record(.update, "concern", item.id!.uuidString.lowercased(), by: principal, purpose: "dismissed", on: tx)
        }
    }
}
