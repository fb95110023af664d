import Foundation

/// Generates realistic synthetic reports for a `DemoWorld`: more at bigger and rougher sites, more
/// in summer and at night, spikes of intimidation and violence during a site's bad spells, statuses
/// that follow the age of a report, and (optionally) the history and notes that go with them.
///
/// Two steps, so that a million reports need little memory: `plan` draws the cheap part of every
/// report (when, where, what), sorts by creation and numbers the references per year; `materialise`
/// then turns a slice of plans into full rows, independently per plan (each has its own seed), so
/// slices can be built in parallel with inserting the previous one.
struct DemoReportGenerator: Sendable {
    struct Plan: Sendable {
        var occurred: Int64
        var created: Int64
        var seed: UInt64
        var number: Int32 = 0
        var year: Int16 = 0
        var site: Int16
        var category: Int16
        var hour: Int8
        var signal: Bool
    }

    struct ReportRow: Sendable {
        var id: UUID
        var reference: String
        var kind: ReportKind
        var categoryID: UUID
        var locationID: UUID
        var districtID: UUID
        var placeID: UUID?
        var occurredAt: Int64
        var description: String
        var searchText: String
        var urgency: Int
        var source: ReportSource?
        var status: ReportStatus
        var organisationID: UUID?
        var ownerID: UUID?
        var reporterID: UUID
        var createdAt: Int64
        var updatedAt: Int64
    }

    struct EventRow: Sendable {
        var id: UUID
        var reportID: UUID
        var at: Int64
        var actorID: UUID?
        var field: ReportField
        var from: String?
        var to: String?
        var reason: String?
    }

    struct NoteRow: Sendable {
        var id: UUID
        var reportID: UUID
        var authorID: UUID
        var body: String
        var createdAt: Int64
    }

    struct Batch: Sendable {
        var reports: [ReportRow] = []
        var events: [EventRow] = []
        var notes: [NoteRow] = []
    }

    private struct Day: Sendable {
        let start: Int64
        let factor: Double
        let summer: Bool
    }

    private struct Route: Sendable {
        let organisationID: UUID?
        let owners: [UUID]
        let partnerReporters: [UUID]
        let placeCandidates: [Int]
    }

    let world: DemoWorld
    let now: Int64
    private let days: [Day]
    private let siteTable: WeightedTable<Int>
    /// Per site: the category table for ordinary days and for bad-spell days.
    private let categoryTables: [[WeightedTable<Int>]]
    private let badDays: [[Range<Int>]]
    private let routes: [[Route]]
    private let profiles: [DemoCategoryProfile]
    private let hourTables: [WeightedTable<Int>]
    private let yearStarts: [(year: Int, start: Int64)]
    private let maxFactor: Double
    private let openedAt: [Int64?]

    /// How much busier a site is during a bad spell.
    private static let badSpellBoost = 2.5

