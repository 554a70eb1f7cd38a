# ruff: noqa: RUF001, RUF002
"""A title that writes Turkish, Icelandic, a Nordic language or Hungarian keeps its ``ä`` /
``ö`` / ``ü`` as letters: typed bare they are ``a`` / ``o`` / ``u`` (or spelled out), never
only the German ``ae`` / ``oe`` / ``ue`` (x53r3 F4: ``Özel yazılım`` / ``ÖZEL YAZILIM``
review "near word: ozel≈oezel", 2 of 2; F5: ``Ráðgjöf og þjálfun`` / ``Radgjof og
thjalfun`` "different words", ``Köp och Sälj`` / ``KOP OCH SALJ`` review)."""

from __future__ import annotations

import pytest

from tests.test_dedupe_letters_connectors import _band


@pytest.mark.parametrize(("a", "b"), [
    ("Özel yazılım", "ÖZEL YAZILIM"), ("Göç yönetimi yazılımı", "GÖÇ YÖNETIMI YAZILIMI"),
    ("Özel yazılım", "Ozel yazilim"), ("Bakım sözleşmesi", "Bakim sozlesmesi"),
    ("Ráðgjöf og þjálfun", "Radgjof og thjalfun"), ("Ráðgjöf og þjálfun", "RÁÐGJÖF OG ÞJÁLFUN"),
    ("Köp och Sälj", "KOP OCH SALJ"), ("Köp och försäljning", "Kop och forsaljning"),
    ("Drift og underhåll", "Drift og underhall"),
    ("Hårdvare og støtte", "Hardvare og stotte"),
])
def test_a_non_german_title_typed_bare_is_one_deal(a: str, b: str) -> None:
    band, score, reasons = _band("Holm Service AS", a, b)
    assert band == "duplicate", (a, b, score, reasons)


@pytest.mark.parametrize(("a", "b"), [
    ("Zähler Tausch", "Zahler Tausch"),            # German: an umlaut is never the bare vowel
    ("Schulung und Einführung", "Schulung und Einfuhrung"),
    ("Väg och bro", "Våg och bro"),                # both written: two words (road / wave)
    ("Üç şube kurulumu", "Uç şube kurulumu"),       # three / tip
    ("Köp och sälj", "Köp och hyr"),
])
def test_other_words_stay_apart(a: str, b: str) -> None:
    band, score, reasons = _band("Holm Service AS", a, b)
    assert band != "duplicate", (a, b, score, reasons)
