/// Facts about the JSON API that every response and the OpenAPI document share.
enum APIInfo {
    /// The full version, sent as the `API-Version` header (Dutch API Design Rules).
    static let version = "1.0.0"
    /// Where version 1 lives; the major version is part of the path (`/core/uri-version`).
    static let basePath = "/api/v1"
    /// The largest request body the API reads.
    static let maxBodySize = 1 << 20
    /// The OpenAPI document, shipped in the target's `Assets` folder.
    static let documentName = "openapi.json"
}
