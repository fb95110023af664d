import Foundation

/// E-mail settings. Off by default: without an SMTP host nothing is sent. Notifications are then
/// still written to the outbox (for users who want e-mail), and expire there unsent after
/// `Outbox.maxAge`, so that switching SMTP on later does not send a flood of stale mail.
public struct MailConfig: Sendable {
    /// Where to deliver; `nil`: e-mail is off.
    public var smtp: SMTPSettings?
    /// How often the sender looks at the outbox.
    public var sendInterval: Duration = .seconds(15)
    /// The local hour (Europe/Amsterdam) after which daily digests are queued.
    public var digestHour = Digest.defaultHour

    public init() {}

    public var enabled: Bool { smtp != nil }
}
