import FluentKit
import FluentSQL
import SQLKit

/// The attachments' metadata table (the content lives in files, `AttachmentFiles`).
struct CreateAttachments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Attachment.schema)
            .id()
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("file_name", .string, .required)
            .field("media_type", .string, .required)
            .field("size", .int64, .required)
            .field("sha256", .string, .required)
            .field("key_id", .string, .required)
            .field("uploaded_by", .uuid, .required, .references("users", "id"))
            .field("uploaded_at", .datetime, .required)
            .create()
        try await database.sql.raw("CREATE INDEX attachments_subject ON attachments (subject_kind, subject_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Attachment.schema).delete()
    }
}
