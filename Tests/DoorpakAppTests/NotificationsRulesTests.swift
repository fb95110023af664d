import Foundation
import Testing
@testable import DoorpakApp

/// The notification and e-mail rules that need no database: back-off, digest timing and grouping,
/// message rendering, and the fixed texts.
@Suite struct NotificationsRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    // MARK: Outbox back-off

    @Test func backoffDoublesFromAMinuteAndStopsAtTwoHours() {
        #expect((1...9).map { Outbox.backoff(afterAttempts: $0) } == [60, 120, 240, 480, 960, 1920, 3840, 7200, 7200])
        #expect(Outbox.backoff(afterAttempts: 0) == 60)
    }

    @Test func aMessageIsRetriedUntilTheLastAttemptThenGivenUp() {
        #expect(Outbox.nextAttempt(afterFailure: 1, createdAt: t0, now: t0) == t0.addingTimeInterval(60))
        #expect(Outbox.nextAttempt(afterFailure: Outbox.maxAttempts - 1, createdAt: t0, now: t0) != nil)
        #expect(Outbox.nextAttempt(afterFailure: Outbox.maxAttempts, createdAt: t0, now: t0) == nil)
    }

    @Test func aMessageThatWouldGoOutTooLateIsGivenUp() {
        let late = t0.addingTimeInterval(Outbox.maxAge - 30)
        #expect(Outbox.nextAttempt(afterFailure: 1, createdAt: t0, now: late) == nil)
        #expect(Outbox.nextAttempt(afterFailure: 1, createdAt: t0, now: late.addingTimeInterval(-60)) != nil)
    }

    @Test func linksAreCompletedWithThePublicURL() {
        let body = "Open: \(Outbox.base)/reports/DP-2026-000001\nSettings: \(Outbox.base)/account"
        #expect(Outbox.resolve(body, base: "https://doorpak.example.nl/") == "Open: https://doorpak.example.nl/reports/DP-2026-000001\nSettings: https://doorpak.example.nl/account")
    }

    // MARK: Digest

    /// 2026-11-29 in Amsterdam (UTC+1).
    func amsterdam(_ hour: Int, _ minute: Int = 0, day: Int = 29) -> Date {
        var parts = DateComponents(year: 2026, month: 11, day: day, hour: hour, minute: minute)
        parts.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        return Calendar(identifier: .gregorian).date(from: parts)!
    }

    @Test func aDigestIsDueOnceADayAfterTheHourInAmsterdamTime() {
        #expect(Digest.dueDay(now: amsterdam(6, 59), lastDigestOn: nil, hour: 7) == nil)
        #expect(Digest.dueDay(now: amsterdam(7), lastDigestOn: nil, hour: 7) == "2026-11-29")
        #expect(Digest.dueDay(now: amsterdam(7), lastDigestOn: "2026-11-28", hour: 7) == "2026-11-29")
        #expect(Digest.dueDay(now: amsterdam(23, 59), lastDigestOn: "2026-11-29", hour: 7) == nil)
        // 00:30 in Amsterdam is still the previous evening in UTC: the local day counts.
        #expect(Digest.dueDay(now: amsterdam(0, 30, day: 30), lastDigestOn: "2026-11-29", hour: 0) == "2026-11-30")
    }

    @Test func digestLinesAreOldestFirstAndListTheSameThingOnce() {
        func item(_ kind: NotificationKind, _ reference: String, _ offset: TimeInterval) -> DoorpakApp.Notification {
            DoorpakApp.Notification(Notice(recipient: UUID(), kind: kind, reference: reference, link: "/reports/\(reference)"),
                                    at: t0.addingTimeInterval(offset))
        }
        let lines = Digest.lines([
            item(.escalated, "DP-2026-000002", 30), item(.assigned, "DP-2026-000001", 10),
            item(.assigned, "DP-2026-000001", 20), item(.actionDue, "DP-2026-000001", 40),
        ])
        #expect(lines == [
            .init(kind: .assigned, reference: "DP-2026-000001", link: "/reports/DP-2026-000001"),
            .init(kind: .escalated, reference: "DP-2026-000002", link: "/reports/DP-2026-000002"),
            .init(kind: .actionDue, reference: "DP-2026-000001", link: "/reports/DP-2026-000001"),
        ])
    }

    // MARK: Texts

    @Test(arguments: Language.allCases)
    func everyKindHasItsOwnTextsInEveryLanguage(_ language: Language) {
        let t = MailTexts.locales[language]
        for kind in NotificationKind.allCases {
            for key in ["notifications.kinds.\(kind.rawValue)", "notifications.mail.lines.\(kind.rawValue)"] {
                #expect(t.text(key) != key, "\(language): \(key) is missing")
            }
        }
    }

    @Test(arguments: Language.allCases)
    func aMailCarriesTheReferenceAndTheLinkAndNothingElseFromTheRecord(_ language: Language) {
        for kind in NotificationKind.allCases {
            let notice = Notice(recipient: UUID(), kind: kind, reference: "DP-2026-000123", link: "/reports/DP-2026-000123")
            let text = MailTexts.immediate(notice, language: language)
            #expect(text.subject.contains("DP-2026-000123"))
            #expect(text.body.contains("DP-2026-000123"))
            #expect(text.body.contains("\(Outbox.base)/reports/DP-2026-000123"))
            #expect(!Outbox.resolve(text.body, base: "https://x").contains("{"), "an unfilled placeholder in \(kind)")
        }
        let digest = MailTexts.digest([.init(kind: .assigned, reference: "DP-2026-000001", link: "/reports/DP-2026-000001"),
                                       .init(kind: nil, reference: "DP-2026-000002", link: "/reports/DP-2026-000002")], language: language)
        #expect(digest.subject.contains("2"))
        #expect(digest.body.contains("- DP-2026-000001: "))
        #expect(digest.body.contains("\(Outbox.base)/reports/DP-2026-000002"))
        let long = (1...(Digest.maxLines + 3)).map { Digest.Line(kind: .escalated, reference: String(format: "DP-2026-%06d", $0), link: "/r/\($0)") }
        let capped = MailTexts.digest(long, language: language).body
        #expect(capped.contains(String(format: "DP-2026-%06d", Digest.maxLines)))
        #expect(!capped.contains(String(format: "DP-2026-%06d", Digest.maxLines + 1)))
        #expect(capped.contains(MailTexts.locales[language].text("notifications.mail.digest_more", ["count": "3"])))
    }

    // MARK: Messages

    @Test func aMessageHasTheHeadersAMailServerExpects() {
        let message = MailMessage(from: "doorpak@example.nl", to: "a@example.nl", subject: "Doorpak: DP-2026-000001 – geëscaleerd\r\nBcc: x@evil",
                                  body: "Hallo,\n.\n..punt\nEinde", date: t0, id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)
        let rendered = message.rendered(eightBit: true)
        let (head, body) = split(rendered)
        #expect(head.contains("Date: Fri, 15 Jan 2027 09:00:00 +0100"))
        #expect(head.contains("Message-ID: <00000000-0000-0000-0000-000000000001@example.nl>"))
        #expect(head.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(head.contains("MIME-Version: 1.0"))
        #expect(head.contains("Subject: =?UTF-8?B?"))
        #expect(!head.contains("Bcc"), "a line break in the subject must not start a header")
        #expect(body == "Hallo,\r\n.\r\n..punt\r\nEinde")
        #expect(MailMessage.dotStuffed(rendered).hasSuffix("Hallo,\r\n..\r\n...punt\r\nEinde"))
    }

    @Test func withoutEightBitTheBodyGoesAsBase64() {
        let message = MailMessage(from: "d@example.nl", to: "a@example.nl", subject: "Plain", body: "Café\nDP-2026-000001", date: t0)
        let (head, body) = split(message.rendered(eightBit: false))
        #expect(head.contains("Subject: Plain"))
        #expect(head.contains("Content-Transfer-Encoding: base64"))
        let decoded = String(decoding: Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))!, as: UTF8.self)
        #expect(decoded == "Café\r\nDP-2026-000001")
    }

    @Test func smtpSettingsRefuseCredentialsWithoutTLSAndNeverShowThePassword() {
        var settings = SMTPSettings(host: "smtp.example.nl", port: 587, security: .starttls, username: "u", password: "hunter2", from: "d@example.nl")
        #expect(settings.problem == nil)
        #expect(!settings.description.contains("hunter2"))
        settings.security = .none
        #expect(settings.problem != nil)
        settings.password = nil
        #expect(settings.problem != nil)
        #expect(SMTPSettings(host: "h", port: 25, security: .none, from: "no-address").problem != nil)
    }

    @Test func onlyFiveHundredsOnTheMessageItselfArePermanent() {
        #expect(SMTPError(stage: .rcptTo, reply: 550).isPermanentForMessage)
        #expect(!SMTPError(stage: .rcptTo, reply: 451).isPermanentForMessage)
        #expect(!SMTPError(stage: .auth, reply: 535).isPermanentForMessage)
        #expect(!SMTPError(stage: .connect, reply: nil).isPermanentForMessage)
        #expect(SMTPError(stage: .rcptTo, reply: 550).code == "smtp_rcpt_to_550")
    }

    @Test func cursorsRoundTripAndRejectJunk() {
        let cursor = NotificationCursor(createdAt: t0, id: UUID())
        #expect(NotificationCursor(encoded: cursor.encoded) == cursor)
        #expect(NotificationCursor(encoded: "bm9wZQ") == nil)
        #expect(NotificationCursor(encoded: "!!") == nil)
    }

    private func split(_ message: String) -> (String, String) {
        let range = message.range(of: "\r\n\r\n")!
        return (String(message[..<range.lowerBound]), String(message[range.upperBound...]))
    }
}
