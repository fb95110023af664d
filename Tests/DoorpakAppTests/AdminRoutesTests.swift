import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DoorpakApp

@Suite struct AdminRoutesTests {
    @Test(arguments: TestDatabase.available)
    func everyAdminRouteIsNotFoundForOtherRoles(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let location = world.locationNorth.uuidString, place = world.placeNorth.uuidString
        let user = world.users[.police]!.uuidString, organisation = world.police.uuidString
        let district = world.districtNorth.uuidString, category = world.categoryViolence.uuidString
        let pages = ["/admin", "/admin/districts", "/admin/districts/new", "/admin/districts/\(district)",
                     "/admin/locations", "/admin/locations/new", "/admin/locations/\(location)", "/admin/locations/\(location)/places",
                     "/admin/locations/\(location)/places/new", "/admin/locations/\(location)/places/\(place)",
                     "/admin/organisations", "/admin/organisations/new", "/admin/organisations/\(organisation)",
                     "/admin/categories", "/admin/categories/new", "/admin/categories/\(category)",
                     "/admin/users", "/admin/users/new", "/admin/users/\(user)"]
        let posts = ["/admin/districts", "/admin/districts/\(district)", "/admin/locations", "/admin/locations/\(location)",
                     "/admin/locations/\(location)/places", "/admin/locations/\(location)/places/\(place)",
                     "/admin/locations/\(location)/places/\(place)/remove", "/admin/organisations", "/admin/organisations/\(organisation)",
                     "/admin/categories", "/admin/categories/\(category)", "/admin/users", "/admin/users/\(user)",
                     "/admin/users/\(user)/deactivate", "/admin/users/\(user)/activate"]
        try await buildApplication(world.config).test(.router) { client in
            for persona in TestWorld.Persona.allCases where persona != .admin {
                let browser = Browser(client)
                try await browser.signIn(persona)
                for path in pages {
                    #expect(try await browser.get(path).status == .notFound, "\(persona) GET \(path)")
                }
                for path in posts {
                    #expect(try await browser.post(path, [("name", "X")]).status == .notFound, "\(persona) POST \(path)")
                }
                #expect(!(try await browser.get("/locations").text.contains(#"href="/admin""#)), "\(persona)")
            }
            let admin = Browser(client)
            try await admin.signIn(.admin)
            for path in pages {
                let page = try await admin.get(path)
                #expect(page.status == .ok, "admin GET \(path)")
                #expect(!page.text.contains(#""nil""#) && !page.text.contains(">nil<"), "admin GET \(path)")
            }
            let signedOut = Browser(client)
            #expect(try await signedOut.get("/admin/users").headers[.location]?.hasPrefix("/login") == true)
        }
        let unchanged = try await world.withDatabase { db in
            try await Organisation.find(world.police, on: db.db())?.name
        }
        #expect(unchanged == "Politie")
    }

