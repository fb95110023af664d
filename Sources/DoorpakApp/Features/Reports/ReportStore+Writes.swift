import FluentKit
import Foundation
import SQLKit

/// Writes: each is one transaction that also appends the history and the audit entry.
extension ReportStore {
    /// Registers a report. Throws `.invalid` with every field problem at once.
    func create(_ draft: ReportDraft, by principal: Principal, now: Date = .now) async throws -> Report {
        // Analysts have no record access at all: reports are invisible to them, so "not found".
        guard principal.reportScope != .none else { throw AppError.notFound }
        let (valid, issues) = draft.validate(now: now)
        guard let valid else { throw AppError.invalid(issues) }
        let db = database.db()
        // Reference data from the instance's caches (one version read each instead of some two
        // hundred rows per report); a rule or calendar change racing this intake is routed by the
        // version read here, as it would be had the report come in a moment earlier.
        let routingStore = RoutingStore(database: database)
        let catalog = try await CatalogStore(database: database).catalog()
        let rules = try await routingStore.activeRules()
        let calendar = try await routingStore.calendar()
        var problems: [FieldIssue] = []
        let category = catalog.category(valid.categoryID)
        if category == nil || category?.active == false { problems.append(FieldIssue("category", "unknown")) }
        let location = catalog.location(valid.locationID)
        if let location, location.active, canRegister(at: location, principal) {
            if let placeID = valid.placeID, catalog.place(placeID)?.locationID != location.id {
                problems.append(FieldIssue("place", "unknown"))
            }
        } else {
            problems.append(FieldIssue("location", "unknown"))
        }
        guard problems.isEmpty, let category, let location else { throw AppError.invalid(problems) }

        let report = Report()
        report.kind = valid.kind.rawValue
        report.categoryID = valid.categoryID
        report.locationID = valid.locationID
        report.districtID = location.districtID
        report.placeID = valid.placeID
        report.occurredAt = valid.occurredAt
        report.description = valid.description
        report.urgency = (valid.urgency ?? category.urgency).rawValue
        report.source = valid.source?.rawValue
        report.status = ReportStatus.new.rawValue
        report.escalationLevel = 0
        report.reporterID = principal.userID
        report.createdAt = now.wholeSeconds
        report.updatedAt = now.wholeSeconds
        return try await db.transaction { tx in
            // The counter is written first, so the transaction holds the write lock before it reads
            // (SQLite cannot upgrade a read to a write under concurrent writers).
            report.reference = try await Self.nextReference(now: now, on: tx)
            // Routing rules decide the organisation and the deadlines; the category default only
            // applies while no rule exists at all (no city organisation to fall back to yet).
            let routing = try await RoutingStore.route(category: category.id!, location: location, urgency: report.reportUrgency,
                                                       now: report.createdAt, rules: rules, calendar: calendar, on: tx)
            report.organisationID = routing?.rule.organisationID ?? Self.defaultOrganisation(for: category, at: location, in: catalog)
            report.routingRuleID = routing?.rule.id
            report.teamID = routing?.rule.teamID
            report.acknowledgeDueAt = routing?.acknowledgeDueAt
            report.resolveDueAt = routing?.resolveDueAt
            report.searchText = Report.searchText(reference: report.reference, description: report.description)
            try await report.create(on: tx)
            try await ReportEvent(reportID: report.id!, at: report.createdAt, actorID: principal.userID, field: .created,
                                  from: nil, to: report.status).create(on: tx)
            if let rule = routing?.rule {
                try await ReportEvent(reportID: report.id!, at: report.createdAt, actorID: nil, field: .routed,
                                      from: nil, to: rule.id!.uuidString).create(on: tx)
            }
            try await Audit.record(.create, "report", report.reference, by: principal, on: tx)
            try await WorkStore.notifyQueue(of: report, except: principal.userID, on: tx, now: report.createdAt)
            return report
        }
    }

    /// Who may register at a location: staff at their own sites, coordinators in their districts,
    /// partners and administrators anywhere.
    private func canRegister(at location: Location, _ principal: Principal) -> Bool {
        switch principal.role {
        case .administrator, .partner: true
        case .coordinator: principal.districtIDs.contains(location.districtID)
        case .locationStaff: principal.locationIDs.contains(location.id!)
        case .analyst, .privacyOfficer: false
        }
    }

    /// The organisation a new report goes to when no routing rule exists at all (no city
    /// organisation yet, so no fallback rule): the site's own housing corporation for corporation
    /// matters, else the first active organisation of the category's kind.
    static func defaultOrganisation(for category: Category, at location: Location, in catalog: Catalog) -> UUID? {
        let kind = OrganisationKind(rawValue: category.defaultOrganisationKind) ?? .other
        if kind == .housingCorporation, let corporation = location.corporationID { return corporation }
        return catalog.organisations.first { $0.active && $0.organisationKind == kind }?.id
    }

