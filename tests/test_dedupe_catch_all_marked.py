"""Bracketed and punctuated "unknown" names, and the marks left where no name was given
(f40c): ``Leads (unbekannt)``, ``Web Leads`` (a CRM's prospective customers: ``lead`` /
``leads`` were a person's whole name only), ``(leer)``, ``[empty]``, ``-- blank --`` (a word
for empty in brackets or between dashes; bare, ``Leer`` is a town and ``Blank`` a surname),
``#NV`` / ``#WERT!`` (a spreadsheet's error value), ``undefined`` / ``NaN`` (a program's),
``-`` / ``???`` / ``(?)`` (punctuation only) were real names, so two customers' deals on such
a record merged. ``Kunde (unbekannt)``, ``Customer (unknown)``, ``[no name]``, ``-- none --``
were read right already (brackets and dashes are set aside), and are kept here.

The labelled lists were written before reading the word lists: 39 of the 46 catch-alls found
and all 24 real names kept before the fix, 46 and 24 after; ``MARKS`` was added after (0 of
its 14 found before, 14 after)."""

from __future__ import annotations

import pytest

from jobs.dedupe.catch_all import named_catch_all

CATCH_ALLS = [
    ("Leads (unbekannt)", "org"), ("Kunde (unbekannt)", "org"), ("Customer (unknown)", "org"),
    ("[no name]", "org"), ("-- none --", "org"), ("(unknown)", "person"), ("<unknown>", "org"),
    ("[unbekannt]", "org"), ("(none)", "org"), ("- none -", "person"),
    ("*** unknown ***", "org"), ("(kein Name)", "person"), ("[sin nombre]", "person"),
    ("(inconnu)", "person"), ("(sconosciuto)", "person"), ("(onbekend)", "org"),
    ("{unknown}", "org"), ("?? unknown ??", "org"), ("Lead (no name)", "person"),
    ("Contact [unknown]", "person"), ("<none>", "org"), ("(leer)", "org"), ("[leer]", "org"),
    ("-- keine --", "org"), ("--- n/a ---", "org"), ("#N/A", "org"), ("#NV", "org"),
    ("(null)", "org"), ("NULL", "person"), ("Leads (unknown)", "org"),
    ("Client (inconnu)", "org"), ("Cliente (desconocido)", "org"), ("Klant (onbekend)", "org"),
    ("[ no name ]", "person"), ("(no company)", "org"), ("[keine Firma]", "org"),
    ("Lead [unbekannt]", "org"), ("__unknown__", "org"), ("~unknown~", "org"),
    ("«unbekannt»", "org"), ('"unknown"', "org"), ("'none'", "org"),
    ("(desconocido)", "person"), ("Leads", "org"), ("Lead", "person"),
    ("Interessent (unbekannt)", "person"),
]
REAL = [
    ("Meier GmbH (unbekannt verzogen)", "org"), ("Unknown Mortal Orchestra", "org"),
    ("Anonymous Content LLC", "org"), ("Nonesuch Records", "org"), ("Müller (Berlin)", "org"),
    ("Leeds United FC", "org"), ("Lead Generation Ltd", "org"), ("Leadership Partners", "org"),
    ("The Unknown Pub", "org"), ("Null Island Ltd", "org"), ("NULL Software GmbH", "org"),
    ("Anna Schmidt (Einkauf)", "person"), ("Peter Lead", "person"), ("Jan Leer", "person"),
    ("Leer Logistik GmbH", "org"), ("Mark Knull", "person"), ("None Such Antiques", "org"),
    ("Acme (Europe) Ltd", "org"), ("[24]7.ai", "org"), ("(add)ventures GmbH", "org"),
    ("Leads & Sales Consulting GmbH", "org"), ("Kunde (Rechtsanwälte) Partner mbB", "org"),
    ("Sabine Kunde (Vertrieb)", "person"), ("Lead Belt Mining", "org"),
]
# added after reading the lists: punctuation only, more spreadsheet error values
MARKS = ["-", "?", "???", "...", "—", "(?)", "- -", "___", "#WERT!", "#BEZUG!", "#REF!",
         "#¡VALOR!", "# NV", "undefined"]


@pytest.mark.parametrize(("name", "kind"), CATCH_ALLS)
def test_a_bracketed_or_punctuated_unknown_is_a_catch_all(name: str, kind: str) -> None:
    assert named_catch_all(name, kind), name


@pytest.mark.parametrize(("name", "kind"), REAL)
def test_a_real_name_with_such_a_word_or_bracket_stays_real(name: str, kind: str) -> None:
    assert not named_catch_all(name, kind), name


@pytest.mark.parametrize("name", MARKS)
def test_a_mark_where_no_name_was_given_is_no_one(name: str) -> None:
    assert named_catch_all(name, "org"), name
    assert named_catch_all(name, "person"), name


def test_precision_and_recall_on_the_labelled_lists() -> None:
    """Recall 1.0 over 46 catch-alls, precision 1.0 over 24 real names (39 and 24 before)."""
    found = sum(named_catch_all(n, k) for n, k in CATCH_ALLS)
    wrong = sum(named_catch_all(n, k) for n, k in REAL)
    assert (found, wrong) == (len(CATCH_ALLS), 0), (found, wrong)


def test_a_bare_empty_word_and_a_lead_company_stay_names() -> None:
    """Bare, a word for empty is a name's (``Leer`` a town, ``Blank`` a surname); a lead in
    the singular with a legal form is a company, as ``Client Ltd`` is (x39r1); a real name
    with ``(leer)`` after it is that name's record; an empty name is nothing to judge."""
    for name in ("Leer", "Blank GmbH", "Leer GmbH", "Lead GmbH", "Meier GmbH (leer)", "Nan",
                 "#1 Autoteile", "Undefined Studio", ""):
        assert not named_catch_all(name, "org"), name
    assert named_catch_all("Kunde (leer)", "org") and named_catch_all("Leads GmbH", "org")