    @Test(arguments: TestDatabase.available)
    func districtsCreateAndRenameWithUniqueNames(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let taken = try await browser.post("/admin/districts", [("name", "noord")])
            #expect(taken.status == .unprocessableContent)
            #expect(taken.text.contains(#"id="name-error""#))
            #expect(taken.text.contains(#"value="noord""#))
            #expect(taken.text.contains(#"id="error-summary""#))
            #expect(try await browser.post("/admin/districts", [("name", "West")]).status == .seeOther)
            #expect(try await browser.post("/admin/districts/\(world.districtSouth.uuidString)", [("name", "Zuidoost")]).status == .seeOther)
            let list = try await browser.get("/admin/districts?saved=1")
            #expect(list.text.contains("West") && list.text.contains("Zuidoost"))
            #expect(list.text.contains(#"id="saved-notice""#))
            #expect(try await browser.post("/admin/districts/\(UUID().uuidString)", [("name", "Nergens")]).status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func locationCreateKeepsInputOnErrorsThenSavesAndAudits(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let fields = [("name", "Jonge Buren West"), ("district", world.districtNorth.uuidString),
                          ("corporation", world.corporation.uuidString), ("opened_on", "2024-03-01"), ("active", "on")]
            let failed = try await browser.post("/admin/locations", fields + [("units", "5000"), ("planned_closing_on", "2020-01-01")])
            #expect(failed.status == .unprocessableContent)
            #expect(failed.text.contains(#"id="units-error""#))
            #expect(failed.text.contains(#"id="planned_closing_on-error""#))
            #expect(failed.text.contains(#"aria-describedby="units-hint units-error""#))
            #expect(failed.text.contains(#"value="Jonge Buren West""#))
            #expect(failed.text.contains(#"value="5000""#))
            #expect(failed.text.contains(#"value="\#(world.corporation.uuidString)" selected"#))
            // A corporation must be an organisation of the kind housing corporation.
            let police = try await browser.post("/admin/locations", fields.filter { $0.0 != "corporation" }
                                                 + [("corporation", world.police.uuidString), ("units", "120")])
            #expect(police.status == .unprocessableContent)
            #expect(police.text.contains(#"id="corporation-error""#))
            let duplicate = try await browser.post("/admin/locations", [("name", "startblok noord"), ("district", world.districtNorth.uuidString), ("units", "10")])
            #expect(duplicate.text.contains(#"id="name-error""#))

            let created = try await browser.post("/admin/locations", fields + [("units", "120"), ("planned_closing_on", "2034-03-01")])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let edit = try await browser.get(location)
            #expect(edit.text.contains(#"value="2024-03-01""#))
            #expect(edit.text.contains(#"value="120""#))
            let id = String(location.dropFirst("/admin/locations/".count).prefix(36))
            let page = try await browser.get("/locations/\(id)")
            #expect(page.text.contains("Jonge Buren West"))
            #expect(page.text.contains("01-03-2024"))
            #expect(page.text.contains("01-03-2034"))

            let updated = try await browser.post("/admin/locations/\(id)", [("name", "Jonge Buren West"), ("district", world.districtSouth.uuidString),
                                                                           ("units", "140")])
            #expect(updated.status == .seeOther)
            let after = try await browser.get("/locations/\(id)")
            #expect(after.text.contains("Zuid"))
            #expect(after.text.contains("niet actief"))
            let audits = try await world.withDatabase { db in
                try await AuditEntry.query(on: db.db()).filter(\.$recordType == "location").filter(\.$recordID == id).all().map(\.action)
            }
            #expect(audits.sorted() == ["create", "update"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func placesAddRenameAndRemoveOnlyWhenUnused(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let base = "/admin/locations/\(world.locationNorth.uuidString)/places"
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let taken = try await browser.post(base, [("name", "blok a"), ("kind", "building")])
            #expect(taken.status == .unprocessableContent)
            #expect(taken.text.contains(#"id="name-error""#))
            let noKind = try await browser.post(base, [("name", "Dakterras"), ("kind", "")])
            #expect(noKind.text.contains(#"id="kind-error""#))
            #expect(noKind.text.contains(#"value="Dakterras""#))
            #expect(try await browser.post(base, [("name", "Dakterras"), ("kind", "outdoor")]).status == .seeOther)
            let list = try await browser.get(base)
            #expect(list.text.contains("Dakterras"))
            let placeID = try await world.withDatabase { db in
                try await Place.query(on: db.db()).filter(\.$name == "Dakterras").first()!.id!
            }
            #expect(try await browser.post("\(base)/\(placeID.uuidString)", [("name", "Daktuin"), ("kind", "outdoor"), ("position", "5")]).status == .seeOther)
            #expect(try await browser.get("/locations/\(world.locationNorth.uuidString)").text.contains("Daktuin"))
            // A place of another location is not found under this one.
            let southPlace = try await world.withDatabase { db in
                try await Place.query(on: db.db()).filter(\.$locationID == world.locationSouth).first()!.id!
            }
            #expect(try await browser.get("\(base)/\(southPlace.uuidString)").status == .notFound)

