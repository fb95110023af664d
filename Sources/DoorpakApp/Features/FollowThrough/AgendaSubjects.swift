import Foundation

/// What an item on the breakthrough (or board) agenda belongs to: a report, or a case whose
/// action escalated. Found through the subject's own store, so the user's reach is checked there
/// (the district coordinator reaches a case's facts, not its notes) and the read is logged.
enum AgendaSubject {
    case report(Report)
    case caseFile(CaseFile)

    var action: ActionSubject {
        switch self {
        case .report(let report): ActionSubject(report)
        case .caseFile(let file): ActionSubject(file)
        }
    }
}

struct AgendaSubjects: Sendable {
    let reports: ReportStore
    let cases: CaseStore

    init(reports: ReportStore, cases: CaseStore) {
        self.reports = reports
        self.cases = cases
    }

    func find(_ escalation: Escalation, by principal: Principal) async throws -> AgendaSubject {
        switch ActionSubjectKind(rawValue: escalation.subjectKind) ?? .report {
        case .report: .report(try await reports.find(reference: escalation.subjectReference, by: principal))
        case .caseFile: .caseFile(try await cases.find(reference: escalation.subjectReference, by: principal).file)
        }
    }
}
