import Foundation
import Hummingbird
import NIOCore

/// A JSON request body the API accepts: its members, so that a misspelt member is refused
/// instead of silently ignored.
protocol APIInput: Decodable {
    static var members: [String] { get }
}

/// Reads and writes JSON bodies by the API's rules: `application/json` only (415 otherwise), at most
/// 1 MiB (413), and a readable 400 for malformed JSON or wrong types that never repeats a value the
/// client sent, since values may be personal data.
enum APIBody {
    static let json = "application/json"
    static let mergePatch = "application/merge-patch+json"

    static func decode<T: APIInput>(_ type: T.Type, from request: Request, accepting mediaTypes: [String] = [json]) async throws -> T {
        guard let essence = mediaType(request.headers[.contentType]), mediaTypes.contains(essence) else {
            throw AppError.unsupportedMediaType
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > APIInfo.maxBodySize {
            throw AppError.payloadTooLarge
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: APIInfo.maxBodySize)
        } catch is NIOTooManyBytesError {
            throw AppError.payloadTooLarge
        }
        let data = Data(buffer: buffer)
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw AppError.badRequest("The request body is empty: send a JSON object.")
        }
        // NUL is never text anyone typed, and PostgreSQL cannot store or compare it.
        if data.contains(0) || data.range(of: Data("\\u0000".utf8)) != nil {
            throw AppError.badRequest("The request body contains a NUL character.")
        }
        let decoder = JSONDecoder()
        do {
            let keys = try decoder.decode(JSONObjectKeys.self, from: data).keys
            let unknown = keys.filter { !T.members.contains($0) }
            if !unknown.isEmpty {
                throw AppError.badRequest("The request body has \(unknown.count == 1 ? "a member" : "members") this operation does not know. "
                    + "Allowed members: \(T.members.joined(separator: ", ")).")
            }
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw AppError.badRequest(explain(error))
        }
    }

    /// The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`.
    static func mediaType(_ header: String?) -> String? {
        guard let header else { return nil }
        let essence = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = essence.trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A description of what is wrong that names the member and the expected type, never the value.
    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let at = path(context)
            if at.isEmpty { return "The request body must be a JSON object." }
            return "Member '\(at)' must be \(describe(type))."
        case .keyNotFound(let key, _):
            return "Member '\(key.stringValue)' is required."
        case .dataCorrupted(let context):
            let at = path(context)
            return at.isEmpty ? "The request body is not valid JSON." : "Member '\(at)' has a value that cannot be read."
        @unknown default:
            return "The request body is not valid JSON of the expected shape."
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is String?.Type: "a string"
        case is Int.Type, is Int?.Type, is Double.Type: "a number"
        case is Bool.Type, is Bool?.Type: "true or false"
        default: "a value of another type"
        }
    }

    // MARK: Responses

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = json
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }
}

/// The member names of a JSON object, whatever their values.
struct JSONObjectKeys: Decodable {
    let keys: [String]
    init(from decoder: any Decoder) throws {
        keys = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}
