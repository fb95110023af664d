import Foundation

/// Reads for the case pages and API that need no transaction of their own.
extension CaseStore {
    /// How the user reaches a case already found (`nil`: not at all), as `find` decides it; logs nothing.
    func access(to file: CaseFile, by principal: Principal) async throws -> Access? {
        try await access(to: file, by: principal, on: database.db())
    }
}
