import Foundation
import Hummingbird

/// Serves the few files under `Assets/static` (stylesheet, icons) from memory, before sessions
/// and authentication run: they are public and identical for everyone.
struct StaticFilesMiddleware<Context: RequestContext>: RouterMiddleware {
    let files: [String: (body: ByteBuffer, contentType: String)]

    init(directory: URL) throws {
        var files: [String: (ByteBuffer, String)] = [:]
        let types = ["css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon"]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            guard let type = types[(name as NSString).pathExtension] else { continue }
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files["/static/" + name] = (ByteBuffer(bytes: data), type)
        }
        self.files = files
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/static/") else { return try await next(request, context) }
        guard request.method == .get || request.method == .head, let file = files[request.uri.path] else {
            return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Not Found")))
        }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: request.method == .head ? ByteBuffer() : file.body))
    }
}
