import ServiceLifecycle

/// Runs a piece of upkeep now and then until the server shuts down. A failed run is retried at
/// the next interval; it never stops the server.
struct PeriodicTask: Service {
    let interval: Duration
    let work: @Sendable () async throws -> Void

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await work()
                try await Task.sleep(for: interval)
            }
        }
    }
}
