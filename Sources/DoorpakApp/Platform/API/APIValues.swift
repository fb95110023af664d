import Foundation

/// An optional member that is always written: `null` when empty, so that every member the OpenAPI
/// document lists as required is present (Swift's synthesised coding would leave it out).
@propertyWrapper
struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Value?
    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension UUID {
    /// Ids as the API writes them: lower-case (RFC 9562). Any case is accepted on input.
    var api: String { uuidString.lowercased() }
}

extension Optional where Wrapped == UUID {
    var api: String? { self?.uuidString.lowercased() }
}

/// Dates as the API reads and writes them: ISO 8601 with an offset, in Europe/Amsterdam time.
enum APIDates {
    static func write(_ date: Date) -> String { Formats.iso8601(date) }

    /// Reads a date-time with an offset (`2026-11-29T14:05:00+01:00`, `…Z`, optional fractions);
    /// `nil` for anything else, including a local time without an offset.
    static func read(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
