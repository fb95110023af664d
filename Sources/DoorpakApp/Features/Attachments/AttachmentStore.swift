import Crypto
import FluentKit
import Foundation

/// The only door to attachments: their rows here, their sealed files in `AttachmentFiles`.
///
/// An attachment is part of its record's content, so the record's own rules decide, through the
/// record's store: a report's attachments are read by whoever reads its description and notes
/// (`ReportStore.readsContent`: administrators only when they registered or own it, or under a
/// break-the-glass grant, for reading), a case's by whoever reads its content (`CaseStore.Access`:
/// the director and members; a member whose consent was withdrawn only what was added before).
/// Everyone else gets "not found", also for the list. Adding one takes the same as adding a note.
/// Every upload and every download leaves an entry in the access log.
struct AttachmentStore: Sendable {
    let database: AppDatabase
    let cipher: FieldCipher
    let reports: ReportStore
    let cases: CaseStore
    /// The largest file accepted, in bytes.
    let maxBytes: Int

    var files: AttachmentFiles { database.attachmentFiles }

    /// The record an attachment hangs on, as its own store found it for this user (scope, logging
    /// and break-the-glass are that store's).
    enum Subject: Sendable {
        case report(Report)
        case caseFile(CaseFile, CaseStore.Access)

        var kind: AttachmentSubjectKind {
            switch self {
            case .report: .report
            case .caseFile: .caseFile
            }
        }

        var id: UUID {
            switch self {
            case .report(let report): report.id!
            case .caseFile(let file, _): file.id!
            }
        }

        var reference: String {
            switch self {
            case .report(let report): report.reference
            case .caseFile(let file, _): file.reference
            }
        }

        /// Where its page and downloads live: `/reports/DP-…` or `/cases/CS-…`.
        var path: String { kind == .report ? "/reports/\(reference)" : "/cases/\(reference)" }
    }

    func report(_ reference: String, by principal: Principal) async throws -> Subject {
        .report(try await reports.find(reference: reference, by: principal))
    }

    func caseFile(_ reference: String, by principal: Principal) async throws -> Subject {
        let found = try await cases.find(reference: reference, by: principal)
        return .caseFile(found.file, found.access)
    }

    // MARK: Who

    /// Whether this user reads the record's attachments at all.
    func mayRead(_ subject: Subject, by principal: Principal) async throws -> Bool {
        switch subject {
        case .report(let report): try await reports.readsContent(report, by: principal)
        case .caseFile(_, let access): access.readsContent
        }
    }

    /// Whether this user may add one: who may add a note (report: reads its content; case: writes content).
    func mayAdd(to subject: Subject, by principal: Principal) async throws -> Bool {
        switch subject {
        case .report(let report): try await reports.readsContent(report, by: principal)
        case .caseFile(_, let access): access.writes
        }
    }

    /// Refuses who may not add one: a report found in scope whose content this user does not read,
    /// as for its notes (403); a case's content is only its director's and members', so to anyone
    /// else it does not exist (404).
    func requireMayAdd(to subject: Subject, by principal: Principal) async throws {
        guard try await mayAdd(to: subject, by: principal) else {
            if case .report = subject { throw AppError.forbidden }
            throw AppError.notFound
        }
    }

    private func reads(_ attachment: Attachment, of subject: Subject) -> Bool {
        if case .caseFile(_, let access) = subject { return access.reads(writtenAt: attachment.uploadedAt) }
        return true
    }

    // MARK: Reading

    /// The record's attachments this user may read, oldest first; "not found" for who reads none.
    func list(of subject: Subject, by principal: Principal) async throws -> [Attachment] {
        guard try await mayRead(subject, by: principal) else { throw AppError.notFound }
        let rows = try await Attachment.query(on: database.db()).filter(\.$subjectKind == subject.kind.rawValue)
            .filter(\.$subjectID == subject.id).sort(\.$uploadedAt).sort(\.$id).all()
        return rows.filter { reads($0, of: subject) }
    }

