# ruff: noqa: RUF002, RUF003  # the letters are the point here
"""A word written with its letters and the same word typed on an ASCII keyboard.

Each letter with an ASCII reading is read dropped or spelled out, whichever the copy
chose, letter by letter: ``ä`` / ``ö`` / ``ü`` as ``a`` / ``ae`` …, the Nordic ``ø`` as
``o`` / ``oe``, ``å`` as ``a`` / ``aa``, ``æ`` as ``ae`` / ``a``, ``ß`` as ``ss``, the Turkish
``ı`` / ``İ`` as ``i``, ``ş`` / ``ğ`` / ``ç`` as ``s`` / ``g`` / ``c``, the Icelandic ``þ`` as
``th`` and ``ð`` as ``d``, ``ł`` as ``l``, ``œ`` as ``oe`` / ``o``, any accented letter as its
base letter (the conventions German, the Nordic languages and Turkish write without those
keys: DIN 5007-2 for ``ae`` / ``oe`` / ``ue``, the Danish and Norwegian ``aa`` for ``å``; x51r14
F1 to F3). Two words both written with letters compare as written (``Björk`` / ``Bjärk``: two
names), and two ASCII words too (``Bjoerk`` / ``Bjork``). Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from ..transforms.contacts import fold_accents

# how a letter (lower case) is written without it, besides its base letter (``é`` -> ``e``)
# and its fold (``ø`` -> ``o``: ``fold_accents``)
_READINGS: dict[str, tuple[str, ...]] = {
    "ä": ("ae", "a"), "ö": ("oe", "o"), "ü": ("ue", "u"), "ß": ("ss",),
    "ø": ("oe", "o"), "å": ("aa", "a"), "æ": ("ae", "a"), "œ": ("oe", "o"),
    "þ": ("th",), "ð": ("d", "dh"), "\u0131": ("i",), "ł": ("l",), "đ": ("d", "dj"),
}


# each letter's spelled-out reading (DIN 5007-2; the Danish and Norwegian ``aa``, ``oe``,
# ``ae``), as a person's name is read beside its fold: ``Søren Østergaard`` typed ``Soeren
# Oestergaard``, ``Åse Ålund`` ``Aase Aalund`` (x53r3 F7: one person read as two)
SPELLED_OUT: dict[str, str] = {c: ways[0] for c, ways in _READINGS.items()
                               if c in "äöüßøåæœ"}


# the letters ``fold_accents`` leaves as they are (no Unicode decomposition, no stroke of its
# table: ``þ``, ``ð``), folded to their first reading above, as a name's words are read
# (x52r4 F2: ``Þjónustusamningur`` / ``Thjonustusamningur``, ``Viðhald`` / ``Vidhald`` were
# two words in a title). ``ß`` stays: a title keeps it (``Maße`` is not ``Masse``), an org
# key reads it ``ss`` (``title_tokens.words``).
_UNFOLDED = {c: ways[0] for c, ways in _READINGS.items()
             if c != "ß" and not fold_accents(c).isascii()}
_FOLDS = str.maketrans({**_UNFOLDED, **{c.upper(): w.capitalize() for c, w in _UNFOLDED.items()}})


@lru_cache(maxsize=65536)
def fold_letters(text: str) -> str:
    """``text`` with its Latin letters' accents folded, the one fold of names and titles
    (``normalize.fold``): ``jobs.transforms.fold_accents`` (``é`` -> ``e``, ``ø`` -> ``o``,
    ``ł`` -> ``l``, ``đ`` -> ``d``, ``æ`` -> ``ae``; other scripts' marks kept) and the
    letters it leaves, ``þ`` -> ``th``, ``ð`` -> ``d`` (``_UNFOLDED``); ``ß`` kept. Not the
    ``anyascii`` library (a dependency, ISC): the project treats it as optional
    (``catch_all_world`` falls back without it), so a fold by it would differ from one
    install to the next, and it transliterates every script, where a mark of another script
    makes another letter (v10r9 S3)."""
    if text.isascii():
        return text
    return fold_accents(text).translate(_FOLDS)


def _letter(c: str) -> str:
    """A regular expression for letter ``c`` written with it or any ASCII reading of it."""
    low = "i" if c == "\u0130" else c.lower()
    ways = {low, *_READINGS.get(low, ()), fold_letters(low).casefold(),
            "".join(x for x in unicodedata.normalize("NFKD", low) if not unicodedata.combining(x))}
    return "(?:" + "|".join(re.escape(w) for w in sorted(ways, key=len, reverse=True)) + ")"


@lru_cache(maxsize=8192)
def _written_without(text: str) -> re.Pattern[str]:
    """``text`` (lower case) with each non-ASCII letter also read as written without it."""
    return re.compile("".join(re.escape(c.lower()) if c.isascii() else _letter(c)
                              for c in unicodedata.normalize("NFC", text)))


def without_letters(plain: str, lettered: str) -> bool:
    """``plain`` is ``lettered`` written without some of its letters, not the same spelling
    (``Bjorn`` / ``Bjoern`` of ``Bjørn``, ``Strasse`` of ``Straße``, ``Insaat`` of ``İnşaat``,
    ``Lodz`` of ``Łódź``); case aside. False for two ASCII words."""
    return plain.lower() != lettered.lower() and not lettered.isascii() \
        and _written_without(lettered).fullmatch(unicodedata.normalize("NFC", plain).lower()
                                                 .replace("i\u0307", "i")) is not None


def one_word_typed(x: str, y: str) -> bool:
    """``x`` and ``y`` are one word, one of them typed without letters the other has."""
    return without_letters(x, y) or without_letters(y, x)


def title_word_typed(x: str, y: str) -> bool:
    """``one_word_typed`` for two title words: ``ß`` is not read ``ss`` there (``Maße`` is not
    ``Masse``: ``ß or ss``, review at most; issue 11's v11r6 review), every other letter is;
    two words both written with marks are never one typed (``marks_apart``: ``łąka`` /
    ``łąką``; x53r3 F8)."""
    return "ß" not in x and "ß" not in y and one_word_typed(x, y) and not marks_apart(x, y)


def marks_apart(x: str, y: str) -> bool:
    """``x`` and ``y`` fold to one spelling (``fold_letters``) but are two words: both are
    written with marks (neither folds to itself) and they differ: ``thuê`` / ``thuế`` (rent
    / tax), ``máy`` / ``mây``, ``nhà`` / ``nhá``, ``côte`` / ``côté``, ``łąka`` / ``łąką``,
    ``öt`` / ``őt``, ``πότε`` / ``ποτέ``. A mark a writer typed is a letter
    chosen: the fold reads a word typed WITHOUT its marks (``Thue`` of ``Thuê``), never one
    typed with other marks, nor with some of them (x53r3 F8: five Vietnamese pairs of two
    words merged at 1.00; the README's ``Zähler`` / ``Zahler``). Some marks left out counts
    however the copy leaves them out, dropped or spelled out (``without_letters``):
    ``vöruhús`` / ``voeruhús``, ``düş`` / ``dueş``, ``ráðgjöf`` / ``rádhgjöf`` are two words
    as ``vöruhús`` / ``vöruhus`` are (f56e: partly stripped copies merged at 1.00). Case
    aside, and so the dotless ``ı`` against ``i`` (``SATIŞ`` casefolds to ``satiş``,
    ``EĞITIM`` — an uppercasing that knows no Turkish — to ``eğitim``): ``dış`` / ``diş``
    stay one word, a known limit."""
    if x == y or x.replace("\u0131", "i") == y.replace("\u0131", "i"):
        return False  # capitals lose the dot of i either way (SATIŞ: satış, casefold satiş)
    fx, fy = fold_letters(x), fold_letters(y)
    if fx == x or fy == y or x.casefold() == y.casefold():
        return False  # a copy typed wholly bare is the word
    # one spelling once folded, or each the other with some letters spelled out (voeruhús)
    return fx.casefold() == fy.casefold() or without_letters(fx, y) or without_letters(fy, x)


def typed_alike(xs: Sequence[str], ys: Sequence[str]) -> tuple[list[str], list[str]]:
    """Two titles' words folded (``fold_letters``), each word of ``ys`` that is a word of
    ``xs`` typed without its letters or with them (``title_word_typed``: ``soen`` / ``søn``)
    written as that word of ``xs`` folds: what a similarity of the two titles compares, so a
    word typed without its letters costs nothing (x52r4 F2: ``Hợp đồng bảo trì`` / ``Hop dong
    bao tri`` fell below the cutoff on the letters as written)."""
    fx = [fold_letters(t) for t in xs]
    fy = [fold_letters(u) for u in ys]
    written: set[int] = set()
    for n, u in enumerate(ys):
        if fy[n] not in fx:
            fy[n] = next((f for t, f in zip(xs, fx, strict=True) if title_word_typed(t, u)), fy[n])
        elif u not in xs and all(marks_apart(t, u) for t, f in zip(xs, fx, strict=True)
                                 if f == fy[n]):
            # ``thuế`` against ``thuê``: two words, compared as written (x53r3 F8), on both
            # sides: ``vöruhus`` against ``vöruhús`` as ``voruhus`` scored lower than the
            # other way round (f56e)
            written.update(i for i, f in enumerate(fx) if f == fy[n])
            fy[n] = u
    for i in written:
        fx[i] = xs[i]
    for m, u in enumerate(ys):  # the same word written alike on both sides stays alike
        if any(xs[i] == u for i in written):
            fy[m] = u
    return fx, fy


__all__ = ["fold_letters", "marks_apart", "one_word_typed", "title_word_typed", "typed_alike",
           "without_letters"]
