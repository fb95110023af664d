import FluentKit
import Foundation
import SQLKit

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
        let sealedPrefix = table.rowBound ? FieldCipher.boundPrefix : FieldCipher.prefix
        let prefix = "\(sealedPrefix).\(current).%"
        var cursor: UUID?
        while true {
            let after = cursor
            let result: (last: UUID?, rewritten: Int, failed: Int) = try await database.db().transaction { tx in
                let sql = tx.sql
                var select = sql.select().column("id").columns(table.columns.map { SQLIdentifier($0) }).from(table.table)
                if let after { select = select.where("id", .greaterThan, after) }
                select = select.where { group in
                    var group = group
                    for column in table.columns {
                        group = group.orWhere { $0.where(SQLIdentifier(column), .isNot, SQLLiteral.null)
                            .where(SQLIdentifier(column), .notLike, prefix) }
                    }
                    return group
                }
                let rows = try await select.orderBy("id").limit(batchSize).all()
                var rewritten = 0, failed = 0
                var last: UUID?
                for row in rows {
                    let id = try row.decode(column: "id", as: UUID.self)
                    last = id
                    var update = sql.update(table.table).where("id", .equal, id)
                    var opened: [String: String] = [:]
                    do {
                        for column in table.columns {
                            guard let sealed = try row.decode(column: column, as: String?.self) else {
                                update = update.where(SQLIdentifier(column), .is, SQLLiteral.null)
                                continue
                            }
                            let slot = table.rowBound ? SealSlot(table: table.table, column: column, rowID: id) : nil
                            let plain: String
                            if let slot {
                                // Text from before the column was sealed is taken as it is, only when asked to.
                                let isSealed = sealed.hasPrefix(FieldCipher.boundPrefix + ".")
                                if !isSealed && !sealingPlaintext { throw CipherError.malformed }
                                plain = isSealed ? try cipher.open(sealed, in: slot) : sealed
                            } else {
                                plain = try cipher.open(sealed)
                            }
                            opened[column] = plain
                            let resealed = try slot.map { try cipher.seal(plain, in: $0) } ?? cipher.seal(plain)
                            update = update.set(SQLIdentifier(column), to: resealed).where(SQLIdentifier(column), .equal, sealed)
                        }
                        for index in table.indexes {
                            if let value = opened[index.source] {
                                update = update.set(SQLIdentifier(index.column), to: try cipher.blindIndex(index.normalise(value)))
                            }
                        }
                    } catch is CipherError {
                        failed += 1
                        continue
                    }
                    try await update.run()
                    rewritten += 1
                }
                if rewritten > 0 {
                    try await Audit.record(.update, "encrypted_table", table.table, by: nil,
                                           purpose: "keys: re-encrypted \(rewritten) rows under key \(current)", on: tx)
                }
                return (last, rewritten, failed)
            }
            outcome.rewritten += result.rewritten
            outcome.failed += result.failed
            guard let last = result.last else { return }
            cursor = last
        }
    }
}
