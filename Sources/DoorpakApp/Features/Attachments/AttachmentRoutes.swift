import Foundation
import Hummingbird

/// The attachments on the report and case pages: the upload form's post (multipart, decoded and
/// CSRF-checked by `FormMiddleware`) and the download link. Errors show in place on the record's page.
extension ReportRoutes {
    func addAttachments(to router: Router<AppRequestContext>) {
        router.post("/reports/:reference/attachments", use: attach)
        router.get("/reports/:reference/attachments/:attachment", use: downloadAttachment)
    }

    func attach(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let subject = try await attachments.report(context.parameters.require("reference"), by: principal)
        guard case .report(let report) = subject else { throw AppError.notFound }
        do {
            _ = try await attachments.add(context.upload, to: subject, by: principal)
        } catch AppError.invalid(let issues) {
            return try await renderDetail(report, request: request, context: context, issues: issues, status: .unprocessableContent)
                .response(from: request, context: context)
        } catch AppError.fileTooLarge(let field) {
            return try await renderDetail(report, request: request, context: context, issues: [FieldIssue(field, "file_too_large")],
                                          status: .contentTooLarge).response(from: request, context: context)
        }
        return .redirect(to: "/reports/\(report.reference)#attachments")
    }

    func downloadAttachment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let subject = try await attachments.report(context.parameters.require("reference"), by: principal)
        let (attachment, data) = try await attachments.content(context.parameters.require("attachment"), of: subject, by: principal)
        return AttachmentPresenter.download(attachment, data)
    }
}

extension CaseRoutes {
    func addAttachments(to router: Router<AppRequestContext>) {
        router.post("/cases/:case/attachments", use: attach)
        router.get("/cases/:case/attachments/:attachment", use: downloadAttachment)
    }

    func attach(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let subject = try await attachments.caseFile(context.parameters.require("case"), by: principal)
        guard case .caseFile(let file, let access) = subject else { throw AppError.notFound }
        do {
            _ = try await attachments.add(context.upload, to: subject, by: principal)
        } catch AppError.invalid(let issues) {
            return try await render(file, access: access, issues: issues, status: .unprocessableContent, request: request, context: context)
                .response(from: request, context: context)
        } catch AppError.fileTooLarge(let field) {
            return try await render(file, access: access, issues: [FieldIssue(field, "file_too_large")], status: .contentTooLarge,
                                    request: request, context: context).response(from: request, context: context)
        }
        return .redirect(to: "/cases/\(file.reference)#attachments")
    }

    func downloadAttachment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let subject = try await attachments.caseFile(context.parameters.require("case"), by: principal)
        let (attachment, data) = try await attachments.content(context.parameters.require("attachment"), of: subject, by: principal)
        return AttachmentPresenter.download(attachment, data)
    }
}
