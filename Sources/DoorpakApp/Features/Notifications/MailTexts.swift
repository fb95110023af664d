import Foundation

/// The e-mails' fixed texts, per kind and language, from `locales/*/notifications.json`.
/// They carry a reference and a link only — never a description, a name or a category — and
/// links relative to `Outbox.base`, which the sender completes with the public URL.
enum MailTexts {
    /// The shipped texts; a broken installation stops at the first use, as the page templates do.
    static let locales: Locales = {
        do { return try Locales(directory: Views.assets.appendingPathComponent("locales")) } catch {
            fatalError("cannot read the shipped locale files: \(error)")
        }
    }()

    struct Text: Equatable, Sendable {
        let subject: String
        let body: String
    }

    static func immediate(_ notice: Notice, language: Language) -> Text {
        let t = locales[language]
        let values = ["reference": notice.reference]
        let subject = t.text("notifications.mail.subject", ["what": kindText(notice.kind, language), "reference": notice.reference])
        let body = [
            t.text("notifications.mail.greeting"),
            "",
            line(notice.kind, language, values),
            "",
            t.text("notifications.mail.open"),
            Outbox.base + notice.link,
            "",
            "-- ",
            t.text("notifications.mail.why"),
            t.text("notifications.mail.settings") + " " + Outbox.base + "/account",
        ].joined(separator: "\n")
        return Text(subject: subject, body: body)
    }

    static func digest(_ lines: [Digest.Line], language: Language) -> Text {
        let t = locales[language]
        let subject = t.text("notifications.mail.digest_subject", ["count": String(lines.count)])
        var body = [t.text("notifications.mail.greeting"), "", t.text("notifications.mail.digest_intro"), ""]
        for line in lines.prefix(Digest.maxLines) {
            body.append("- \(line.reference): \(line.kind.map { kindText($0, language) } ?? t.text("notifications.kinds.other"))")
            body.append("  " + Outbox.base + line.link)
        }
        if lines.count > Digest.maxLines {
            body.append(t.text("notifications.mail.digest_more", ["count": String(lines.count - Digest.maxLines)]))
        }
        body += ["", t.text("notifications.mail.all") + " " + Outbox.base + "/notifications", "", "-- ",
                 t.text("notifications.mail.why"), t.text("notifications.mail.settings") + " " + Outbox.base + "/account"]
        return Text(subject: subject, body: body.joined(separator: "\n"))
    }

    private static func line(_ kind: NotificationKind, _ language: Language, _ values: [String: String]) -> String {
        let key = "notifications.mail.lines.\(kind.rawValue)"
        let t = locales[language]
        return t.text(key) == key ? t.text("notifications.mail.lines.other", values) : t.text(key, values)
    }

    /// The short description of a kind (also used on the notifications page).
    static func kindText(_ kind: NotificationKind, _ language: Language) -> String {
        let key = "notifications.kinds.\(kind.rawValue)"
        let text = locales[language].text(key)
        return text == key ? locales[language].text("notifications.kinds.other") : text
    }
}
