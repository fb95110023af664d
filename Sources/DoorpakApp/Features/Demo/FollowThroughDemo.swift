import FluentKit
import Foundation

/// Follow-through in the demo: managers and team leads, routing deadlines on the recent open
/// reports, actions (some overdue), hand-overs waiting for an answer, and one escalation pass, so
/// that Mijn werk, the ladder and the breakthrough agenda show something on a fresh demo.
/// Deterministic (fixed seed) and synthetic, like the rest of the demo.
struct FollowThroughDemo {
    let database: AppDatabase
    static let seed: UInt64 = 0xF0110_2026
    /// Open reports younger than this get deadlines; older ones stay as data from before routing.
    static let recentDays = 45.0

    func seed(now: Date) async throws {
        let db = database.db()
        try await db.transaction { tx in
            var random = DemoRandom(seed: Self.seed)
            try await leads(on: tx)
            let recent = try await Report.query(on: tx).filter(\.$status ~~ [ReportStatus.new.rawValue, ReportStatus.inProgress.rawValue])
                .filter(\.$createdAt > now.addingTimeInterval(-Self.recentDays * 86_400)).sort(\.$createdAt).all()
            let catalog = try await Catalog.load(on: tx)
            let people = try await User.query(on: tx).filter(\.$active == true).filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue)).all()
            let byOrganisation = Dictionary(grouping: people.filter { $0.organisationID != nil }) { $0.organisationID! }
            let partners = catalog.organisations.filter { $0.active && $0.organisationKind != .city }
            for (index, report) in recent.enumerated() {
                guard let location = catalog.location(report.locationID),
                      let routing = try await RoutingStore.route(category: report.categoryID, location: location, urgency: report.reportUrgency,
                                                                 now: report.createdAt, on: tx) else { continue }
                report.routingRuleID = routing.rule.id
                report.acknowledgeDueAt = routing.acknowledgeDueAt
                report.resolveDueAt = routing.resolveDueAt
                try await report.update(on: tx)
                let creator = report.ownerID ?? report.reporterID
                // Every third report with an owner has an action; some are already overdue.
                if report.ownerID != nil, index % 3 == 0, let organisation = report.organisationID {
                    let due = Formats.isoDay(report.createdAt.addingTimeInterval(Double(Int.random(in: 3...20, using: &random)) * 86_400))
                    try await action(on: report, title: DemoTexts.actionTitles.randomElement(using: &random)!, organisation: organisation,
                                     assignee: byOrganisation[organisation]?.randomElement(using: &random)?.id, due: due, by: creator, on: tx)
                }
                // Now and then a hand-over that waits for an answer.
                if index % 11 == 5, let target = partners.filter({ $0.id != report.organisationID }).randomElement(using: &random) {
                    try await handover(of: report, to: target.id!, from: creator, at: report.createdAt.addingTimeInterval(86_400), on: tx)
                }
            }
        }
        try await EscalationJob(database: database).pass(now: now)
        // The pass notified people in the app; the seeded past is not news to e-mail anyone about.
        try await OutboxMessage.query(on: db).delete()
    }

    /// Per organisation the first person (by name) manages it and leads everyone else.
    private func leads(on db: any Database) async throws {
        let users = try await User.query(on: db).filter(\.$active == true).filter(\.$role !~ Role.withoutRecordAccess.map(\.rawValue))
            .sort(\.$name).all()
        for (organisationID, members) in Dictionary(grouping: users.filter { $0.organisationID != nil }, by: { $0.organisationID! }) {
            guard let manager = members.first, let organisation = try await Organisation.find(organisationID, on: db) else { continue }
            organisation.managerID = manager.id
            try await organisation.update(on: db)
            for member in members.dropFirst() {
                member.teamLeadID = manager.id
                try await member.update(on: db)
            }
        }
    }

    private func action(on report: Report, title: String, organisation: UUID, assignee: UUID?, due: String, by creator: UUID,
                        on db: any Database) async throws {
        let action = Action()
        action.subjectKind = ActionSubjectKind.report.rawValue
        action.subjectID = report.id!
        action.subjectReference = report.reference
        action.districtID = report.districtID
        action.title = title
        action.urgency = report.urgency
        action.organisationID = organisation
        action.assigneeID = assignee
        action.dueOn = due
        action.status = ActionStatus.open.rawValue
        action.createdBy = creator
        action.createdAt = report.createdAt.addingTimeInterval(3600)
        action.escalationLevel = 0
        try await action.create(on: db)
        try await ActionStore.recordHistory(action, subject: ActionSubject(report), by: creator, reason: nil, at: action.createdAt, on: db)
    }

    private func handover(of report: Report, to organisation: UUID, from sender: UUID, at moment: Date, on db: any Database) async throws {
        let handover = Handover()
        handover.subjectKind = ActionSubjectKind.report.rawValue
        handover.subjectID = report.id!
        handover.subjectReference = report.reference
        handover.districtID = report.districtID
        handover.fromUserID = sender
        handover.fromOrganisationID = report.organisationID
        handover.toOrganisationID = organisation
        handover.reason = DemoTexts.handoverReasons[Int(moment.timeIntervalSince1970) % DemoTexts.handoverReasons.count]
        handover.urgency = report.urgency
        handover.status = HandoverStatus.requested.rawValue
        handover.requestedAt = moment.wholeSeconds
        handover.answerDueAt = WorkingDayCalendar().adding(workingDays: 2, to: moment.wholeSeconds)
        handover.escalationLevel = 0
        try await handover.create(on: db)
        try await ReportEvent(reportID: report.id!, at: handover.requestedAt, actorID: sender, field: .handover,
                              from: handover.id!.uuidString, to: HandoverStatus.requested.rawValue, reason: handover.reason).create(on: db)
    }
}

extension DemoTexts {
    static let actionTitles = [
        "Huisbezoek afleggen en verslag in de melding zetten",
        "Bewonerscommissie informeren over de maatregelen",
        "Gesprek met beide bewoners over de huisregels",
        "Aanmelden bij het outreachteam van de GGD",
        "Camerabeelden opvragen en bekijken",
        "Contact opnemen met de begeleider van de bewoner",
        "Verlichting bij de fietsenstalling laten repareren",
        "Terugkoppeling geven aan de melder",
    ]
    static let handoverReasons = [
        "Zorgvraag, geen zaak voor ons: graag overnemen.",
        "De begeleiding van deze bewoner ligt bij jullie.",
        "Valt onder het beheer van de corporatie.",
    ]
}
