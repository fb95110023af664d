import Foundation

/// A table with encrypted columns, as key rotation sees it. Each feature that seals values lists
/// its table in `EncryptedColumns.all`, so that `doorpak keys rotate` re-encrypts it.
struct EncryptedTable: Sendable {
    let table: String
    /// Sealed columns (nullable columns are fine).
    let columns: [String]
    /// Blind-index columns, recomputed from the opened value of `source` with `normalise`.
    let indexes: [BlindIndexColumn]
    /// Values sealed with `FieldCipher.seal(_:in:)`: bound to this table, their column and the row's `id`.
    var rowBound = false
    /// Only the rows where this column holds this value are sealed (a case's actions, not a report's).
    var only: (column: String, value: String)? = nil
}

struct BlindIndexColumn: Sendable {
    let column: String
    let source: String
    let normalise: @Sendable (String) -> String
}

enum EncryptedColumns {
    /// Every encrypted table. Add yours here.
    static let all: [EncryptedTable] = [PersonRecord.encrypted, TwoFactorCredential.encrypted, CaseNote.encrypted,
                                        CaseMeetingItem.encrypted, CaseMeetingDecision.encrypted,
                                        PersonCorrection.encrypted, CaseGoal.encrypted, CaseFile.encrypted, CaseEvent.encrypted,
                                        Action.encryptedForCases, ConcernItem.encrypted]
}
