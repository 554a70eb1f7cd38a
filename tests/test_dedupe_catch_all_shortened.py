"""x39r4 F2 (f39k): catch-all spellings a tester still saw merged, by class — "not given"
written as letters (``k.A.``, ``o.A.``, ``n/a``, ``s/d``), people words and qualifiers
shortened to 2-3 letters (``Kd. allg.``, ``Clientes gral.``), walk-in / passing trade
(``Clientèle de passage``), pickup customers (``Selbstabholer``), a time-of-day greeting as
a person's whole name (``Good morning``) — and an initial with a people word as a surname
(``A. Kunde``: a person, was held as a catch-all)."""

from __future__ import annotations

from jobs.dedupe.catch_all import named_catch_all
from tests.each_case import cases_of, check_each

# written before reading the lexicon's word lists (f39k: 79 catch-alls, 68 real names in 9
# languages; 31 and 67 read right before the fix, 77 and 68 after — ``n.v.`` left out, it is
# the Dutch legal form N.V., and ``s.n.``, "sin número" in an address: f40c reads both by
# context, test_dedupe_catch_all_letters_context.py), then a few more of
# each class; 82 and 71 here, 31 and 70 right before
CATCH_ALLS = [
    ("k.A.", "org"), ("k. A.", "person"), ("o.A.", "org"), ("o. A.", "org"), ("n/a", "org"),
    ("N/A", "person"), ("n.a.", "org"), ("s/d", "org"), ("n.d.", "org"), ("N.D.", "person"),
    ("s.d.", "org"), ("n.b.", "org"), ("N/D", "org"), ("n.s.", "org"), ("k.A. Kunde", "org"),
    ("Firma k.A.", "org"), ("Kunde o.A.", "person"), ("Name n/a", "person"),
    ("Kd. allg.", "org"), ("Kunden allg.", "org"), ("Clientes gral.", "org"),
    ("Cliente gral.", "org"), ("Clienti gen.", "org"), ("Clients gén.", "org"),
    ("Klanten alg.", "org"), ("Kl. allg.", "org"), ("Kd. div.", "org"),
    ("Cust. general", "org"), ("Cust. misc.", "org"), ("Cli. varios", "org"),
    ("Clientes grales.", "org"), ("Kd. sonst.", "org"), ("Kd.", "org"), ("Kl.", "org"),
    ("Clientèle de passage", "org"), ("Clients de passage", "org"),
    ("Client de passage", "person"), ("Clienti di passaggio", "org"),
    ("Cliente di passaggio", "person"), ("Clientes de paso", "org"), ("Cliente de paso", "org"),
    ("Walk-in", "org"), ("Walk-in customer", "org"), ("Walk-in customers", "org"),
    ("Walk in clients", "org"), ("Laufkundschaft", "org"), ("Laufkunde", "person"),
    ("Passanten", "org"), ("Klanten op doorreis", "org"), ("Passing trade", "org"),
    ("Clientes de passagem", "org"), ("Selbstabholer", "org"), ("Abholer", "org"),
    ("Abholkunden", "org"), ("Selbstabholer Lager", "org"), ("Afhaler", "org"),
    ("Afhalers", "org"), ("Zelfafhalers", "org"), ("Abholkunde", "person"),
    ("Click & Collect Kunden", "org"), ("Good morning", "person"), ("Good afternoon", "person"),
    ("Good evening", "person"), ("Buenos días", "person"), ("Buenas tardes", "person"),
    ("Bonjour", "person"), ("Bonsoir", "person"), ("Buongiorno", "person"),
    ("Buonasera", "person"), ("Goedemorgen", "person"), ("Goedemiddag", "person"),
    ("Guten Tag", "person"), ("Bom dia", "person"), ("Boa tarde", "person"),
    ("Dzień dobry", "person"), ("God morgon", "person"), ("Good day", "person"),
    ("n.v.t.", "org"), ("b.d.", "person"), ("Buenas noches", "person"),
    ("Buon pomeriggio", "person"), ("Goedenavond", "person"),
]

