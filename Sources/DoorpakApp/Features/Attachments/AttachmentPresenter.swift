import Foundation
import Hummingbird
import NIOCore

/// The "Attachments" section of a report or case page: the list (name, type, size, who and when,
/// a download link) for who reads the record's content, and the upload form for who may add one.
/// Nothing at all for anyone else: an attachment's name can say as much as its content.
enum AttachmentPresenter {
    static func section(_ subject: AttachmentStore.Subject, store: AttachmentStore, catalog: CatalogStore, principal: Principal,
                        locale: LocaleTexts, language: Language, errors: [String: String]) async throws -> [String: Any] {
        guard try await store.mayRead(subject, by: principal) else { return [:] }
        let attachments = try await store.list(of: subject, by: principal)
        let names = try await catalog.names(attachments.map { Optional($0.uploadedBy) })
        var section: [String: Any] = [
            "path": subject.path,
            "rows": attachments.map { attachment -> [String: Any] in
                [
                    "name": attachment.fileName,
                    "type": locale.text("attachments.types.\(attachment.mediaType)"),
                    "size": AttachmentRules.size(attachment.size, language),
                    "by": names[attachment.uploadedBy] ?? "–",
                    "at": Formats.dateTime(attachment.uploadedAt, language),
                    "href": "\(subject.path)/attachments/\(attachment.id!.uuidString.lowercased())",
                    "label": locale.text("attachments.download_label", ["name": attachment.fileName]),
                ]
            },
            "empty": attachments.isEmpty,
            "hint": locale.text("attachments.file_hint", ["max": AttachmentRules.size(store.maxBytes, language)]),
        ]
        // Asked as the upload would be (a write): an emergency grant, which is read-only, shows no form.
        if try await BreakGlassAccess.$writing.withValue(true, operation: { try await store.mayAdd(to: subject, by: principal) }) {
            section["mayAdd"] = true
        }
        if let error = errors["file"] { section["fileError"] = error }
        return ["attachmentSection": section]
    }

    /// The download: never shown inline, never cached, never sniffed.
    static func download(_ attachment: Attachment, _ data: Data) -> Response {
        let type = attachment.mediaType == "text/plain" ? "text/plain; charset=utf-8" : attachment.mediaType
        let headers: HTTPFields = [
            .contentType: type,
            .contentDisposition: AttachmentRules.contentDisposition(attachment.fileName),
            .xContentTypeOptions: "nosniff",
            .cacheControl: "no-store",
            .contentLength: "\(data.count)",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
