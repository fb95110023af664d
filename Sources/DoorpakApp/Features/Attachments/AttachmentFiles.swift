import Foundation

/// The folder of sealed attachment files: one file per attachment, named by the attachment's id
/// (a random UUID; the user's file name never reaches the file system), readable by the server's
/// user only. The rows are `AttachmentStore`'s; this only reads, writes and removes bytes.
struct AttachmentFiles: Sendable {
    /// `nil`: no folder configured (route-only builds, benchmarks): nothing can be stored.
    let directory: URL?

    init(directory: String?) {
        self.directory = directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
    }

    static let none = AttachmentFiles(directory: nil)

    enum FilesError: Error { case notConfigured, missing }

    func url(for id: UUID) throws -> URL {
        guard let directory else { throw FilesError.notConfigured }
        return directory.appendingPathComponent(id.uuidString.lowercased() + ".sealed")
    }

    /// Writes a sealed file: to a temporary name first, then renamed, so a reader never sees half
    /// a file and a crash leaves no file under an attachment's name.
    func write(_ sealed: Data, id: UUID) throws {
        guard let directory else { throw FilesError.notConfigured }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = directory.appendingPathComponent(".upload-\(UUID().uuidString.lowercased())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: sealed, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        // rename(2) is atomic within one file system.
        guard rename(temporary.path, try url(for: id).path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func read(id: UUID) throws -> Data {
        let url = try url(for: id)
        guard FileManager.default.fileExists(atPath: url.path) else { throw FilesError.missing }
        return try Data(contentsOf: url)
    }

    func exists(id: UUID) -> Bool {
        guard let url = try? url(for: id) else { return false }
        return FileManager.default.fileExists(atPath: url.path)
    }

    /// Removes the files of these attachments (after their rows are gone); returns how many could
    /// not be removed (they stay sealed and nameless, and `removeOrphans` takes them later).
    @discardableResult
    func remove(_ ids: [UUID]) -> Int {
        var failed = 0
        for id in ids {
            guard let url = try? url(for: id), FileManager.default.fileExists(atPath: url.path) else { continue }
            do { try FileManager.default.removeItem(at: url) } catch { failed += 1 }
        }
        return failed
    }

    /// Files (and abandoned temporary files) older than `before` whose id is not in `known`: left by
    /// a crash between a file's write and its row's commit, or between a row's deletion and the
    /// file's. Returns how many were removed.
    func removeOrphans(known: Set<UUID>, before: Date) -> Int {
        guard let directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names {
            let url = directory.appendingPathComponent(name)
            let id = name.hasSuffix(".sealed") ? UUID(uuidString: String(name.dropLast(".sealed".count))) : nil
            guard id.map({ !known.contains($0) }) ?? name.hasPrefix(".upload-") else { continue }
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .now
            guard modified < before else { continue }
            if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        return removed
    }
}
