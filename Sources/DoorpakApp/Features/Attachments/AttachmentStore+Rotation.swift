import FluentKit
import Foundation

extension AttachmentStore {
    /// Re-seals every attachment file not yet under the current key (`doorpak keys rotate` and
    /// `keys reencrypt`): opens it, seals it again under the current key, replaces the file
    /// atomically, then records the key on the row. Safe to interrupt and repeat: a file names its
    /// own key in its header, so one re-sealed before its row was updated still opens, and the
    /// next run only updates the row. Files that cannot be opened are counted and left alone.
    static func resealFiles(cipher: FieldCipher, database: AppDatabase) async throws -> KeyRotation.Outcome {
        var outcome = KeyRotation.Outcome()
        let current = try cipher.currentKeyID
        let db = database.db()
        let stale = try await Attachment.query(on: db).filter(\.$keyID != current).all()
        for attachment in stale {
            guard let id = attachment.id else { continue }
            do {
                let plain = try cipher.openFile(try database.attachmentFiles.read(id: id), id: id)
                guard digest(plain) == attachment.sha256 else { throw CipherError.tampered }
                let sealed = try cipher.sealFile(plain, id: id)
                try database.attachmentFiles.write(sealed.sealed, id: id)
                attachment.keyID = sealed.keyID
                try await attachment.update(on: db)
                outcome.rewritten += 1
            } catch {
                outcome.failed += 1
            }
        }
        return outcome
    }
}