    /// `DP-<year>-<six digits>`, from a per-year counter that is safe under concurrent writers.
    static func nextReference(now: Date, on db: any Database) async throws -> String {
        let year = Formats.calendar.component(.year, from: now)
        let name = "report-\(year)"
        let row = try await db.sql.raw("""
            INSERT INTO reference_counters (name, value) VALUES (\(bind: name), 1)
            ON CONFLICT (name) DO UPDATE SET value = reference_counters.value + 1
            RETURNING value
            """).first()
        let value = try row?.decode(column: "value", as: Int.self) ?? 1
        return String(format: "DP-%04d-%06d", year, value)
    }

    /// Moves a report to another status, if the lifecycle allows it. Resolving or closing is refused
    /// while actions are open, unless a coordinator or administrator closes them too (`closeOpenActions`,
    /// with the reason); a pending hand-over is withdrawn. Leaving "new" ends the acknowledgement
    /// deadline, so the escalation ladder starts again for the resolution deadline.
    func changeStatus(_ report: Report, to status: ReportStatus, reason: String?, closeOpenActions: Bool = false,
                      by principal: Principal, now: Date = .now) async throws {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, let issue = TextRules.check(reason, required: false, max: 2000) {
            throw AppError.invalid([FieldIssue("reason", issue)])
        }
        let from = report.reportStatus
        switch ReportStatus.check(from: from, to: status, reason: reason) {
        case .refused: throw AppError.conflict("A report cannot move from \(from.rawValue) to \(status.rawValue).")
        case .reasonRequired: throw AppError.invalid([FieldIssue("reason", "required")])
        case .allowed: break
        }
        guard try await policy(for: report, by: principal).mayChangeStatus else { throw AppError.forbidden }
        let subject = ActionSubject(report)
        let mayCloseActions = ReportPolicy.coordinates(principal.role)
        try await database.db().transaction { tx in
            if !status.isOpen {
                let open = try await Action.query(on: tx).filter(\.$subjectKind == subject.kind.rawValue).filter(\.$subjectID == subject.id)
                    .filter(\.$status == ActionStatus.open.rawValue).all()
                if !open.isEmpty {
                    guard closeOpenActions, mayCloseActions else { throw AppError.invalid([FieldIssue("status", "open_actions")]) }
                    guard let reason, !reason.isEmpty else { throw AppError.invalid([FieldIssue("reason", "required")]) }
                    for action in open {
                        try await ActionStore.close(action, status: .cancelled, text: reason, subject: subject, by: principal, now: now, on: tx)
                    }
                }
                try await HandoverStore.withdrawPending(of: report, reason: reason, by: principal, now: now, on: tx)
            }
            report.status = status.rawValue
            report.updatedAt = now.wholeSeconds
            if from == .new && status != .new { report.escalationLevel = 0 }
            try await report.update(on: tx)
            try await ReportEvent(reportID: report.id!, at: now.wholeSeconds, actorID: principal.userID, field: .status,
                                  from: from.rawValue, to: status.rawValue, reason: reason?.isEmpty == true ? nil : reason).create(on: tx)
            try await Audit.record(.update, "report", report.reference, by: principal, on: tx)
        }
    }

    /// Takes a report on: the user becomes its owner and a new report counts as acknowledged
    /// (in progress). Who may: people of the responsible organisation, coordinators, administrators.
    func pickUp(_ report: Report, by principal: Principal, now: Date = .now) async throws {
        guard report.reportStatus.isOpen else { throw AppError.conflict("Only an open report can be picked up.") }
        guard try await policy(for: report, by: principal).mayPickUp else { throw AppError.forbidden }
        guard report.ownerID != principal.userID || report.reportStatus == .new else { return }
        let at = now.wholeSeconds
        try await database.db().transaction { tx in
            if report.ownerID != principal.userID {
                try await ReportEvent(reportID: report.id!, at: at, actorID: principal.userID, field: .owner,
                                      from: report.ownerID?.uuidString, to: principal.userID.uuidString).create(on: tx)
                report.ownerID = principal.userID
            }
            if report.reportStatus == .new {
                try await ReportEvent(reportID: report.id!, at: at, actorID: principal.userID, field: .status,
                                      from: ReportStatus.new.rawValue, to: ReportStatus.inProgress.rawValue).create(on: tx)
                report.status = ReportStatus.inProgress.rawValue
                report.escalationLevel = 0
            }
            report.updatedAt = at
            try await report.update(on: tx)
            try await Audit.record(.update, "report", report.reference, by: principal, on: tx)
        }
    }

