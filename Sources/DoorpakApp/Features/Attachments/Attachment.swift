import FluentKit
import Foundation

/// What an attachment belongs to. Its content is the record's content: whoever reads that reads
/// the attachment, nobody else (`AttachmentStore`).
enum AttachmentSubjectKind: String, Codable, Sendable {
    case report
    case caseFile = "case"
}

/// A file attached to a report or a case: the row holds the facts, the content lives sealed in the
/// attachments folder under the row's id (`AttachmentFiles`), never under the user's file name.
final class Attachment: Model, @unchecked Sendable {
    static let schema = "attachments"
    @ID(key: .id) var id: UUID?
    @Field(key: "subject_kind") var subjectKind: String
    @Field(key: "subject_id") var subjectID: UUID
    /// The name the uploader's file had, made safe (`AttachmentRules.sanitisedFileName`).
    @Field(key: "file_name") var fileName: String
    @Field(key: "media_type") var mediaType: String
    /// Bytes of the plaintext.
    @Field(key: "size") var size: Int
    /// SHA-256 of the plaintext, lower-case hex: checked again on every read.
    @Field(key: "sha256") var sha256: String
    /// The data key that sealed the file (for a later re-encryption under a new key).
    @Field(key: "key_id") var keyID: String
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}

    var subject: AttachmentSubjectKind? { AttachmentSubjectKind(rawValue: subjectKind) }
}
