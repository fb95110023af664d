import Foundation

/// One plain-text e-mail in UTF-8, rendered as an RFC 5322 message.
struct MailMessage: Sendable, Equatable {
    let from: String
    let to: String
    let subject: String
    let body: String
    let date: Date
    /// Unique per message: `<uuid@sender-domain>`.
    let messageID: String

    init(from: String, to: String, subject: String, body: String, date: Date, id: UUID = UUID()) {
        self.from = from
        self.to = to
        // Header values never carry line breaks (no header injection through a subject).
        self.subject = subject.components(separatedBy: .newlines).joined(separator: " ")
        self.body = body
        self.date = date
        let domain = from.split(separator: "@").last.map(String.init) ?? "doorpak.localhost"
        messageID = "<\(id.uuidString.lowercased())@\(domain)>"
    }

    /// Headers and body with CRLF line ends. The body goes as 8bit when the server accepts
    /// 8BITMIME, else as base64; the subject is an RFC 2047 word when it is not plain ASCII.
    func rendered(eightBit: Bool) -> String {
        var headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedWord(subject))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Auto-Submitted: auto-generated",
        ]
        let text = Self.crlf(body)
        if eightBit {
            headers.append("Content-Transfer-Encoding: 8bit")
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + text
        }
        headers.append("Content-Transfer-Encoding: base64")
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded
    }

    /// Every line end as CRLF.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }

    /// RFC 5321 §4.5.2: a line that starts with a dot gets a second one, so it cannot end DATA.
    static func dotStuffed(_ data: String) -> String {
        data.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
    }

    /// `=?UTF-8?B?…?=` for non-ASCII text; plain ASCII stays as it is.
    static func encodedWord(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
