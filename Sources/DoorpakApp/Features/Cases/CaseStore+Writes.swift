import FluentKit
import Foundation

/// Changes to a case. Direction, phases and membership are the director's (administrators may
/// step in); a hand-over of the direction is proposed by the director or the district coordinator
/// and takes effect only when the new director accepts.
extension CaseStore {
    func requireDirector(_ access: Access) throws {
        guard access.directs else { throw AppError.notFound }
    }

    func write(_ file: CaseFile, _ event: CaseEvent, by principal: Principal, purpose: String? = nil,
                       extra: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        try await database.db().transaction { tx in
            try await file.update(on: tx)
            try await extra?(tx)
            try await event.create(on: tx)
            try await Audit.record(.update, "case", file.reference, by: principal, purpose: purpose, on: tx)
        }
    }

    /// Moves the case to another phase; closing needs an outcome and a reason, reopening a reason.
    /// Closing a case with open actions is refused (`phase`: `case_open_actions`) unless
    /// `cancelOpenActions` is set: then they are cancelled with the closing reason, in the same transaction.
    func changePhase(_ file: CaseFile, access: Access, to target: CasePhase?, outcome: String?, reason: String?,
                     cancelOpenActions: Bool = false, by principal: Principal, now: Date = .now) async throws {
        try requireDirector(access)
        guard let phase = target else { throw AppError.invalid([FieldIssue("phase", "required")]) }
        let outcome = outcome.flatMap(CaseOutcome.init(rawValue:))
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, let issue = TextRules.check(reason, required: false, max: 2000) { throw AppError.invalid([FieldIssue("reason", issue)]) }
        let from = file.casePhase
        switch CasePhase.check(from: from, to: phase, outcome: outcome, reason: reason) {
        case .refused: throw AppError.conflict("A case cannot move from \(from.rawValue) to \(phase.rawValue).")
        case .reasonRequired: throw AppError.invalid([FieldIssue("reason", "required")])
        case .outcomeAndReasonRequired:
            throw AppError.invalid((outcome == nil ? [FieldIssue("outcome", "required")] : []) + ((reason ?? "").isEmpty ? [FieldIssue("reason", "required")] : []))
        case .allowed: break
        }
        let subject = ActionSubject(file)
        if phase == .closed, !cancelOpenActions, try await ActionStore.openCount(of: subject, on: database.db()) > 0 {
            throw AppError.invalid([FieldIssue("phase", "case_open_actions")])
        }
        file.phase = phase.rawValue
        if phase == .closed {
            // A closed case has no hand-over: a proposal still waiting ends with it.
            file.proposedDirectorID = nil
            file.closedAt = now.wholeSeconds
            file.outcome = outcome?.rawValue
            file.closingReason = reason
        } else if from == .closed {
            file.closedAt = nil
        }
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: phase == .closed ? "closed" : from == .closed ? "reopened" : "phase",
                                        from: from.rawValue, to: phase == .closed ? outcome?.rawValue : phase.rawValue, reason: reason), by: principal) { tx in
            guard phase == .closed else { return }
            try await Self.endProposals(of: file, as: .withdrawn, by: principal, now: now, on: tx)
            let open = try await Action.query(on: tx).filter(\.$subjectKind == subject.kind.rawValue).filter(\.$subjectID == subject.id)
                .filter(\.$status == ActionStatus.open.rawValue).all()
            for action in open {
                try await ActionStore.close(action, status: .cancelled, text: reason ?? "", subject: subject, by: principal, now: now, on: tx)
            }
        }
    }

    /// Proposes a new director (see `CasePolicy`: the director, an administrator, or the district
    /// coordinator when the director is gone); never oneself.
    func proposeDirector(_ file: CaseFile, access: Access, userID proposed: UUID?, reason: String?, by principal: Principal,
                         now: Date = .now) async throws {
        guard file.casePhase != .closed else { throw AppError.conflict("A closed case has no hand-over.") }
        let policy = try await policy(for: file, access: access, by: principal)
        guard policy.mayProposeDirector else { throw AppError.notFound }
        guard let userID = proposed else { throw AppError.invalid([FieldIssue("director", "required")]) }
        guard policy.mayPropose(userID) else { throw AppError.invalid([FieldIssue("director", "self")]) }
        // Control characters and NUL (HostileInputTests found them stored in the event's reason).
        if let reason, let issue = TextRules.check(reason, required: false, max: 2000) { throw AppError.invalid([FieldIssue("reason", issue)]) }
        let db = database.db()
        if try await !Self.mayDirect(userID, on: db) || userID == file.directorID { throw AppError.invalid([FieldIssue("director", "unknown")]) }
        let terms = try await Self.proposalTerms(to: userID, now: now, on: db)
        file.proposedDirectorID = userID
        file.updatedAt = now.wholeSeconds
        // The one asked hears of it (reference and link only) in the same transaction.
        let notice = Notice(recipient: userID, kind: .caseDirectorRequested, reference: file.reference, link: "/cases/\(file.reference)")
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "director_proposed", from: file.directorID.uuidString,
                                        to: userID.uuidString, reason: reason), by: principal) { tx in
            try await Self.startProposal(file, to: userID, terms: terms, by: principal, now: now, on: tx)
            try await Notifications.send([notice], on: tx, now: now)
        }
    }

    /// A case without an active director is claimed by its district's coordinator (`CasePolicy`):
    /// a reason is required; the history, the access log and a notice to each active member say so.
    func claimDirection(_ file: CaseFile, access: Access, reason: String?, by principal: Principal, now: Date = .now) async throws {
        guard try await policy(for: file, access: access, by: principal).mayClaimDirection else { throw AppError.notFound }
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(reason, required: true, max: 2000) { throw AppError.invalid([FieldIssue("claim_reason", issue)]) }
        let from = file.directorID
        file.directorID = principal.userID
        file.proposedDirectorID = nil
        file.updatedAt = now.wholeSeconds
        let members = try await members(of: file).filter { $0.endedAt == nil }.map(\.userID)
        let notices = members.map { Notice(recipient: $0, kind: .caseDirectorClaimed, reference: file.reference, link: "/cases/\(file.reference)") }
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "director_claimed", from: from.uuidString,
                                        to: principal.userID.uuidString, reason: reason), by: principal, purpose: "claimed the direction: no active director") { tx in
            try await Self.endProposals(of: file, as: .withdrawn, by: principal, now: now, on: tx)
            try await Notifications.send(notices, on: tx, now: now)
        }
    }

    /// The proposed director accepts: from now on they direct the case (a coordinator picking up
    /// a case for themselves proposes and accepts in turn).
    func acceptDirection(_ file: CaseFile, by principal: Principal, now: Date = .now) async throws {
        guard file.proposedDirectorID == principal.userID else { throw AppError.notFound }
        let from = file.directorID
        file.directorID = principal.userID
        file.proposedDirectorID = nil
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "director_accepted",
                                        from: from.uuidString, to: principal.userID.uuidString), by: principal) { tx in
            try await Self.endProposals(of: file, as: .accepted, by: principal, now: now, on: tx)
        }
    }

    /// What the one asked to take over the direction sees before accepting: the case's facts, its
    /// opening reason and why it is handed over (the latest proposal's reason); the read is logged.
    func proposal(reference: String, by principal: Principal) async throws -> (file: CaseFile, reason: String?) {
        let file = try await findProposed(reference: reference, by: principal)
        let db = database.db()
        let event = try await CaseEvent.query(on: db).filter(\.$caseID == file.id!).filter(\.$kind == "director_proposed")
            .sort(\.$at, .descending).sort(\.$seq, .descending).first()
        try await Audit.record(.read, "case", file.reference, by: principal, purpose: "asked to take over the direction", on: db)
        return (file, try event.flatMap { try opened([$0]).first?.reason })
    }

    /// A case can only be found by the proposed director through this door.
    func findProposed(reference: String, by principal: Principal) async throws -> CaseFile {
        guard let file = try await CaseFile.query(on: database.db()).filter(\.$reference == reference.uppercased()).first(),
              file.proposedDirectorID == principal.userID else { throw AppError.notFound }
        return file
    }

    struct MemberDraft: Sendable {
        var userID: UUID?
        var role: String?
        var legalBasis: String?
        var consentDate: String?
        var consentScope: String?
    }

    func addMember(_ draft: MemberDraft, to file: CaseFile, access: Access, by principal: Principal, now: Date = .now) async throws -> CaseMember {
        try requireDirector(access)
        let db = database.db()
        var issues: [FieldIssue] = []
        if let user = draft.userID {
            if try await !Self.mayDirect(user, on: db) || user == file.directorID { issues.append(FieldIssue("member", "unknown")) }
            else if try await activeMember(of: file, userID: user, on: db) != nil { issues.append(FieldIssue("member", "taken")) }
        } else { issues.append(FieldIssue("member", "required")) }
        let role = (draft.role ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(role, required: true, max: 100) { issues.append(FieldIssue("member_role", issue)) }
        let basis = draft.legalBasis.flatMap(LegalBasis.init(rawValue:))
        if basis == nil { issues.append(FieldIssue("legal_basis", "required")) }
        var consentDate: Date?
        let scope = (draft.consentScope ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if basis == .consent {
            consentDate = draft.consentDate.flatMap { Formats.parse(day: $0, time: "12:00") }
            if consentDate == nil || consentDate! > now.addingTimeInterval(86_400) { issues.append(FieldIssue("consent_date", draft.consentDate == nil ? "required" : "invalid")) }
            if let issue = TextRules.check(scope, required: true, max: 500) { issues.append(FieldIssue("consent_scope", issue)) }
        }
        guard issues.isEmpty, let userID = draft.userID, let basis else { throw AppError.invalid(issues) }
        let member = CaseMember()
        member.id = UUID()
        member.caseID = file.id!
        member.userID = userID
        member.role = role
        member.legalBasis = basis.rawValue
        member.consentDate = consentDate
        member.consentScope = basis == .consent ? scope : nil
        member.addedBy = principal.userID
        member.addedAt = now.wholeSeconds
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "member_added", to: userID.uuidString,
                                        reason: basis.rawValue), by: principal) { tx in
            try await member.create(on: tx)
            try await FollowThroughNotices.send(.caseMemberAdded, about: file.reference, link: "/cases/\(file.reference)", to: [userID],
                                                except: principal.userID, on: tx, now: now)
        }
        return member
    }

    /// Records that consent was withdrawn: the member keeps nothing new from this moment.
    func withdrawConsent(_ memberID: UUID, in file: CaseFile, access: Access, by principal: Principal, now: Date = .now) async throws {
        try requireDirector(access)
        guard let member = try await CaseMember.find(memberID, on: database.db()), member.caseID == file.id, member.basis == .consent
        else { throw AppError.notFound }
        guard member.consentWithdrawnAt == nil else { return }
        member.consentWithdrawnAt = now.wholeSeconds
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "consent_withdrawn", to: member.userID.uuidString),
                        by: principal) { tx in try await member.update(on: tx) }
    }

    /// Ends a member's part in the case (they leave the case, or their role in it ends): from this
    /// moment they reach the case no longer, whatever their legal basis. The director (or an
    /// administrator) decides it; the member stays listed with the date, and the history keeps it.
    func endMembership(_ memberID: UUID, in file: CaseFile, access: Access, by principal: Principal, now: Date = .now) async throws {
        try requireDirector(access)
        guard let member = try await CaseMember.find(memberID, on: database.db()), member.caseID == file.id else { throw AppError.notFound }
        guard member.endedAt == nil else { return }
        member.endedAt = now.wholeSeconds
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: "member_ended", to: member.userID.uuidString),
                        by: principal) { tx in
            try await member.update(on: tx)
            // The link is where they were; it reads "not found" to them from now on, which is the news.
            try await FollowThroughNotices.send(.caseMemberRemoved, about: file.reference, link: "/cases/\(file.reference)", to: [member.userID],
                                                except: principal.userID, on: tx, now: now)
        }
    }

    /// Adds a note (director or a member whose basis still holds); a sensitive note names its readers among the members.
    @discardableResult
    func addNote(_ body: String, sensitive: Bool, readers: [UUID], to file: CaseFile, access: Access, by principal: Principal,
                 now: Date = .now) async throws -> CaseNote {
        try await requireContentWriter(file, access: access, by: principal)
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(text, required: true, max: 5000) { throw AppError.invalid([FieldIssue("body", issue)]) }
        let members = Set(try await members(of: file).filter { $0.endedAt == nil }.map(\.userID))
        let named = sensitive ? readers.filter(members.contains) + (principal.userID == file.directorID ? [] : [principal.userID]) : []
        let note = CaseNote()
        note.caseID = file.id!
        note.authorID = principal.userID
        note.bodySealed = try persons.cipher.seal(text)
        note.sensitive = sensitive
        note.readers = Array(Set(named)).map(\.uuidString).sorted().joined(separator: ",")
        note.createdAt = now.wholeSeconds
        note.seq = WriteSequence.next()
        file.updatedAt = now.wholeSeconds
        try await write(file, CaseEvent(caseID: file.id!, at: now, actorID: principal.userID, kind: sensitive ? "sensitive_note" : "note"),
                        by: principal) { tx in try await note.create(on: tx) }
        return note
    }
}
