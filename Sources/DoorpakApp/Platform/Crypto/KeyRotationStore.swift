import FluentKit
import Foundation
import SQLKit

/// The door `KeyRotation` goes through: one batch of one encrypted table re-sealed under the
/// current key, in one transaction, with its audit entry.
struct KeyRotationStore: Sendable {
    private let database: AppDatabase
    let cipher: FieldCipher

    init(database: AppDatabase, cipher: FieldCipher) {
        self.database = database
        self.cipher = cipher
    }

    /// Re-seals up to `limit` rows after `after` (by id) that hold a value not under `current`;
    /// returns the last id read (`nil` when none was left), and how many rows were rewritten and
    /// could not be opened. Each row is updated only if it still holds the value that was read.
    /// Row-bound tables (`EncryptedTable.rowBound`) are opened and sealed for their slot; with
    /// `sealingPlaintext`, their text from before sealing (no `dp2.` prefix) is sealed as it is.
    func rewriteBatch(of table: EncryptedTable, after: UUID?, keyID current: String, limit batchSize: Int,
                      sealingPlaintext: Bool = false) async throws -> (last: UUID?, rewritten: Int, failed: Int) {
        let sealedPrefix = table.rowBound ? FieldCipher.boundPrefix : FieldCipher.prefix
        let prefix = "\(sealedPrefix).\(current).%"
        return try await database.db().transaction { tx in
            let sql = tx.sql
            var select = sql.select().column("id").columns(table.columns.map { SQLIdentifier($0) }).from(table.table)
            if let after { select = select.where("id", .greaterThan, after) }
            if let only = table.only { select = select.where(SQLIdentifier(only.column), .equal, only.value) }
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
    }
}
