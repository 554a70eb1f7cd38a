# ruff: noqa: RUF001  # the letters are the point here
"""A connector reads ``and`` in any case (x52r9 F4): a title typed in capitals reads its
connector between two words in capitals as the lettered copy reads one in lower case
between two capitalized words (``Drift og Vedlikehold`` / ``DRIFT OG VEDLIKEHOLD`` were
review 0.80 "word only on one: og"; och, ve likewise; ``COMPRA Y VENTA``'s ``Y`` was "number
only on one: y"). A label letter or code after a word that takes one stays in capitals as it
does in mixed case (``BLOCK E SÜD`` / ``BLOCK Y SÜD``, x42r6 F1)."""

from __future__ import annotations

import pytest

from jobs.dedupe.config import DEFAULT_NOISE_WORDS
from jobs.dedupe.normalize import normalize_title
from tests.dedupe_job_support import two_titles_bands

SAME = [("Drift og Vedlikehold", "DRIFT OG VEDLIKEHOLD"), ("Montage och Service", "MONTAGE OCH SERVICE"),
        ("Bakim ve Onarim", "BAKIM VE ONARIM"), ("Compra y Venta", "COMPRA Y VENTA"),
        ("Wartung und Service", "WARTUNG UND SERVICE"), ("Acme et Fils - Audit", "ACME ET FILS - AUDIT"),
        ("Rossi e Figli", "ROSSI E FIGLI"),
        ("Angebot: Drift og Vedlikehold", "Angebot: DRIFT OG VEDLIKEHOLD")]


def _text(t: str) -> str:
    return normalize_title(t, None, DEFAULT_NOISE_WORDS).text


@pytest.mark.parametrize(("a", "b"), SAME)
def test_a_connector_in_capitals_reads_as_in_lower_case(a: str, b: str) -> None:
    assert _text(a) == _text(b)
    assert not normalize_title(b, None, DEFAULT_NOISE_WORDS).numbers


@pytest.mark.parametrize(("a", "b"), [("BLOCK E SÜD", "BLOCK Y SÜD"), ("HAUS E NORD", "HAUS U NORD"),
                                      ("TARIF E PREMIUM", "TARIF Y PREMIUM"),
                                      ("WOHNUNG I OST", "WOHNUNG U OST"),
                                      ("GEBÄUDE I OST", "GEBÄUDE OST"),
                                      ("HANDBUCH EN VERSION", "HANDBUCH ET VERSION"),
                                      ("VITAMIN E KAPSELN", "VITAMIN KAPSELN"),
                                      ("GENERATION Y MARKETING", "GENERATION Z MARKETING"),
                                      ("PHASE I TRIAL", "PHASE II TRIAL"),
                                      ("Handbuch EN Version", "Handbuch ET Version")])
def test_a_label_letter_in_capitals_stays(a: str, b: str) -> None:
    assert _text(a) != _text(b)


@pytest.mark.parametrize(("a", "b"), [*SAME[:4], ("Bakım ve Onarım", "BAKIM VE ONARIM"),
                                      ("Drift & Vedlikehold", "DRIFT OG VEDLIKEHOLD"),
                                      ("DRIFT & VEDLIKEHOLD", "DRIFT OG VEDLIKEHOLD")])
def test_such_a_pair_on_one_customer_is_a_duplicate(a: str, b: str) -> None:
    bands, said = two_titles_bands(a, b, org="Nordlys Konsult AS", person="Kari Nordmann",
                                   value=4200.0)
    assert bands == [("duplicate", {1, 2})], said