            // Blok A gets a report: it can no longer be removed; the unused Daktuin can.
            try await world.withDatabase { db in
                let admin = try await Principal.load(userID: world.users[.admin]!, via: .session, on: db.db())!
                var draft = TestWorld.draft(category: world.categoryViolence, location: world.locationNorth, text: "In blok A")
                draft.place = world.placeNorth.uuidString
                _ = try await ReportStore(database: db).create(draft, by: admin)
            }
            let refused = try await browser.post("\(base)/\(world.placeNorth.uuidString)/remove", [])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains(#"id="problem-notice""#))
            #expect(try await browser.post("\(base)/\(placeID.uuidString)/remove", []).status == .seeOther)
            let remaining = try await world.withDatabase { db in
                try await Place.query(on: db.db()).filter(\.$locationID == world.locationNorth).all().map(\.name)
            }
            #expect(remaining == ["Blok A"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func organisationsAndCategories(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let browser = Browser(client)
            try await browser.signIn(.admin)
            let duplicate = try await browser.post("/admin/organisations", [("name", "politie"), ("kind", "police"), ("active", "on")])
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate.text.contains(#"id="name-error""#))
            #expect(duplicate.text.contains(#"value="police" selected"#))
            #expect(try await browser.post("/admin/organisations", [("name", "Veilig Thuis Regio"), ("kind", "veilig_thuis"), ("active", "on")]).status == .seeOther)
            let list = try await browser.get("/admin/organisations")
            #expect(list.text.contains("Veilig Thuis Regio"))
            #expect(try await browser.post("/admin/organisations/\(world.ggd.uuidString)", [("name", "GGD Amsterdam"), ("kind", "public_health")]).status == .seeOther)
            let ggd = try await world.withDatabase { try await Organisation.find(world.ggd, on: $0.db()) }
            #expect(ggd?.name == "GGD Amsterdam")
            #expect(ggd?.active == false)

            let badCode = try await browser.post("/admin/categories", [("code", "Bad-Code"), ("name_nl", "Stank"), ("name_en", "Smell"),
                                                                        ("default_urgency", "low"), ("default_organisation_kind", "housing_corporation")])
            #expect(badCode.status == .unprocessableContent)
            #expect(badCode.text.contains(#"id="code-error""#))
            #expect(badCode.text.contains(#"value="Bad-Code""#))
            #expect(badCode.text.contains(#"value="Stank""#))
            #expect(badCode.text.contains(#"value="low" selected"#))
            let takenName = try await browser.post("/admin/categories", [("code", "violence_two"), ("name_nl", "Geweld"), ("name_en", "Violence 2"),
                                                                          ("default_urgency", "high"), ("default_organisation_kind", "police")])
            #expect(takenName.text.contains(#"id="name_nl-error""#))
            #expect(try await browser.post("/admin/categories", [("code", "smell"), ("name_nl", "Stank"), ("name_en", "Smell"),
                                                                  ("default_urgency", "low"), ("default_organisation_kind", "housing_corporation"),
                                                                  ("active", "on")]).status == .seeOther)
            let category = try await world.withDatabase { try await Category.query(on: $0.db()).filter(\.$code == "smell").first() }
            let id = try #require(category?.id)
            #expect(category?.position == 18)
            // The code is fixed: an edit ignores any code sent.
            #expect(try await browser.post("/admin/categories/\(id.uuidString)", [("code", "other_code"), ("name_nl", "Stankoverlast"), ("name_en", "Smell nuisance"),
                                                                                  ("default_urgency", "normal"), ("default_organisation_kind", "city")]).status == .seeOther)
            let edited = try await world.withDatabase { try await Category.find(id, on: $0.db()) }
            #expect(edited?.code == "smell")
            #expect(edited?.nameNL == "Stankoverlast")
            #expect(edited?.active == false)
            let audits = try await world.withDatabase { db in
                try await AuditEntry.query(on: db.db()).filter(\.$recordType ~~ ["organisation", "category"]).count()
            }
            #expect(audits == 4)
        }
    }

    @Test(arguments: TestDatabase.available)
    func createdUserCanSignInUntilDeactivated(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let fields = [("email", "Nieuwe.Collega@Test.Example"), ("name", "Nieuwe Collega"), ("role", "coordinator"),
                          ("organisation", "")]
            let short = try await admin.post("/admin/users", fields + [("password", "kort"), ("districts", world.districtNorth.uuidString)])
            #expect(short.status == .unprocessableContent)
            #expect(short.text.contains(#"id="password-error""#))
            #expect(!short.text.contains("kort\""))
            #expect(short.text.contains(#"value="Nieuwe Collega""#))
            #expect(short.text.contains(#"value="\#(world.districtNorth.uuidString)" checked"#))
            let noDistrict = try await admin.post("/admin/users", fields + [("password", "een lang wachtwoord")])
            #expect(noDistrict.text.contains(#"id="districts-error""#))
            let taken = try await admin.post("/admin/users", [("email", TestWorld.Persona.police.email), ("name", "Dubbel"), ("role", "analyst"),
                                                              ("password", "een lang wachtwoord")])
            #expect(taken.text.contains(#"id="email-error""#))

            let created = try await admin.post("/admin/users", fields + [("password", "een lang wachtwoord"),
                                                                          ("districts", world.districtNorth.uuidString)])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let userID = try #require(UUID(uuidString: String(location.dropFirst("/admin/users/".count).prefix(36))))

            let colleague = Browser(client)
            let signIn = try await colleague.post("/login", [("email", "nieuwe.collega@test.example"), ("password", "een lang wachtwoord")])
            #expect(signIn.status == .seeOther)
            let list = try await colleague.get("/reports")
            #expect(list.status == .ok)
            #expect(list.text.contains(world.reportNorth))
            #expect(!list.text.contains(world.reportSouth))

            // Editing: becomes location staff at the southern site.
            #expect(try await admin.post(location.components(separatedBy: "?")[0], [("name", "Nieuwe Collega"), ("role", "location_staff"),
                                                                                    ("locations", world.locationSouth.uuidString)]).status == .seeOther)
            let moved = try await colleague.get("/reports")
            #expect(moved.text.contains(world.reportSouth))
            #expect(!moved.text.contains(world.reportNorth))

            #expect(try await admin.post("/admin/users/\(userID.uuidString)/deactivate", []).status == .seeOther)
            #expect(try await colleague.get("/reports").status == .seeOther)  // the open session stops working
            let refused = try await Browser(client).post("/login", [("email", "nieuwe.collega@test.example"), ("password", "een lang wachtwoord")])
            #expect(refused.status == .unauthorized)
            #expect(try await admin.get("/admin/users").text.contains("niet actief"))

            #expect(try await admin.post("/admin/users/\(userID.uuidString)/activate", []).status == .seeOther)
            let again = try await Browser(client).post("/login", [("email", "nieuwe.collega@test.example"), ("password", "een lang wachtwoord")])
            #expect(again.status == .seeOther)

            let audits = try await world.withDatabase { db in
                try await AuditEntry.query(on: db.db()).filter(\.$recordType == "user").filter(\.$recordID == userID.uuidString)
                    .filter(\.$action ~~ ["create", "update"]).count()
            }
            #expect(audits == 4)
            let stored = try await world.withDatabase { try await User.find(userID, on: $0.db()) }
            #expect(stored?.email == "nieuwe.collega@test.example")
            #expect(stored?.passwordHash.hasPrefix("$2") == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func administratorCannotDeactivateOrDemoteThemselves(_ database: TestDatabase) async throws {
        let world = try await TestWorld.make(database)
        let me = world.users[.admin]!.uuidString
        try await buildApplication(world.config).test(.router) { client in
            let admin = Browser(client)
            try await admin.signIn(.admin)
            let page = try await admin.get("/admin/users/\(me)")
            #expect(!page.text.contains(#"id="deactivate""#))
            #expect(try await admin.post("/admin/users/\(me)/deactivate", []).status == .conflict)
            let demote = try await admin.post("/admin/users/\(me)", [("name", "Admin"), ("role", "analyst")])
            #expect(demote.status == .unprocessableContent)
            #expect(demote.text.contains(#"id="role-error""#))
            #expect(try await admin.get("/admin").status == .ok)
            let other = try await admin.get("/admin/users/\(world.users[.police]!.uuidString)")
            #expect(other.text.contains(#"id="deactivate""#))
        }
    }
}

