import Foundation
import Hummingbird

/// The JSON API under `/api/v1` (NLGov REST API Design Rules): the OpenAPI document and every
/// feature's API routes. Each feature's API calls the same store as its HTML routes.
struct APIRoutes {
    let services: AppServices

    func add(to router: Router<AppRequestContext>) {
        let api = router.group(RouterPath(APIInfo.basePath)).add(middleware: APIMiddleware(locales: services.views.locales))
        let document = OpenAPIDocument.load()
        api.get("/openapi.json") { _, _ in document.response() }
        AccountAPI(database: services.database).add(to: api)
        LocationAPI(database: services.database).add(to: api)
        ReportAPI(store: ReportStore(database: services.database)).add(to: api)
        RoutingAPI(store: RoutingStore(database: services.database)).add(to: api)
        NotificationAPI(store: NotificationStore(database: services.database), mailEnabled: services.config.mail.enabled).add(to: api)
        EscalationAPI(store: EscalationStore(database: services.database), subjects: AgendaSubjects(services)).add(to: api)
        PersonAPI(store: PersonStore(database: services.database, cipher: services.cipher)).add(to: api)
        CoolingOffAPI(store: CoolingOffStore(database: services.database, persons: PersonStore(database: services.database, cipher: services.cipher)))
            .add(to: api)
        CaseMeetingAPI(store: CaseMeetingStore(database: services.database, cases: CaseStore(database: services.database, persons: PersonStore(database: services.database, cipher: services.cipher)))).add(to: api)
        CaseAPI(store: CaseStore(database: services.database, persons: PersonStore(database: services.database, cipher: services.cipher))).add(to: api)
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
