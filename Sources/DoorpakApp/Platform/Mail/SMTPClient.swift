import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to deliver e-mail. Built from `--smtp-*` flags; the password only ever comes
/// from the environment (`DOORPAK_SMTP_PASSWORD`) and is never printed or logged.
public struct SMTPSettings: Sendable, CustomStringConvertible {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP (a relay on the same host or network only).
        case none
        /// Plain connection upgraded with STARTTLS; refused when the server does not offer it.
        case starttls
        /// TLS from the first byte (usually port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The envelope and `From:` address.
    public var from: String
    /// The name this client gives in EHLO.
    public var heloName = "doorpak.localhost"
    public var timeout: Duration = .seconds(30)
    /// Certificates to trust instead of the system's (a test server or a private CA).
    public var trustRoots: [NIOSSLCertificate]?

    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, from: String) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
    }

    /// Trusts the certificates in a PEM file instead of the system's (`--smtp-ca-file`).
    public mutating func trust(pemFile path: String) throws {
        trustRoots = try NIOSSLCertificate.fromPEMFile(path)
    }

    /// For logs: never the password.
    public var description: String {
        "smtp://\(host):\(port) (\(security.rawValue))\(username == nil ? "" : ", with credentials")"
    }

    /// A reason these settings cannot work, or `nil`.
    public var problem: String? {
        if host.isEmpty { return "--smtp-host is empty" }
        if !(1...65535).contains(port) { return "--smtp-port is out of range" }
        if from.isEmpty || !from.contains("@") { return "--mail-from must be an e-mail address" }
        if username != nil, password == nil { return "--smtp-username is set but DOORPAK_SMTP_PASSWORD is not" }
        if username != nil, security == .none { return "SMTP credentials are only sent over TLS: use --smtp-tls starttls or tls" }
        return nil
    }
}

/// Why a delivery failed. `code` is short and fixed, safe to store: never the server's text.
struct SMTPError: Error, Sendable, Equatable {
    enum Stage: String, Sendable { case connect, greeting, ehlo, starttls, auth, mailFrom = "mail_from", rcptTo = "rcpt_to", data, quit }
    let stage: Stage
    /// The server's reply code, or `nil` for a connection, TLS or timeout failure.
    let reply: Int?

    var code: String { "smtp_\(stage.rawValue)_\(reply.map(String.init) ?? "io")" }
    /// 5xx replies to a message's own commands will not get better by retrying.
    var isPermanentForMessage: Bool { (stage == .rcptTo || stage == .data || stage == .mailFrom) && (reply ?? 0) >= 500 }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or implicit TLS, AUTH PLAIN/LOGIN,
/// then MAIL FROM / RCPT TO / DATA with dot-stuffing, for several messages over one connection.
struct SMTPClient: Sendable {
    let settings: SMTPSettings

    enum Outcome: Sendable, Equatable {
        case sent
        case failed(SMTPError)
    }

    /// Delivers `messages` over one connection. A failure on one message's envelope does not stop
    /// the others; a connection failure fails every message not yet sent.
    func send(_ messages: [MailMessage]) async -> [Outcome] {
        var outcomes: [Outcome] = []
        do {
            let session = try await SMTPSession.open(settings)
            do {
                for message in messages {
                    do {
                        try await session.deliver(message)
                        outcomes.append(.sent)
                    } catch let error as SMTPError where error.reply != nil {
                        outcomes.append(.failed(error))
                        try await session.reset()
                    }
                }
                try? await session.quit()
            } catch {
                let failure = (error as? SMTPError) ?? SMTPError(stage: .data, reply: nil)
                outcomes += Array(repeating: .failed(failure), count: messages.count - outcomes.count)
                await session.close()
            }
        } catch {
            let failure = (error as? SMTPError) ?? SMTPError(stage: .connect, reply: nil)
            outcomes = Array(repeating: .failed(failure), count: messages.count)
        }
        return outcomes
    }
}

/// One open conversation with the server.
final class SMTPSession: @unchecked Sendable {
    private let channel: NIOAsyncChannel<String, ByteBuffer>
    private var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let settings: SMTPSettings
    private(set) var extensions: Set<String> = []

    private init(channel: NIOAsyncChannel<String, ByteBuffer>, settings: SMTPSettings) throws {
        self.channel = channel
        self.settings = settings
        // The session owns the channel for its lifetime and closes it itself.
        lines = channel.inbound.makeAsyncIterator()
        outbound = channel.outbound
    }

