import FluentKit
import Foundation

/// Everything held about one person, for an access request (art. 15), and erasure (art. 17).
/// Reads other features' tables (persons, links, reports, cases, placements, the access log)
/// because an access request must reach all of them; it writes only the person row, the links
/// and the destruction record, like `RetentionPurge`.
struct SubjectRightsStore: Sendable {
    private let database: AppDatabase
    let cipher: FieldCipher

    init(database: AppDatabase, cipher: FieldCipher) {
        self.database = database
        self.cipher = cipher
    }

    var persons: PersonStore { PersonStore(database: database, cipher: cipher) }

    struct ExportReport: Sendable, Encodable {
        let reference: String
        let role: String
        let occurredAt: Date
        let category: String
        let status: String
        let description: String
        let linkedAt: Date
        let unlinkedAt: Date?
    }

    struct ExportCase: Sendable, Encodable {
        let reference: String
        let phase: String
        let openedAt: Date
        let closedAt: Date?
        let notes: [ExportNote]
    }

    struct ExportNote: Sendable, Encodable {
        let at: Date
        let sensitive: Bool
        let body: String
    }

    struct ExportPlacement: Sendable, Encodable {
        let status: String
        let reason: String
        let proposedStart: Date
        let plannedEnd: Date
        let startedOn: Date?
        let endedOn: Date?
    }

    /// One corrected field (art. 16): values opened, the corrector by name.
    struct ExportCorrection: Sendable, Encodable {
        let at: Date
        let field: String
        let old: String?
        let new: String?
        let reason: String
        let by: String
        let role: String
    }

    struct ExportAccess: Sendable, Encodable {
        let at: Date
        let role: String?
        let action: String
        let purpose: String?
    }

    struct Export: Sendable {
        let person: Person
        let reports: [ExportReport]
        let cases: [ExportCase]
        let placements: [ExportPlacement]
        let corrections: [ExportCorrection]
        let accesses: [ExportAccess]
        let refusals: [ErasureRefusal]
    }

    private func person(_ pseudonym: String, by principal: Principal, on db: any Database) async throws -> PersonRecord {
        guard SubjectRights.mayHandle(principal), Pseudonym.isValid(pseudonym.uppercased()),
              let record = try await PersonRecord.query(on: db).filter(\.$pseudonym == pseudonym.uppercased()).first()
        else { throw AppError.notFound }
        return record
    }

    /// How the export leaves: shown as the printable page, or downloaded as a JSON file.
    enum Format: Sendable { case page, json }