    /// Changes urgency, owner and/or responsible organisation. Only coordinators and administrators
    /// re-route to another organisation, and only with a reason. The owner follows `ReportPolicy`:
    /// a colleague in the responsible organisation, never cleared; anyone else through a hand-over.
    func assign(_ report: Report, urgency: Urgency?, owner: UUID??, organisation: UUID?, reason: String?,
                by principal: Principal, now: Date = .now) async throws {
        let db = database.db()
        var issues: [FieldIssue] = []
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, let issue = TextRules.check(reason, required: false, max: 2000) { issues.append(FieldIssue("reason", issue)) }
        if let organisation, organisation != report.organisationID {
            guard ReportPolicy.coordinates(principal.role) else { throw AppError.forbidden }
            let found = try await Organisation.find(organisation, on: db)
            if found == nil || found?.active == false { issues.append(FieldIssue("organisation", "unknown")) }
            // Re-routing by hand overrides the routing rules: the reason is mandatory.
            if (reason ?? "").isEmpty { issues.append(FieldIssue("reason", "required")) }
        }
        if let owner, owner != report.ownerID {
            var candidate: User?
            if let id = owner { candidate = try await User.find(id, on: db) }
            if owner != nil && candidate == nil {
                issues.append(FieldIssue("owner", "unknown"))
            } else {
                switch try await policy(for: report, by: principal).refusal(owner: candidate) {
                case nil: break
                case .notAllowed: throw AppError.forbidden
                case .cannotClear: issues.append(FieldIssue("owner", "required"))
                case .notAColleague: issues.append(FieldIssue("owner", "not_colleague"))
                }
            }
        }
        guard issues.isEmpty else { throw AppError.invalid(issues) }
        var events: [ReportEvent] = []
        let at = now.wholeSeconds
        let id = report.id!
        if let urgency, urgency.rawValue != report.urgency {
            events.append(ReportEvent(reportID: id, at: at, actorID: principal.userID, field: .urgency,
                                      from: report.reportUrgency.code, to: urgency.code, reason: reason))
            report.urgency = urgency.rawValue
        }
        if let owner, owner != report.ownerID {
            events.append(ReportEvent(reportID: id, at: at, actorID: principal.userID, field: .owner,
                                      from: report.ownerID?.uuidString, to: owner?.uuidString, reason: reason))
            report.ownerID = owner
        }
        if let organisation, organisation != report.organisationID {
            events.append(ReportEvent(reportID: id, at: at, actorID: principal.userID, field: .organisation,
                                      from: report.organisationID?.uuidString, to: organisation.uuidString, reason: reason))
            report.organisationID = organisation
            // A report re-routed by hand leaves the former organisation's team queue.
            report.teamID = nil
        }
        guard !events.isEmpty else { return }
        let changes = events
        try await db.transaction { tx in
            report.updatedAt = at
            try await report.update(on: tx)
            for event in changes { try await event.create(on: tx) }
            try await Audit.record(.update, "report", report.reference, by: principal, on: tx)
            // A new owner hears of it (not when they took it themselves).
            try await Notifications.send(changes.filter { $0.field == ReportField.owner.rawValue }
                .compactMap { $0.toValue.flatMap(UUID.init(uuidString:)) }.filter { $0 != principal.userID }
                .map { Notice(recipient: $0, kind: .assigned, reference: report.reference, link: "/reports/\(report.reference)") }, on: tx, now: at)
            // Re-routed without an owner: it waits in the new organisation's queue, whose members hear of it.
            if changes.contains(where: { $0.field == ReportField.organisation.rawValue }) {
                try await WorkStore.notifyQueue(of: report, except: principal.userID, on: tx, now: at)
            }
        }
    }

    /// Adds a note.
    func addNote(_ body: String, to report: Report, by principal: Principal, now: Date = .now) async throws -> ReportNote {
        // Notes are content: who may not read them does not add to them blind.
        guard try await readsContent(report, by: principal) else { throw AppError.forbidden }
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(text, required: true, max: 5000) { throw AppError.invalid([FieldIssue("body", issue)]) }
        let note = ReportNote(reportID: report.id!, authorID: principal.userID, body: text, createdAt: now.wholeSeconds)
        try await database.db().transaction { tx in
            try await note.create(on: tx)
            report.updatedAt = now.wholeSeconds
            try await report.update(on: tx)
            try await ReportEvent(reportID: report.id!, at: now.wholeSeconds, actorID: principal.userID, field: .note,
                                  from: nil, to: nil).create(on: tx)
            try await Audit.record(.update, "report", report.reference, by: principal, on: tx)
        }
        return note
    }
}

extension ReportStore {
    /// A location moved to another district: its reports move with it, so that district scopes
    /// (which read the copied `district_id`) keep matching where the site is. Runs in the caller's transaction.
    static func rehome(location: UUID, to district: UUID, on db: any Database) async throws {
        try await Report.query(on: db).filter(\.$locationID == location).set(\.$districtID, to: district).update()
    }
}
