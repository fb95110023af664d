import Foundation

/// The opaque, URL-safe token of a keyset page: a tag naming the list and its version, then the
/// sort keys of the last row shown, joined with `|` and base64url-encoded without padding. Every
/// cursor (reports, notifications, the access log, cases, case meetings) is written and read here;
/// a token that does not decode to the expected tag and number of fields reads as no token.
enum PageToken {
    static func encode(_ tag: String, _ fields: [String]) -> String {
        Data(([tag] + fields).joined(separator: "|").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The fields after the tag, or `nil` when the token is too long, not base64url, or not of this list.
    static func decode(_ token: String, tag: String, fields count: Int, maxLength: Int = 200) -> [String]? {
        guard token.count < maxLength else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count + 1, parts[0] == tag else { return nil }
        return Array(parts.dropFirst())
    }

    /// A moment as whole seconds since 1970, the way cursors carry it.
    static func seconds(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970)) }

    static func date(_ text: String) -> Date? { Int64(text).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
}