    /// The whole export; logged (before it is gathered, so the log it shows includes this read),
    /// a JSON download as such.
    func export(pseudonym: String, reason raw: String, format: Format = .page, by principal: Principal, now: Date = .now) async throws -> Export {
        let db = database.db()
        let record = try await person(pseudonym, by: principal, on: db)
        let reason = try SubjectRights.checkReason(raw)
        let label = format == .json ? "art. 15 export (JSON download)" : "art. 15 export"
        try await Audit.record(.read, "person", record.pseudonym, by: principal, purpose: "\(label): \(reason)", on: db)
        let person = try PersonStore(database: database, cipher: cipher).open(record)
        let id = record.id!
        let links = try await PersonReportLink.query(on: db).filter(\.$personID == id).sort(\.$createdAt).all()
        let reports = links.isEmpty ? [] : try await Report.query(on: db).filter(\.$id ~~ links.map(\.reportID)).all()
        let categories = try await Category.query(on: db).all()
        let categoryName = Dictionary(uniqueKeysWithValues: categories.map { ($0.id!, $0.nameNL) })
        let reportByID = Dictionary(uniqueKeysWithValues: reports.map { ($0.id!, $0) })
        let exportReports = links.compactMap { link -> ExportReport? in
            guard let report = reportByID[link.reportID] else { return nil }
            return ExportReport(reference: report.reference, role: link.role, occurredAt: report.occurredAt,
                                category: categoryName[report.categoryID] ?? "", status: report.status, description: report.description,
                                linkedAt: link.createdAt, unlinkedAt: link.unlinkedAt)
        }
        let caseIDs = try await CasePerson.query(on: db).filter(\.$personID == id).all().map(\.caseID)
        let files = caseIDs.isEmpty ? [] : try await CaseFile.query(on: db).filter(\.$id ~~ caseIDs).sort(\.$openedAt).all()
        var cases: [ExportCase] = []
        for file in files {
            // Every note of the case, those marked sensitive included: it is the subject's data.
            let notes = try await CaseNote.query(on: db).filter(\.$caseID == file.id!).sort(\.$createdAt).all()
            cases.append(ExportCase(reference: file.reference, phase: file.phase, openedAt: file.openedAt, closedAt: file.closedAt,
                                    notes: try notes.map { ExportNote(at: $0.createdAt, sensitive: $0.sensitive, body: try cipher.open($0.bodySealed)) }))
        }
        let placements = try await CoolingOffPlacement.query(on: db).filter(\.$personID == id).sort(\.$requestedAt).all()
        let corrections = try await PersonCorrection.query(on: db).filter(\.$personID == id).sort(\.$at).sort(\.$field).all()
        let names = try await UserNames.load(corrections.map(\.userID), on: db)
        // A location is stored by id: the export names it.
        let locationNames = Dictionary(uniqueKeysWithValues: try await Location.query(on: db).all().map { ($0.id!.uuidString.lowercased(), $0.name) })
        let exportCorrections = try corrections.map { row in
            func value(_ sealed: String?) throws -> String? {
                guard let plain = try sealed.map(cipher.open) else { return nil }
                return row.field == "location" ? locationNames[plain] ?? plain : plain
            }
            return ExportCorrection(at: row.at, field: row.field, old: try value(row.oldSealed), new: try value(row.newSealed),
                             reason: row.reason, by: names[row.userID] ?? row.userID.uuidString.lowercased(), role: row.role)
        }
        let accesses = try await AuditEntry.query(on: db).filter(\.$recordType == "person").filter(\.$recordID == record.pseudonym)
            .sort(\.$at, .descending).limit(1000).all()
        return Export(person: person, reports: exportReports, cases: cases,
                      placements: placements.map { ExportPlacement(status: $0.status, reason: $0.reason, proposedStart: $0.proposedStart,
                                                                   plannedEnd: $0.plannedEnd, startedOn: $0.startedOn, endedOn: $0.endedOn) },
                      corrections: exportCorrections,
                      accesses: accesses.map { ExportAccess(at: $0.at, role: $0.role, action: $0.action, purpose: $0.purpose) },
                      refusals: try await refusals(record, now: now, on: db))
    }

    private func refusals(_ record: PersonRecord, now: Date, on db: any Database) async throws -> [ErasureRefusal] {
        let id = record.id!
        var facts = ErasureRules.Facts()
        let caseIDs = try await CasePerson.query(on: db).filter(\.$personID == id).all().map(\.caseID)
        if !caseIDs.isEmpty {
            facts.cases = try await CaseFile.query(on: db).filter(\.$id ~~ caseIDs).sort(\.$openedAt).all()
                .map { ($0.reference, CasePhase(rawValue: $0.phase) ?? .registration) }
        }
        let reportIDs = try await PersonReportLink.query(on: db).filter(\.$personID == id).filter(\.$unlinkedAt == nil).all().map(\.reportID)
        if !reportIDs.isEmpty {
            facts.reports = try await Report.query(on: db).filter(\.$id ~~ reportIDs).sort(\.$occurredAt).all()
                .map { .init(reference: $0.reference, status: ReportStatus(rawValue: $0.status) ?? .new, updatedAt: $0.updatedAt) }
        }
        facts.placements = try await CoolingOffPlacement.query(on: db).filter(\.$personID == id).all()
            .compactMap { PlacementStatus(rawValue: $0.status) }
        return ErasureRules.refusals(facts, schedule: try await RetentionSchedule.load(on: db), now: now)
    }

