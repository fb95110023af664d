import Foundation
import Hummingbird

/// `/retention`: the periods in force and the destruction records, for privacy officers and
/// administrators; `/admin/retention`: the periods, editable by administrators;
/// `GET /api/v1/destruction-records`: the records as JSON. Everyone else gets 404.
struct RetentionRoutes {
    let store: RetentionStore
    let views: Views

    func add(to router: Router<AppRequestContext>) {
        router.get("/retention", use: records)
        let admin = router.group("/admin/retention").add(middleware: AdministratorsOnly())
        admin.get("", use: settings)
        admin.post("", use: save)
        let api = router.group(RouterPath(APIInfo.basePath)).add(middleware: APIMiddleware(locales: views.locales))
        api.get("/destruction-records", use: recordsAPI)
    }

    func records(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let principal = try context.principal()
        let records = try await store.destructionRecords(by: principal)
        let schedule = try await store.schedule()
        let locale = views.locales[context.language]
        let data: [String: Any] = [
            "periods": RetentionRecordType.allCases.map { type in
                ["label": locale.text("retention.types.\(type.rawValue)"), "days": schedule.days(for: type),
                 "rule": locale.text("retention.rules.\(type.rawValue)")] as [String: Any]
            },
            "records": records.map { record in
                ["at": Formats.dateTime(record.at, context.language), "iso": Formats.iso8601(record.at),
                 "type": locale.text("retention.types.\(record.recordType)"), "count": record.count, "days": record.periodDays,
                 "cutoff": Formats.date(record.cutoff, context.language), "method": locale.text("retention.methods.\(record.method)")] as [String: Any]
            },
            "hasRecords": !records.isEmpty,
            "isAdministrator": principal.isAdministrator,
        ]
        return try views.page("retention/records", title: locale.text("retention.title"), request: request, context: context, data: data)
    }

    func settings(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let schedule = try await store.schedule()
        let typed = Dictionary(uniqueKeysWithValues: RetentionRecordType.allCases.map { ($0, String(schedule.days(for: $0))) })
        return try form(request, context: context, typed: typed, issues: [], saved: request.uri.queryParameters.get("saved") != nil)
    }

    func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.principal()
        let typed = Dictionary(uniqueKeysWithValues: RetentionRecordType.allCases.map { ($0, context.form.raw($0.rawValue)) })
        return try await FormSubmission.save(request, context, {
            try await store.update(typed, by: principal)
            return "/admin/retention?saved=1"
        }, orShow: { issues in
            try form(request, context: context, typed: typed, issues: issues, saved: false, status: .unprocessableContent)
        })
    }

    private func form(_ request: Request, context: AppRequestContext, typed: [RetentionRecordType: String], issues: [FieldIssue],
                      saved: Bool, status: HTTPResponse.Status = .ok) throws -> HTML {
        let locale = views.locales[context.language]
        let errors = ViewHelpers.errors(issues, locale)
        var data: [String: Any] = [
            "fields": RetentionRecordType.allCases.map { type -> [String: Any] in
                var field: [String: Any] = [
                    "name": type.rawValue, "label": locale.text("retention.types.\(type.rawValue)"),
                    "value": typed[type] ?? "", "rule": locale.text("retention.rules.\(type.rawValue)"),
                    "range": locale.text("retention.range", ["min": "\(type.allowedDays.lowerBound)", "max": "\(type.allowedDays.upperBound)",
                                                             "default": "\(type.defaultDays)"]),
                ]
                if let error = errors[type.rawValue] { field["error"] = error }
                return field
            },
        ]
        if !errors.isEmpty {
            data["hasErrors"] = true
            data["errorSummary"] = RetentionRecordType.allCases.compactMap { type in
                errors[type.rawValue].map { ["field": type.rawValue, "label": locale.text("retention.types.\(type.rawValue)"), "message": $0] }
            }
        }
        if saved { data["saved"] = true }
        return try views.page("retention/settings", title: locale.text("retention.settings_title"), request: request, context: context,
                              data: data, status: status)
    }

    func recordsAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        let records = try await store.destructionRecords(by: try context.principal())
        return try APIBody.response(DestructionRecordsDTO(items: records.map(DestructionRecordDTO.init)))
    }
}

struct DestructionRecordsDTO: Encodable {
    let items: [DestructionRecordDTO]
}

/// A destruction record as the API shows it: no personal data, by design.
struct DestructionRecordDTO: Encodable {
    let id: String
    let recordType: String
    let count: Int
    let periodDays: Int
    let cutoff: String
    let at: String
    let method: String

    init(_ record: DestructionRecord) {
        id = record.id?.uuidString.lowercased() ?? ""
        recordType = record.recordType
        count = record.count
        periodDays = record.periodDays
        cutoff = Formats.iso8601(record.cutoff)
        at = Formats.iso8601(record.at)
        method = record.method
    }
}
