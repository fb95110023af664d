import Foundation

/// How each category behaves in the demo: how common it is, how often it is a signal rather than an
/// incident, when it tends to happen, where on site, and short synthetic Dutch descriptions.
struct DemoCategoryProfile: Sendable {
    /// Relative frequency on an average site in an average month.
    let weight: Double
    /// Share reported as a signal ("signaal") rather than an incident ("melding").
    let signalShare: Double
    /// Extra factor during a site's bad spell.
    let badSpell: Double
    /// Mostly noticed during office hours rather than evenings and nights.
    let daytime: Bool
    /// Preferred kinds of place, if any.
    let places: [PlaceKind]
    let templates: [@Sendable (DemoSlots) -> String]
}

/// The variable parts of a description.
struct DemoSlots: Sendable {
    /// Where: "in de wasruimte", or "op het terrein".
    let plek: String
    /// When: "in de avond", "midden in de nacht".
    let tijd: String
    /// How often: "voor de derde keer deze week".
    let keer: String
}

enum DemoTexts {
    static let profiles: [String: DemoCategoryProfile] = makeProfiles()

    private static func makeProfiles() -> [String: DemoCategoryProfile] {
        var p: [String: DemoCategoryProfile] = [:]
        p["noise_nuisance"] = DemoCategoryProfile(weight: 210, signalShare: 0.25, badSpell: 1.2, daytime: false,
                                places: [.floor, .building, .sharedSpace, .outdoor], templates: [
            { "Bewoner meldt harde muziek na middernacht \($0.plek), \($0.keer)." },
            { "Harde muziek \($0.plek) \($0.tijd); buren kunnen niet slapen en hebben aangeklopt, zonder resultaat." },
            { "Feest \($0.plek) liep \($0.tijd) uit de hand: veel lawaai en rommel achtergelaten." },
            { "Geschreeuw en deuren slaan \($0.plek) \($0.tijd); de piketdienst nam niet op." },
            { "Buren klagen over een bewoner die 's nachts luid belt en muziek draait, \($0.keer)." },
            { "Overlast van een groep bezoekers \($0.plek) \($0.tijd)." },
        ])
        p["resident_conflict"] = DemoCategoryProfile(weight: 140, signalShare: 0.35, badSpell: 1.5, daytime: false,
                                   places: [.sharedSpace, .floor], templates: [
            { "Ruzie tussen buren over het schoonmaken van de gedeelde keuken, \($0.keer)." },
            { "Conflict tussen twee bewoners \($0.plek) over geleende spullen; de sfeer op de gang is gespannen." },
            { "Twee gangen liggen met elkaar overhoop over het gebruik van de ruimte \($0.plek). Gangmakers vragen om bemiddeling." },
            { "Een bewoner houdt de wasmachines \($0.plek) urenlang bezet; medebewoners zijn boos en het loopt uit de hand." },
            { _ in "Onenigheid over afval in de gang; een bewoner voelt zich aangevallen in de groepsapp." },
        ])
        p["house_rules"] = DemoCategoryProfile(weight: 90, signalShare: 0.3, badSpell: 1, daytime: false,
                             places: [.sharedSpace, .floor, .outdoor], templates: [
            { "Fietsen en afval \($0.plek) ondanks afspraken niet opgeruimd." },
            { _ in "Bewoner laat steeds bezoekers overnachten, tegen de huisregels in." },
            { "Er wordt gerookt \($0.plek) terwijl dat niet mag, \($0.keer)." },
            { _ in "Huisdier gehouden zonder toestemming; buren klagen over geblaf." },
            { "De ruimte \($0.plek) is vies achtergelaten, \($0.keer)." },
        ])
        p["damage_vandalism"] = DemoCategoryProfile(weight: 70, signalShare: 0.1, badSpell: 1.5, daytime: false,
                                  places: [.entrance, .outdoor, .sharedSpace], templates: [
            { "Ruit van de deur \($0.plek) ingegooid \($0.tijd)." },
            { "Brandblusser \($0.plek) leeggespoten, slang beschadigd." },
            { "Fietsen \($0.plek) vernield en banden lekgestoken." },
            { "Graffiti en bekladding \($0.plek); herstelopdracht uitgezet bij de corporatie." },
            { "Wasmachine \($0.plek) opengebroken; geld uit de muntautomaat verdwenen." },
        ])
        p["feeling_unsafe"] = DemoCategoryProfile(weight: 75, signalShare: 0.9, badSpell: 3, daytime: false,
                                places: [.outdoor, .entrance, .sharedSpace], templates: [
            { "Bewoonster voelt zich \($0.tijd) niet veilig \($0.plek) door slechte verlichting." },
            { _ in "Meerdere bewoners zeggen zich onveilig te voelen sinds de incidenten van vorige week." },
            { "Bewoner durft niet meer \($0.plek) te komen vanwege groepjes die daar rondhangen." },
            { "Onbekenden lopen via de kapotte toegangsdeur naar binnen; bewoners voelen zich onveilig \($0.plek)." },
        ])
        p["intimidation_women"] = DemoCategoryProfile(weight: 55, signalShare: 0.45, badSpell: 5, daytime: false,
                                    places: [.sharedSpace, .entrance, .outdoor], templates: [
            { "Bewoonster meldt dat een medebewoner haar \($0.plek) herhaaldelijk aanspreekt en volgt; ze durft er 's avonds niet meer alleen heen." },
            { "Meerdere bewoonsters voelen zich geïntimideerd door een groep mannen die \($0.plek) rondhangt en opmerkingen maakt." },
            { "Bewoonster wordt \($0.tijd) \($0.plek) nagestaard en nageroepen; zij vraagt om een gesprek met de sociaal beheerder." },
            { "Een buurman klopt \($0.keer) op de deur van een bewoonster en blijft staan als ze niet opendoet." },
            { "Vrouwelijke bewoners mijden de ruimte \($0.plek) omdat ze zich daar bekeken en lastiggevallen voelen." },
        ])
        p["confused_behaviour"] = DemoCategoryProfile(weight: 60, signalShare: 0.5, badSpell: 1.2, daytime: false,
                                    places: [.floor, .sharedSpace, .outdoor], templates: [
            { "Bewoner loopt \($0.tijd) verward rond \($0.plek) en praat hard tegen zichzelf; buren schrikken." },
            { "Buren maken zich zorgen: bewoner slaapt niet, roept 's nachts en bonkt op de muren, \($0.keer)." },
            { _ in "Bewoner gedraagt zich angstig en achterdochtig en denkt dat hij gevolgd wordt. Zorg lijkt nodig." },
            { "Verward gedrag \($0.plek): bewoner gooit spullen naar beneden en reageert niet op aanspreken." },
            { _ in "Gangmaker meldt dat een bewoner al dagen zijn kamer niet uit komt en vreemde dingen zegt." },
        ])
        p["drugs_alcohol"] = DemoCategoryProfile(weight: 50, signalShare: 0.4, badSpell: 1.5, daytime: false,
                               places: [.outdoor, .sharedSpace, .entrance], templates: [
            { "Bewoners melden drugshandel \($0.plek), vooral \($0.tijd)." },
            { "Sterke wietlucht \($0.plek) en op de gang, \($0.keer)." },
            { "Dronken bewoner \($0.plek) \($0.tijd); hij valt medebewoners lastig." },
            { "Lachgasflessen en rommel aangetroffen \($0.plek)." },
            { "Onbekenden komen \($0.tijd) binnen en lijken drugs af te leveren." },
        ])
        p["loneliness"] = DemoCategoryProfile(weight: 55, signalShare: 0.95, badSpell: 1, daytime: true, places: [], templates: [
            { _ in "Gangmaker maakt zich zorgen over een bewoner die zich terugtrekt en aan geen enkele activiteit meer meedoet." },
            { _ in "Bewoner zegt tijdens het huisbezoek dat hij niemand kent op de locatie en zich eenzaam voelt." },
            { _ in "Bewoonster is sinds haar komst nauwelijks buiten haar kamer gezien; buren maken zich zorgen." },
            { _ in "Bewoner mist zijn familie en lijkt somber; een maatje gezocht via het buddyproject." },
        ])
        p["debt_money"] = DemoCategoryProfile(weight: 40, signalShare: 0.95, badSpell: 1, daytime: true, places: [], templates: [
            { _ in "Bewoner heeft huurachterstand en post van incassobureaus; weet niet waar hij hulp kan vragen." },
            { _ in "Bewoonster vertelt dat ze tot het eind van de maand geen geld meer heeft voor eten." },
            { _ in "Zorgen over schulden van een bewoner door een abonnement dat hij niet kan opzeggen." },
            { _ in "Bewoner begrijpt de brieven over toeslagen niet en moet mogelijk geld terugbetalen." },
        ])
        p["threat"] = DemoCategoryProfile(weight: 35, signalShare: 0.2, badSpell: 4, daytime: false,
                        places: [.floor, .sharedSpace, .entrance], templates: [
            { "Bewoner bedreigt \($0.keer) een buurman na een conflict over de gedeelde keuken." },
            { "Sociaal beheerder \($0.plek) verbaal bedreigd door een bewoner na een gesprek over de huisregels." },
            { _ in "Bewoner wordt via berichten bedreigd door een medebewoner en durft zijn kamer niet uit." },
            { "Dreigende taal en een opgeheven vuist \($0.plek) \($0.tijd); melder voelt zich niet veilig." },
        ])
        p["violence"] = DemoCategoryProfile(weight: 30, signalShare: 0.05, badSpell: 4, daytime: false,
                          places: [.sharedSpace, .outdoor, .floor, .entrance], templates: [
            { "Vechtpartij tussen twee bewoners \($0.plek) \($0.tijd); één bewoner licht gewond, politie ter plaatse geweest." },
            { "Bewoner \($0.plek) geslagen na een ruzie over geluid. Ambulance niet nodig." },
            { "Opstootje met duwen en trekken \($0.plek) na een feest; meerdere bewoners betrokken." },
            { "Bewoner gooit \($0.tijd) met een stoel \($0.plek); niemand geraakt, wel veel schrik bij omstanders." },
        ])
        p["fire_safety"] = DemoCategoryProfile(weight: 30, signalShare: 0.3, badSpell: 1, daytime: false,
                             places: [.floor, .sharedSpace, .entrance], templates: [
            { "Rookmelder \($0.plek) afgeplakt aangetroffen." },
            { "Vluchtroute \($0.plek) geblokkeerd door fietsen en huisraad." },
            { "Bewoner kookt op een los kookplaatje op zijn kamer; de rookmelder ging \($0.tijd) af." },
            { "Brandalarm \($0.tijd) door roken \($0.plek); alle bewoners moesten naar buiten." },
            { "Branddeur \($0.plek) staat steeds open met een wig." },
        ])
        p["discrimination"] = DemoCategoryProfile(weight: 20, signalShare: 0.4, badSpell: 2, daytime: false,
                                places: [.sharedSpace, .floor], templates: [
            { "Bewoner meldt kwetsende opmerkingen over zijn geloof \($0.plek)." },
            { _ in "Op de deur van een bewoner is een beledigende tekst geschreven." },
            { "Een bewoner wordt \($0.keer) uitgescholden om zijn geaardheid; hij overweegt te verhuizen." },
            { _ in "Bewoners melden discriminerende opmerkingen in de groepsapp van de gang." },
        ])
        p["sexual_harassment"] = DemoCategoryProfile(weight: 15, signalShare: 0.15, badSpell: 4, daytime: false,
                                   places: [.sharedSpace, .entrance, .floor], templates: [
            { "Bewoonster meldt ongewenste aanraking door een medebewoner \($0.plek), \($0.tijd). Melding gedaan bij de wijkagent." },
            { "Bewoonster ontvangt seksueel getinte berichten van een buurman en wordt \($0.plek) opgewacht." },
            { "Melding van aanranding \($0.plek) \($0.tijd); de bewoonster is opgevangen door de piketdienst." },
            { "Gangmaker meldt dat een bewoonster \($0.plek) in het nauw is gedreven en betast." },
        ])
        p["self_harm"] = DemoCategoryProfile(weight: 8, signalShare: 0.6, badSpell: 1, daytime: false, places: [], templates: [
            { _ in "Bewoner heeft tegen een gangmaker gezegd dat hij er niet meer wil zijn. Direct opgevolgd." },
            { _ in "Zorgen over een bewoonster met snijwonden aan haar armen; zij wil (nog) geen hulp." },
            { _ in "Medebewoner meldt dat een buurman berichten stuurt over zelfdoding." },
        ])
        p["other"] = DemoCategoryProfile(weight: 30, signalShare: 0.4, badSpell: 1, daytime: true,
                       places: [.entrance, .outdoor, .building], templates: [
            { "Onbekende persoon \($0.tijd) \($0.plek) aangetroffen; vertrokken na aanspreken." },
            { "Lekkage \($0.plek) zorgt voor onrust onder bewoners; vraag om snelle reparatie." },
            { _ in "Bewoner vraagt om een gesprek over zijn woonsituatie; details volgen na het gesprek." },
            { "Pakketjes verdwijnen \($0.plek); bewoners vermoeden diefstal." },
        ])
        return p
    }

