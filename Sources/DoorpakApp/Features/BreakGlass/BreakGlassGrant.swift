import FluentKit
import Foundation
import SQLKit

/// Emergency access ("break the glass"): one user may read one record outside their scope for a
/// limited time, after giving a reason. Every grant is listed for the privacy officer's review.
/// The row holds ids and the typed reason only; `recordID` is the record's public reference.
final class BreakGlassGrant: Model, @unchecked Sendable {
    static let schema = "break_glass_grants"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    /// The role the user had when the grant was made (as in the access log).
    @Field(key: "role") var role: String
    @Field(key: "record_type") var recordType: String
    @Field(key: "record_id") var recordID: String
    @Field(key: "reason") var reason: String
    @Field(key: "granted_at") var grantedAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    @OptionalField(key: "review_note") var reviewNote: String?

    init() {}
    init(userID: UUID, role: Role, recordType: String, recordID: String, reason: String, grantedAt: Date, expiresAt: Date) {
        self.userID = userID
        self.role = role.rawValue
        self.recordType = recordType
        self.recordID = recordID
        self.reason = reason
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
    }
}
