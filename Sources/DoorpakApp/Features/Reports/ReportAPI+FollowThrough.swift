import Foundation
import Hummingbird
import NIOCore

/// The follow-through steps on one report in the API: pick up, hand-over requests and their
/// answers, actions. Every call finds the report within the caller's scope first (out of scope:
/// 404) and then calls the same store as the report page; this file only translates JSON.
extension ReportAPI {
    func addFollowThrough(to api: RouterGroup<AppRequestContext>) {
        api.post("/reports/:reference/pickup", use: pickUp)
        api.get("/reports/:reference/handovers", use: handoverList)
        api.post("/reports/:reference/handovers", use: requestHandover)
        for answer in [HandoverRules.Answer.accept, .decline, .withdraw] {
            api.post("/reports/:reference/handovers/:id/\(answer.rawValue)") { request, context in
                try await answerHandover(request, context: context, answer: answer)
            }
        }
        api.get("/reports/:reference/actions", use: actionList)
        api.post("/reports/:reference/actions", use: addAction)
        api.post("/reports/:reference/actions/:id/complete") { request, context in
            let input = try await APIBody.decode(ActionResultInput.self, from: request)
            return try await closeAction(request, context: context, .done(result: input.result))
        }
        api.post("/reports/:reference/actions/:id/cancel") { request, context in
            let input = try await APIBody.decode(ActionCancelInput.self, from: request)
            return try await closeAction(request, context: context, .cancelled(reason: input.reason))
        }
    }

    /// The store's field names as the API names them.
    static let handoverFields = ["organisation": "organisationId", "person": "personId"]
    static let actionFields = ["organisation": "organisationId", "assignee": "assigneeId", "due_on": "dueOn"]

    // MARK: Pick up

    func pickUp(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        try await store.pickUp(report, by: principal)
        return try APIBody.response(try await dto(report, by: context.principal()))
    }

    // MARK: Hand-overs

    func handoverList(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let list = try await handovers.handovers(of: .report, id: report.id!)
        return try APIBody.response(ItemsDTO(items: list.map { HandoverDTO($0, for: principal) }))
    }

    func requestHandover(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let input = try await APIBody.decode(HandoverInput.self, from: request)
        let handover = try await Self.renaming(Self.handoverFields) {
            try await handovers.request(.init(organisation: input.organisationId, person: input.personId, reason: input.reason),
                                        for: report, by: principal)
        }
        return try APIBody.response(HandoverDTO(handover, for: principal), status: .created)
    }

    func answerHandover(_ request: Request, context: AppRequestContext, answer: HandoverRules.Answer) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let handover = try await handovers.find(id)
        guard handover.subject == .report, handover.subjectID == report.id else { throw AppError.notFound }
        let input = try await Self.decodeOptional(HandoverAnswerInput.self, from: request, empty: HandoverAnswerInput())
        try await handovers.answer(handover, answer, reason: input.reason, report: report, by: principal)
        return try APIBody.response(HandoverDTO(handover, for: principal))
    }

    // MARK: Actions

    func actionList(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let subject = ActionSubject(report)
        let calendar = try await calendar()
        return try APIBody.response(ItemsDTO(items: try await actions.actions(of: subject).map {
            ActionDTO($0, subject: subject, for: principal, calendar: calendar)
        }))
    }

    func addAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        let input = try await APIBody.decode(ActionInput.self, from: request)
        try await store.requireMayAddAction(report, by: principal)
        let subject = ActionSubject(report)
        let action = try await Self.renaming(Self.actionFields) { try await actions.add(input.draft, to: subject, by: principal) }
        return try APIBody.response(ActionDTO(action, subject: subject, for: principal, calendar: try await calendar()), status: .created)
    }

    func closeAction(_ request: Request, context: AppRequestContext, _ closing: ActionStore.Closing) async throws -> Response {
        let principal = try context.principal()
        let report = try await store.find(reference: context.parameters.require("reference"), by: principal)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw AppError.notFound }
        let action = try await actions.find(id)
        guard action.subject == .report, action.subjectID == report.id else { throw AppError.notFound }
        let subject = ActionSubject(report)
        try await actions.close(action, closing, subject: subject, by: principal)
        return try APIBody.response(ActionDTO(action, subject: subject, for: principal, calendar: try await calendar()))
    }

    // MARK: Helpers

    /// Runs `work`; a validation error comes out with the API's member names.
    static func renaming<T>(_ names: [String: String], _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch AppError.invalid(let issues) {
            throw AppError.invalid(issues.map { FieldIssue(names[$0.name] ?? $0.name, $0.code) })
        }
    }

    /// A body whose members are all optional: no body at all (no `Content-Type`, nothing sent)
    /// reads as `empty`; anything sent follows `APIBody.decode`.
    static func decodeOptional<T: APIInput>(_ type: T.Type, from request: Request, empty: T) async throws -> T {
        guard request.headers[.contentType] == nil else { return try await APIBody.decode(type, from: request) }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: APIInfo.maxBodySize)
        } catch is NIOTooManyBytesError {
            throw AppError.payloadTooLarge
        }
        guard buffer.readableBytes == 0 else { throw AppError.unsupportedMediaType }
        return empty
    }
}

