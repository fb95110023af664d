import Foundation
import Logging
import ServiceLifecycle

/// The background work behind notification e-mail, each a leased job so that one instance does it.
enum NotificationJobs {
    static let senderName = "mail-outbox"
    static let digestName = "notification-digest"

    /// The outbox sender and the digest job. When e-mail is off only the sweep runs, which
    /// expires and later deletes what the outbox collected.
    static func services(_ config: AppConfig, database: AppDatabase, logger: Logger) -> [any Service] {
        guard let smtp = config.mail.smtp else {
            return [LeasedJob(name: senderName, interval: .seconds(600), database: database, logger: logger) { db, now in
                try await Outbox.sweep(now: now, on: db)
            }]
        }
        logger.info("e-mail on", metadata: ["smtp": "\(smtp)"])
        let sender = OutboxSender(settings: smtp, baseURL: config.baseURL)
        let hour = config.mail.digestHour
        return [
            // A long lease: a slow SMTP server must not let a second instance send the same batch meanwhile.
            LeasedJob(name: senderName, interval: config.mail.sendInterval, leaseDuration: .seconds(300), database: database,
                      logger: logger) { db, now in
                try await sender.run(now: now, on: db)
            },
            LeasedJob(name: digestName, interval: .seconds(300), database: database, logger: logger) { db, now in
                try await Notifications.queueDigests(now: now, hour: hour, on: db)
            },
        ]
    }
}
