import Hummingbird

/// The shape of every form post: save and continue to the next page, or, when the input is
/// invalid, show the form again with the errors beside the fields and everything typed kept.
enum FormSubmission {
    /// `save` returns where to go next; `form` renders the page again for the given issues.
    static func save(_ request: Request, _ context: AppRequestContext, _ save: () async throws -> String,
                     orShow form: ([FieldIssue]) async throws -> HTML) async throws -> Response {
        do {
            return .redirect(to: try await save())
        } catch AppError.invalid(let issues) {
            return try await form(issues).response(from: request, context: context)
        }
    }
}