// MARK: - Requests

/// `POST /reports/{reference}/handovers`: to an organisation, optionally a person there, with a reason.
struct HandoverInput: APIInput {
    var organisationId: String?
    var personId: String?
    var reason: String?
    static let members = ["organisationId", "personId", "reason"]
}

/// `POST /reports/{reference}/handovers/{id}/accept|decline|withdraw`; declining needs the reason.
struct HandoverAnswerInput: APIInput {
    var reason: String?
    static let members = ["reason"]
}

/// A new action: on a report, or agreed by the breakthrough meeting. Unknown members are refused
/// also where the action is nested in another body.
struct ActionInput: APIInput {
    var title: String?
    var organisationId: String?
    var assigneeId: String?
    var dueOn: String?
    static let members = ["title", "organisationId", "assigneeId", "dueOn"]

    enum CodingKeys: String, CodingKey { case title, organisationId, assigneeId, dueOn }

    init(from decoder: any Decoder) throws {
        let unknown = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.filter { !Self.members.contains($0.stringValue) }
        if let first = unknown.first {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [first], debugDescription: "unknown member"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        organisationId = try container.decodeIfPresent(String.self, forKey: .organisationId)
        assigneeId = try container.decodeIfPresent(String.self, forKey: .assigneeId)
        dueOn = try container.decodeIfPresent(String.self, forKey: .dueOn)
    }

    var draft: ActionDraft { ActionDraft(title: title, organisation: organisationId, assignee: assigneeId, dueOn: dueOn) }
}

struct ActionResultInput: APIInput {
    var result: String?
    static let members = ["result"]
}

struct ActionCancelInput: APIInput {
    var reason: String?
    static let members = ["reason"]
}

// MARK: - Responses

/// A hand-over request and its answer, with what the caller may answer now.
struct HandoverDTO: Encodable {
    var id: String
    var reportReference: String
    var status: String
    var fromUserId: String
    @Nullable var fromOrganisationId: String?
    var toOrganisationId: String
    /// `null`: anyone of the receiving organisation may answer (and then owns the report).
    @Nullable var toUserId: String?
    var reason: String
    var requestedAt: String
    var answerDueAt: String
    @Nullable var answeredAt: String?
    @Nullable var answeredById: String?
    @Nullable var answerReason: String?
    var escalationLevel: String
    /// The answers the caller may give now (`accept`, `decline`, `withdraw`).
    var allowedAnswers: [String]

    init(_ handover: Handover, for principal: Principal) {
        id = handover.id!.api
        reportReference = handover.subjectReference
        status = handover.status
        fromUserId = handover.fromUserID.api
        fromOrganisationId = handover.fromOrganisationID.api
        toOrganisationId = handover.toOrganisationID.api
        toUserId = handover.toUserID.api
        reason = handover.reason
        requestedAt = APIDates.write(handover.requestedAt)
        answerDueAt = APIDates.write(handover.answerDueAt)
        answeredAt = handover.answeredAt.map(APIDates.write)
        answeredById = handover.answeredBy.api
        answerReason = handover.answerReason
        escalationLevel = (EscalationLevel(rawValue: handover.escalationLevel) ?? .none).code
        allowedAnswers = [HandoverRules.Answer.accept, .decline, .withdraw].filter {
            // Asked with a reason: whether the caller may give this answer at all, not whether the body is complete.
            HandoverRules.check($0, status: handover.handoverStatus, toUser: handover.toUserID, toOrganisation: handover.toOrganisationID,
                                fromUser: handover.fromUserID, reason: "-", by: principal) == .allowed
        }.map(\.rawValue)
    }
}
