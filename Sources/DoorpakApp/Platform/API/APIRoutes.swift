import Foundation
import Hummingbird

/// The JSON API under `/api/v1` (NLGov REST API Design Rules): the OpenAPI document and every
/// feature's API routes. Each feature's API calls the same store as its HTML routes.
struct APIRoutes {
    let stores: Stores
    let config: AppConfig
    let locales: Locales

    func add(to router: Router<AppRequestContext>) {
        let api = router.group(RouterPath(APIInfo.basePath)).add(middleware: APIMiddleware(locales: locales))
        let document = OpenAPIDocument.load()
        api.get("/openapi.json") { _, _ in document.response() }
        AccountAPI(accounts: stores.accounts, twoFactor: stores.twoFactor).add(to: api)
        LocationAPI(catalog: stores.catalog).add(to: api)
        ReportAPI(store: stores.reports, actions: stores.actions, handovers: stores.handovers, routing: stores.routing).add(to: api)
        RoutingAPI(store: stores.routing).add(to: api)
        NotificationAPI(store: stores.notifications, mailEnabled: config.mail.enabled).add(to: api)
        EscalationAPI(store: stores.escalation, subjects: stores.agendaSubjects, actions: stores.actions).add(to: api)
        PersonAPI(store: stores.persons).add(to: api)
        CoolingOffAPI(store: stores.coolingOff).add(to: api)
        CaseMeetingAPI(store: stores.caseMeetings).add(to: api)
        CaseAPI(store: stores.cases, routing: stores.routing).add(to: api)
        AttachmentAPI(store: stores.attachments).add(to: api)
        ConcernAPI(store: stores.concerns).add(to: api)
    }
}

/// The OpenAPI document, read once from the Assets folder. Public: clients need it before they have a token.
struct OpenAPIDocument: Sendable {
    let data: Data

    static func load() -> OpenAPIDocument {
        let url = Views.assets.appendingPathComponent(APIInfo.documentName)
        return OpenAPIDocument(data: (try? Data(contentsOf: url)) ?? Data("{}".utf8))
    }

    func response() -> Response {
        Response(status: .ok, headers: [.contentType: APIBody.json, .accessControlAllowOrigin: "*"],
                 body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
