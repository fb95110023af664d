import Foundation

/// The fixed part of the demo: an invented city ("Rivierstad") with four districts, twelve mixed
/// housing sites, its partner organisations and staff. Every name is invented; nothing records
/// ethnicity or nationality.
enum DemoData {
    /// The password of every demo account.
    static let password = "doorpak-demo-2026"
    /// How many reports the demo seeds (about two years up to now).
    static let reportCount = 3_600
    /// Days of history the demo covers.
    static let historyDays = 730

    static let districts = ["Noord", "Oost", "Zuid", "West"]

    // MARK: Organisations

    struct OrganisationSpec: Sendable {
        let key: String
        let name: String
        let kind: OrganisationKind
    }

    static let organisations: [OrganisationSpec] = [
        .init(key: "city", name: "Gemeente – Veiligheid", kind: .city),
        .init(key: "kade", name: "Woonstichting De Kade", kind: .housingCorporation),
        .init(key: "linden", name: "Lindenhof Wonen", kind: .housingCorporation),
        .init(key: "havenveld", name: "Havenveld Wonen", kind: .housingCorporation),
        .init(key: "jongwonen", name: "Coöperatie Jong Wonen", kind: .housingCorporation),
        .init(key: "police", name: "Politie – wijkteam", kind: .police),
        .init(key: "ggd", name: "GGD – Vangnet & Advies", kind: .publicHealth),
        .init(key: "ggz", name: "GGZ Rivierstad", kind: .mentalHealthCare),
        .init(key: "youth", name: "Jongerenwerk Buurtkracht", kind: .youthWork),
        .init(key: "guidance", name: "Stichting Nieuwe Start – begeleiding statushouders", kind: .statusHolderGuidance),
        .init(key: "wpi", name: "WPI – Werk, Participatie en Inkomen", kind: .wpi),
        .init(key: "zvh", name: "Zorg- en Veiligheidshuis Rivierstad", kind: .safetyHouse),
        .init(key: "veiligthuis", name: "Veilig Thuis Rivierstad", kind: .veiligThuis),
        .init(key: "samenthuis", name: "Sociaal Beheer Samen Thuis", kind: .other),
        .init(key: "trefpunt", name: "Welzijn Het Trefpunt", kind: .other),
    ]

    // MARK: Locations

    struct LocationSpec: Sendable {
        let name: String
        let district: String
        let corporation: String
        let units: Int
        let opened: (year: Int, month: Int)
        /// How restless the site is compared with an average one (1 = average).
        let climate: Double
        /// Months ago (0 = this month) in which the site had a bad spell: more reports, and many
        /// more about intimidation, threats and violence.
        let badMonthsAgo: [Int]
    }

    static let locations: [LocationSpec] = [
        .init(name: "Startblok Noorderhaven", district: "Noord", corporation: "kade", units: 565, opened: (2016, 9),
              climate: 1.25, badMonthsAgo: [15, 4]),
        .init(name: "Jonge Buren Zijlweg", district: "Noord", corporation: "linden", units: 176, opened: (2019, 3),
              climate: 0.9, badMonthsAgo: []),
        .init(name: "De Werf", district: "Noord", corporation: "havenveld", units: 110, opened: (2021, 6),
              climate: 0.8, badMonthsAgo: []),
        .init(name: "Het Anker", district: "Oost", corporation: "linden", units: 250, opened: (2017, 11),
              climate: 1.35, badMonthsAgo: [9]),
        .init(name: "Oostpoort Wonen", district: "Oost", corporation: "kade", units: 240, opened: (2018, 4),
              climate: 0.95, badMonthsAgo: []),
        .init(name: "De Kiem", district: "Oost", corporation: "jongwonen", units: 140, opened: (2022, 2),
              climate: 0.85, badMonthsAgo: []),
        .init(name: "Startblok Zuiderpark", district: "Zuid", corporation: "havenveld", units: 420, opened: (2017, 5),
              climate: 1.1, badMonthsAgo: [20]),
        .init(name: "Tuinen van Zuid", district: "Zuid", corporation: "jongwonen", units: 120, opened: (2020, 10),
              climate: 0.7, badMonthsAgo: []),
        .init(name: "De Brug", district: "Zuid", corporation: "kade", units: 180, opened: (2019, 8),
              climate: 1.0, badMonthsAgo: []),
        .init(name: "Startblok Westerkade", district: "West", corporation: "jongwonen", units: 330, opened: (2016, 3),
              climate: 1.0, badMonthsAgo: []),
        .init(name: "Havenhuis West", district: "West", corporation: "linden", units: 100, opened: (2021, 1),
              climate: 0.75, badMonthsAgo: []),
        .init(name: "Lommerhof", district: "West", corporation: "havenveld", units: 210, opened: (2018, 7),
              climate: 1.05, badMonthsAgo: []),
    ]

