import FluentKit
import Foundation
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Notifications on the databases: sending inside a transaction, e-mail queueing, the digest,
/// the sender's bookkeeping, the page, the account preference and the API.
@Suite struct NotificationsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func notice(_ world: TestWorld, _ persona: TestWorld.Persona, _ kind: NotificationKind = .assigned, _ reference: String? = nil) -> Notice {
        let reference = reference ?? world.reportNorth
        return Notice(recipient: world.users[persona]!, kind: kind, reference: reference, link: "/reports/\(reference)")
    }

    func setPreference(_ world: TestWorld, _ persona: TestWorld.Persona, _ mail: MailPreference, on database: AppDatabase) async throws {
        try await NotificationSetting(userID: world.users[persona]!, mail: mail, language: .en).create(on: database.db())
    }

    @Test(arguments: TestDatabase.available)
    func sendRecordsNoticesAndQueuesMailOnlyForThoseWhoWantItNow(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            try await setPreference(world, .police, .off, on: db)
            try await setPreference(world, .ggd, .daily, on: db)
            // staffNorth has no saved choice: the default, immediately.
            let inactive = try #require(try await User.find(world.users[.analyst]!, on: db.db()))
            inactive.active = false
            try await inactive.update(on: db.db())
            try await db.db().transaction { tx in
                try await Notifications.send([
                    notice(world, .police), notice(world, .ggd), notice(world, .staffNorth), notice(world, .staffNorth),
                    notice(world, .analyst), Notice(recipient: UUID(), kind: .assigned, reference: world.reportNorth, link: "/x"),
                ], on: tx, now: now)
            }
            let rows = try await DoorpakApp.Notification.query(on: db.db()).all()
            #expect(Set(rows.map(\.recipientID)) == [world.users[.police]!, world.users[.ggd]!, world.users[.staffNorth]!])
            #expect(rows.count == 3, "the repeated notice is recorded once; inactive and unknown users are skipped")
            let outbox = try await OutboxMessage.query(on: db.db()).all()
            #expect(outbox.map(\.recipient) == [TestWorld.Persona.staffNorth.email])
            let mail = try #require(outbox.first)
            #expect(mail.subject.contains(world.reportNorth))
            #expect(mail.body.contains("\(Outbox.base)/reports/\(world.reportNorth)"))
            #expect(!mail.body.contains("Vechtpartij"), "never the description")
            #expect(!mail.body.contains("Staffnorth"), "never a name")
            #expect(rows.first { $0.recipientID == world.users[.staffNorth]! }?.mailedAt != nil)
            #expect(rows.first { $0.recipientID == world.users[.ggd]! }?.mailedAt == nil, "waits for the digest")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRolledBackChangeLeavesNoNoticeAndNoMail(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await db.db().transaction { tx in
                    try await Notifications.send([notice(world, .staffNorth)], on: tx, now: now)
                    throw Abort()
                }
            }
            #expect(try await DoorpakApp.Notification.query(on: db.db()).count() == 0)
            #expect(try await OutboxMessage.query(on: db.db()).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func assigningAReportNotifiesTheNewOwnerButNotWhoTookItThemselves(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            let store = ReportStore(database: db)
            let coordinator = try #require(try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db.db()))
            let report = try await store.find(reference: world.reportNorth, by: coordinator)
            // A colleague in the responsible organisation (the police), then the coordinator themselves.
            try await store.assign(report, urgency: nil, owner: .some(world.users[.police]!), organisation: nil, reason: nil, by: coordinator)
            try await store.assign(report, urgency: nil, owner: .some(world.users[.coordinatorNorth]!), organisation: nil, reason: nil, by: coordinator)
            let rows = try await DoorpakApp.Notification.query(on: db.db()).all()
            #expect(rows.map(\.recipientID) == [world.users[.police]!])
            #expect(rows.first?.kind == "assigned")
            #expect(rows.first?.reference == world.reportNorth)
            #expect(rows.first?.link == "/reports/\(world.reportNorth)")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDigestGoesOutOncePerUserPerDayWithWhatWasNotMailedYet(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            try await setPreference(world, .ggd, .daily, on: db)
            try await setPreference(world, .police, .daily, on: db)
            let morning = Digest.amsterdamMorning(of: now, hour: 8)
            // From before the digest's window (e-mail was off then): never mailed later.
            try await Notifications.send([notice(world, .ggd, .assigned, "DP-2099-000001")], on: db.db(),
                                         now: morning.addingTimeInterval(-Digest.window - 60))
            try await Notifications.send([notice(world, .ggd), notice(world, .ggd, .escalated, world.reportSouth), notice(world, .staffNorth)],
                                         on: db.db(), now: morning.addingTimeInterval(-3600 * 10))
            #expect(try await Notifications.queueDigests(now: morning.addingTimeInterval(-3600 * 2), hour: 7, on: db.db()) == 0, "before 07:00")
            async let first = Notifications.queueDigests(now: morning, hour: 7, on: db.db())
            async let second = Notifications.queueDigests(now: morning, hour: 7, on: db.db())
            #expect(try await first + second == 1, "the police officer had nothing; the GGD user gets one digest")
            let digests = try await OutboxMessage.query(on: db.db()).filter(\.$recipient == TestWorld.Persona.ggd.email).all()
            #expect(digests.count == 1)
            let body = try #require(digests.first?.body)
            #expect(body.contains(world.reportNorth) && body.contains(world.reportSouth))
            #expect(!body.contains("DP-2099-000001"))
            #expect(try await Notifications.queueDigests(now: morning.addingTimeInterval(3600 * 6), hour: 7, on: db.db()) == 0, "once a day")
            // Something new, the next day: a new digest with only that.
            try await Notifications.send([notice(world, .ggd, .actionDue)], on: db.db(), now: morning.addingTimeInterval(3600 * 7))
            #expect(try await Notifications.queueDigests(now: morning.addingTimeInterval(86_400), hour: 7, on: db.db()) == 1)
            let next = try await OutboxMessage.query(on: db.db()).filter(\.$recipient == TestWorld.Persona.ggd.email).sort(\.$createdAt).all()
            #expect(next.count == 2)
            #expect(next.last?.body.contains(world.reportSouth) == false)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theSenderMarksSentRetriesWithBackoffAndGivesUpOnPermanentRefusals(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            for address in ["ok@example.nl", "busy@example.nl", "gone@example.nl"] {
                try await Outbox.enqueue([OutboxMessage(recipient: address, subject: "s", body: "See \(Outbox.base)/notifications", at: now)], on: db.db())
            }
            let delivered = Delivered()
            let sender = OutboxSender(from: "doorpak@example.nl", baseURL: "https://doorpak.example.nl") { messages in
                await delivered.add(messages)
                return messages.map { message in
                    switch message.to {
                    case "busy@example.nl": .failed(SMTPError(stage: .rcptTo, reply: 451))
                    case "gone@example.nl": .failed(SMTPError(stage: .rcptTo, reply: 550))
                    default: .sent
                    }
                }
            }
            #expect(try await sender.run(now: now, on: db.db()) == .init(sent: 1, failed: 2))
            #expect(await delivered.messages.first?.body == "See https://doorpak.example.nl/notifications")
            let rows = Dictionary(uniqueKeysWithValues: try await OutboxMessage.query(on: db.db()).all().map { ($0.recipient, $0) })
            #expect(rows["ok@example.nl"]?.sentAt != nil)
            #expect(rows["busy@example.nl"]?.nextAttemptAt == now.addingTimeInterval(60))
            #expect(rows["busy@example.nl"]?.lastError == "smtp_rcpt_to_451")
            #expect(rows["gone@example.nl"]?.nextAttemptAt == nil)
            #expect(rows["gone@example.nl"]?.lastError == "gave_up:smtp_rcpt_to_550")
            // Nothing is due until the back-off has passed; then only the busy one is tried again.
            #expect(try await sender.run(now: now.addingTimeInterval(59), on: db.db()) == .init())
            #expect(try await sender.run(now: now.addingTimeInterval(60), on: db.db()) == .init(sent: 0, failed: 1))
            #expect(try await OutboxMessage.query(on: db.db()).filter(\.$recipient == "busy@example.nl").first()?.nextAttemptAt
                    == now.addingTimeInterval(60 + 120))
            // Past the maximum age an unsent message is dropped, not sent late.
            #expect(try await sender.run(now: now.addingTimeInterval(Outbox.maxAge + 1), on: db.db()) == .init())
            #expect(try await OutboxMessage.query(on: db.db()).filter(\.$recipient == "busy@example.nl").first()?.lastError == "expired")
        }
    }

    // MARK: Page, preference and API

    @Test(arguments: TestDatabase.available)
    func thePageListsOnlyMyNotificationsMarksUnreadInWordsAndCountsThemInTheNavigation(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            try await Notifications.send([notice(world, .staffNorth), notice(world, .staffNorth, .escalated, "DP-2099-000009"),
                                          notice(world, .police, .actionDue, "DP-2099-000077")], on: db.db(), now: now)
        }
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.staffNorth)
            let page = try await browser.get("/notifications")
            #expect(page.status == .ok)
            #expect(page.text.contains("href=\"/reports/\(world.reportNorth)\""))
            #expect(page.text.contains("DP-2099-000009"))
            #expect(!page.text.contains("DP-2099-000077"), "someone else's notification")
            #expect(page.text.components(separatedBy: "class=\"tag notification-new\">Nieuw<").count == 3)
            #expect(page.text.contains("<span class=\"nav-count\">2<span class=\"visually-hidden\"> ongelezen</span></span>"))
            let marked = try await browser.post("/notifications/read", [])
            #expect(marked.status == .seeOther)
            let after = try await browser.get("/notifications?marked=1")
            #expect(after.text.contains("id=\"marked-read\""))
            #expect(!after.text.contains("nav-count"))
            #expect(!after.text.contains("notification-new"))
            // Without the form's token the post is refused.
            #expect(try await browser.post("/notifications/read", [], csrf: false).status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theAccountPageSavesTheMailPreference(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.police)
            let account = try await browser.get("/account")
            #expect(account.text.contains("id=\"notification-preference-form\""))
            #expect(account.text.contains("id=\"mail-immediately\" name=\"mail\" value=\"immediately\" checked"))
            #expect(account.text.contains("id=\"mail-off-hint\""), "says that this installation sends no e-mail")
            let saved = try await browser.post("/account/notifications", [("mail", "daily")])
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/account?notifications=saved#notification-preference")
            let again = try await browser.get("/account?notifications=saved")
            #expect(again.text.contains("id=\"mail-daily\" name=\"mail\" value=\"daily\" checked"))
            #expect(again.text.contains("id=\"preference-saved\""))
            #expect(try await browser.post("/account/notifications", [("mail", "hourly")]).status == .unprocessableContent)
        }
        try await world.withDatabase { db async throws in
            #expect(try await NotificationSetting.find(world.users[.police]!, on: db.db())?.mailPreference == .daily)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theAPIPagesMarksReadAndChangesThePreference(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await world.withDatabase { db async throws in
            for index in 1...5 {
                try await Notifications.send([notice(world, .ggd, .assigned, String(format: "DP-2099-%06d", index))], on: db.db(),
                                             now: now.addingTimeInterval(Double(index)))
            }
            try await Notifications.send([notice(world, .police, .assigned, "DP-2099-000099")], on: db.db(), now: now)
        }
        let token = try await world.token(for: .ggd)
        let otherToken = try await world.token(for: .police)
        try await buildApplication(world.config).test(.router) { client in
            let api = APIClient(client: client, token: token)
            let first = try await api.get("/api/v1/notifications?limit=2")
            #expect(first.status == .ok)
            #expect(try first.items().compactMap { $0["reference"] as? String } == ["DP-2099-000005", "DP-2099-000004"])
            #expect(try first.object()["unreadCount"] as? Int == 5)
            let next = try #require(try first.object()["next"] as? String)
            let second = try await api.get("/api/v1/notifications?limit=2&cursor=\(next)")
            #expect(try second.items().compactMap { $0["reference"] as? String } == ["DP-2099-000003", "DP-2099-000002"])
            #expect(try await api.get("/api/v1/notifications?cursor=junk").invalidParams() == ["cursor"])
            let id = try #require(try first.items().first?["id"] as? String)
            // Someone else's id is ignored: nothing of theirs can be touched.
            let foreign = try await APIClient(client: client, token: otherToken).post("/api/v1/notifications/read", ["ids": [id]])
            #expect(try foreign.object()["marked"] as? Int == 0)
            let marked = try await api.post("/api/v1/notifications/read", ["ids": [id]])
            #expect(try marked.object()["marked"] as? Int == 1)
            #expect(try marked.object()["unreadCount"] as? Int == 4)
            #expect(try await api.post("/api/v1/notifications/read", ["all": true]).object()["unreadCount"] as? Int == 0)
            #expect(try await api.post("/api/v1/notifications/read", [:]).invalidParams() == ["ids"])
            let settings = try await api.get("/api/v1/me/notification-settings")
            #expect(try settings.object()["mail"] as? String == "immediately")
            #expect(try settings.object()["mailEnabled"] as? Bool == false)
            let changed = try await api.patch("/api/v1/me/notification-settings", ["mail": "off", "language": "en"])
            #expect(try changed.object()["mail"] as? String == "off")
            #expect(try changed.object()["language"] as? String == "en")
            #expect(try await api.patch("/api/v1/me/notification-settings", ["mail": "hourly"]).invalidParams() == ["mail"])
            #expect(try await APIClient(client: client, token: nil).get("/api/v1/notifications").status == .unauthorized)
        }
    }
}

actor Delivered {
    var messages: [MailMessage] = []
    func add(_ batch: [MailMessage]) { messages += batch }
}

extension Digest {
    /// `hour` o'clock in Amsterdam on the local day of `date` (tests).
    static func amsterdamMorning(of date: Date, hour: Int) -> Date {
        var parts = Formats.calendar.dateComponents([.year, .month, .day], from: date)
        parts.hour = hour
        return Formats.calendar.date(from: parts)!
    }
}
