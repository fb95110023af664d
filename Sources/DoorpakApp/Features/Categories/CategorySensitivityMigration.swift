import FluentKit
import Foundation

/// Whether a category is sensitive: special-category matters (sexual violence, self-harm, confused
/// behaviour, health), whose reports' description and notes site staff read only when they
/// registered, own or are asked to act on them (`ReportPolicy.readsContent`). Administrators set it
/// on the category form. A column of `categories`, mapped on its own so that the first migration's
/// seed (which inserts `Category` rows before the column exists) stays as it shipped.
final class CategorySensitivity: Model, @unchecked Sendable {
    static let schema = Category.schema
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "sensitive") var sensitive: Bool?
    init() {}
}

/// Categories get the "sensitive" flag (issue 11); the special categories of the seed taxonomy
/// start as sensitive, every other one as not.
struct AddCategorySensitivity: AsyncMigration {
    static let sensitiveSeedCodes = ["sexual_harassment", "confused_behaviour", "self_harm"]

    func prepare(on database: any Database) async throws {
        try await database.schema(Category.schema).field("sensitive", .bool).update()
        try await CategorySensitivity.query(on: database).set(\.$sensitive, to: false).update()
        let ids = try await Category.query(on: database).filter(\.$code ~~ Self.sensitiveSeedCodes).all().compactMap(\.id)
        try await CategorySensitivity.query(on: database).filter(\.$id ~~ ids).set(\.$sensitive, to: true).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Category.schema).deleteField("sensitive").update()
    }
}
