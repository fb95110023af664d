import FluentKit
import Foundation

/// The case list as the API pages it: the cases the user directs or is a member of, those whose
/// direction they are asked to take over and, for a district coordinator, the cases of their
/// districts (metadata only); for administrators every case; newest first. Lives with the store
/// because only the store queries the case tables.
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
        let query = CaseFile.query(on: db)
        // Administrators reach every case's facts (as on the case page); everyone else their own part in it.
        if let districts = CasePolicy.districtsOverseen(by: principal) {
            query.group(.or) { or in
                or.filter(\.$directorID == principal.userID)
                or.filter(\.$proposedDirectorID == principal.userID)
                if !memberOf.isEmpty { or.filter(\.$id ~~ memberOf) }
                if !districts.isEmpty { or.filter(\.$districtID ~~ districts) }
            }
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

    var encoded: String { PageToken.encode("c1", [PageToken.seconds(openedAt), id.uuidString.lowercased()]) }

    init?(encoded: String) {
        guard let fields = PageToken.decode(encoded, tag: "c1", fields: 2, maxLength: 120),
              let openedAt = PageToken.date(fields[0]), let id = UUID(uuidString: fields[1]) else { return nil }
        self.openedAt = openedAt
        self.id = id
    }
}
