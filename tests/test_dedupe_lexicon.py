"""Known words for dedupe's typo test: real words and names of en/de/fr/es/nl are known, typos are not."""

from __future__ import annotations

import pytest

from jobs.dedupe.lexicon import both_known, is_known_word


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
