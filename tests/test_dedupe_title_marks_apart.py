# ruff: noqa: RUF001, RUF002  # the letters are the point here
"""Two title words both written with their marks, folding to one spelling, are two words
(x53r3 F8: ``Thuê xe tải`` / ``Thuế xe tải``, truck rental / truck tax, and five more
Vietnamese pairs merged unattended at 1.00). The fold reads a word typed WITHOUT the marks
(``Thue xe tai``: still the one deal); a writer who typed marks chose them, so two marked
spellings that differ are two words in any language: review at most, never the duplicate
band from the title alone."""

from __future__ import annotations

import pytest

from jobs.dedupe.letters import fold_letters, marks_apart, typed_alike
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.normalize import normalize_title
from jobs.dedupe.title_diff import word_diff
from tests.each_case import cases_of, check_each
from tests.test_dedupe_letters_connectors import CFG, _band, _deal

# real words of one language, one spelling once folded, both written with marks
MARKED_APART = [
    ("vi", "thuê", "thuế"), ("vi", "máy", "mây"), ("vi", "bán", "bạn"), ("vi", "sửa", "sữa"),
    ("vi", "nhà", "nhá"), ("vi", "bảo", "bão"), ("vi", "đã", "đà"),
    ("cs", "být", "bít"), ("cs", "výr", "vír"), ("cs", "mýt", "mít"),
    ("pl", "łąka", "łąką"), ("pl", "ręka", "ręką"),
    ("hu", "tör", "tőr"), ("hu", "szűr", "szúr"), ("hu", "öt", "őt"),
    ("fr", "pêche", "péché"), ("fr", "côte", "côté"), ("fr", "prés", "près"),
    ("es", "público", "publicó"), ("es", "término", "terminó"), ("es", "célebre", "celebré"),
    ("pt", "avó", "avô"), ("ca", "són", "sòn"), ("ro", "fată", "față"),
    ("hr", "čar", "ćar"), ("el", "πότε", "ποτέ"),
    ("sv", "våg", "väg"),
]
FRAMES = ["{w} xe tải", "Holm {w} rollout", "Projekt {w}", "{w}"]


def _cases() -> list[tuple[str, str, str]]:
    out = []
    for lang, x, y in MARKED_APART:
        for frame in FRAMES:
            out.append((lang, frame.format(w=x), frame.format(w=y)))
        out.append((lang, f"{x.upper()} SERVICE", f"{y.upper()} SERVICE"))
        out.append((lang, f"{x.capitalize()} Service", f"{y} service"))
    return out


def _never_duplicate(lang: str, a: str, b: str) -> None:
    band, score, reasons = _band("Holm Service AS", a, b)
    assert band != "duplicate", (lang, score, reasons)
    groups = find_duplicates([_deal(1, a, "Holm Service AS"),
                              _deal(2, b, "Holm Service AS", minutes=5)], CFG).groups
    assert all(g.band != "duplicate" for g in groups), groups


# one item per language, its pairs looped and each failing one named (issue 8, f57c: 162
# items before)
@pytest.mark.parametrize("lang", sorted({lang for lang, _x, _y in MARKED_APART}))
def test_two_marked_spellings_are_never_the_duplicate_band(lang: str) -> None:
    rows = [row for row in _cases() if row[0] == lang]
    assert check_each(cases_of(rows, lambda _lang, a, b: f"{a!r} / {b!r}"),
                      _never_duplicate) == 6 * sum(g == lang for g, _x, _y in MARKED_APART)


def test_the_cases_are_six_a_pair() -> None:
    assert len(_cases()) == 6 * len(MARKED_APART)


# the words the German umlaut rule reads ``ae`` (``väg``) or a language-specific rule reads
# otherwise have their own tests; every other word typed bare is that word
_BARE_EXEMPT = frozenset("äöü")


@pytest.mark.parametrize(("lang", "x", "y"), [c for c in MARKED_APART
                                               if _BARE_EXEMPT.isdisjoint(c[1] + c[2])])
def test_each_typed_bare_is_still_the_word(lang: str, x: str, y: str) -> None:
    for w in (x, y):
        bare = fold_letters(w)
        if bare == w:
            continue
        a, b = f"Holm {w} rollout", f"Holm {bare} rollout"
        band, score, reasons = _band("Holm Service AS", a, b)
        assert band == "duplicate", (lang, a, b, score, reasons)


def test_marks_apart_reads_both_marked_only() -> None:
    assert marks_apart("thuê", "thuế") and marks_apart("côte", "coté")
    assert not marks_apart("thuê", "thue")     # one side typed bare: one word
    assert marks_apart("łąka", "łąką")          # some marks typed: they were chosen
    assert marks_apart("ráðgjöf", "ráðgjof")
    assert not marks_apart("thuê", "thuê") and not marks_apart("thue", "thue")
    assert not marks_apart("máy", "mùa")       # two spellings anyway (no fold reads them one)


def test_the_dotless_i_is_no_mark_of_its_own() -> None:
    """Capitals lose the dot of ``i`` (``SATIŞ`` casefolds to ``satiş``; an uppercasing that
    knows no Turkish writes ``EĞITIM``): ``ı`` / ``i`` alone never hold two words apart
    (``dış`` / ``diş`` stay one word: the known limit)."""
    assert not marks_apart("satış", "satiş") and not marks_apart("eğitim", "eğıtım")
    for a, b in (("Satış ve pazarlama", "SATIŞ VE PAZARLAMA"),
                 ("Kurulum ve eğitim", "KURULUM VE EĞITIM"),
                 ("Kurulum ve eğitim", "KURULUM VE EĞİTİM")):
        band, score, reasons = _band("Holm Service AS", a, b)
        assert band == "duplicate", (a, b, score, reasons)


def test_the_reason_names_the_two_words() -> None:
    band, _, reasons = _band("Holm Service AS", "Thuê xe tải", "Thuế xe tải")
    assert band == "review"
    assert any(r == "two real words: thuê≠thuế" for r in reasons), reasons
    d = word_diff(normalize_title("Thuê xe tải"), normalize_title("Thuế xe tải"))
    assert d.real == (("thuê", "thuế"),) and not d.only_x and not d.only_y


def test_the_similarity_compares_them_as_written() -> None:
    fx, fy = typed_alike(["thuê", "xe", "tải"], ["thuế", "xe", "tải"])
    assert fx != fy
    fx, fy = typed_alike(["thuê", "xe", "tải"], ["thue", "xe", "tai"])
    assert fx == fy
