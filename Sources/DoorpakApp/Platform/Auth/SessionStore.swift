import FluentKit
import Foundation
import Hummingbird
import ServiceLifecycle

/// The door to `persist_entries`: key/value storage in the database, so that sessions survive a restart and are shared by
/// every server instance. Stands in for hummingbird-fluent's driver, which is not available here.
struct DatabasePersistDriver: PersistDriver {
    private let database: AppDatabase

    init(database: AppDatabase) { self.database = database }

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let entry = PersistEntry(key: key, value: try Self.encode(value), expires: expires.map(Self.date))
        do {
            try await entry.create(on: database.db())
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw PersistError.duplicate
        }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let db = database.db()
        if let entry = try await PersistEntry.find(key, on: db) {
            entry.value = try Self.encode(value)
            if let expires { entry.expires = Self.date(expires) }
            try await entry.update(on: db)
        } else {
            try await PersistEntry(key: key, value: try Self.encode(value), expires: expires.map(Self.date)).create(on: db)
        }
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: Object.self)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let entry = try await PersistEntry.find(key, on: database.db()) else { return nil }
        var ttl: Duration?
        if let expires = entry.expires {
            let remaining = expires.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            ttl = .seconds(remaining)
        }
        guard let object = try? JSONDecoder().decode(Object.self, from: Data(entry.value.utf8)) else { return nil }
        return (object, ttl)
    }

    func remove(key: String) async throws {
        try await PersistEntry.query(on: database.db()).filter(\.$id == key).delete()
    }

    /// Deletes expired entries; run now and then.
    func removeExpired(now: Date = .now) async throws {
        try await PersistEntry.query(on: database.db()).filter(\.$expires < now).delete()
    }

    /// Nothing runs in the background here; `buildApplication` schedules `removeExpired()`.
    func run() async throws {
        try? await gracefulShutdown()
    }

    private static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
    private static func date(_ duration: Duration) -> Date {
        Date.now.addingTimeInterval(TimeInterval(duration.components.seconds))
    }
}

final class PersistEntry: Model, @unchecked Sendable {
    static let schema = "persist_entries"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String
    @OptionalField(key: "expires") var expires: Date?

    init() {}
    init(key: String, value: String, expires: Date?) {
        self.id = key
        self.value = value
        self.expires = expires
    }
}

struct CreatePersistEntries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PersistEntry.schema)
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .field("expires", .datetime)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(PersistEntry.schema).delete() }
}