    init(world: DemoWorld, now: Date, days dayCount: Int) {
        self.world = world
        let now = Int64(now.timeIntervalSince1970.rounded(.down))
        self.now = now
        let calendar = Formats.calendar
        let first = calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(now - Int64(dayCount) * 86_400)))
        var days: [Day] = []
        days.reserveCapacity(dayCount + 1)
        var maxDay = 0.0
        for index in 0...dayCount {
            guard let date = calendar.date(byAdding: .day, value: index, to: first) else { continue }
            let month = calendar.component(.month, from: date)
            let weekday = calendar.component(.weekday, from: date)  // 1 = Sunday
            let season = 1 + 0.22 * cos(2 * Double.pi * Double(month - 7) / 12)
            let week = weekday == 6 || weekday == 7 ? 1.15 : weekday == 1 ? 1.05 : 1
            let factor = season * week
            maxDay = max(maxDay, factor)
            days.append(Day(start: Int64(date.timeIntervalSince1970), factor: factor, summer: (6...8).contains(month)))
        }
        self.days = days
        maxFactor = maxDay * Self.badSpellBoost

        let sites = world.sites
        siteTable = WeightedTable(sites.indices.map { ($0, pow(Double(max(sites[$0].location.units, 1)), 0.85) * sites[$0].climate) })
        openedAt = sites.map { $0.location.openedOn.map { Int64($0.timeIntervalSince1970) } }
        badDays = sites.map { site in
            site.badMonthsAgo.map { monthsAgo in
                let end = max(0, days.count - monthsAgo * 30)
                return max(0, end - 45)..<end
            }
        }
        let profiles = world.categories.map { DemoTexts.profiles[$0.code] ?? DemoTexts.fallback }
        self.profiles = profiles
        categoryTables = sites.map { site in
            let units = site.location.units
            let weights = world.categories.indices.map { index -> Double in
                var weight = profiles[index].weight
                switch world.categories[index].code {
                case "drugs_alcohol" where units >= 400: weight *= 1.8
                case "intimidation_women" where units >= 400: weight *= 1.3
                case "feeling_unsafe" where units >= 400: weight *= 1.2
                case "noise_nuisance" where units <= 150: weight *= 0.85
                case "loneliness" where units <= 150: weight *= 1.3
                default: break
                }
                return weight
            }
            return [
                WeightedTable(weights.indices.map { ($0, weights[$0]) }),
                WeightedTable(weights.indices.map { ($0, weights[$0] * profiles[$0].badSpell) }),
            ]
        }
        routes = sites.map { site in
            world.categories.indices.map { index in
                Self.route(for: world.categories[index], profile: profiles[index], at: site, in: world)
            }
        }
        let night: [Double] = [6, 5, 4, 3, 2, 1.5, 1.5, 2, 2.5, 3, 3, 3, 3, 3, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 8.5, 7.5]
        let summer = night.enumerated().map { hour, weight in hour >= 21 || hour <= 2 ? weight * 1.35 : weight }
        let office: [Double] = [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 3, 5, 5.5, 5, 4, 5, 5, 4.5, 3.5, 2, 1.5, 1.2, 1, 0.8, 0.6, 0.4]
        hourTables = [night, summer, office].map { weights in WeightedTable(weights.indices.map { ($0, weights[$0]) }) }
        let firstYear = calendar.component(.year, from: first) - 1
        let lastYear = calendar.component(.year, from: Date(timeIntervalSince1970: TimeInterval(now))) + 1
        yearStarts = (firstYear...lastYear).compactMap { year in
            calendar.date(from: DateComponents(year: year, month: 1, day: 1)).map { (year, Int64($0.timeIntervalSince1970)) }
        }
    }

    private static func route(for category: Category, profile: DemoCategoryProfile, at site: DemoWorld.Site,
                              in world: DemoWorld) -> Route {
        let organisation = ReportStore.defaultOrganisation(for: category, at: site.location, in: world.catalog)
        var owners: [UUID] = []
        var partners: [UUID] = []
        if let organisation {
            let kind = world.catalog.organisation(organisation)?.organisationKind
            if organisation == site.location.corporationID {
                owners = site.staff.filter { world.organisationOf[$0] == organisation }
                    + (world.partnersByOrganisation[organisation] ?? [])
            } else if kind == .city {
                owners = site.coordinators.filter { world.organisationOf[$0] == organisation }
            }
            if owners.isEmpty { owners = world.ownersByOrganisation[organisation] ?? [] }
            partners = world.partnersByOrganisation[organisation] ?? []
        }
        if partners.isEmpty { partners = site.coordinators }
        let candidates = site.places.indices.filter { index in
            profile.places.isEmpty || profile.places.contains(PlaceKind(rawValue: site.places[index].kind) ?? .other)
        }
        return Route(organisationID: organisation, owners: owners, partnerReporters: partners,
                     placeCandidates: candidates.isEmpty ? Array(site.places.indices) : candidates)
    }

    // MARK: Planning

    /// Draws `count` reports, sorted by creation, with reference numbers continuing `counters`
    /// (the last number used per year).
    func plan(count: Int, seed: UInt64, continuing counters: [Int: Int] = [:]) -> [Plan] {
        var random = DemoRandom(seed: seed)
        var plans: [Plan] = []
        plans.reserveCapacity(count)
        while plans.count < count {
            let site = siteTable.pick(&random)
            let dayIndex = random.int(0..<days.count)
            let day = days[dayIndex]
            let bad = badDays[site].contains { $0.contains(dayIndex) }
            guard random.unit() * maxFactor < day.factor * (bad ? Self.badSpellBoost : 1) else { continue }
            let category = categoryTables[site][bad ? 1 : 0].pick(&random)
            let profile = profiles[category]
            let signal = random.chance(profile.signalShare)
            let daytime = profile.daytime || (signal && random.chance(0.25))
            let hour = hourTables[daytime ? 2 : day.summer ? 1 : 0].pick(&random)
            let occurred = day.start + Int64(hour * 3600 + random.int(0..<60) * 60)
            guard occurred < now - 120 else { continue }
            if let opened = openedAt[site], occurred < opened { continue }
            // Incidents are entered within minutes to a day; signals often days later.
            let delay = Int64((signal ? 3600 : 600) * pow(2, random.double(0, 7))) + Int64(random.int(0..<60))
            var created = occurred + delay
            if created > now - 1 { created = occurred + Int64(Double(now - 1 - occurred) * random.unit()) }
            plans.append(Plan(occurred: occurred, created: created, seed: random.next(), site: Int16(site),
                              category: Int16(category), hour: Int8(hour), signal: signal))
        }
        plans.sort { $0.created != $1.created ? $0.created < $1.created : $0.seed < $1.seed }
        var counters = counters
        for index in plans.indices {
            let year = self.year(of: plans[index].created)
            let number = (counters[year] ?? 0) + 1
            counters[year] = number
            plans[index].year = Int16(year)
            plans[index].number = Int32(number)
        }
        return plans
    }

    /// The last reference number per year after these plans.
    static func counters(after plans: some Sequence<Plan>, continuing counters: [Int: Int] = [:]) -> [Int: Int] {
        var result = counters
        for plan in plans { result[Int(plan.year)] = max(result[Int(plan.year)] ?? 0, Int(plan.number)) }
        return result
    }

    private func year(of seconds: Int64) -> Int {
        var year = yearStarts.first?.year ?? 1970
        for entry in yearStarts where entry.start <= seconds { year = entry.year }
        return year
    }

    static func reference(year: Int, number: Int) -> String {
        let digits = String(number)
        let padded = digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
        return "DP-\(year)-\(padded)"
    }

    // MARK: Materialising

    func materialise(_ plans: some Collection<Plan>, history: Bool) -> Batch {
        var batch = Batch()
        batch.reports.reserveCapacity(plans.count)
        if history {
            batch.events.reserveCapacity(plans.count * 3)
            batch.notes.reserveCapacity(plans.count / 2)
        }
        for plan in plans { materialise(plan, history: history, into: &batch) }
        return batch
    }

    private func materialise(_ plan: Plan, history: Bool, into batch: inout Batch) {
        var random = DemoRandom(seed: plan.seed)
        let site = world.sites[Int(plan.site)]
        let category = world.categories[Int(plan.category)]
        let profile = profiles[Int(plan.category)]
        let route = routes[Int(plan.site)][Int(plan.category)]
        let id = random.uuid()
        let reference = Self.reference(year: Int(plan.year), number: Int(plan.number))

        // Urgency: the category's default, sometimes one step either way.
        let roll = random.unit()
        let urgency = min(Urgency.critical.rawValue, max(Urgency.low.rawValue,
            category.defaultUrgency + (roll < 0.12 ? -1 : roll > 0.88 ? 1 : 0)))

        // Where on site.
        var placeIndex: Int?
        if !site.places.isEmpty, random.chance(profile.places.isEmpty ? 0.2 : 0.8) {
            placeIndex = random.pick(route.placeCandidates)
        }
        let slots = DemoSlots(
            plek: placeIndex.map { site.placePhrases[$0] } ?? (random.chance(0.5) ? "op het terrein" : "op de locatie"),
            tijd: DemoTexts.time(hour: Int(plan.hour)),
            keer: random.pick(DemoTexts.repeats)
        )
        let description = random.pick(profile.templates)(slots)

        // Who reported it: mostly staff on site, else a partner or the district coordinator.
        let reporter: UUID
        let source: ReportSource
        if !site.staff.isEmpty, route.partnerReporters.isEmpty || random.chance(0.72) {
            reporter = random.pick(site.staff)
            let sourceRoll = random.unit()
            source = sourceRoll < 0.4 ? .residentReport : sourceRoll < 0.7 ? .inPerson : sourceRoll < 0.9 ? .phone : .email
        } else if !route.partnerReporters.isEmpty {
            reporter = random.pick(route.partnerReporters)
            source = world.organisationOf[reporter] == route.organisationID ? .partner : .phone
        } else {
            reporter = world.fallbackReporter
            source = .other
        }

        // Status follows age: recent reports are open, old ones mostly closed.
        let age = Double(now - plan.created) / 86_400
        let statusRoll = random.unit()
        let status: ReportStatus
        switch age {
        case ..<3: status = statusRoll < 0.7 ? .new : .inProgress
        case ..<14: status = statusRoll < 0.25 ? .new : statusRoll < 0.75 ? .inProgress : statusRoll < 0.95 ? .resolved : .closed
        case ..<60: status = statusRoll < 0.05 ? .new : statusRoll < 0.3 ? .inProgress : statusRoll < 0.65 ? .resolved : .closed
        default: status = statusRoll < 0.01 ? .new : statusRoll < 0.05 ? .inProgress : statusRoll < 0.2 ? .resolved : .closed
        }
        let owner: UUID? = status == .new || route.owners.isEmpty ? nil : random.pick(route.owners)

        // The status path and its moments, squeezed into the time between creation and now.
        var steps: [(ReportStatus, String?, Double)] = []  // (to, reason, hours after the previous step)
        let pickUp = urgency >= Urgency.high.rawValue ? random.double(0.1, 8) : random.double(0.3, 48)
        switch status {
        case .new: break
        case .inProgress: steps = [(.inProgress, nil, pickUp)]
        case .resolved:
            steps = random.chance(0.8)
                ? [(.inProgress, nil, pickUp), (.resolved, nil, random.double(24, 21 * 24))]
                : [(.resolved, nil, pickUp)]
        case .closed:
            let path = random.unit()
            if path < 0.75 {
                steps = [(.inProgress, nil, pickUp), (.resolved, nil, random.double(24, 21 * 24)),
                         (.closed, nil, random.double(24, 14 * 24))]
            } else if path < 0.9 {
                steps = [(.inProgress, nil, pickUp), (.closed, random.pick(DemoTexts.closeReasons), random.double(48, 30 * 24))]
            } else {
                steps = [(.closed, random.pick(DemoTexts.closeReasons), random.double(4, 72))]
            }
        }
        let limit = max(plan.created, now - 60)
        let total = steps.reduce(0) { $0 + $1.2 } * 3600
        let scale = total > Double(limit - plan.created) && total > 0 ? Double(limit - plan.created) / total : 1
        var at = plan.created
        var moments: [Int64] = []
        var elapsed = 0.0
        for step in steps {
            elapsed += step.2 * 3600 * scale
            at = min(limit, max(at, plan.created + Int64(elapsed)))
            moments.append(at)
        }
        var updated = moments.last ?? plan.created

        if history {
            batch.events.append(EventRow(id: random.uuid(), reportID: id, at: plan.created, actorID: reporter,
                                         field: .created, from: nil, to: ReportStatus.new.rawValue))
            var from = ReportStatus.new
            let actor = owner ?? reporter
            for (index, step) in steps.enumerated() {
                if index == 0, let owner {
                    batch.events.append(EventRow(id: random.uuid(), reportID: id, at: moments[index], actorID: actor,
                                                 field: .owner, from: nil, to: owner.uuidString))
                }
                batch.events.append(EventRow(id: random.uuid(), reportID: id, at: moments[index], actorID: actor,
                                             field: .status, from: from.rawValue, to: step.0.rawValue, reason: step.1))
                from = step.0
            }
            if status != .new, random.chance(0.3) {
                let end = max(plan.created + 60, moments.last ?? limit)
                var noteTimes = (0..<random.int(1...3)).map { _ in
                    min(limit, plan.created + 60 + Int64(Double(end - plan.created - 60) * random.unit()))
                }
                noteTimes.sort()
                for time in noteTimes {
                    let author = random.chance(0.7) ? actor : reporter
                    batch.notes.append(NoteRow(id: random.uuid(), reportID: id, authorID: author,
                                               body: random.pick(DemoTexts.notes), createdAt: time))
                    batch.events.append(EventRow(id: random.uuid(), reportID: id, at: time, actorID: author,
                                                 field: .note, from: nil, to: nil))
                    updated = max(updated, time)
                }
            }
        }

        batch.reports.append(ReportRow(
            id: id, reference: reference, kind: plan.signal ? .signal : .incident, categoryID: category.id!,
            locationID: site.location.id!, districtID: site.location.districtID,
            placeID: placeIndex.map { site.places[$0].id! }, occurredAt: plan.occurred, description: description,
            searchText: Report.searchText(reference: reference, description: description), urgency: urgency,
            source: source, status: status, organisationID: route.organisationID, ownerID: owner, reporterID: reporter,
            createdAt: plan.created, updatedAt: updated
        ))
    }
}
