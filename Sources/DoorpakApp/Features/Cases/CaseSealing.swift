import FluentKit
import Foundation

/// Special-category text of cases is sealed at rest, bound to its row: a case's opening and closing
/// reasons, the results and cancel reasons of its actions, and the reasons of its history (phase
/// changes, direction, decisions, factor codes, and the action steps `ActionStore` writes into it).
/// Every writer goes through Fluent, so these model middlewares seal on the way in, whoever
/// writes (`CaseStore`, `ActionStore`, `EscalationStore`, `CaseMeetingStore`); the readers open
/// through `CaseStore` (`reasons(of:)`, `events(of:)`). The additional data binds table, column and
/// row id (`FieldCipher.seal(_:in:)`), so a value copied to another case or event fails to open.
/// Key rotation re-seals them (`EncryptedColumns`); text written before sealing is sealed at start-up
/// (`KeyRotation.sealWrittenBeforeSealing`).
enum CaseSealing {
    static func slot(_ file: CaseFile, _ column: String) -> SealSlot { SealSlot(table: CaseFile.schema, column: column, rowID: file.id!) }
    static func slot(_ event: CaseEvent) -> SealSlot { SealSlot(table: CaseEvent.schema, column: "reason", rowID: event.id!) }
    static func slot(_ action: Action, _ column: String) -> SealSlot { SealSlot(table: Action.schema, column: column, rowID: action.id!) }

    /// The value sealed for its slot; a value that already opens there stays as it is (a row read
    /// and saved again keeps what is sealed).
    static func sealed(_ value: String, _ slot: SealSlot, cipher: FieldCipher) throws -> String {
        if value.hasPrefix(FieldCipher.boundPrefix + "."), (try? cipher.open(value, in: slot)) != nil { return value }
        return try cipher.seal(value, in: slot)
    }

    /// Installs the middlewares on this database once (every store built on it may ask).
    static func install(on database: AppDatabase, cipher: FieldCipher) {
        // A cipher without keys (a route listing, a command that needs none) installs nothing.
        guard (try? cipher.currentKeyID) != nil else { return }
        database.installOnce("case sealing", [
            RowSealing<CaseFile>(cipher: cipher) { file, seal in
                file.openingReason = try seal(file.openingReason, slot(file, "opening_reason"))
                file.closingReason = try file.closingReason.map { try seal($0, slot(file, "closing_reason")) }
            },
            RowSealing<CaseEvent>(cipher: cipher) { event, seal in
                event.reason = try event.reason.map { try seal($0, slot(event)) }
            },
            // A case's actions only: a report's results and cancel reasons stay searchable text.
            RowSealing<Action>(cipher: cipher, applies: { $0.subject == .caseFile }) { action, seal in
                action.result = try action.result.map { try seal($0, slot(action, "result")) }
                action.cancelReason = try action.cancelReason.map { try seal($0, slot(action, "cancel_reason")) }
            },
        ])
    }
}

/// Seals a model's text columns on create and update (`CaseSealing.sealed`: what is sealed already
/// stays), after giving a new row its id, which the seal binds.
private struct RowSealing<M: Model>: AsyncModelMiddleware where M.IDValue == UUID {
    typealias Seal = (String, SealSlot) throws -> String
    let cipher: FieldCipher
    var applies: @Sendable (M) -> Bool = { _ in true }
    let columns: @Sendable (M, Seal) throws -> Void

    init(cipher: FieldCipher, applies: @escaping @Sendable (M) -> Bool = { _ in true }, columns: @escaping @Sendable (M, Seal) throws -> Void) {
        self.cipher = cipher
        self.applies = applies
        self.columns = columns
    }

    private func seal(_ model: M) throws {
        guard applies(model) else { return }
        if model.id == nil { model.id = UUID() }
        try columns(model) { value, slot in try CaseSealing.sealed(value, slot, cipher: cipher) }
    }

    func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try seal(model)
        try await next.create(model, on: db)
    }

    func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try seal(model)
        try await next.update(model, on: db)
    }
}

extension CaseStore {
    /// Opens a case action's result and cancel reason in memory (the row, saved again, seals them again).
    func open(_ action: Action) throws {
        guard action.subject == .caseFile else { return }
        action.result = try action.result.map { try persons.cipher.open($0, in: CaseSealing.slot(action, "result")) }
        action.cancelReason = try action.cancelReason.map { try persons.cipher.open($0, in: CaseSealing.slot(action, "cancel_reason")) }
    }

    struct Reasons: Sendable {
        let opening: String
        let closing: String?
    }

    /// The case's opening and closing reasons, opened (for who reads the content: the caller decides).
    func reasons(of file: CaseFile) throws -> Reasons {
        Reasons(opening: try persons.cipher.open(file.openingReason, in: CaseSealing.slot(file, "opening_reason")),
                closing: try file.closingReason.map { try persons.cipher.open($0, in: CaseSealing.slot(file, "closing_reason")) })
    }

    /// Events as stored, with their reasons opened (detached copies, never saved).
    func opened(_ events: [CaseEvent]) throws -> [CaseEvent] {
        try events.map { event in
            guard let sealed = event.reason else { return event }
            let copy = CaseEvent(caseID: event.caseID, at: event.at, actorID: event.actorID, kind: event.kind, from: event.fromValue,
                                 to: event.toValue, reason: try persons.cipher.open(sealed, in: CaseSealing.slot(event)))
            copy.id = event.id
            copy.seq = event.seq
            return copy
        }
    }
}
