/// A count in an aggregate about people, as every face shows it (page, API, CSV): 0, or 5 and
/// more; 1 to 4 are suppressed, since a small cell can point to one person (a coordinator with
/// one case in their district). Stores return aggregates as these, so no face can show the raw number.
struct SuppressedCount: Sendable, Equatable, Encodable {
    static let smallestShown = 5
    /// The count, or `nil` when suppressed.
    let shown: Int?

    init(_ raw: Int) {
        shown = raw == 0 || raw >= Self.smallestShown ? raw : nil
    }

    /// JSON: the number, or `null` when suppressed.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(shown)
    }
}
