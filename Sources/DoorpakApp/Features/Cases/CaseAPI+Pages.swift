import FluentKit
import Foundation

/// The case list as the API pages it: the cases the user directs or is a member of, those whose
/// direction they are asked to take over and, for a district coordinator, the cases of their
/// districts (metadata only), newest first. Lives with the store because only the store queries
/// the case tables.
extension CaseStore {
    static let defaultPageSize = 50
    static let maxPageSize = 200

    struct Page: Sendable {
        /// `access` is `nil` for a case the user is only asked to direct (until they accept).
        let items: [(file: CaseFile, access: Access?)]
        let next: CaseCursor?
    }

    func page(by principal: Principal, after cursor: CaseCursor?, limit: Int = defaultPageSize) async throws -> Page {
        guard principal.reportScope != .none else { throw AppError.notFound }
        let db = database.db()
        let memberOf = try await CaseMember.query(on: db).filter(\.$userID == principal.userID).filter(\.$endedAt == nil).all().map(\.caseID)
        let districts = principal.role == .coordinator ? principal.districtIDs : []
        let query = CaseFile.query(on: db).group(.or) { or in
            or.filter(\.$directorID == principal.userID)
            or.filter(\.$proposedDirectorID == principal.userID)
            if !memberOf.isEmpty { or.filter(\.$id ~~ memberOf) }
            if !districts.isEmpty { or.filter(\.$districtID ~~ districts) }
        }
        if let cursor {
            query.group(.or) { or in
                or.filter(\.$openedAt < cursor.openedAt)
                or.group(.and) { $0.filter(\.$openedAt == cursor.openedAt).filter(\.$id < cursor.id) }
            }
        }
        let rows = try await query.sort(\.$openedAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let shown = Array(rows.prefix(limit))
        var items: [(file: CaseFile, access: Access?)] = []
        for file in shown {
            // The same decision as opening one case; only a proposed director may have none.
            let access = try await access(to: file, by: principal, on: db)
            guard access != nil || file.proposedDirectorID == principal.userID else { continue }
            items.append((file, access))
        }
        let next = rows.count > limit ? shown.last.map { CaseCursor(openedAt: $0.openedAt, id: $0.id!) } : nil
        return Page(items: items, next: next)
    }
}

/// Where the next page of cases starts: an opaque, URL-safe token.
struct CaseCursor: Equatable, Sendable {
    let openedAt: Date
    let id: UUID

    init(openedAt: Date, id: UUID) {
        self.openedAt = openedAt
        self.id = id
    }

    var encoded: String {
        let text = "c1|\(Int64(openedAt.timeIntervalSince1970))|\(id.uuidString.lowercased())"
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard encoded.count < 120, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 3, parts[0] == "c1", let seconds = Int64(parts[1]), let id = UUID(uuidString: String(parts[2])) else { return nil }
        openedAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        self.id = id
    }
}
