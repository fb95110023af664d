import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A file sent in a `multipart/form-data` body: what the client said about it and its bytes (at
/// most the limit; `truncated` when it was larger: the rest was read and thrown away).
struct UploadedFile: Sendable {
    let fieldName: String
    let fileName: String
    let declaredType: String?
    var data: Data
    var truncated: Bool
}

/// A `multipart/form-data` body (RFC 7578) read as a stream: text fields and the first file.
/// MultipartKit's parser finds the parts; this keeps at most `fileLimit` bytes of the file and
/// 64 KiB of each text field, and refuses a body larger than `bodyLimit` (413).
struct MultipartForm: Sendable {
    var fields: [(String, String)] = []
    var file: UploadedFile?

    static let maxFieldBytes = 64 << 10

    /// The boundary of a `multipart/form-data` content type, or `nil` for any other type.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, APIBody.mediaType(contentType) == "multipart/form-data" else { return nil }
        let parameters = HeaderParameters.parse(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty, boundary.count <= 70 else { return nil }
        return boundary
    }

    /// Reads the body. Throws `AppError.payloadTooLarge` past `bodyLimit` (or for an over-long text
    /// field) and `AppError.badRequest` for a body that is not well-formed multipart.
    static func read(_ body: RequestBody, boundary: String, fileLimit: Int, bodyLimit: Int) async throws -> MultipartForm {
        let state = ParseState(fileLimit: fileLimit)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in state.headers.append((name.lowercased(), value)) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.complete() }
        var total = 0
        for try await chunk in body {
            total += chunk.readableBytes
            guard total <= bodyLimit else { throw AppError.payloadTooLarge }
            do { try parser.execute(chunk) } catch { throw AppError.badRequest("The multipart body cannot be read.") }
            if state.fieldTooLong { throw AppError.payloadTooLarge }
        }
        if state.invalidText { throw AppError.badRequest("A form field is not valid UTF-8 text.") }
        return MultipartForm(fields: state.fields, file: state.file)
    }

    /// What the parser's callbacks collect (used by one request's task only).
    private final class ParseState {
        let fileLimit: Int
        var headers: [(String, String)] = []
        var fields: [(String, String)] = []
        var file: UploadedFile?
        var current: UploadedFile?
        var text = Data()
        var fieldTooLong = false
        var invalidText = false
        /// A second file part: read and thrown away.
        var skipping = false

        init(fileLimit: Int) { self.fileLimit = fileLimit }

        private var disposition: [String: String] {
            headers.first { $0.0 == "content-disposition" }.map { HeaderParameters.parse($0.1) } ?? [:]
        }

        func body(_ buffer: inout ByteBuffer) {
            if current == nil && text.isEmpty && !skipping, let filename = disposition["filename"] {
                if file == nil {
                    current = UploadedFile(fieldName: disposition["name"] ?? "", fileName: filename,
                                           declaredType: headers.first { $0.0 == "content-type" }?.1, data: Data(), truncated: false)
                } else {
                    skipping = true
                }
            }
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            if skipping { return }
            if var upload = current {
                let room = fileLimit - upload.data.count
                if bytes.count > room {
                    upload.data.append(contentsOf: bytes.prefix(max(room, 0)))
                    upload.truncated = true
                } else {
                    upload.data.append(contentsOf: bytes)
                }
                current = upload
            } else {
                text.append(contentsOf: bytes)
                if text.count > MultipartForm.maxFieldBytes { fieldTooLong = true; text = Data() }
            }
        }

        func complete() {
            let parameters = disposition
            if var upload = current {
                upload = UploadedFile(fieldName: upload.fieldName, fileName: upload.fileName, declaredType: upload.declaredType,
                                      data: upload.data, truncated: upload.truncated)
                file = upload
            } else if !skipping, let filename = parameters["filename"], file == nil {
                // An empty file part (a form sent without choosing a file): a file with no bytes.
                file = UploadedFile(fieldName: parameters["name"] ?? "", fileName: filename,
                                    declaredType: headers.first { $0.0 == "content-type" }?.1, data: Data(), truncated: false)
            } else if !skipping, let name = parameters["name"] {
                if let value = String(data: text, encoding: .utf8) { fields.append((name, value)) } else { invalidText = true }
            }
            headers = []
            current = nil
            text = Data()
            skipping = false
        }
    }
}

/// Parameters of a header such as `form-data; name="file"; filename="brief \"1\".pdf"`: quoted
/// strings with backslash escapes, `filename*=UTF-8''…` (RFC 5987) preferred over `filename`.
enum HeaderParameters {
    static func parse(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        var extended: [String: String] = [:]
        let scalars = Array(header.unicodeScalars)
        var index = 0
        // Skip the value before the first ';'.
        while index < scalars.count, scalars[index] != ";" { index += 1 }
        while index < scalars.count {
            index += 1   // the ';'
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            var name = ""
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" { name.unicodeScalars.append(scalars[index]); index += 1 }
            name = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            var value = ""
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    value.unicodeScalars.append(scalars[index])
                    index += 1
                }
                index += 1   // the closing quote
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                while index < scalars.count, scalars[index] != ";" { value.unicodeScalars.append(scalars[index]); index += 1 }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            guard !name.isEmpty else { continue }
            if name.hasSuffix("*") {
                // charset'language'percent-encoded
                let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3, parts[0].lowercased() == "utf-8", let decoded = String(parts[2]).removingPercentEncoding {
                    extended[String(name.dropLast())] = decoded
                }
            } else if result[name] == nil {
                result[name] = value
            }
        }
        return result.merging(extended) { _, new in new }
    }
}