REAL = [
    ("A. Kunde", "person"), ("J. Klant", "person"), ("M. Kunde", "person"),
    ("K. Kunde", "person"), ("P. Cliente", "person"), ("S. Käufer", "person"),
    ("T. Kunden", "person"), ("R. Client", "person"), ("L. Abholer", "person"),
    ("H. Passant", "person"), ("A. Kundt", "person"), ("O. Klant", "person"),
    ("K. A. Meier", "person"), ("O. A. Smith", "person"), ("N. D. Patel", "person"),
    ("S. D. Rossi", "person"), ("A. N. Andersen", "person"), ("K.A. Schulz", "person"),
    ("J.R. Tolkien", "person"), ("D. Gral", "person"), ("N. Allg", "person"),
    ("KA Systems GmbH", "org"), ("OA Consulting", "org"), ("NA Logistics Ltd", "org"),
    ("SD Worx", "org"), ("ND Software", "org"), ("Kd Automation GmbH", "org"),
    ("Gral Distribuciones SL", "org"), ("Int. Kunden Service GmbH", "org"),
    ("Gen. Electric Supply", "org"), ("Allg. Versicherung AG", "org"),
    ("Div. Holdings Ltd", "org"), ("Passage Consulting", "org"), ("De Passage BV", "org"),
    ("Passaggio Srl", "org"), ("Paso Robles Winery", "org"), ("Walker Industries", "org"),
    ("Walk-in Clinic Partners LLC", "org"), ("Lauf GmbH", "org"), ("Passant & Co", "org"),
    ("Hotel de Passage", "org"), ("Galerie du Passage", "org"), ("Abholzer Bau GmbH", "org"),
    ("Holer Transporte", "org"), ("Afhaalcentrum De Gouden Draak", "org"),
    ("Selb Porzellan AG", "org"), ("Collect Systems AB", "org"),
    ("Good Morning America LLC", "org"), ("Goodmorning Bakery", "org"),
    ("Bonjour Café SARL", "org"), ("Buongiorno Italia Srl", "org"),
    ("Buenos Días Tours SL", "org"), ("Good Day Coffee", "org"), ("Bom Dia Imports Lda", "org"),
    ("Morgan Good", "person"), ("Tag Heuer SA", "org"), ("Goede Morgen BV", "org"),
    ("Evening Standard Ltd", "org"), ("Guten Tag Reisen GmbH", "org"),
    ("Anna Käufer", "person"), ("Thomas Kunde", "person"), ("Jan Klant", "person"),
    ("Marie Client", "person"), ("Pedro Cliente", "person"), ("Paola Passaggio", "person"),
    ("Ana Paso", "person"), ("Sven Abholer", "person"), ("Clientes Hermanos SA", "org"),
    ("Citibank N.A.", "org"), ("Philips N.V.", "org"), ("Trade Partners Ltd", "org"),
]


def _name_kind(name: str, kind: str) -> str:
    return f"{name!r} ({kind})"


def _catch_all_spellings_by_class(name: str, kind: str) -> None:
    assert named_catch_all(name, kind), name


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_catch_all_spellings_by_class() -> None:
    rows = CATCH_ALLS
    assert check_each(cases_of(rows, _name_kind),
                      _catch_all_spellings_by_class) == len(rows)


def _real_names_of_the_same_shape(name: str, kind: str) -> None:
    assert not named_catch_all(name, kind), name


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_real_names_of_the_same_shape() -> None:
    rows = REAL
    assert check_each(cases_of(rows, _name_kind),
                      _real_names_of_the_same_shape) == len(rows)


def test_a_short_word_after_a_catch_all_word_is_only_a_general_qualifier() -> None:
    """``gral.``, ``gen.``, ``var.`` say "general / various"; ``Int.``, ``Abt.``, ``Svc.``
    after a people word are the company's own (International, Abteilung, Service)."""
    for name in ("Clientes gral.", "Clientes grales.", "Clienti gen.", "Customers var.",
                 "Kunden versch.", "Kd. allg."):
        assert named_catch_all(name), name
    for name in ("Customer Int.", "Kunden Int. Service", "Kunden Abt.", "Client Svc.",
                 "Customer Rel.", "Clientes Hnos."):
        assert not named_catch_all(name), name


def test_a_placeholder_after_an_initial_is_still_no_one() -> None:
    assert named_catch_all("M. Unknown", "person")
    assert named_catch_all("N.N.", "person")
