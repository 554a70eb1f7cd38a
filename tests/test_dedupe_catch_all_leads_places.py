"""Lead / prospect buckets and "people word + place phrase" org names (x40r4 F1, F3; f40k).

A lead or prospect word with any source, channel, event or adjective word, or a
compound of it, and no legal form, is a bucket many customers share, not a company
(x40r4 F1: 21 of 31 such names merged). A people word with any place phrase — a town of
several words with its article or prefix (``Bad``, ``Den``, ``La``, ``San``, ``Sankt``), a
state or region code after it, a region or island — in either order, with or without a
preposition, is a catch-all too (x40r4 F3: 16 merged). Real names that look like these
stay real. The set was written before the lexicon was read (f40k).
"""

from __future__ import annotations

from jobs.dedupe.catch_all import named_catch_all
from tests.each_case import cases_of, check_each

LEADS = [
    # the tester's F1 names
    "Inbound Leads", "Outbound Leads", "Website Leads", "Marketing Leads", "Cold Leads",
    "Hot Leads", "Facebook Leads", "LinkedIn Leads", "Google Ads Leads", "Trade show leads",
    "Leads - Website", "Messe-Leads", "Leads Messe", "Leads (Import)", "Leads (neu)",
    "Neue Leads", "Leads unqualifiziert", "Lead-Pool", "Leadpool", "Leads entrants",
    "Prospects Messe",
    # held out: same class, other words
    "Warm Leads", "Qualified Leads", "Unqualified leads", "Webinar Leads", "Event Leads",
    "Referral Leads", "Partner Leads", "Instagram Leads", "Xing Leads", "Cebit Leads",
    "Leads Facebook", "Leads - Messe 2024", "Leads (alt)", "Alte Leads", "Offene Leads",
    "Leads Website DE", "Webseiten-Leads", "Lead Pool", "Leads-Pool", "Prospects - Website",
    "New Prospects", "Cold prospects", "Prospects (import)", "Interessenten Messe",
    "Neue Interessenten", "Prospects froids", "Leads nuevos", "Leads calientes",
    "Lead freddi", "Nieuwe leads", "Leads beurs", "Inbound-Leads", "Outbound prospects",
]

PLACES = [
    # the tester's F3 names
    "Kunde Bad Homburg", "Privatkunden Bad Homburg", "Klant Den Haag", "Klant Den Bosch",
    "Kunde Wanne-Eickel", "Clients La Rochelle", "Cliente La Spezia", "Clienti San Remo",
    "Customer Miami FL", "Customer Miami, FL", "Customer Bay Area", "Customer Long Island",
    "Kunde Sylt", "Miami Customers", "Bremen Kunden", "Klant uit Utrecht",
    # held out
    "Kunden Bad Kreuznach", "Kunde Sankt Ingbert", "Kunde St. Ingbert", "Klanten Den Helder",
    "Client Le Mans", "Clients La Baule", "Cliente San Donà di Piave", "Clientes San Fernando",
    "Customer Austin TX", "Customers Boston, MA", "Customer Orlando (FL)", "Kunden Rügen",
    "Kunde Ruhrgebiet", "Customers Silicon Valley", "Client Côte d'Azur", "Hamburg Kunden",
    "Utrecht klanten", "Customers from Boston", "Clientes de Sevilla", "Kunden aus Bad Homburg",
    "Klanten uit Den Haag", "Customers in Miami", "Kunden Norddeutschland",
]

# an area around a place, and a lead list written as one word (f40k, the same classes)
AREAS = [
    "Kunden Raum Stuttgart", "Kunden Großraum München", "Kunden Landkreis Esslingen",
    "Kunden Kreis Pinneberg", "Customers Greater Boston", "Customers Metro Atlanta",
    "Kunden Stuttgart und Umgebung", "Kunden Umgebung Stuttgart", "Kunden Stuttgart Umgebung",
    "Klanten regio Utrecht", "Kunden rund um Hamburg", "Customers Upstate NY",
    "Interessentenliste", "Prospektliste",
]

OTHER = ["nil", "NIL"]  # `Nil` is a first name

REAL = [
    "Lead Inc", "Lead GmbH", "Leads Consulting Ltd", "Leadpages Inc", "LeadDesk Oy",
    "Hot Leads Marketing GmbH", "Lead Generation Partners GmbH", "Leadership Institute",
    "Prospect Capital Corp", "Prospect Medical Holdings", "Bad Homburg Immobilien GmbH",
    "Miami Customer Care Inc", "Long Island Iced Tea Corp", "Den Haag Consulting BV",
    "Customer Alliance", "Customers Bank", "Kunde Bremen GmbH", "Customer Miami LLC",
    "Bay Area Customer Solutions LLC", "San Remo Hotel", "La Rochelle Université",
    "Sylt Quelle GmbH", "Nil Pharma", "Lead Belly Records", "Prospect Park Alliance",
    "Leads2b GmbH", "Long Island Rail Road", "Customer Metro Bank", "Kunden Kreis",
    "Customer Area", "Customer Zone",
]


def _bucket_names_are_catch_alls(name: str) -> None:
    assert named_catch_all(name), name


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_bucket_names_are_catch_alls() -> None:
    rows = [(name,) for name in LEADS + PLACES + AREAS + OTHER]
    assert check_each(cases_of(rows, repr),
                      _bucket_names_are_catch_alls) == len(rows)


def _real_names_that_look_like_them_stay_real(name: str) -> None:
    assert not named_catch_all(name), name


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_real_names_that_look_like_them_stay_real() -> None:
    rows = [(name,) for name in REAL]
    assert check_each(cases_of(rows, repr),
                      _real_names_that_look_like_them_stay_real) == len(rows)
