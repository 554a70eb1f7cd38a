"""A catch-all's place said by its form, not a listed name (f41k 2, x41r5: 14 such names
read as real names, their deals merged unattended): a hyphenated region of two or more
parts (``Kunden Rhein-Main``, ``Clients Nord-Pas-de-Calais``), a town and its district
(``Kunden München-Schwabing``, ``Kunden Sankt Peter-Ording``), a town with its bracketed
qualifier (``Kunden Lindau (Bodensee)``), a preposition with an article then a region
(``Kunden aus dem Allgäu``, ``Clienti della Toscana``, ``Clientes del País Vasco``),
compass words in more languages (``Klienci Północ``), a place then a compass adjective
(``Clienti Italia Centrale``) and Polish place adjectives (``Klienci warszawscy``).

The set beside the tester's was written before the word lists were read: before, 0 of the
tester's 14, 44 of the 77 more catch-alls and 50 of 50 real look-alikes (3 with a legal
form added after) read right; after, 14, 73 and 50. Still read as names (``LEFT``): a
Polish genitive after ``z``, Portuguese ``Sul`` alone (Italian "on the"), ``śląscy`` (of
Śląsk, no list holds it) and Czech adjectives.
"""

from __future__ import annotations

from jobs.dedupe.catch_all import named_catch_all
from tests.each_case import cases_of, check_each

