"""y54r1 F1-F3: a title's sign after a number, and an "or" word, are part of its meaning.

F1: a ``+`` / ``-`` glued AFTER a number was dropped (``Level 3+ Support`` = ``Level 3
Support``, ``Note 1+ Kurs`` = ``Note 1- Kurs``: 1.000, merged, 30 of 30); a sign before
the number already held. A ``-`` another number follows is a range's joiner (``3-5``,
``3- 5``, ``3 - 5``), one before a letter a compound's (``3-tägig``).
F2: a word only on one title that is also a legal form's word (``ou`` Estonian OÜ, ``ab``
Swedish AB, ``sau`` Spanish S.A.U.) escaped the "word only on one" cap (0.80) where it
stood between two words (``Achat ou Vente`` / ``Achat Vente``: 0.86-0.94, merged).
F3: Dutch ``of`` ("or") was dropped as the English filler ``of`` while ``en`` read "and"
(``Koop of Verkoop`` = ``Koop en Verkoop``, 1.000, merged); ``Bank of Ireland`` /
``Bank Ireland`` stays one title."""

from __future__ import annotations

import pytest

from jobs.dedupe.config import DEFAULT_NOISE_WORDS
from jobs.dedupe.normalize import normalize_title
from tests.dedupe_job_support import two_titles_bands
from tests.each_case import cases_of, check_each

NUMBERS = [0, 1, 3, 12, 18, 40, 100]
FRAMES = ["Level {} Support", "Note {} Kurs", "Paket {} Lizenzen", "Gruppe {}", "Stufe {} Training"]


def _merged(a: str, b: str) -> bool:
    bands, _ = two_titles_bands(a, b, org="Minfirma GmbH", person="Anna Weber", value=1000.0)
    return any(band == "duplicate" for band, _ in bands)


def _sign_pairs() -> list[tuple[str, str]]:
    out = []
    for f in FRAMES:
        for n in NUMBERS:
            plus, minus, bare = f.format(f"{n}+"), f.format(f"{n}-"), f.format(n)
            out += [(plus, bare), (minus, bare), (plus, minus), (bare, plus), (f.format(f"+{n}"), plus),
                    (plus, f.format(f"{n} +")), (f.format(f"-{n}"), minus)]
    return out


def _kept_apart(a: str, b: str) -> None:
    assert not _merged(a, b), (a, b)


# one item per frame, its 49 pairs looped and every one that fails named (issue 8: 245
# items before)
@pytest.mark.parametrize("f", FRAMES)
def test_a_sign_after_a_number_is_never_merged_away(f: str) -> None:
    word = f.split()[0]
    rows = [(a, b) for a, b in _sign_pairs() if a.split()[0] == word]
    assert check_each(cases_of(rows, lambda a, b: f"{a!r} / {b!r}"), _kept_apart) == 49


def test_the_sign_pairs_are_each_under_one_frame() -> None:
    words = [f.split()[0] for f in FRAMES]
    pairs = _sign_pairs()
    assert len(set(words)) == len(FRAMES) and len(pairs) == 49 * len(FRAMES)
    assert all(words.count(a.split()[0]) == 1 for a, _b in pairs)


@pytest.mark.parametrize("n", NUMBERS)
@pytest.mark.parametrize("f", FRAMES)
def test_the_same_signed_number_still_merges(f: str, n: int) -> None:
    assert _merged(f.format(f"{n}+"), f.format(f"{n}+").upper())
    assert _merged(f.format(f"{n}-"), f.format(f"{n}-"))


@pytest.mark.parametrize(("a", "b"), [("Kurs 3-5 Jahre", "Kurs 3- 5 Jahre"),
                                      ("Kurs 3- 5 Jahre", "Kurs 3 - 5 Jahre"),
                                      ("Lyon - Catering", "Lyon Catering"),
                                      ("3-tägig Kurs", "3-tägig Kurs"),
                                      ("Projekt 2026-03-01", "Projekt 2026-03-01"),
                                      ("Los 1-2 Sanierung", "Los 1-2 Sanierung")])
def test_a_hyphen_that_joins_stays_a_joiner(a: str, b: str) -> None:
    assert normalize_title(a, None, DEFAULT_NOISE_WORDS).text == \
        normalize_title(b, None, DEFAULT_NOISE_WORDS).text
    assert _merged(a, b)


@pytest.mark.parametrize(("a", "b"), [("Level 3+ Support", "Level 3 Support"),
                                      ("Kurs 1.5+ Stufe", "Kurs 1.5 Stufe"),
                                      ("Stufe 2- Training", "Stufe 2 Training")])
def test_the_sign_is_in_the_normalized_title(a: str, b: str) -> None:
    assert normalize_title(a, None, DEFAULT_NOISE_WORDS).text != \
        normalize_title(b, None, DEFAULT_NOISE_WORDS).text


# "or" / "and" in 13 languages (en, de, fr, pt, es/it, nl, sv/da/no, ro, hu, pl, cs, fi, tr)
OR_WORDS = ["or", "oder", "ou", "o", "of", "eller", "sau", "vagy", "lub", "nebo", "tai", "veya", "ab"]
AND_WORDS = ["&", "and", "und", "et", "e", "y", "en", "och", "og", "ve", "és", "i"]
OR_FRAMES = ["Achat {} Vente", "Compra {} Venda", "Koop {} Verkoop", "Wartung {} Vertrag", "Abo {} Januar"]


@pytest.mark.parametrize("f", OR_FRAMES)
@pytest.mark.parametrize("w", OR_WORDS)
def test_an_or_word_is_never_an_and(f: str, w: str) -> None:
    for c in AND_WORDS:
        assert not _merged(f.format(w), f.format(c)), (w, c)


@pytest.mark.parametrize("f", OR_FRAMES)
@pytest.mark.parametrize("w", [w for w in OR_WORDS if w != "of"])
def test_an_or_word_on_one_side_only_is_held_at_review(f: str, w: str) -> None:
    a, b = f.format(w), f.replace(" {} ", " ")
    assert not _merged(a, b) and not _merged(b, a), (a, b)


@pytest.mark.parametrize(("a", "b"), [("Bank of Ireland", "Bank Ireland"),
                                      ("Koop of Verkoop", "Koop Verkoop"),
                                      ("Website - Minfirma AB", "Website"),
                                      ("Minfirma AB Website", "Minfirma Website")])
def test_a_filler_of_and_a_legal_form_still_merge(a: str, b: str) -> None:
    bands, said = two_titles_bands(a, b, org="Minfirma AB", person="Anna Weber", value=1000.0)
    assert bands == [("duplicate", {1, 2})], said
