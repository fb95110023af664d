/// Facts about the JSON API that every response and the OpenAPI document share.
enum APIInfo {
    /// The full version, sent as the `API-Version` header (Dutch API Design Rules).
    static let version = "1.0.0"
}
