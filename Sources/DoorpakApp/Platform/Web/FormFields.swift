import Foundation

/// A decoded `application/x-www-form-urlencoded` body: ordered pairs, so that multi-valued
/// fields (check boxes, multiple selects) keep every value.
struct FormFields: Sendable {
    private(set) var pairs: [(String, String)] = []

    init() {}
    init(pairs: [(String, String)]) { self.pairs = pairs }

    init(urlEncoded body: String) {
        pairs = body.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : "")
        }
    }

    /// The first value of a field, trimmed; `nil` when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespacesAndNewlines),
              !value.isEmpty else { return nil }
        return value
    }

    /// The value exactly as typed (for re-showing a form), or "".
    func raw(_ name: String) -> String { pairs.first(where: { $0.0 == name })?.1 ?? "" }

    /// Every non-empty value of a field.
    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name && !$0.1.isEmpty }.map(\.1) }

    private static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }
}