    static func location(named name: String) -> LocationSpec? { locations.first { $0.name == name } }

    /// The places of a site: buildings, an entrance, floors, shared and outdoor spaces; six to twelve,
    /// more for bigger sites.
    static func places(units: Int) -> [(name: String, kind: PlaceKind)] {
        let buildings = units >= 400 ? 3 : units >= 200 ? 2 : 1
        var list: [(String, PlaceKind)] = [
            ("Blok A", .building), ("Hoofdingang", .entrance), ("Gemeenschappelijke ruimte", .sharedSpace),
            ("Wasruimte", .sharedSpace), ("Fietsenstalling", .outdoor), ("Blok A, 2e verdieping", .floor),
        ]
        if buildings >= 2 {
            list += [("Blok B", .building), ("Lift Blok B", .sharedSpace), ("Entree Blok B", .entrance),
                     ("Blok B, 3e verdieping", .floor)]
        } else {
            list += [("Lift", .sharedSpace), ("Blok A, begane grond", .floor)]
        }
        list += [("Binnentuin", .outdoor), ("Studieruimte", .sharedSpace)]
        if buildings >= 3 { list += [("Blok C", .building), ("Gedeelde keuken Blok C", .sharedSpace)] }
        list += [("Afvalcontainers", .outdoor), ("Blok A, 4e verdieping", .floor)]
        let count = min(12, 6 + units / 90)
        return Array(list.prefix(count)).map { (name: $0.0, kind: $0.1) }
    }

    /// How a place reads in a sentence ("in de wasruimte").
    static func phrase(forPlace name: String) -> String {
        switch name {
        case "Blok A", "Blok B", "Blok C": "in \(name)"
        case "Hoofdingang": "bij de hoofdingang"
        case "Gemeenschappelijke ruimte": "in de gemeenschappelijke ruimte"
        case "Wasruimte": "in de wasruimte"
        case "Fietsenstalling": "in de fietsenstalling"
        case "Lift": "in de lift"
        case "Lift Blok B": "in de lift van Blok B"
        case "Entree Blok B": "bij de entree van Blok B"
        case "Binnentuin": "in de binnentuin"
        case "Studieruimte": "in de studieruimte"
        case "Gedeelde keuken Blok C": "in de gedeelde keuken van Blok C"
        case "Afvalcontainers": "bij de afvalcontainers"
        case "Blok A, begane grond": "op de begane grond van Blok A"
        case "Blok A, 2e verdieping": "op de 2e verdieping van Blok A"
        case "Blok A, 4e verdieping": "op de 4e verdieping van Blok A"
        case "Blok B, 3e verdieping": "op de 3e verdieping van Blok B"
        default: "bij \(name.lowercased())"
        }
    }

    // MARK: Users

    struct UserSpec: Sendable {
        let email: String
        let name: String
        let role: Role
        let organisation: String
        var districts: [String] = []
        var locations: [String] = []
    }