    /// For a category added later by an administrator.
    static let fallback = profiles["other"]!

    /// When, from the local hour.
    static func time(hour: Int) -> String {
        switch hour {
        case 0..<5: "midden in de nacht"
        case 5..<8: "vroeg in de ochtend"
        case 8..<12: "in de ochtend"
        case 12..<18: "in de middag"
        case 18..<22: "in de avond"
        default: "laat in de avond"
        }
    }

    static let repeats = [
        "voor de tweede keer deze week", "voor de derde keer deze week", "al enkele weken", "opnieuw",
        "voor het eerst", "de laatste tijd vaker",
    ]

    static let notes = [
        "Gesprek gevoerd met de betrokken bewoner; afspraken gemaakt en vastgelegd.",
        "Wijkagent geïnformeerd en gevraagd de komende weken extra langs te gaan.",
        "Doorverwezen naar GGD Vangnet voor een huisbezoek.",
        "Melder teruggebeld: de situatie is op dit moment rustiger.",
        "Besproken in het wekelijkse locatieoverleg met corporatie en gemeente.",
        "Gangmakers gevraagd de komende week extra alert te zijn.",
        "Bewoner wil (nog) geen hulp; over twee weken opnieuw contact.",
        "Herstelopdracht uitgezet bij de corporatie.",
        "Bemiddelingsgesprek gepland tussen beide bewoners.",
        "Schuldhulpverlening via WPI ingeschakeld; intake staat gepland.",
        "Casus aangemeld bij het Zorg- en Veiligheidshuis voor het doorbraakoverleg.",
        "Huisbezoek afgelegd samen met de begeleider statushouders.",
        "Extra verlichting aangevraagd; corporatie pakt het binnen twee weken op.",
        "Bewonerscommissie geïnformeerd; onderwerp komt op de volgende huisvergadering.",
    ]

    /// Reasons for closing without resolving (a reason is required then).
    static let closeReasons = [
        "Dubbele melding.", "Melder niet meer bereikbaar.", "Bewoner wil geen medewerking; geen vervolg mogelijk.",
        "Overgedragen aan het Zorg- en Veiligheidshuis.", "Geen aanknopingspunten voor vervolg.",
    ]
}