/// The checks the admin forms make before touching the database.
@Suite struct AdminRulesTests {
    @Test func locationDraftChecksUnitsDatesAndReferences() {
        let district = UUID().uuidString
        var draft = LocationDraft(name: "  De Werf ", district: district, units: "565", openedOn: "2016-09-01", plannedClosingOn: "2026-09-01")
        let (valid, issues) = draft.validate()
        #expect(issues.isEmpty)
        #expect(valid?.name == "De Werf")
        #expect(valid.flatMap { $0.openedOn.map(Formats.isoDay) } == "2016-09-01")
        for (units, code) in [("0", "out_of_range"), ("2001", "out_of_range"), ("veel", "invalid"), ("", "required")] {
            draft.units = units
            #expect(draft.validate().1.contains(FieldIssue("units", code)), "\(units)")
        }
        draft.units = "100"
        draft.plannedClosingOn = "2016-09-01"
        #expect(draft.validate().1 == [FieldIssue("planned_closing_on", "before_opening")])
        draft.plannedClosingOn = "2026-02-30"
        #expect(draft.validate().1 == [FieldIssue("planned_closing_on", "invalid")])
        let empty = LocationDraft().validate().1.map(\.name)
        #expect(empty == ["name", "district", "units"])
    }

    @Test func categoryCodesAreLowerCaseWithUnderscores() {
        func issues(_ code: String) -> [FieldIssue] {
            CategoryDraft(code: code, nameNL: "a", nameEN: "b", urgency: "low", organisationKind: "city").validate(isNew: true).1
        }
        #expect(issues("noise_nuisance").isEmpty)
        #expect(issues("Noise") == [FieldIssue("code", "code_format")])
        #expect(issues("noise-1") == [FieldIssue("code", "code_format")])
        #expect(issues("") == [FieldIssue("code", "required")])
        // On edit the code is not read at all.
        #expect(CategoryDraft(code: "NOT VALID", nameNL: "a", nameEN: "b", urgency: "low", organisationKind: "city").validate(isNew: false).1.isEmpty)
    }

