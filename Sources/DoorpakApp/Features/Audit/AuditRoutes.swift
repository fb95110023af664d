import Foundation
import Hummingbird

/// The audit page: the access log for the privacy officer (and administrators), newest first,
/// filtered by user, record, period and action; with a record filter it answers "who looked at
/// this record", the basis of an access request. Everyone else gets 404.
struct AuditRoutes {
    let store: AuditStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/audit", use: list)
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        guard principal.mayReadAuditLog else { throw AppError.notFound }
        let parameters = request.uri.queryParameters
        let (filter, issues) = AuditFilter.parse { parameters.get($0) }
        let cursor = parameters.get("cursor").flatMap(AuditCursor.init(encoded:))
        let locale = views.locales[context.language]
        let page = issues.isEmpty
            ? try await store.list(filter, after: cursor, by: principal)
            : AuditStore.Page(entries: [], next: nil, user: nil)
        let names = try await store.names(of: page.entries)
        let users = try await store.users()
        let rows: [[String: Any]] = page.entries.map { entry in
            var row: [String: Any] = [
                "seq": entry.seq ?? 0,
                "at": Formats.dateTime(entry.at, context.language),
                "iso": Formats.iso8601(entry.at),
                "user": entry.userID.map { names[$0] ?? $0.uuidString.lowercased() } ?? locale.text("audit.system"),
                "action": locale.text("audit.actions.\(entry.action)"),
                "recordType": locale.text("audit.record_types.\(entry.recordType)"),
            ]
            if let role = entry.role { row["role"] = locale.text("roles.\(role)") }
            if let id = entry.recordID {
                row["recordId"] = id
                row["recordHref"] = ViewHelpers.url("/audit", [("recordType", entry.recordType), ("recordId", id)])
            }
            if let purpose = entry.purpose { row["purpose"] = purpose }
            if let id = entry.userID { row["userHref"] = ViewHelpers.url("/audit", [("user", id.uuidString.lowercased())]) }
            return row
        }
        let any = (value: "", label: locale.text("filter.any"))
        let selectedUser = page.user?.id?.uuidString.lowercased() ?? ""
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = [
            "rows": rows,
            "empty": rows.isEmpty,
            "errors": errors,
            "hasErrors": !errors.isEmpty,
            "errorSummary": AuditFilter.names.compactMap { name in
                errors[name].map { ["field": name == "email" ? "user-email" : name, "label": locale.text("audit.fields.\(name)"), "message": $0] }
            },
            "filter": [
                "users": ViewHelpers.options([any] + users.map { ($0.id!.uuidString.lowercased(), "\($0.name) (\($0.email))") }, selected: selectedUser),
                "email": page.user == nil ? (filter.user ?? "") : "",
                "recordTypes": ViewHelpers.options([any] + AuditStore.recordTypes.map { ($0, locale.text("audit.record_types.\($0)")) },
                                                   selected: filter.recordType ?? ""),
                "recordId": filter.recordID ?? "",
                "actions": ViewHelpers.options([any] + AuditAction.allCases.map { ($0.rawValue, locale.text("audit.actions.\($0.rawValue)")) },
                                               selected: filter.action?.rawValue ?? ""),
                "from": filter.from.map(Formats.isoDay) ?? "",
                "to": filter.to.map { Formats.isoDay($0.addingTimeInterval(-86_400)) } ?? "",
            ] as [String: Any],
        ]
        var title = locale.text("audit.title")
        if filter.isRecordView, let type = filter.recordType, let id = filter.recordID {
            title = locale.text("audit.record_title", ["type": locale.text("audit.record_types.\(type)"), "id": id])
            data["recordView"] = ["intro": locale.text("audit.record_intro")]
        } else if let user = page.user {
            title = locale.text("audit.user_title", ["name": user.name])
        }
        data["heading"] = title
        if let next = page.next { data["nextHref"] = ViewHelpers.url("/audit", filter.queryItems + [("cursor", next.encoded)]) }
        if cursor != nil { data["firstHref"] = ViewHelpers.url("/audit", filter.queryItems) }
        return try views.page("audit/list", title: title, request: request, context: context, data: data,
                              status: issues.isEmpty ? .ok : .unprocessableContent)
    }
}