TESTER = [
    "Kunden Lindau (Bodensee)", "Kunden Rhein-Main", "Kunden Rhein-Neckar",
    "Clients Nord-Pas-de-Calais", "Clients Provence-Alpes-Côte d'Azur", "Klienci Północ",
    "Klienci warszawscy", "Clienti Italia Centrale", "Kunden Sankt Peter-Ording",
    "Clienti della Toscana", "Kunden aus dem Allgäu", "Klanten uit de Achterhoek",
    "Clientes del País Vasco", "Kunden München-Schwabing",
]
HYPHENED = [
    "Kunden Schleswig-Holstein", "Kunden Baden-Württemberg", "Kunden Rheinland-Pfalz",
    "Kunden Nordrhein-Westfalen", "Kunden Mecklenburg-Vorpommern", "Kunden Berlin-Brandenburg",
    "Kunden Rhein-Ruhr", "Clients Auvergne-Rhône-Alpes", "Clients Bourgogne-Franche-Comté",
    "Clients Grand-Est", "Klanten Noord-Brabant", "Klanten Zuid-Holland",
    "Clienti Emilia-Romagna", "Clienti Friuli-Venezia Giulia", "Clientes Castilla-La Mancha",
    "Klienci Kujawsko-Pomorskie",
]
DISTRICTS = [
    "Kunden Berlin-Mitte", "Kunden Hamburg-Altona", "Kunden Köln-Ehrenfeld",
    "Kunden Frankfurt-Höchst", "Kunden Stuttgart-Vaihingen", "Kunden Düsseldorf-Oberkassel",
    "Clients Lyon-Villeurbanne", "Klienci Warszawa-Mokotów", "Klanten Amsterdam-Noord",
    "Kunden Wien-Favoriten",
]
BRACKETED = [
    "Kunden Frankfurt (Oder)", "Kunden Weiden (Oberpfalz)", "Kunden Neustadt (Weinstraße)",
    "Kunden Mülheim (Ruhr)", "Kunden Freiburg (Breisgau)",
]
PREPOSITIONS = [
    "Kunden aus dem Schwarzwald", "Kunden aus der Pfalz", "Kunden im Rheinland",
    "Kunden in der Eifel", "Kunden aus Oberbayern", "Clients de la Normandie",
    "Clients du Nord", "Clienti della Lombardia", "Clienti del Veneto",
    "Clientes de la Comunidad Valenciana", "Clientes del Norte", "Klanten uit de Randstad",
    "Klanten in het Noorden", "Customers in the Midlands", "Customers from the North East",
]
COMPASS_WORDS = [
    "Kunden Nordost", "Clients Sud-Ouest", "Clienti Nord-Est", "Clientes Noroeste",
    "Klanten Zuidoost", "Klienci Południe", "Klienci Wschód", "Kunder Syd", "Zákazníci Sever",
    "Müşteriler Kuzey", "Asiakkaat Etelä", "Klienci krakowscy",
]
ADJECTIVES = [
    "Bayerische Kunden", "Hamburger Kunden", "Clients parisiens", "Clients lyonnais",
    "Clienti milanesi", "Clienti romani", "Clientes madrileños", "Clientes catalanes",
    "Brabantse klanten", "Schwäbische Kunden",
]
OTHERS = [
    "Kunden Sankt Augustin", "Kunden St. Wendel", "Kunden Bad Homburg vor der Höhe",
    "Clienti Italia Meridionale", "Clientes España Norte",
]
LEFT = [
    "Klienci z Pomorza", "Clientes Sul", "Klienci śląscy", "Zákazníci pražští",
]
REAL = [
    "Rhein-Main Verkehrsverbund", "Noord-Holland Bouw BV", "Toscana Vini Srl",
    "Nordwest Logistik GmbH", "Südwest Presse", "Baden-Württemberg Stiftung",
    "Schleswig-Holstein Netz AG", "Mecklenburg-Vorpommern Bau GmbH", "Altona Immobilien GmbH",
    "Berlin-Chemie AG", "Emilia-Romagna Ceramiche Spa", "Provence Oliviers SARL",
    "Auvergne-Rhône-Alpes Entreprises", "Nordsee GmbH", "Ostsee Zeitung", "Westfalen AG",
    "Norddeutsche Landesbank", "Süddeutsche Zeitung", "Bayerische Motoren Werke AG",
    "Bausparkasse Schwäbisch Hall AG", "Münchner Rück AG", "Hamburger Hochbahn AG",
    "Wiener Städtische Versicherung", "La Parisienne Assurances", "Lyonnaise des Eaux",
    "Milanese Gioielli Srl", "Romana Costruzioni Spa", "Madrileña Red de Gas",
    "Catalana Occidente SA", "Brabantse Ontwikkelings Maatschappij",
    "Krakowski Kredens Sp. z o.o.", "Pomorska Spółka Gazownictwa",
    "Warszawskie Zakłady Mechaniczne", "Pas-de-Calais Habitat", "Groupe Sud Ouest",
    "Noroeste Transportes Ltda", "Norte Energia SA", "Zuidoost Bouw BV",
    "Stadtwerke Frankfurt (Oder) GmbH", "Kuzey Lojistik A.Ş.", "Etelä-Savon Energia Oy",
    "Sever Stroy s.r.o.", "Syd Energi A/S", "Hallesche Verkehrs-AG", "Schwarzwald Milch GmbH",
    "Allgäuer Alpenmilch GmbH", "Sankt Peter-Ording Tourismus GmbH",
    "Kunden-Service Rhein-Main GmbH", "Clients Rhône-Alpes SARL",
    "Stadtwerke Lindau (Bodensee) GmbH",
]


def _a_place_said_by_its_form_is_a_catch_all(name: str) -> None:
    assert named_catch_all(name), name


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_a_place_said_by_its_form_is_a_catch_all() -> None:
    rows = [(name,) for name in (TESTER + HYPHENED + DISTRICTS + BRACKETED + PREPOSITIONS
                                 + COMPASS_WORDS + ADJECTIVES + OTHERS)]
    assert check_each(cases_of(rows, repr),
                      _a_place_said_by_its_form_is_a_catch_all) == len(rows)


def _a_real_name_that_looks_like_a_place_form_stays_a_name(name: str) -> None:
    assert not named_catch_all(name), name


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_a_real_name_that_looks_like_a_place_form_stays_a_name() -> None:
    rows = [(name,) for name in REAL]
    assert check_each(cases_of(rows, repr),
                      _a_real_name_that_looks_like_a_place_form_stays_a_name) == len(rows)


def test_the_forms_left_are_still_read_as_names() -> None:
    """What this fix did not reach (module docstring): if one is caught now, move it up."""
    assert not any(named_catch_all(n) for n in LEFT), [n for n in LEFT if named_catch_all(n)]
