import Foundation
import Hummingbird
import NIOCore

/// Attachments in the API: `GET|POST /reports/{reference}/attachments`,
/// `GET /reports/{reference}/attachments/{attachment}` (the content), and the same under
/// `/cases/{case}`. Uploads are `multipart/form-data` with the file in the part `file`. The body is
/// limited before the record is looked up (413, naming `file`); everything else is `AttachmentStore`'s.
struct AttachmentAPI {
    let store: AttachmentStore

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("/reports/:reference/attachments") { request, context in
            try await list(try await store.report(context.parameters.require("reference"), by: context.principal()), context)
        }
        api.post("/reports/:reference/attachments") { request, context in
            try await upload(request, context) { try await store.report(context.parameters.require("reference"), by: $0) }
        }
        api.get("/reports/:reference/attachments/:attachment") { request, context in
            try await download(try await store.report(context.parameters.require("reference"), by: context.principal()), context)
        }
        api.get("/cases/:case/attachments") { request, context in
            try await list(try await store.caseFile(context.parameters.require("case"), by: context.principal()), context)
        }
        api.post("/cases/:case/attachments") { request, context in
            try await upload(request, context) { try await store.caseFile(context.parameters.require("case"), by: $0) }
        }
        api.get("/cases/:case/attachments/:attachment") { request, context in
            try await download(try await store.caseFile(context.parameters.require("case"), by: context.principal()), context)
        }
    }

    /// The most an upload body may carry: the file and a little for the multipart framing.
    var bodyLimit: Int { store.maxBytes + (64 << 10) }

    private func list(_ subject: AttachmentStore.Subject, _ context: AppRequestContext) async throws -> Response {
        let items = try await store.list(of: subject, by: context.principal())
        return try APIBody.response(ItemsDTO(items: items.map { AttachmentDTO($0, subject: subject) }))
    }

    private func download(_ subject: AttachmentStore.Subject, _ context: AppRequestContext) async throws -> Response {
        let (attachment, data) = try await store.content(context.parameters.require("attachment"), of: subject, by: context.principal())
        return AttachmentPresenter.download(attachment, data)
    }

    private func upload(_ request: Request, _ context: AppRequestContext,
                        subject find: (Principal) async throws -> AttachmentStore.Subject) async throws -> Response {
        let principal = try context.principal()
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit { throw AppError.fileTooLarge(field: "file") }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw AppError.fileTooLarge(field: "file")
        }
        let subject = try await find(principal)
        try await store.requireMayAdd(to: subject, by: principal)
        guard let boundary = MultipartForm.boundary(request.headers[.contentType]) else { throw AppError.unsupportedMediaType }
        let form = try await MultipartForm.read(RequestBody(buffer: buffer), boundary: boundary, fileLimit: store.maxBytes, bodyLimit: bodyLimit)
        let file = form.file.flatMap { $0.fieldName == "file" ? $0 : nil }
        let attachment = try await store.add(file, to: subject, by: principal)
        let dto = AttachmentDTO(attachment, subject: subject)
        return try APIBody.response(dto, status: .created, headers: [.location: dto.contentUrl])
    }
}

/// One attachment as the API shows it; `contentUrl` downloads the file.
struct AttachmentDTO: Encodable {
    var id: String
    var fileName: String
    var mediaType: String
    var size: Int
    var sha256: String
    var uploadedBy: String
    var uploadedAt: String
    var contentUrl: String

    init(_ attachment: Attachment, subject: AttachmentStore.Subject) {
        id = attachment.id!.api
        fileName = attachment.fileName
        mediaType = attachment.mediaType
        size = attachment.size
        sha256 = attachment.sha256
        uploadedBy = attachment.uploadedBy.api
        uploadedAt = APIDates.write(attachment.uploadedAt)
        contentUrl = "\(APIInfo.basePath)\(subject.path)/attachments/\(id)"
    }
}
