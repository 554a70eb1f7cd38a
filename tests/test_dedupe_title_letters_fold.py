# ruff: noqa: RUF001  # the letters are the point here
"""A title word typed without its letters is that word, as a name's is: one fold for names
and titles (x52r4 F2: a letter no Unicode decomposition folds — ``đ``, ``þ``, ``ð``, ``ł`` —
made another word, and the similarity was measured on the letters as written: ``Hợp đồng
bảo trì`` / ``Hop dong bao tri`` below the cutoff, ``Þjónustusamningur`` /
``Thjonustusamningur`` "different words", ``Viðhald`` / ``Vidhald`` a near word, ``Łódź``
/ ``Lodz`` review 0.825). Other letters stay other words."""

from __future__ import annotations

import pytest

from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.org_names import fold
from tests.test_dedupe_letters_connectors import CFG, _band, _deal


@pytest.mark.parametrize(("org", "a", "b"), [
    # the report's (F2)
    ("Nguyễn Văn Phúc Co", "Nguyễn Văn Phúc Co - Hợp đồng bảo trì",
     "Nguyen Van Phuc Co - Hop dong bao tri"),
    ("Jónsdóttir Ráðgjöf", "Jónsdóttir Ráðgjöf - Þjónustusamningur",
     "Jonsdottir Radgjof - Thjonustusamningur"),
    ("Acme", "Acme - Đào tạo nhân viên", "Acme - Dao tao nhan vien"),
    ("Acme", "Acme - Łódź office move", "Acme - Lodz office move"),
    ("Acme", "Acme - Viðhald", "Acme - Vidhald"),
    # the rest of the class: the letters with no decomposition, and the spelled-out ones
    ("Acme", "Acme - Søndag levering", "Acme - Soendag levering"),
    ("Acme", "Acme - Hårdvare bytte", "Acme - Haardvare bytte"),
    ("Acme", "Acme - Ħamrun office", "Acme - Hamrun office"),
    ("Acme", "Acme - Œuvre rénovation", "Acme - Oeuvre renovation"),
    ("Acme", "Acme - Sıcak su", "Acme - Sicak su"),
])
def test_title_words_typed_without_their_letters_are_the_words(org: str, a: str, b: str) -> None:
    band, score, reasons = _band(org, a, b)
    assert band == "duplicate", (score, reasons)
    assert find_duplicates([_deal(1, a, org), _deal(2, b, org, minutes=5)], CFG).groups


def test_one_fold_for_names_and_titles() -> None:
    """The letters with no decomposition fold in a name's key as in a title's words."""
    assert fold("þjónusta") == "thjonusta" and fold("viðhald") == "vidhald"
    assert fold("đồng") == "dong" and fold("łódź") == "lodz" and fold("ħamrun") == "hamrun"
    assert fold("maße") == "maße"  # a title keeps ß (Maße is not Masse)
    assert fold("Москва") == "Москва" and fold("Ελλάδα") == "Ελλαδα"  # other scripts stay


@pytest.mark.parametrize(("a", "b"), [
    ("Sørensen Træ og Søn - Office move", "Sørensen Tre og Søn - Office move"),  # æ is not e
    ("Acme - Zähler Tausch", "Acme - Zahler Tausch"),   # an umlaut is never the bare vowel
    ("Acme - Maße prüfen", "Acme - Masse prüfen"),      # ß is not ss in a title
    ("Acme - Gül bahçe", "Acme - Gol bahce"),           # ü is never o
])
def test_other_letters_stay_other_words(a: str, b: str) -> None:
    band, score, reasons = _band("Acme", a, b)
    assert band != "duplicate", (score, reasons)
