import Foundation
import Hummingbird
#if canImport(Glibc)
import Glibc
#endif

/// Address ranges of the reverse proxies in front of the server (`--trusted-proxy`). Only a
/// request that arrives from one of them may say, in `X-Forwarded-For`, whom it came from.
public struct TrustedProxies: Sendable, Equatable {
    public let ranges: [AddressRange]

    public init(_ ranges: [AddressRange] = []) { self.ranges = ranges }

    /// Parses a comma-separated CIDR list ("10.0.0.0/8, ::1/128"; a bare address is one host).
    public init(parsing list: String) throws {
        ranges = try list.split(separator: ",").map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let range = AddressRange(text) else { throw InvalidAddressRange(text: text) }
            return range
        }
    }

    func contains(_ address: String) -> Bool { ranges.contains { $0.contains(address) } }

    /// The client: the peer, unless the peer is a trusted proxy; then, walking `X-Forwarded-For`
    /// from the nearest hop back, the first address that is not a trusted proxy. Without trusted
    /// proxies the header is ignored (anyone can send it).
    func client(peer: String, forwardedFor headers: [String]) -> String {
        guard !ranges.isEmpty, contains(peer) else { return peer }
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard AddressRange.bytes(of: hop) != nil else { return client }
            client = hop
            if !contains(hop) { return hop }
        }
        return client
    }
}

/// One IPv4 or IPv6 network in CIDR notation.
public struct AddressRange: Sendable, Equatable {
    let network: [UInt8]
    let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        self.network = bytes
        self.prefix = prefix
    }

    func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(of: address) else { return false }
        // An IPv4 peer seen on an IPv6 socket (::ffff:a.b.c.d) matches IPv4 ranges.
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        var remaining = prefix
        for index in 0..<bytes.count where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if bytes[index] & mask != network[index] & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// The address's bytes (4 or 16), or nil when it is not an IP address.
    static func bytes(of address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

public struct InvalidAddressRange: Error, CustomStringConvertible {
    let text: String
    public var description: String { "not an IP address or CIDR range: \(text)" }
}

/// Sets `context.clientAddress`, which sign-in throttling and rate limits key on, first of all.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let proxies: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress ?? "local"
        let forwarded = request.headers[values: .init("X-Forwarded-For")!]
        context.clientAddress = proxies.client(peer: peer, forwardedFor: forwarded)
        return try await next(request, context)
    }
}
