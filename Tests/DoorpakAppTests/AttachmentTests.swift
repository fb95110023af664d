import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

/// Attachments on reports and cases (issue 12): uploads through the page and the API, the checks
/// (size, allow-list, magic bytes), who may download (and that it is logged), sealing at rest, and
/// that the retention purge takes the files with the records.
@Suite struct AttachmentTests {
    static let boundary = "dpTestBoundary0123456789"
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nVertrouwelijk zorgplan Fictief\n%%EOF\n".utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52])

    struct Part {
        var name = "file"
        var fileName: String?
        var type: String?
        var data: Data
    }

    static func multipart(_ parts: [Part]) -> ByteBuffer {
        var body = Data()
        for part in parts {
            body.append(Data("--\(boundary)\r\n".utf8))
            var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { disposition += "; filename=\"\(fileName)\"" }
            body.append(Data("\(disposition)\r\n".utf8))
            if let type = part.type { body.append(Data("Content-Type: \(type)\r\n".utf8)) }
            body.append(Data("\r\n".utf8))
            body.append(part.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ByteBuffer(data: body)
    }

    static let multipartType = "multipart/form-data; boundary=\(boundary)"

    /// Posts a file through the page's upload form (with the CSRF field).
    static func postForm(_ browser: Browser, _ path: String, _ file: Part?, csrf: String = Browser.csrf) async throws -> TestResponse {
        let parts = [Part(name: "_csrf", data: Data(csrf.utf8))] + (file.map { [$0] } ?? [])
        return try await browser.client.execute(uri: path, method: .post,
                                                headers: [.cookie: browser.cookieHeader, .contentType: multipartType], body: multipart(parts))
    }

    /// Posts a file through the API.
    static func postAPI(_ api: APIClient, _ path: String, _ file: Part?, contentType: String = multipartType) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let token = api.token { headers[.authorization] = "Bearer \(token)" }
        return try await api.client.execute(uri: path, method: .post, headers: headers, body: multipart(file.map { [$0] } ?? []))
    }

    static func reads(of id: String, by user: UUID, _ world: TestWorld) async throws -> [AuditEntry] {
        try await world.withDatabase { database in
            try await AuditEntry.query(on: database.db()).filter(\.$recordType == "attachment").filter(\.$recordID == id)
                .filter(\.$action == AuditAction.read.rawValue).filter(\.$userID == user).all()
        }
    }

    // MARK: Page

    @Test(arguments: TestDatabase.available)
    func uploadThroughTheReportPageAndDownload(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client)
            try await police.signIn(.police)
            let page = try await police.get("/reports/\(world.reportNorth)")
            #expect(page.text.contains("id=\"attachments-heading\""))
            #expect(page.text.contains("enctype=\"multipart/form-data\""))
            #expect(page.text.contains("<label for=\"attachment-file\">"))
            let posted = try await Self.postForm(police, "/reports/\(world.reportNorth)/attachments",
                                                 Part(fileName: "Zorgplan Jan.pdf", type: "application/pdf", data: Self.pdf))
            #expect(posted.status == .seeOther)
            let listed = try await police.get("/reports/\(world.reportNorth)")
            #expect(listed.text.contains("Zorgplan Jan.pdf"))
            let row = try #require(try await world.withDatabase { try await Attachment.query(on: $0.db()).first() })
            let id = row.id!.uuidString.lowercased()
            #expect(row.subjectKind == "report" && row.mediaType == "application/pdf" && row.size == Self.pdf.count)
            #expect(row.uploadedBy == world.users[.police]! && row.keyID == "k2")
            #expect(listed.text.contains("/reports/\(world.reportNorth)/attachments/\(id)"))

            let download = try await police.get("/reports/\(world.reportNorth)/attachments/\(id)")
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == Self.pdf)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"Zorgplan Jan.pdf\"; filename*=UTF-8''Zorgplan%20Jan.pdf")
            #expect(download.headers[.xContentTypeOptions] == "nosniff")
            #expect(download.headers[.cacheControl] == "no-store")
            let logged = try await Self.reads(of: id, by: world.users[.police]!, world)
            #expect(logged.count == 1)
            #expect(logged.first?.purpose == "report \(world.reportNorth)")
            // The upload is in the report's history and the access log.
            let history = try await world.withDatabase { try await ReportEvent.query(on: $0.db()).filter(\.$field == "attachment").count() }
            #expect(history == 1)

            // The form without the CSRF token is refused, and nothing is stored.
            let forged = try await Self.postForm(police, "/reports/\(world.reportNorth)/attachments",
                                                 Part(fileName: "x.pdf", type: "application/pdf", data: Self.pdf), csrf: "forged")
            #expect(forged.status == .forbidden)
            let count = try await world.withDatabase { try await Attachment.query(on: $0.db()).count() }
            #expect(count == 1)
        }
    }

    @Test func pageRefusalsShowInPlace() async throws {
        let world = try await TestWorld.make(.sqlite)
        try await buildApplication(world.config).test(.router) { client in
            let police = Browser(client)
            try await police.signIn(.police)
            let path = "/reports/\(world.reportNorth)/attachments"
            let fake = try await Self.postForm(police, path, Part(fileName: "brief.pdf", type: "application/pdf", data: Data("Hallo".utf8)))
            #expect(fake.status == .unprocessableContent)
            #expect(fake.text.contains("id=\"file-error\""))
            #expect(fake.text.contains("aria-invalid=\"true\""))
            #expect(fake.text.contains("De inhoud van dit bestand past niet bij het soort"))
            let large = Data("%PDF-".utf8) + Data(repeating: 0x41, count: world.config.attachments.maxBytes)
            let tooLarge = try await Self.postForm(police, path, Part(fileName: "groot.pdf", type: "application/pdf", data: large))
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.text.contains("Dit bestand is te groot."))
            let none = try await Self.postForm(police, path, nil)
            #expect(none.status == .unprocessableContent)
            #expect(none.text.contains("id=\"file-error\""))
            let count = try await world.withDatabase { try await Attachment.query(on: $0.db()).count() }
            #expect(count == 0)
        }
    }

    // MARK: API

    @Test(arguments: TestDatabase.available)
    func apiUploadsChecksAndDownloads(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await CaseAPITests.withClients(world) { api in
            let path = "/api/v1/reports/\(world.reportNorth)/attachments"
            let created = try await Self.postAPI(api[.police], path, Part(fileName: "foto.png", type: "image/png", data: Self.png))
            #expect(created.status == .created)
            try OpenAPI.check(created, "POST", "/reports/{reference}/attachments")
            let object = try created.object()
            let id = try #require(object["id"] as? String)
            #expect(object["mediaType"] as? String == "image/png")
            #expect(object["sha256"] as? String == AttachmentStore.digest(Self.png))
            #expect(created.headers[.location] == "/api/v1/reports/\(world.reportNorth)/attachments/\(id)")

            let list = try await api[.police].get(path)
            try OpenAPI.check(list, "GET", "/reports/{reference}/attachments")
            #expect(try list.items().map { $0["fileName"] as? String } == ["foto.png"])
            let download = try await api[.police].get("\(path)/\(id)")
            #expect(download.status == .ok)
            #expect(Data(buffer: download.body) == Self.png)
            #expect(download.headers[.contentType] == "image/png")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"foto.png\"") == true)
            #expect(download.headers[.xContentTypeOptions] == "nosniff")
            #expect(download.headers[.cacheControl] == "no-store")
            let logged = try await Self.reads(of: id, by: world.users[.police]!, world)
            #expect(logged.count == 1)

            // Too large: 413 naming `file`.
            let large = Data("%PDF-".utf8) + Data(repeating: 0x41, count: world.config.attachments.maxBytes)
            let tooLarge = try await Self.postAPI(api[.police], path, Part(fileName: "groot.pdf", type: "application/pdf", data: large))
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try tooLarge.invalidParams() == ["file"])
            try OpenAPI.check(tooLarge, "POST", "/reports/{reference}/attachments")
            // A ".pdf" that is not a PDF.
            let fake = try await Self.postAPI(api[.police], path, Part(fileName: "brief.pdf", type: "application/pdf", data: Data("<html>".utf8)))
            #expect(fake.status == .unprocessableContent)
            #expect((try fake.object()["invalidParams"] as? [[String: Any]])?.first?["code"] as? String == "file_content")
            try OpenAPI.check(fake, "POST", "/reports/{reference}/attachments")
            // A type not on the list, even with plausible bytes; and a declared type that contradicts the extension.
            let docx = try await Self.postAPI(api[.police], path, Part(fileName: "plan.docx", type: "application/octet-stream",
                                                                        data: Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])))
            #expect(docx.status == .unprocessableContent)
            #expect((try docx.object()["invalidParams"] as? [[String: Any]])?.first?["code"] as? String == "file_type")
            let html = try await Self.postAPI(api[.police], path, Part(fileName: "brief.pdf", type: "text/html", data: Self.pdf))
            #expect((try html.object()["invalidParams"] as? [[String: Any]])?.first?["code"] as? String == "file_type")
            // Not multipart at all; no file part.
            let json = try await api[.police].post(path, ["file": "x"])
            #expect(json.status == .unsupportedMediaType)
            let empty = try await Self.postAPI(api[.police], path, Part(name: "note", data: Data("geen bestand".utf8)))
            #expect(empty.status == .unprocessableContent)
            #expect(try empty.invalidParams() == ["file"])
            let count = try await world.withDatabase { try await Attachment.query(on: $0.db()).count() }
            #expect(count == 1)
        }
    }

    // MARK: Who reads

    @Test(arguments: TestDatabase.available)
    func onlyContentReadersDownload(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        // A report registered by the site staff: the administrator reads its facts, not its content.
        let staffReport = try await world.withDatabase { database in
            let staff = try #require(try await Principal.load(userID: world.users[.staffNorth]!, via: .session, on: database.db()))
            return try await ReportStore(database: database).create(TestWorld.draft(category: world.categoryViolence, location: world.locationNorth,
                                                                                    text: "Ruzie in de keuken"), by: staff).reference
        }
        try await CaseAPITests.withClients(world) { api in
            let reportPath = "/api/v1/reports/\(staffReport)/attachments"
            let created = try await Self.postAPI(api[.police], reportPath, Part(fileName: "brief.pdf", type: "application/pdf", data: Self.pdf))
            #expect(created.status == .created)
            let reportFile = "\(reportPath)/\(try #require(try created.object()["id"] as? String))"
            #expect(try await api[.coordinatorNorth].get(reportFile).status == .ok)
            #expect(try await api[.staffNorth].get(reportFile).status == .ok)
            // Another organisation's staff (the report is outside the GGD's scope), the administrator without a grant, analysts.
            for persona in [TestWorld.Persona.ggd, .admin, .analyst, .privacyOfficer] {
                let download = try await api[persona].get(reportFile)
                let list = try await api[persona].get(reportPath)
                #expect(download.status == .notFound, "\(persona) downloads")
                #expect(list.status == .notFound, "\(persona) lists")
            }
            // The administrator under a break-the-glass grant reads it (logged with the grant), but adds nothing.
            let grantID = try await world.withDatabase { database in
                let grant = BreakGlassGrant(userID: world.users[.admin]!, role: .administrator, recordType: "report", recordID: staffReport,
                                            reason: "Test: noodtoegang", grantedAt: Date.now.wholeSeconds, expiresAt: Date.now.addingTimeInterval(3600).wholeSeconds)
                try await grant.create(on: database.db())
                return grant.id!.uuidString.lowercased()
            }
            #expect(try await api[.admin].get(reportFile).status == .ok)
            let logged = try await Self.reads(of: String(reportFile.split(separator: "/").last!), by: world.users[.admin]!, world)
            #expect(logged.first?.purpose?.hasPrefix("break-glass: \(grantID)") == true)
            let write = try await Self.postAPI(api[.admin], reportPath, Part(fileName: "b.pdf", type: "application/pdf", data: Self.pdf))
            #expect(write.status == .forbidden)

            // A case: the director and the consenting member read its attachments; the district's coordinator and administrators do not.
            let (casePath, _) = try await CaseAPITests.openCase(api, world: world)
            let caseUpload = try await Self.postAPI(api[.police], casePath + "/attachments", Part(fileName: "plan.txt", type: "text/plain",
                                                                                                  data: Data("Plan van aanpak\n".utf8)))
            #expect(caseUpload.status == .created)
            try OpenAPI.check(caseUpload, "POST", "/cases/{case}/attachments")
            let caseFile = "\(casePath)/attachments/\(try #require(try caseUpload.object()["id"] as? String))"
            let member = try await api[.ggd].get(caseFile)
            #expect(member.status == .ok)
            #expect(member.headers[.contentType] == "text/plain; charset=utf-8")
            for persona in [TestWorld.Persona.coordinatorNorth, .admin, .staffNorth] {
                let download = try await api[persona].get(caseFile)
                let list = try await api[persona].get(casePath + "/attachments")
                let upload = try await Self.postAPI(api[persona], casePath + "/attachments", Part(fileName: "x.txt", type: "text/plain", data: Data("x".utf8)))
                #expect(download.status == .notFound, "\(persona) downloads the case's file")
                #expect(list.status == .notFound, "\(persona) lists the case's files")
                #expect(upload.status == .notFound, "\(persona) adds to the case")
            }
        }
    }

    @Test func casePageAndWithdrawnConsent() async throws {
        let world = try await TestWorld.make(.sqlite)
        try await CaseAPITests.withClients(world) { api in
            let (apiPath, _) = try await CaseAPITests.openCase(api, world: world)
            let reference = String(apiPath.split(separator: "/").last!)
            let client = api[.police].client
            // The director attaches through the case page's form and sees it listed.
            let police = Browser(client)
            try await police.signIn(.police)
            let page = try await police.get("/cases/\(reference)")
            #expect(page.text.contains("id=\"attachment-form\""))
            let posted = try await Self.postForm(police, "/cases/\(reference)/attachments",
                                                 Part(fileName: "voor.txt", type: "text/plain", data: Data("Voor de intrekking\n".utf8)))
            #expect(posted.status == .seeOther)
            #expect(try await police.get("/cases/\(reference)").text.contains("voor.txt"))
            // The district's coordinator sees the case's facts, not its attachments.
            let coordinator = Browser(client)
            try await coordinator.signIn(.coordinatorNorth)
            let facts = try await coordinator.get("/cases/\(reference)")
            #expect(facts.status == .ok)
            #expect(!facts.text.contains("attachments-heading") && !facts.text.contains("voor.txt"))

            // After the GGD member's consent is withdrawn, it reads what was attached before, nothing after, and adds nothing.
            let members = try await api[.police].get(apiPath + "/members").items()
            let memberID = try #require(members.first { $0["userId"] as? String == CaseAPITests.id(world.users[.ggd]!) }?["id"] as? String)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await api[.police].request(.post, apiPath + "/members/\(memberID)/withdraw-consent").status == .ok)
            try await Task.sleep(for: .milliseconds(1100))
            let after = try await Self.postAPI(api[.police], apiPath + "/attachments", Part(fileName: "na.txt", type: "text/plain", data: Data("Na\n".utf8)))
            #expect(after.status == .created)
            let seen = try await api[.ggd].get(apiPath + "/attachments").items().compactMap { $0["fileName"] as? String }
            #expect(seen == ["voor.txt"])
            let hidden = try #require(try after.object()["id"] as? String)
            #expect(try await api[.ggd].get(apiPath + "/attachments/\(hidden)").status == .notFound)
            let refused = try await Self.postAPI(api[.ggd], apiPath + "/attachments", Part(fileName: "x.txt", type: "text/plain", data: Data("x".utf8)))
            #expect(refused.status == .notFound)
        }
    }

    // MARK: At rest

    @Test func sealedAtRestAndBoundToTheAttachment() async throws {
        let world = try await TestWorld.make(.sqlite)
        let secret = "Vertrouwelijk: Fictief woont op kamer 12 en gebruikt medicatie X."
        try await world.withDatabase { database in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: database.db()))
            let cipher = try FieldCipher(world.config.keys)
            let persons = PersonStore(database: database, cipher: cipher)
            let store = AttachmentStore(database: database, cipher: cipher, reports: ReportStore(database: database),
                                        cases: CaseStore(database: database, persons: persons), maxBytes: world.config.attachments.maxBytes)
            let subject = try await store.report(world.reportNorth, by: admin)
            let upload = UploadedFile(fieldName: "file", fileName: "../../etc/passwd\u{202E}fdp.txt", declaredType: "text/plain",
                                      data: Data(secret.utf8), truncated: false)
            let attachment = try await store.add(upload, to: subject, by: admin)
            // Stored by id, never by the user's name; the name is kept made safe.
            let url = try database.attachmentFiles.url(for: attachment.id!)
            #expect(url.lastPathComponent == attachment.id!.uuidString.lowercased() + ".sealed")
            #expect(attachment.fileName == "passwdfdp.txt")
            let onDisk = try Data(contentsOf: url)
            #expect(onDisk.range(of: Data(secret.utf8)) == nil)
            #expect(onDisk.range(of: Data("Vertrouwelijk".utf8)) == nil)
            #expect(onDisk.starts(with: Data("DPA1".utf8)))
            let opened = try await store.content(attachment.id!.uuidString, of: subject, by: admin)
            #expect(opened.data == Data(secret.utf8))
            // The same sealed bytes under another attachment's id do not open.
            #expect(throws: CipherError.tampered) { try cipher.openFile(onDisk, id: UUID()) }
            // One changed byte does not open.
            var altered = onDisk
            altered[altered.count - 1] ^= 0x01
            #expect(throws: CipherError.tampered) { try cipher.openFile(altered, id: attachment.id!) }
            // A file replaced on disk is refused rather than served.
            try database.attachmentFiles.write(try cipher.sealFile(Data("anders".utf8), id: attachment.id!).sealed, id: attachment.id!)
            await #expect(throws: CipherError.tampered) { try await store.content(attachment.id!.uuidString, of: subject, by: admin) }
        }
    }

    @Test func keyRotationReSealsTheFiles() async throws {
        let world = try await TestWorld.make(.sqlite)
        try await world.withDatabase { database in
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: database.db()))
            let keys = try Keyring(json: Data(TestDatabase.testKeys.utf8))
            let old = FieldCipher(keyring: try Keyring(current: "k1", keys: keys.keys))
            let store = AttachmentStore(database: database, cipher: old, reports: ReportStore(database: database),
                                        cases: CaseStore(database: database, persons: PersonStore(database: database, cipher: old)),
                                        maxBytes: world.config.attachments.maxBytes)
            let upload = UploadedFile(fieldName: "file", fileName: "brief.pdf", declaredType: nil, data: Self.pdf, truncated: false)
            let attachment = try await store.add(upload, to: try await store.report(world.reportNorth, by: admin), by: admin)
            #expect(attachment.keyID == "k1")
            let outcome = try await AttachmentStore.resealFiles(cipher: FieldCipher(keyring: keys), database: database)
            #expect(outcome.rewritten == 1 && outcome.failed == 0)
            let row = try #require(try await Attachment.find(attachment.id, on: database.db()))
            #expect(row.keyID == "k2")
            // Only the new key is needed now.
            let onlyNew = FieldCipher(keyring: try Keyring(current: "k2", keys: ["k2": keys.keys["k2"]!]))
            #expect(try onlyNew.openFile(try database.attachmentFiles.read(id: attachment.id!), id: attachment.id!) == Self.pdf)
            let again = try await AttachmentStore.resealFiles(cipher: FieldCipher(keyring: keys), database: database)
            #expect(again.rewritten == 0)
        }
    }

    // MARK: Purge

    @Test(arguments: TestDatabase.available)
    func purgeRemovesRowsAndFiles(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let now = Date.now.wholeSeconds
        let (reportFile, caseFile, keptFile) = try await world.withDatabase { database in
            let db = database.db()
            let admin = try #require(try await Principal.load(userID: world.users[.admin]!, via: .session, on: db))
            let coordinator = try #require(try await Principal.load(userID: world.users[.coordinatorNorth]!, via: .session, on: db))
            let cipher = try FieldCipher(world.config.keys)
            let cases = CaseStore(database: database, persons: PersonStore(database: database, cipher: cipher))
            let store = AttachmentStore(database: database, cipher: cipher, reports: ReportStore(database: database), cases: cases,
                                        maxBytes: world.config.attachments.maxBytes)
            let pdf = UploadedFile(fieldName: "file", fileName: "brief.pdf", declaredType: "application/pdf", data: Self.pdf, truncated: false)
            let onReport = try await store.add(pdf, to: try await store.report(world.reportNorth, by: admin), by: admin, now: now)
            let onOpenReport = try await store.add(pdf, to: try await store.report(world.reportSouth, by: admin), by: admin, now: now)
            // A closed case directed by the northern coordinator, with an attachment.
            let file = try await RetentionHoldTests.openCase(world, database, now: now)
            let onCase = try await store.add(pdf, to: try await store.caseFile(file.reference, by: coordinator), by: coordinator, now: now)
            file.phase = CasePhase.closed.rawValue
            file.closedAt = now
            try await file.update(on: db)
            let report = try #require(try await Report.query(on: db).filter(\.$reference == world.reportNorth).first())
            report.status = ReportStatus.closed.rawValue
            report.updatedAt = now
            try await report.update(on: db)
            return (onReport.id!, onCase.id!, onOpenReport.id!)
        }
        let files = try await world.withDatabase { $0.attachmentFiles }
        #expect(files.exists(id: reportFile) && files.exists(id: caseFile) && files.exists(id: keptFile))
        // An orphan (a file whose row never committed), old enough to be swept.
        let orphan = UUID()
        try files.write(Data("DPA1 orphan".utf8), id: orphan)
        let outcome = try await world.withDatabase {
            try await RetentionPurge(database: $0).run(now: now.addingTimeInterval(3700 * 86_400), dryRun: false, method: "job")
        }
        #expect(outcome.first { $0.type == .closedReports }?.count == 1)
        #expect(outcome.first { $0.type == .closedCases }?.count == 1)
        #expect(!FileManager.default.fileExists(atPath: try files.url(for: reportFile).path))
        #expect(!FileManager.default.fileExists(atPath: try files.url(for: caseFile).path))
        #expect(!files.exists(id: orphan))
        // The open report keeps its attachment, row and file.
        #expect(files.exists(id: keptFile))
        let rows = try await world.withDatabase { try await Attachment.query(on: $0.db()).all().compactMap(\.id) }
        #expect(rows == [keptFile])
    }

    // MARK: Rules

    @Test func fileNamesHeadersAndTypes() throws {
        #expect(AttachmentRules.sanitisedFileName("C:\\Users\\jan\\Brief aan \"Jan\"; <b>.pdf", fallbackExtension: "pdf") == "Brief aan Jan b.pdf")
        #expect(AttachmentRules.sanitisedFileName("...", fallbackExtension: "pdf") == "bijlage.pdf")
        #expect(AttachmentRules.sanitisedFileName(".pdf", fallbackExtension: "pdf") == "bijlage.pdf")
        #expect(AttachmentRules.sanitisedFileName(String(repeating: "a", count: 300) + ".png", fallbackExtension: "png").count == 120)
        #expect(AttachmentRules.contentDisposition("Verslag café.pdf") == "attachment; filename=\"Verslag caf_.pdf\"; filename*=UTF-8''Verslag%20caf%C3%A9.pdf")
        let parameters = HeaderParameters.parse(#"form-data; name="file"; filename="a \"b\"; c.pdf""#)
        #expect(parameters["name"] == "file")
        #expect(parameters["filename"] == #"a "b"; c.pdf"#)
        #expect(HeaderParameters.parse("form-data; name=file; filename*=UTF-8''caf%C3%A9.txt")["filename"] == "café.txt")
        func check(_ name: String, _ type: String?, _ data: Data) -> String? {
            switch AttachmentRules.check(fileName: name, declaredType: type, data: data, truncated: false, maxBytes: 100) {
            case .success(let type): type.mediaType
            case .failure(let error): error.refusal.rawValue
            }
        }
        #expect(check("a.PDF", "application/pdf", Self.pdf.prefix(50)) == "application/pdf")
        #expect(check("a.jpeg", "image/jpeg", Data([0xFF, 0xD8, 0xFF, 0xE0])) == "image/jpeg")
        #expect(check("a.jpg", nil, Data([0x89, 0x50, 0x4E, 0x47])) == "file_content")
        #expect(check("a.txt", "text/plain", Data([0x41, 0x00, 0x42])) == "file_content")
        #expect(check("a.txt", "text/plain", Data([0x41, 0xFF])) == "file_content")
        #expect(check("a.exe", "application/octet-stream", Data([0x4D, 0x5A])) == "file_type")
        #expect(check("pdf", "application/pdf", Self.pdf.prefix(50)) == "file_type")
        #expect(check("a.pdf", "application/pdf", Data()) == "required")
        #expect(check("a.pdf", "application/pdf", Self.pdf + Self.pdf) == "file_too_large")
    }
}
