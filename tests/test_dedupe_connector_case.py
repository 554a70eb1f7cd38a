# ruff: noqa: RUF001  # the letters are the point here
"""A connector one title reads as ``and`` and the other writes as the same word is ``and`` in
both (x53r3 F1: ``Drift og vedlikehold`` / ``DRIFT OG VEDLIKEHOLD`` / ``Drift og
Vedlikehold`` went to review "word only on one: og", and ``y`` / ``i`` "number only on one",
17 of 20 phrases in each form; only ``und``, always a noise word, passed). In a sentence-case
title the case says nothing of a connector; the same word stands in both titles, a
connector or a letter either way, so reading it alike holds no label apart."""

from __future__ import annotations

import pytest

from jobs.dedupe.normalize import normalize_title
from jobs.dedupe.title_diff import connectors_read
from tests.each_case import cases_of, check_each
from tests.test_dedupe_letters_connectors import _band

PHRASES = [
    "Drift og vedlikehold", "Service og reparasjon", "Salg og montering", "Drift og underhåll",
    "Service och underhåll", "Bakım ve onarım", "Kurulum ve eğitim", "Satış ve pazarlama",
    "Wartung und Pflege", "Compra y venta de equipos", "Instalación y mantenimiento",
    "Diseño y desarrollo web", "Servis i održavanje", "Montaža i servis", "Achat et installation",
    "Onderhoud en reparatie", "Levering en montage", "Manutenzione e assistenza",
    "Karbantartás és javítás",
]
CONNECTORS = frozenset({"og", "och", "ve", "und", "y", "i", "et", "en", "e", "és"})


def _title_case(s: str) -> str:
    return " ".join(w if w in CONNECTORS else w[:1].upper() + w[1:] for w in s.split())


FORMS = {
    "sentence/CAPS": lambda s: (s, s.upper()),
    "Title/CAPS": lambda s: (_title_case(s), _title_case(s).upper()),
    "sentence/Title": lambda s: (s, _title_case(s)),
    "sentence/lower": lambda s: (s, s.lower()),
    "org/org CAPS": lambda s: ("Holm Service AS - " + s, "HOLM SERVICE AS - " + s.upper()),
}


def _one_deal(form: str, phrase: str) -> None:
    a, b = FORMS[form](phrase)
    band, score, reasons = _band("Holm Service AS", a, b)
    assert band == "duplicate", (a, b, score, reasons)
    assert not any("only on one" in r for r in reasons), reasons


# one item per form, every phrase looped and each failing one named (issue 8, f57c: 95
# items before)
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_connector_in_any_case_is_one_deal(form: str) -> None:
    assert check_each(cases_of([(form, phrase) for phrase in PHRASES], lambda _, p: repr(p)),
                      _one_deal) == len(PHRASES)


@pytest.mark.parametrize(("a", "b"), [
    ("Drift og vedlikehold", "DRIFT OG UTVIKLING"),   # the other word differs
    ("Compra y venta", "COMPRA Y ALQUILER"),
    ("Block E Süd", "BLOCK Y SÜD"), ("BLOCK E SÜD", "Block Y Süd"),  # letters of a label
    ("Haus I Nord", "HAUS Y NORD"), ("Lot E renovation", "LOT I RENOVATION"),
    ("Projekt e start", "PROJEKT I START"),           # another letter: not the word read
    ("Wartung Halle E", "WARTUNG HALLE Y"),
])
def test_other_words_or_letters_stay_apart(a: str, b: str) -> None:
    band, score, reasons = _band("Holm Service AS", a, b)
    assert band != "duplicate", (a, b, score, reasons)


def test_only_the_same_word_is_read_alike() -> None:
    x, y = normalize_title("Compra y venta"), normalize_title("COMPRA Y VENTA")
    assert "y" in x.numbers and y.connectors == frozenset({"y"})
    rx, ry = connectors_read(x, y)
    assert rx.tokens == ry.tokens and not rx.numbers
    x = normalize_title("Compra i venta")  # not the word the other read
    rx, _ = connectors_read(x, y)
    assert rx == x
