"""Known words for dedupe's typo test: real words and names of en/de/fr/es/nl are known, typos are not."""

from __future__ import annotations

import pytest

from jobs.dedupe.lexicon import both_known, is_known_word, misspelt, plausible_typo


@pytest.mark.parametrize("word", [
    "website", "trial", "trail", "invoices",           # en
    "rechnung", "schulung", "schmidt", "schmitt",     # de (words and surnames)
    "facture", "formation",                            # fr
    "factura", "mantenimiento",                        # es
    "offerte", "onderhoud",                            # nl
])
def test_real_words_and_names_are_known(word: str) -> None:
    assert is_known_word(word)


@pytest.mark.parametrize("word", ["wesbite", "redesgn", "schmdit", "q3", "2024", "a", ""])
def test_typos_numbers_and_letters_are_not_known(word: str) -> None:
    assert not is_known_word(word)


def test_both_known_needs_both() -> None:
    assert both_known("trial", "trail")
    assert not both_known("website", "wesbite")


@pytest.mark.parametrize(("common", "other", "plausible"), [
    ("laptop", "lsptop", True),     # QWERTY neighbours a/s
    ("staff", "stapf", False),      # f/p: no neighbours
    ("pilot", "pilit", True),       # o/i
    ("datum", "dstum", True),
    ("quota", "qiota", True),       # QWERTZ / AZERTY rows too: u/i
    ("laptop", "lapop", True),      # a letter dropped
    ("pilot", "pilt", False),       # the letter before the last
    ("rollout", "rllout", True),
    ("softer", "softr", False),     # the letter before the last: how brands drop a vowel
    ("laptop", "lapptop", True),    # a letter doubled
    ("laptop", "lapqtop", False),   # a letter added, not doubled
    ("bravo", "brevo", False),      # a/e: no neighbours
    ("write", "wrike", False),
    ("laptop", "laptop", False),
])
def test_plausible_typo_is_one_slip_of_a_finger(common: str, other: str, plausible: bool) -> None:
    """A neighbouring key on QWERTY/QWERTZ/AZERTY, a doubled letter or a dropped letter (not
    the one before the last) is a plausible slip; any other one-letter change is not."""
    assert plausible_typo(common, other) is plausible


@pytest.mark.parametrize(("x", "y", "typo"), [
    ("laptop", "lsptop", True),     # 6 letters, a plausible slip, written nowhere
    ("audit", "audut", True),
    ("rollout", "rollaut", True),   # 7+ letters: any slip (Zipf 3.06 >= COMMON_ZIPF)
    ("bravo", "brevo", False),      # 5 letters, no plausible slip
    ("working", "woking", False),   # a town in the large lists
    ("campaign", "campain", False), # a misspelling people write (large lists)
    ("mobile", "motile", False),    # both words
    ("laptop", "lapto", False),     # not a slip inside the word (and 5 letters)
])
def test_misspelt_reads_a_typo_only_of_a_common_word_into_nothing(x: str, y: str, typo: bool) -> None:
    """A common word (Zipf >= 3.0) and a spelling written nowhere: 7+ letters any slip,
    5-6 letters a plausible slip only."""
    assert misspelt(x, y) is typo
    assert misspelt(y, x) is typo
