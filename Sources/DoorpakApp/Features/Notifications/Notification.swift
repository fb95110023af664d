import FluentKit
import Foundation
import SQLKit

/// Why someone is told something. Each kind has a fixed text per language (`notifications.kinds.*`
/// and `notifications.mail.*`); a kind another feature adds needs those texts too.
enum NotificationKind: String, Codable, CaseIterable, Sendable {
    /// A report (or case) was assigned to you or your organisation.
    case assigned
    case handOverRequested = "hand_over_requested"
    case handOverAccepted = "hand_over_accepted"
    case handOverDeclined = "hand_over_declined"
    case actionAssigned = "action_assigned"
    case actionDue = "action_due"
    case escalated
    case breakGlassUsed = "break_glass_used"
    case caseDirectorRequested = "case_director_requested"
    case caseDirectorClaimed = "case_director_claimed"
    /// The person asked to take over a case's direction declined (told to whoever asked).
    case caseDirectorDeclined = "case_director_declined"
    /// A report was routed or handed to your organisation's (or team's) queue without an owner.
    case queued
    /// Several organisations (or several reports in a short time) concern the same person.
    case repeatConcern = "repeat_concern"
    case caseMemberAdded = "case_member_added"
    case caseMemberRemoved = "case_member_removed"
    /// A case meeting your organisation is invited to was planned, or changed.
    case meetingPlanned = "meeting_planned"
    case meetingChanged = "meeting_changed"
    /// A cooling-off placement waits for your approval; or yours was approved or refused.
    case placementRequested = "placement_requested"
    case placementApproved = "placement_approved"
    case placementRefused = "placement_refused"
}

/// One thing to tell one user. Carries a reference (`DP-2026-000123`) and a link path only —
/// never a description, a name or a category — because it may leave the system by e-mail.
struct Notice: Sendable, Equatable {
    let recipient: UUID
    let kind: NotificationKind
    /// The record's public reference, e.g. `DP-2026-000123`.
    let reference: String
    /// A path inside Doorpak, e.g. `/reports/DP-2026-000123`.
    let link: String
    /// Cannot wait for tomorrow's digest: mailed at once to everyone who wants e-mail at all.
    let urgent: Bool

    init(recipient: UUID, kind: NotificationKind, reference: String, link: String, urgent: Bool = false) {
        self.recipient = recipient
        self.kind = kind
        self.reference = reference
        self.link = link
        self.urgent = urgent
    }
}

/// A notification in a user's in-app list.
final class Notification: Model, @unchecked Sendable {
    static let schema = "notifications"
    @ID(key: .id) var id: UUID?
    @Field(key: "recipient_id") var recipientID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "reference") var reference: String
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    /// When it went out by e-mail (immediately, or in a digest); `nil` while not mailed.
    @OptionalField(key: "mailed_at") var mailedAt: Date?

    init() {}
    init(_ notice: Notice, at: Date) {
        recipientID = notice.recipient
        kind = notice.kind.rawValue
        reference = notice.reference
        link = notice.link
        createdAt = at
    }

    var notificationKind: NotificationKind? { NotificationKind(rawValue: kind) }
}

/// How a user wants notifications by e-mail.
enum MailPreference: String, Codable, CaseIterable, Sendable {
    case off
    case immediately
    /// One e-mail a day listing what came in since the last one.
    case daily

    /// Without a saved choice: immediately (e-mail is off for the whole installation until SMTP is configured).
    static let standard = MailPreference.immediately
}

/// Which reports arriving without an owner in a user's intake queue (their organisation's or
/// team's) they are told of. High and critical ones are mailed at once to those who want e-mail at
/// all (also on a daily digest): they cannot wait until tomorrow.
enum QueuePreference: String, Codable, CaseIterable, Sendable {
    /// High and critical urgency only.
    case urgent
    case all
    case none

    static let standard = QueuePreference.urgent

    func wants(_ urgency: Urgency) -> Bool {
        switch self {
        case .all: true
        case .urgent: urgency >= .high
        case .none: false
        }
    }
}

/// A user's notification settings. No row means the defaults.
final class NotificationSetting: Model, @unchecked Sendable {
    static let schema = "notification_settings"
    @ID(custom: "user_id", generatedBy: .user) var id: UUID?
    @Field(key: "mail") var mail: String
    /// The language of the e-mails: the interface language the user had when they saved the choice.
    @Field(key: "language") var language: String
    /// The local day (yyyy-MM-dd) of the last digest, so a digest goes out once a day at most.
    @OptionalField(key: "last_digest_on") var lastDigestOn: String?
    /// Which reports arriving in the user's intake queue are told (`QueuePreference`); `nil`: the default.
    @OptionalField(key: "queue") var queue: String?

    init() {}
    init(userID: UUID, mail: MailPreference, language: Language) {
        id = userID
        self.mail = mail.rawValue
        self.language = language.rawValue
    }

    var mailPreference: MailPreference { MailPreference(rawValue: mail) ?? .standard }
    var queuePreference: QueuePreference { queue.flatMap(QueuePreference.init(rawValue:)) ?? .standard }
    var mailLanguage: Language { Language(rawValue: language) ?? .nl }
}

struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Notification.schema)
            .id()
            .field("recipient_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("reference", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .field("mailed_at", .datetime)
            .create()
        // The list (newest first per user) and the unread count in the navigation.
        try await database.sql.create(index: "notifications_recipient_created").on(Notification.schema)
            .column("recipient_id").column("created_at").run()
        try await database.sql.create(index: "notifications_recipient_read").on(Notification.schema)
            .column("recipient_id").column("read_at").run()
        try await database.schema(NotificationSetting.schema)
            .field("user_id", .uuid, .identifier(auto: false), .references(User.schema, .id, onDelete: .cascade))
            .field("mail", .string, .required)
            .field("language", .string, .required)
            .field("last_digest_on", .string)
            .create()
        try await database.schema(OutboxMessage.schema)
            .id()
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime)
            .field("sent_at", .datetime)
            .field("last_error", .string)
            .create()
        try await database.sql.create(index: "outbox_due").on(OutboxMessage.schema)
            .column("sent_at").column("next_attempt_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema).delete()
        try await database.schema(NotificationSetting.schema).delete()
        try await database.schema(Notification.schema).delete()
    }
}
