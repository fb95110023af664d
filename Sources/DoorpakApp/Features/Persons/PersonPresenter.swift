import Foundation

/// Turns persons into template data. Absent values are left out (never empty strings).
struct PersonPresenter {
    let catalog: Catalog
    let locale: LocaleTexts
    let language: Language

    func detail(_ person: Person) -> [String: Any] {
        var data: [String: Any] = [
            "pseudonym": person.pseudonym, "name": person.name,
            "href": "/persons/\(person.pseudonym)",
            "interpreter": locale.text(person.interpreterNeeded ? "persons.yes" : "persons.no"),
            "updated": Formats.dateTime(person.updatedAt, language),
        ]
        if person.detailsWithheld { data["withheld"] = true }
        if person.identityWithheld { data["identityWithheld"] = true; data["emergencyHref"] = "/break-glass/persons/\(person.pseudonym)" }
        if let birthDate = person.birthDate, let day = Formats.parse(day: birthDate) { data["birthDate"] = Formats.date(day, language) }
        if let contact = person.contact { data["contact"] = contact }
        if !person.languages.isEmpty { data["languages"] = languageNames(person.languages) }
        if let location = location(person) { data["location"] = location }
        if let since = person.residentSince { data["residentSince"] = Formats.date(since, language) }
        return data
    }

    func location(_ person: Person) -> String? {
        let name = person.locationID.flatMap { catalog.location($0)?.name }
        switch (name, person.unit) {
        case (let name?, let unit?): return "\(name), \(unit)"
        case (let name?, nil): return name
        case (nil, let unit?): return unit
        default: return nil
        }
    }

    func languageNames(_ codes: [String]) -> String {
        codes.map { code in
            let key = "persons.language_names.\(code)"
            let text = locale.text(key)
            return text == key ? code : text
        }.joined(separator: ", ")
    }

    func roleLabel(_ role: PersonRole) -> String { locale.text("persons.roles.\(role.rawValue)") }

    func roleOptions(selected: String?) -> [[String: Any]] {
        ViewHelpers.options([("", locale.text("form.choose"))] + PersonRole.allCases.map { ($0.rawValue, roleLabel($0)) }, selected: selected ?? "")
    }

    /// The form's fields, as typed (or as stored when editing).
    func form(_ form: FormFields, issues: [FieldIssue]) -> [String: Any] {
        let errors = ViewHelpers.errors(issues, locale)
        let chosen = Set(form.all("languages"))
        let locations = catalog.locations.filter(\.active)
        var data: [String: Any] = [
            "name": form.raw("name"), "birth_date": form.raw("birth_date"), "contact": form.raw("contact"),
            "unit": form.raw("unit"), "resident_since": form.raw("resident_since"),
            "other_languages": form.raw("other_languages"),
            "interpreter": form["interpreter_needed"] == "1",
            "locations": ViewHelpers.options([("", locale.text("persons.no_location"))] + locations.map { ($0.id!.uuidString, $0.name) },
                                             selected: form["location"] ?? ""),
            "languageChoices": PersonDraft.commonLanguages.map { ["value": $0, "label": languageNames([$0]), "checked": chosen.contains($0)] },
            "roles": roleOptions(selected: form["role"]),
            "errors": errors,
            "errorSummary": Self.summary(errors, locale),
        ]
        if !errors.isEmpty { data["hasErrors"] = true }
        return data
    }

    static let fieldOrder = ["existing", "role", "name", "birth_date", "contact", "location", "unit", "resident_since", "languages", "reason"]

    static func summary(_ errors: [String: String], _ locale: LocaleTexts) -> [[String: String]] {
        fieldOrder.compactMap { name in errors[name].map { ["field": name, "label": locale.text("persons.fields.\(name)"), "message": $0] } }
    }

    /// A form's fields as a draft: the check boxes plus any other codes typed.
    static func draft(_ form: FormFields) -> PersonDraft {
        let other = form.raw("other_languages").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        return PersonDraft(name: form.raw("name"), birthDate: form["birth_date"], contact: form["contact"], location: form["location"],
                           unit: form["unit"], residentSince: form["resident_since"], languages: form.all("languages") + other,
                           interpreterNeeded: form["interpreter_needed"] == "1")
    }

    /// A stored person as form fields, for the edit page.
    static func fields(_ person: Person) -> FormFields {
        var pairs: [(String, String)] = [("name", person.name), ("birth_date", person.birthDate ?? ""), ("contact", person.contact ?? ""),
                                         ("location", person.locationID?.uuidString ?? ""), ("unit", person.unit ?? ""),
                                         ("resident_since", person.residentSince.map(Formats.isoDay) ?? "")]
        let common = person.languages.filter(PersonDraft.commonLanguages.contains)
        pairs += common.map { ("languages", $0) }
        pairs.append(("other_languages", person.languages.filter { !PersonDraft.commonLanguages.contains($0) }.joined(separator: ", ")))
        if person.interpreterNeeded { pairs.append(("interpreter_needed", "1")) }
        return FormFields(pairs: pairs)
    }
}

/// The "persons involved" section of the report page: pseudonyms and roles, no names (opening
/// a person is a logged read of its own).
enum PersonReportSection {
    static func data(for report: Report, links: [PersonStore.Link], locale: LocaleTexts) -> [String: Any] {
        var data: [String: Any] = [
            "items": links.map { link in
                ["pseudonym": link.person.pseudonym, "href": "/persons/\(link.person.pseudonym)",
                 "role": locale.text("persons.roles.\(link.role.rawValue)"),
                 "unlinkAction": "/reports/\(report.reference)/persons/\(link.person.pseudonym)/unlink"]
            },
            "newHref": "/reports/\(report.reference)/persons/new",
        ]
        if links.isEmpty { data["empty"] = true }
        return data
    }
}