    /// One attachment's content, opened and checked against its digest; the read is logged (with
    /// the break-the-glass grant when one opened the report). "Not found" for anyone who may not read it.
    func content(_ id: String, of subject: Subject, by principal: Principal, now: Date = .now) async throws -> (attachment: Attachment, data: Data) {
        guard let uuid = UUID(uuidString: id), try await mayRead(subject, by: principal) else { throw AppError.notFound }
        let db = database.db()
        guard let attachment = try await Attachment.query(on: db).filter(\.$id == uuid).filter(\.$subjectKind == subject.kind.rawValue)
            .filter(\.$subjectID == subject.id).first(), reads(attachment, of: subject) else { throw AppError.notFound }
        let data = try cipher.openFile(try files.read(id: uuid), id: uuid)
        guard Self.digest(data) == attachment.sha256 else { throw CipherError.tampered }
        var purpose = "\(subject.kind.rawValue) \(subject.reference)"
        if case .report = subject,
           let grant = try await BreakGlassStore.activeGrant(userID: principal.userID, recordType: "report", recordID: subject.reference, now: now, on: db) {
            purpose = "break-glass: \(grant.id!.uuidString.lowercased()); " + purpose
        }
        try await Audit.record(.read, "attachment", uuid.uuidString.lowercased(), by: principal, purpose: purpose, on: db)
        return (attachment, data)
    }

    // MARK: Adding

    /// Checks, seals and stores a file, then records it with its history entry and access-log entry
    /// in one transaction (the file is removed again if that fails). Refusals name the field `file`:
    /// `AppError.invalid` (missing, type not allowed, content not of its type) or `AppError.fileTooLarge`.
    func add(_ upload: UploadedFile?, to subject: Subject, by principal: Principal, now: Date = .now) async throws -> Attachment {
        try await requireMayAdd(to: subject, by: principal)
        guard let upload else { throw AppError.invalid([FieldIssue("file", "required")]) }
        let type: AttachmentRules.FileType
        switch AttachmentRules.check(fileName: upload.fileName, declaredType: upload.declaredType, data: upload.data,
                                     truncated: upload.truncated, maxBytes: maxBytes) {
        case .success(let checked): type = checked
        case .failure(let error) where error.refusal == .tooLarge: throw AppError.fileTooLarge(field: "file")
        case .failure(let error): throw AppError.invalid([FieldIssue("file", error.refusal.rawValue)])
        }
        let attachment = Attachment()
        let id = UUID()
        attachment.id = id
        attachment.subjectKind = subject.kind.rawValue
        attachment.subjectID = subject.id
        attachment.fileName = AttachmentRules.sanitisedFileName(upload.fileName, fallbackExtension: type.extensions[0])
        attachment.mediaType = type.mediaType
        attachment.size = upload.data.count
        attachment.sha256 = Self.digest(upload.data)
        attachment.uploadedBy = principal.userID
        attachment.uploadedAt = now.wholeSeconds
        let sealed = try cipher.sealFile(upload.data, id: id)
        attachment.keyID = sealed.keyID
        try files.write(sealed.sealed, id: id)
        do {
            try await database.db().transaction { tx in
                try await attachment.create(on: tx)
                switch subject {
                case .report(let report):
                    report.updatedAt = now.wholeSeconds
                    try await report.update(on: tx)
                    try await ReportEvent(reportID: report.id!, at: now.wholeSeconds, actorID: principal.userID, field: .attachment,
                                          from: nil, to: id.uuidString.lowercased()).create(on: tx)
                case .caseFile(let file, _):
                    file.updatedAt = now.wholeSeconds
                    try await file.update(on: tx)
                    try await CaseEvent(caseID: file.id!, at: now.wholeSeconds, actorID: principal.userID, kind: "attachment_added",
                                        to: id.uuidString.lowercased()).create(on: tx)
                }
                try await Audit.record(.create, "attachment", id.uuidString.lowercased(), by: principal,
                                       purpose: "\(subject.kind.rawValue) \(subject.reference)", on: tx)
            }
        } catch {
            files.remove([id])
            throw error
        }
        return attachment
    }

    static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Destruction (retention purge)

    /// Deletes the attachment rows of these records inside the caller's transaction and returns
    /// their ids: the caller removes the files once the transaction has committed
    /// (`AttachmentFiles.remove`), so a rolled-back purge keeps both.
    static func detach(_ kind: AttachmentSubjectKind, subjectIDs: [UUID], on tx: any Database) async throws -> [UUID] {
        guard !subjectIDs.isEmpty else { return [] }
        let ids = try await Attachment.query(on: tx).filter(\.$subjectKind == kind.rawValue).filter(\.$subjectID ~~ subjectIDs).all(\.$id)
            .compactMap { $0 }
        if !ids.isEmpty { try await Attachment.query(on: tx).filter(\.$id ~~ ids).delete() }
        return ids
    }

    /// Every attachment id there is (for removing files whose row is gone).
    static func allIDs(on db: any Database) async throws -> Set<UUID> {
        Set(try await Attachment.query(on: db).all(\.$id).compactMap { $0 })
    }
}
