import FluentKit
import SQLKit

/// Teams within organisations and the intake queues (issue 12): users, routing rules and reports
/// may name a team; users choose which queue notices they want; and every list of "Mijn werk"
/// and its navigation count is served by an index (the queues and the district lists had none).
struct AddTeamsAndQueues: AsyncMigration {
    static let indexes: [(table: String, name: String, columns: [String])] = [
        (Report.schema, "reports_queue", ["organisation_id", "owner_id", "status"]),
        (Report.schema, "reports_team_queue", ["team_id", "owner_id", "status"]),
        (Handover.schema, "handovers_district", ["district_id", "status"]),
        (Action.schema, "actions_district", ["district_id", "status"]),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema(Team.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("name", .string, .required)
            .field("lead_id", .uuid, .references(User.schema, "id"))
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organisation_id", "name")
            .create()
        try await database.schema(User.schema).field("team_id", .uuid, .references(Team.schema, "id")).update()
        try await database.schema(RoutingRule.schema).field("team_id", .uuid, .references(Team.schema, "id")).update()
        try await database.schema(Report.schema).field("team_id", .uuid, .references(Team.schema, "id")).update()
        // Which queue notices a user wants: `urgent` (high and critical, the default), `all`, `none`.
        try await database.schema(NotificationSetting.schema).field("queue", .string).update()
        for index in Self.indexes {
            var builder = database.sql.create(index: index.name).on(index.table)
            for column in index.columns { builder = builder.column(column) }
            try await builder.run()
        }
    }

    func revert(on database: any Database) async throws {
        for index in Self.indexes { try await database.sql.drop(index: index.name).run() }
        try await database.schema(NotificationSetting.schema).deleteField("queue").update()
        try await database.schema(Report.schema).deleteField("team_id").update()
        try await database.schema(RoutingRule.schema).deleteField("team_id").update()
        try await database.schema(User.schema).deleteField("team_id").update()
        try await database.schema(Team.schema).delete()
    }
}