    static func open(_ settings: SMTPSettings) async throws -> SMTPSession {
        let tls = try settings.security == .none ? nil : tlsContext(settings)
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(Int64(settings.timeout.components.seconds)))
                .connect(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if settings.security == .tls, let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(settings.host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(stage: .connect, reply: nil)
        }
        let session = try SMTPSession(channel: channel, settings: settings)
        do {
            try await session.expect(220, stage: .greeting)
            try await session.ehlo()
            if settings.security == .starttls {
                guard session.extensions.contains("STARTTLS"), let tls else { throw SMTPError(stage: .starttls, reply: nil) }
                try await session.command("STARTTLS", expect: 220, stage: .starttls)
                let handler = try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(settings.host))
                try await channel.channel.eventLoop.submit {
                    try channel.channel.pipeline.syncOperations.addHandler(handler, position: .first)
                }.get()
                // RFC 3207: forget what the server said before TLS and ask again.
                try await session.ehlo()
            }
            if let username = settings.username, let password = settings.password {
                try await session.authenticate(username: username, password: password)
            }
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    private static func tlsContext(_ settings: SMTPSettings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let roots = settings.trustRoots { configuration.trustRoots = .certificates(roots) }
        do { return try NIOSSLContext(configuration: configuration) } catch { throw SMTPError(stage: .connect, reply: nil) }
    }

    /// SNI takes host names only, not addresses.
    private static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    func deliver(_ message: MailMessage) async throws {
        let eightBit = extensions.contains("8BITMIME")
        try await command("MAIL FROM:<\(message.from)>\(eightBit ? " BODY=8BITMIME" : "")", expect: 250, stage: .mailFrom)
        try await command("RCPT TO:<\(message.to)>", expectAny: [250, 251], stage: .rcptTo)
        try await command("DATA", expect: 354, stage: .data)
        try await write(MailMessage.dotStuffed(message.rendered(eightBit: eightBit)) + "\r\n.\r\n")
        try await expect(250, stage: .data)
    }

    /// Abandons a half-sent envelope so the next message starts clean.
    func reset() async throws { try await command("RSET", expect: 250, stage: .mailFrom) }

    func quit() async throws {
        try await command("QUIT", expect: 221, stage: .quit)
        await close()
    }

    func close() async {
        outbound.finish()
        try? await channel.channel.close()
    }

    private func ehlo() async throws {
        let reply = try await command("EHLO \(settings.heloName)", expect: 250, stage: .ehlo)
        extensions = Set(reply.dropFirst().map { line in
            String(line.split(separator: " ").first ?? "").uppercased()
        })
        for line in reply.dropFirst() where line.uppercased().hasPrefix("AUTH ") {
            for method in line.uppercased().split(separator: " ").dropFirst() { extensions.insert("AUTH=\(method)") }
        }
    }

    private func authenticate(username: String, password: String) async throws {
        if extensions.contains("AUTH=PLAIN") || !extensions.contains("AUTH=LOGIN") {
            let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            try await command("AUTH PLAIN \(token)", expect: 235, stage: .auth)
        } else {
            try await command("AUTH LOGIN", expect: 334, stage: .auth)
            try await command(Data(username.utf8).base64EncodedString(), expect: 334, stage: .auth)
            try await command(Data(password.utf8).base64EncodedString(), expect: 235, stage: .auth)
        }
    }

    @discardableResult
    private func command(_ line: String, expect code: Int, stage: SMTPError.Stage) async throws -> [String] {
        try await command(line, expectAny: [code], stage: stage)
    }

    @discardableResult
    private func command(_ line: String, expectAny codes: [Int], stage: SMTPError.Stage) async throws -> [String] {
        try await write(line + "\r\n")
        return try await expectAny(codes, stage: stage)
    }

    private func write(_ text: String) async throws {
        do {
            try await outbound.write(ByteBuffer(string: text))
        } catch {
            throw SMTPError(stage: .data, reply: nil)
        }
    }

    @discardableResult
    private func expect(_ code: Int, stage: SMTPError.Stage) async throws -> [String] {
        try await expectAny([code], stage: stage)
    }

    /// Reads one (possibly multi-line) reply; the texts after the code, one per line.
    private func expectAny(_ codes: [Int], stage: SMTPError.Stage) async throws -> [String] {
        var texts: [String] = []
        while true {
            let line = try await nextLine(stage: stage)
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError(stage: stage, reply: nil) }
            let rest = line.dropFirst(3)
            texts.append(String(rest.dropFirst()))
            if rest.first == "-" { continue }
            guard codes.contains(code) else { throw SMTPError(stage: stage, reply: code) }
            return texts
        }
    }

    /// The next line, or a failure when none comes within the timeout (the connection is then closed).
    private func nextLine(stage: SMTPError.Stage) async throws -> String {
        let raw = channel.channel
        let seconds = settings.timeout.components.seconds
        let watchdog = raw.eventLoop.scheduleTask(in: .seconds(seconds)) { raw.close(promise: nil) }
        defer { watchdog.cancel() }
        let line: String?
        do { line = try await lines.next() } catch { throw SMTPError(stage: stage, reply: nil) }
        guard let line else { throw SMTPError(stage: stage, reply: nil) }
        return line
    }
}

/// Splits the server's byte stream into lines, without the line ending.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 8192 { throw SMTPError(stage: .data, reply: nil) }
            return .needMoreData
        }
        // The line without its end: bytes, because "\r\n" is one Character in Swift.
        var length = newline - buffer.readerIndex
        if length > 0, buffer.getInteger(at: newline - 1, as: UInt8.self) == UInt8(ascii: "\r") { length -= 1 }
        let line = buffer.getString(at: buffer.readerIndex, length: length) ?? ""
        buffer.moveReaderIndex(to: newline + 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