    @Test func userDraftNeedsWhatTheRoleScopesBy() {
        // Neither repeated characters nor a listed password: those are refused as common (NIST rules).
        let base = UserDraft(email: "a@b.nl", name: "A", role: "partner", password: "paars kanaal vlieger")
        #expect(base.validate(isNew: true).1 == [FieldIssue("organisation", "required_for_partner")])
        var coordinator = base
        coordinator.role = "coordinator"
        #expect(coordinator.validate(isNew: true).1 == [FieldIssue("districts", "required_for_coordinator")])
        var staff = base
        staff.role = "location_staff"
        staff.locations = ["not-a-uuid"]
        #expect(staff.validate(isNew: true).1 == [FieldIssue("locations", "unknown")])
        var short = base
        short.role = "analyst"
        short.password = String(repeating: "x", count: Passwords.minimumLength - 1)
        #expect(short.validate(isNew: true).1 == [FieldIssue("password", "password_too_short")])
        short.password = (0...PasswordPolicy.maximumLength).map { "woord\($0) " }.joined()  // longer than the policy's maximum
        #expect(short.validate(isNew: true).1 == [FieldIssue("password", "too_long")])
        short.email = "geen-adres"
        short.password = nil
        #expect(short.validate(isNew: false).1.isEmpty)
        #expect(short.validate(isNew: true).1.map(\.name) == ["email", "password"])
    }
}