    static let users: [UserSpec] = [
        // The fixed demo accounts (see the README and the sign-in hint).
        .init(email: "beheerder@doorpak.example", name: "Marieke van den Berg", role: .administrator, organisation: "city"),
        .init(email: "coordinator@doorpak.example", name: "Sanne Verhoeven", role: .coordinator, organisation: "city",
              districts: ["Noord", "Oost"]),
        .init(email: "locatie@doorpak.example", name: "Joost Hendriks", role: .locationStaff, organisation: "kade",
              locations: ["Startblok Noorderhaven"]),
        .init(email: "ggd@doorpak.example", name: "Nadia Verbeek", role: .partner, organisation: "ggd"),
        .init(email: "politie@doorpak.example", name: "Ruben de Graaf", role: .partner, organisation: "police"),
        .init(email: "analist@doorpak.example", name: "Eva Smit", role: .analyst, organisation: "city"),
        .init(email: "privacy@doorpak.example", name: "Pieter Bakker", role: .privacyOfficer, organisation: "city"),
        // District safety coordinators and analysts of the city.
        .init(email: "thomas.kuipers@doorpak.example", name: "Thomas Kuipers", role: .coordinator, organisation: "city",
              districts: ["Zuid"]),
        .init(email: "lotte.jansen@doorpak.example", name: "Lotte Jansen", role: .coordinator, organisation: "city",
              districts: ["West"]),
        .init(email: "daan.visser@doorpak.example", name: "Daan Visser", role: .analyst, organisation: "city"),
        // Social managers of the corporations, on site.
        .init(email: "iris.bosman@doorpak.example", name: "Iris Bosman", role: .locationStaff, organisation: "kade",
              locations: ["Startblok Noorderhaven", "Oostpoort Wonen"]),
        .init(email: "kevin.dekker@doorpak.example", name: "Kevin Dekker", role: .locationStaff, organisation: "kade",
              locations: ["De Brug"]),
        .init(email: "femke.willems@doorpak.example", name: "Femke Willems", role: .locationStaff, organisation: "linden",
              locations: ["Jonge Buren Zijlweg", "Havenhuis West"]),
        .init(email: "bas.koster@doorpak.example", name: "Bas Koster", role: .locationStaff, organisation: "linden",
              locations: ["Het Anker"]),
        .init(email: "noor.peters@doorpak.example", name: "Noor Peters", role: .locationStaff, organisation: "havenveld",
              locations: ["Startblok Zuiderpark", "De Werf"]),
        .init(email: "mark.hoekstra@doorpak.example", name: "Mark Hoekstra", role: .locationStaff, organisation: "havenveld",
              locations: ["Lommerhof"]),
        .init(email: "julia.evans@doorpak.example", name: "Julia Evans", role: .locationStaff, organisation: "jongwonen",
              locations: ["Startblok Westerkade", "Tuinen van Zuid"]),
        .init(email: "sem.dewit@doorpak.example", name: "Sem de Wit", role: .locationStaff, organisation: "jongwonen",
              locations: ["De Kiem"]),
        // Social management bought from a specialised agency on the largest sites.
        .init(email: "lisa.brouwer@doorpak.example", name: "Lisa Brouwer", role: .locationStaff, organisation: "samenthuis",
              locations: ["Startblok Noorderhaven", "Startblok Zuiderpark"]),
        .init(email: "oliver.grant@doorpak.example", name: "Oliver Grant", role: .locationStaff, organisation: "samenthuis",
              locations: ["Startblok Westerkade"]),
        // Partner professionals.
        .init(email: "yvonne.smits@doorpak.example", name: "Yvonne Smits", role: .partner, organisation: "police"),
        .init(email: "michiel.vanleeuwen@doorpak.example", name: "Michiel van Leeuwen", role: .partner, organisation: "ggd"),
        .init(email: "hanna.deboer@doorpak.example", name: "Hanna de Boer", role: .partner, organisation: "ggz"),
        .init(email: "jesse.meijer@doorpak.example", name: "Jesse Meijer", role: .partner, organisation: "youth"),
        .init(email: "sophie.vanwijk@doorpak.example", name: "Sophie van Wijk", role: .partner, organisation: "guidance"),
        .init(email: "roel.timmermans@doorpak.example", name: "Roel Timmermans", role: .partner, organisation: "wpi"),
        .init(email: "ellen.prins@doorpak.example", name: "Ellen Prins", role: .partner, organisation: "zvh"),
        .init(email: "karin.huisman@doorpak.example", name: "Karin Huisman", role: .partner, organisation: "veiligthuis"),
        .init(email: "gertjan.vermeulen@doorpak.example", name: "Gert-Jan Vermeulen", role: .partner, organisation: "kade"),
        .init(email: "wendy.scholten@doorpak.example", name: "Wendy Scholten", role: .partner, organisation: "havenveld"),
        .init(email: "tim.gerritsen@doorpak.example", name: "Tim Gerritsen", role: .partner, organisation: "trefpunt"),
    ]
}
