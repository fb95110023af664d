import Foundation

/// What an attachment may be: a short allow-list of types, each known by its extension, its media
/// type and its first bytes. A file is accepted only when all three agree (a `.pdf` whose bytes do
/// not start with `%PDF-` is refused, whatever the browser declared). Pure rules, no I/O.
enum AttachmentRules {
    struct FileType: Sendable, Equatable {
        let mediaType: String
        let extensions: [String]
        /// Whether the bytes are of this type.
        let matches: @Sendable (Data) -> Bool

        static func == (lhs: FileType, rhs: FileType) -> Bool { lhs.mediaType == rhs.mediaType }
    }

    /// PDF (letters, care plans), PNG and JPEG (photos, scans), plain text. Office documents are
    /// not on the list: a DOCX is a ZIP whose first bytes say nothing more, and macros travel in them.
    static let allowed: [FileType] = [
        FileType(mediaType: "application/pdf", extensions: ["pdf"]) { $0.starts(with: Array("%PDF-".utf8)) },
        FileType(mediaType: "image/png", extensions: ["png"]) { $0.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) },
        FileType(mediaType: "image/jpeg", extensions: ["jpg", "jpeg"]) { $0.starts(with: [0xFF, 0xD8, 0xFF]) },
        FileType(mediaType: "text/plain", extensions: ["txt"]) { isPlainText($0) },
    ]

    /// Media types browsers send when they do not know better: the extension and the bytes decide.
    static let unspecific: Set<String> = ["", "application/octet-stream", "binary/octet-stream", "application/x-download"]

    /// Why a file is refused, as the form and the API name it (all on the field `file`).
    enum Refusal: String, Sendable, Equatable {
        /// No file, or an empty one.
        case required
        /// Larger than the configured limit.
        case tooLarge = "file_too_large"
        /// Not a type on the allow-list (by its extension or declared type).
        case notAllowed = "file_type"
        /// The bytes are not what the extension and declared type claim.
        case mismatch = "file_content"
    }

    /// Checks a file; returns its type when accepted.
    static func check(fileName: String, declaredType: String?, data: Data, truncated: Bool, maxBytes: Int) -> Result<FileType, RefusalError> {
        if truncated || data.count > maxBytes { return .failure(.init(.tooLarge)) }
        guard !data.isEmpty else { return .failure(.init(.required)) }
        let ext = (fileName.split(separator: ".").count > 1 ? fileName.split(separator: ".").last.map(String.init) : nil)?.lowercased() ?? ""
        guard let type = allowed.first(where: { $0.extensions.contains(ext) }) else { return .failure(.init(.notAllowed)) }
        let declared = (declaredType.flatMap { APIBody.mediaType($0) } ?? "")
        if !unspecific.contains(declared) && declared != type.mediaType && !(type.mediaType == "image/jpeg" && declared == "image/pjpeg") {
            return .failure(.init(.notAllowed))
        }
        guard type.matches(data) else { return .failure(.init(.mismatch)) }
        return .success(type)
    }

    struct RefusalError: Error, Sendable, Equatable {
        let refusal: Refusal
        init(_ refusal: Refusal) { self.refusal = refusal }
    }

    /// Text is UTF-8 without NUL or other control characters than tab, line feed, carriage return
    /// and form feed: a binary renamed to `.txt` is refused.
    static func isPlainText(_ data: Data) -> Bool {
        guard String(data: data, encoding: .utf8) != nil else { return false }
        return !data.contains { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0) || $0 == 0x7F }
    }

    /// The uploader's file name made safe to store and show: the last path component, NFC, without
    /// control characters and characters file systems or headers trip over, no leading dots, at most
    /// 120 characters (keeping the extension). Never used as a path: files are stored by id.
    static func sanitisedFileName(_ raw: String, fallbackExtension: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let forbidden = Set("\"<>:*?|;\u{7F}")
        var name = String(last.precomposedStringWithCanonicalMapping.unicodeScalars.filter { scalar in
            !CharacterSet.controlCharacters.contains(scalar) && !CharacterSet.illegalCharacters.contains(scalar)
                && !forbidden.contains(Character(scalar)) && !(0x202A...0x202E).contains(scalar.value) && !(0x2066...0x2069).contains(scalar.value)
        }.map(Character.init))
        name = name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while name.hasPrefix(".") || name.hasPrefix(" ") { name.removeFirst() }
        if name.count > 120 {
            let parts = name.split(separator: ".")
            let ext = parts.count > 1 ? "." + parts.last! : ""
            name = String(name.prefix(120 - ext.count)) + ext
        }
        let stem = name.split(separator: ".").dropLast().joined(separator: ".")
        return stem.isEmpty ? "bijlage.\(fallbackExtension)" : name
    }

    /// `Content-Disposition` for a download: always `attachment` (never shown inline), an ASCII
    /// fallback name and the exact name as RFC 5987 `filename*`.
    static func contentDisposition(_ fileName: String) -> String {
        let ascii = String(fileName.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar != "%" ? Character(scalar) : "_"
        })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// A size as people read it: `512 B`, `34 kB`, `1,2 MB` (nl) / `1.2 MB` (en).
    static func size(_ bytes: Int, _ language: Language) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\(Int((Double(bytes) / 1024).rounded())) kB" }
        let text = String(format: "%.1f", Double(bytes) / 1_048_576)
        return (language == .nl ? text.replacingOccurrences(of: ".", with: ",") : text) + " MB"
    }
}
