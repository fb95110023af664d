import FluentKit
import Foundation

/// What an administrator submits for a report category. The code is chosen once, at creation:
/// other data (exports, routing rules) may refer to it.
struct CategoryDraft: Sendable {
    var code: String?
    var nameNL: String?
    var nameEN: String?
    var urgency: String?
    var organisationKind: String?
    var active: Bool = true
    var sensitive: Bool = false

    static let maxCodeLength = 50

    struct Valid: Sendable {
        let code: String?
        let nameNL: String
        let nameEN: String
        let urgency: Urgency
        let organisationKind: OrganisationKind
        let active: Bool
        let sensitive: Bool
    }

    /// `isNew` decides whether the code is required (and checked) or ignored.
    func validate(isNew: Bool) -> (Valid?, [FieldIssue]) {
        var issues: [FieldIssue] = []
        var code: String?
        if isNew {
            let raw = (self.code ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if raw.isEmpty {
                issues.append(FieldIssue("code", "required"))
            } else if raw.count > Self.maxCodeLength {
                issues.append(FieldIssue("code", "too_long"))
            } else if raw.range(of: "^[a-z_]+$", options: .regularExpression) == nil {
                issues.append(FieldIssue("code", "code_format"))
            } else {
                code = raw
            }
        }
        let nameNL = (self.nameNL ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let nameEN = (self.nameEN ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let issue = TextRules.check(nameNL, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("name_nl", issue)) }
        if let issue = TextRules.check(nameEN, required: true, max: NameRules.maxLength) { issues.append(FieldIssue("name_en", issue)) }
        var urgency: Urgency?
        if let raw = self.urgency.nonBlank {
            urgency = Urgency(code: raw)
            if urgency == nil { issues.append(FieldIssue("default_urgency", "unknown")) }
        } else {
            issues.append(FieldIssue("default_urgency", "required"))
        }
        var kind: OrganisationKind?
        if let raw = organisationKind.nonBlank {
            kind = OrganisationKind(rawValue: raw)
            if kind == nil { issues.append(FieldIssue("default_organisation_kind", "unknown")) }
        } else {
            issues.append(FieldIssue("default_organisation_kind", "required"))
        }
        guard issues.isEmpty, let urgency, let kind else { return (nil, issues) }
        return (Valid(code: code, nameNL: nameNL, nameEN: nameEN, urgency: urgency, organisationKind: kind, active: active, sensitive: sensitive), [])
    }
}

/// The only door to report categories (configuration data).
struct CategoryStore: Sendable {
    private let database: AppDatabase

    init(database: AppDatabase) {
        self.database = database
    }

    func all() async throws -> [Category] {
        try await Category.query(on: database.db()).sort(\.$position).sort(\.$code).all()
    }

    func find(_ id: UUID) async throws -> Category {
        guard let category = try await Category.find(id, on: database.db()) else { throw AppError.notFound }
        return category
    }

    /// Adds a category at the end of the list.
    func create(_ draft: CategoryDraft, by principal: Principal) async throws -> Category {
        let (valid, issues) = draft.validate(isNew: true)
        guard let valid, let code = valid.code else { throw AppError.invalid(issues) }
        return try await NameRules.unique("code") { try await database.db().transaction { tx in
            let existing = try await Category.query(on: tx).all()
            var conflicts: [FieldIssue] = []
            if existing.contains(where: { $0.code == code }) { conflicts.append(FieldIssue("code", "taken")) }
            conflicts += Self.nameConflicts(valid, in: existing, except: nil)
            if !conflicts.isEmpty { throw AppError.invalid(conflicts) }
            let category = Category(code: code, nameNL: valid.nameNL, nameEN: valid.nameEN, defaultUrgency: valid.urgency,
                                    defaultOrganisationKind: valid.organisationKind, active: valid.active,
                                    position: (existing.map(\.position).max() ?? 0) + 1)
            try await category.create(on: tx)
            try await Self.setSensitive(category.id!, valid.sensitive, on: tx)
            try await Audit.record(.create, "category", category.id!.uuidString, by: principal, on: tx)
            return category
        } }
    }

    func update(_ id: UUID, _ draft: CategoryDraft, by principal: Principal) async throws {
        let (valid, issues) = draft.validate(isNew: false)
        guard let valid else { throw AppError.invalid(issues) }
        try await NameRules.unique("name_nl") { try await database.db().transaction { tx in
            guard let category = try await Category.find(id, on: tx) else { throw AppError.notFound }
            let conflicts = Self.nameConflicts(valid, in: try await Category.query(on: tx).all(), except: id)
            if !conflicts.isEmpty { throw AppError.invalid(conflicts) }
            category.nameNL = valid.nameNL
            category.nameEN = valid.nameEN
            category.defaultUrgency = valid.urgency.rawValue
            category.defaultOrganisationKind = valid.organisationKind.rawValue
            category.active = valid.active
            try await category.update(on: tx)
            try await Self.setSensitive(id, valid.sensitive, on: tx)
            try await Audit.record(.update, "category", id.uuidString, by: principal, on: tx)
        } }
    }

    private static func setSensitive(_ id: UUID, _ sensitive: Bool, on tx: any Database) async throws {
        try await CategorySensitivity.query(on: tx).filter(\.$id == id).set(\.$sensitive, to: sensitive).update()
    }

    /// Whether a category is sensitive (`CategorySensitivity`).
    static func isSensitive(_ id: UUID, on db: any Database) async throws -> Bool {
        try await CategorySensitivity.find(id, on: db)?.sensitive ?? false
    }

    /// The ids of the sensitive categories.
    static func sensitiveIDs(on db: any Database) async throws -> [UUID] {
        try await CategorySensitivity.query(on: db).filter(\.$sensitive == true).all().compactMap(\.id)
    }

    func isSensitive(_ id: UUID) async throws -> Bool { try await Self.isSensitive(id, on: database.db()) }

    /// Two categories with the same name in a language would be indistinguishable in every list.
    private static func nameConflicts(_ valid: CategoryDraft.Valid, in existing: [Category], except id: UUID?) -> [FieldIssue] {
        let others = existing.filter { $0.id != id }
        var issues: [FieldIssue] = []
        if others.contains(where: { NameRules.sameName($0.nameNL, valid.nameNL) }) { issues.append(FieldIssue("name_nl", "taken")) }
        if others.contains(where: { NameRules.sameName($0.nameEN, valid.nameEN) }) { issues.append(FieldIssue("name_en", "taken")) }
        return issues
    }
}
