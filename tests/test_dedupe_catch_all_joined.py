"""A catch-all written as one word, as German, Dutch and the Nordic languages join words, is
one (x42r6 F2: ``Hotelgäste`` with person ``Gast`` was read as a real firm while ``Hotel
Gäste`` was a catch-all; ``Webshopbestellungen``, ``Praxispatienten``, ``Telefonkunden``,
``Vereinsmitglieder`` likewise), and a real firm whose one word starts or ends like one stays
a name."""

from __future__ import annotations

import pytest

from jobs.dedupe.catch_all import named_catch_all

JOINED_BUCKETS = [
    "Hotelgäste", "Hotelgast", "Onlinebestellungen", "Webshopbestellungen", "Shopbestellungen",
    "Webshopkunden", "Internetkunden", "Praxispatienten", "Webanfragen", "Onlineanfragen",
    "Telefonkunden", "Messebesucher", "Vereinsmitglieder", "Kursteilnehmer",
    "Seminarteilnehmer", "Webwinkelklanten", "Nettbutikkunder",
    # x43r5 F2: the people first, then their file; Dutch sales; Nordic association members
    "Gästekartei", "Kundenkartei", "Gästeliste", "Kundenstamm", "Messekontakte",
    "Mitgliederverwaltung", "Kassaverkopen", "Föreningsmedlemmar", "Foreningsmedlemmer",
]
REAL_NAMES = [
    "Kundenservice Müller KG", "Gastro Service GmbH", "Gastronomie Müller", "Kundendienst",
    "Gästehaus Sonne", "Netzkunden GmbH", "Müllerkunden", "Gasthaus zum Löwen",
    "Telefonica", "Messe Frankfurt GmbH", "Verein für Sozialarbeit", "Seminarhaus Müller",
    "Kurs Consulting", "Telefonbau Schneider", "Webwinkel Nederland BV", "Messebau Schmidt",
    "Clientservice BV", "Kundenportal GmbH", "Ordersystem AG", "Tiergarten Besucherzentrum",
    "Kundenkartei GmbH", "Stammdaten Müller", "Liste Müller", "Kundenstamm Müller Consulting",
    "Listenpreis GmbH", "Stammhaus Kunden", "Verwaltung Müller",
]


@pytest.mark.parametrize("name", JOINED_BUCKETS)
def test_joined_bucket_is_a_catch_all(name: str) -> None:
    assert named_catch_all(name, "org"), name
    assert named_catch_all(name, "person"), name


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_name_joined_alike_stays_a_name(name: str) -> None:
    assert not named_catch_all(name, "org"), name
