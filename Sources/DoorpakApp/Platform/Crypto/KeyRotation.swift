import Foundation

/// Re-encrypts every sealed column under the current key, in batches, one transaction per batch.
/// Idempotent and resumable: a value already under the current key is left alone, so running it
/// again after an interruption continues where it stopped. Each row is updated only if it still
/// holds the value that was read (a concurrent edit wins; the next run picks that row up).
struct KeyRotation: Sendable {
    let cipher: FieldCipher
    let database: AppDatabase
    var batchSize = 200

    struct Outcome: Sendable, Equatable {
        var rewritten = 0
        /// Rows whose values could not be opened (unknown key, altered): left as they are.
        var failed = 0
    }

    func reencrypt(_ tables: [EncryptedTable] = EncryptedColumns.all) async throws -> Outcome {
        var outcome = Outcome()
        for table in tables { try await reencrypt(table, sealingPlaintext: false, into: &outcome) }
        return outcome
    }

    /// Seals the values of row-bound columns that were written before those columns were sealed
    /// (text without the `dp2.` prefix), and re-encrypts the others under the current key. Run at
    /// start-up after the migrations; a no-op once every value is sealed under the current key.
    func sealWrittenBeforeSealing() async throws -> Outcome {
        var outcome = Outcome()
        for table in EncryptedColumns.all where table.rowBound { try await reencrypt(table, sealingPlaintext: true, into: &outcome) }
        return outcome
    }

    private func reencrypt(_ table: EncryptedTable, sealingPlaintext: Bool, into outcome: inout Outcome) async throws {
        let current = try cipher.currentKeyID
        let store = KeyRotationStore(database: database, cipher: cipher)
        var cursor: UUID?
        while true {
            let result = try await store.rewriteBatch(of: table, after: cursor, keyID: current, limit: batchSize,
                                                       sealingPlaintext: sealingPlaintext)
            outcome.rewritten += result.rewritten
            outcome.failed += result.failed
            guard let last = result.last else { return }
            cursor = last
        }
    }
}
