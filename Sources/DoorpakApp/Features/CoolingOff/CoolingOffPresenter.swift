import Foundation

/// Template data for the cooling-off pages. Absent values are left out.
struct CoolingOffPresenter {
    let catalog: Catalog
    let locale: LocaleTexts
    let language: Language
    let cipher: FieldCipher

    func day(_ date: Date) -> String { Formats.date(date, language) }

    func dwellingRow(_ dwelling: CoolingOffDwelling) -> [String: Any] {
        var row: [String: Any] = ["name": dwelling.name, "address": dwelling.addressLabel, "capacity": dwelling.capacity,
                                  "editHref": "/cooling-off/dwellings/\(dwelling.id!.uuidString)/edit"]
        if !dwelling.active { row["inactive"] = true }
        return row
    }

    /// Who: the name for those who may see the person, the pseudonym for everyone else.
    func who(_ visible: CoolingOffStore.Visible, names: [UUID: String]) -> [String: Any] {
        var who: [String: Any] = ["pseudonym": visible.person.pseudonym]
        if let name = names[visible.person.id!] {
            who["name"] = name
            who["href"] = "/persons/\(visible.person.pseudonym)"
        }
        return who
    }

    func row(_ visible: CoolingOffStore.Visible, dwellings: [CoolingOffDwelling], names: [UUID: String], today: Date) -> [String: Any] {
        let placement = visible.placement
        var row: [String: Any] = [
            "href": "/cooling-off/placements/\(placement.id!.uuidString)",
            "who": who(visible, names: names),
            "status": locale.text("coolingoff.status.\(placement.status)"),
            "statusCode": placement.status,
            "from": day(placement.startedOn ?? placement.proposedStart),
            "plannedEnd": day(placement.plannedEnd),
        ]
        if let dwelling = placement.dwellingID.flatMap({ id in dwellings.first { $0.id == id } }) { row["dwelling"] = dwelling.name }
        if PlacementWarning.isOverdue(placement, today: today) { row["overdue"] = locale.text("coolingoff.overdue") }
        return row
    }

    /// A table per calendar: a row per dwelling, a column per day; each cell says in words how many
    /// places are free ("vol" when none), so it reads without colour.
    func calendar(_ dwellings: [CoolingOffDwelling], availability: Availability, from: Date, days: Int) -> [String: Any] {
        let calendar = Formats.calendar
        let dates = (0..<days).map { PlacementDays.adding($0, to: from) }
        let weekdayFormatter = DateFormatter()
        weekdayFormatter.locale = Locale(identifier: language == .nl ? "nl_NL" : "en_GB")
        weekdayFormatter.timeZone = Formats.timeZone
        weekdayFormatter.dateFormat = "EEEEEE d/M"
        let fullFormatter = DateFormatter()
        fullFormatter.locale = weekdayFormatter.locale
        fullFormatter.timeZone = Formats.timeZone
        fullFormatter.dateFormat = language == .nl ? "EEEE d MMMM" : "EEEE d MMMM"
        let columns: [[String: Any]] = dates.map { date in
            var column: [String: Any] = ["label": weekdayFormatter.string(from: date), "full": fullFormatter.string(from: date)]
            if calendar.component(.weekday, from: date) == 2 { column["weekStart"] = true }
            return column
        }
        let rows: [[String: Any]] = dwellings.map { dwelling in
            let cells: [[String: Any]] = dates.enumerated().map { index, date in
                let free = max(0, dwelling.capacity - availability.taken(dwelling.id!, on: date))
                var cell: [String: Any] = ["text": free == 0 ? locale.text("coolingoff.full_short") : "\(free)",
                                           "label": free == 0 ? locale.text("coolingoff.full") : locale.text("coolingoff.free_count", ["count": "\(free)"])]
                if free == 0 { cell["occupied"] = true }
                if columns[index]["weekStart"] != nil { cell["weekStart"] = true }
                return cell
            }
            return ["name": dwelling.name, "capacity": dwelling.capacity, "cells": cells]
        }
        var data: [String: Any] = ["columns": columns, "rows": rows,
                                   "caption": locale.text("coolingoff.calendar_caption", ["from": day(from), "through": day(dates.last ?? from)])]
        if rows.isEmpty { data["empty"] = true }
        return data
    }

    func detail(_ visible: CoolingOffStore.Visible, dwellings: [CoolingOffDwelling], names: [UUID: String], history: [CoolingOffEvent],
                users: [UUID: String], principal: Principal, today: Date) -> [String: Any] {
        let placement = visible.placement
        var data = row(visible, dwellings: dwellings, names: names, today: today)
        data["id"] = placement.id!.uuidString
        // Not `reason`: history items without a reason would show this one (Mustache looks up the stack).
        data["requestReason"] = placement.reason
        data["proposed"] = "\(day(placement.proposedStart)) – \(day(placement.proposedEnd))"
        data["requested"] = Formats.dateTime(placement.requestedAt, language)
        data["requestedBy"] = users[placement.requestedBy] ?? "–"
        if let organisation = placement.guidanceOrganisationID.flatMap({ catalog.organisation($0)?.name }) { data["guidance"] = organisation }
        if let started = placement.startedOn { data["started"] = day(started) }
        if let ended = placement.endedOn { data["ended"] = day(ended) }
        if let outcome = placement.outcome { data["outcome"] = locale.text("coolingoff.outcomes.\(outcome)") }
        data["history"] = history.reversed().map { event -> [String: Any] in
            var item: [String: Any] = ["at": Formats.dateTime(event.at, language), "actor": users[event.actorID] ?? "–",
                                       "what": locale.text("coolingoff.steps.\(event.kind)")]
            if let value = event.value { item["value"] = describe(event.kind, value, dwellings: dwellings) }
            if let reason = event.reason { item["reason"] = reason }
            return item
        }
        // The forms for the steps this user may take now.
        let policy = PlacementPolicy(principal: principal)
        for step in PlacementStep.allCases where step != .request && step.next(from: placement.placementStatus) != nil {
            if policy.mayTake(step, on: placement) { data["can_\(step.rawValue)"] = true }
        }
        data["dwellingOptions"] = ViewHelpers.options(dwellings.filter(\.active).map { ($0.id!.uuidString, "\($0.name) (\($0.capacity))") },
                                                      selected: placement.dwellingID?.uuidString)
        data["outcomes"] = PlacementOutcome.allCases.map { ["value": $0.rawValue, "label": locale.text("coolingoff.outcomes.\($0.rawValue)")] }
        data["today"] = Formats.isoDay(today)
        return data
    }

    private func describe(_ kind: String, _ value: String, dwellings: [CoolingOffDwelling]) -> String {
        switch PlacementStep(rawValue: kind) {
        case .approve: return UUID(uuidString: value).flatMap { id in dwellings.first { $0.id == id }?.name } ?? value
        case .end: return locale.text("coolingoff.outcomes.\(value)")
        case .start, .extend: return Formats.parse(day: value).map(day) ?? value
        case .request:
            let parts = value.split(separator: "/").compactMap { Formats.parse(day: String($0)) }.map(day)
            return parts.joined(separator: " – ")
        default: return value
        }
    }

    static let fieldOrder = ["name", "address_label", "capacity", "reason", "from", "through", "guidance_organisation", "dwelling"]

    static func summary(_ errors: [String: String], _ locale: LocaleTexts) -> [[String: String]] {
        fieldOrder.compactMap { name in errors[name].map { ["field": name, "label": locale.text("coolingoff.fields.\(name)"), "message": $0] } }
    }
}