    enum ErasureOutcome: Sendable, Equatable {
        case erased
        case refused([ErasureRefusal])
    }

    /// Erases the person when nothing holds them: name, date of birth and contact destroyed (the
    /// name becomes the sealed tombstone, the blind indexes point nowhere), address, languages
    /// and dates cleared; every link to a report (ended ones too) and the correction trail deleted. The row itself stays,
    /// so that ended placements and the access log keep pointing at a pseudonym without data.
    /// One destruction record (type `persons`, count 1, method `erasure`) and the access-log
    /// entries are written in the same transaction. A refusal is logged too.
    func erase(pseudonym: String, reason raw: String, by principal: Principal, now: Date = .now) async throws -> ErasureOutcome {
        let db = database.db()
        let record = try await person(pseudonym, by: principal, on: db)
        let reason = try SubjectRights.checkReason(raw)
        let refusals = try await refusals(record, now: now, on: db)
        guard refusals.isEmpty else {
            try await Audit.record(.read, "person", record.pseudonym, by: principal,
                                   purpose: "art. 17 erasure refused (\(refusals.map(\.code).joined(separator: ", "))): \(reason)", on: db)
            return .refused(refusals)
        }
        let pseudonym = record.pseudonym
        record.nameSealed = try cipher.seal(SubjectRights.tombstone)
        record.nameIndex = try cipher.blindIndex(UUID().uuidString)
        record.birthDateSealed = nil
        record.birthDateIndex = nil
        record.contactSealed = nil
        record.locationID = nil
        record.unit = nil
        record.residentSince = nil
        record.languages = ""
        record.interpreterNeeded = false
        record.updatedAt = now.wholeSeconds
        try await db.transaction { tx in
            try await record.update(on: tx)
            try await PersonReportLink.query(on: tx).filter(\.$personID == record.id!).delete()
            // The correction trail holds old values: destroyed with the rest.
            try await PersonCorrection.query(on: tx).filter(\.$personID == record.id!).delete()
            // "Consider a case" items are about the person only.
            try await ConcernStore.forget(personIDs: [record.id!], on: tx)
            let destruction = DestructionRecord(type: .persons, count: 1, periodDays: 0, cutoff: now.wholeSeconds, at: now.wholeSeconds,
                                                method: "erasure")
            try await destruction.create(on: tx)
            try await Audit.record(.destroyed, "person", pseudonym, by: principal, purpose: "art. 17 erasure: \(reason)", on: tx)
            try await Audit.record(.destroyed, "destruction_record", destruction.id!.uuidString, by: principal,
                                   purpose: "art. 17 erasure: \(reason)", on: tx)
        }
        return .erased
    }
}

extension SubjectRightsStore {
    /// Writes the trail of one correction inside the caller's transaction: a row per changed
    /// field and one audit entry naming the fields (never their values) with the reason.
    static func recordCorrection(_ changes: [FieldChange], person: PersonRecord, reason: String, cipher: FieldCipher, by principal: Principal,
                                 at: Date, on tx: any Database) async throws {
        guard !changes.isEmpty else { return }
        for change in changes {
            let row = PersonCorrection()
            row.personID = person.id!
            row.field = change.field
            row.oldSealed = try change.old.map(cipher.seal)
            row.newSealed = try change.new.map(cipher.seal)
            row.reason = reason
            row.userID = principal.userID
            row.role = principal.role.rawValue
            row.at = at
            try await row.create(on: tx)
        }
        try await Audit.record(.update, "person", person.pseudonym, by: principal,
                               purpose: "art. 16 correction (\(changes.map(\.field).joined(separator: ", "))): \(reason)", on: tx)
    }
}
