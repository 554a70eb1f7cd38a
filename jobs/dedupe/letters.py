# ruff: noqa: RUF002  # the letters are the point here
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
from functools import lru_cache

from ..transforms.contacts import fold_accents

# how a letter (lower case) is written without it, besides its base letter (``é`` -> ``e``)
# and its fold (``ø`` -> ``o``: ``fold_accents``)
_READINGS: dict[str, tuple[str, ...]] = {
    "ä": ("ae", "a"), "ö": ("oe", "o"), "ü": ("ue", "u"), "ß": ("ss",),
    "ø": ("oe", "o"), "å": ("aa", "a"), "æ": ("ae", "a"), "œ": ("oe", "o"),
    "þ": ("th",), "ð": ("d", "dh"), "\u0131": ("i",), "ł": ("l",), "đ": ("d", "dj"),
}


def _letter(c: str) -> str:
    """A regular expression for letter ``c`` written with it or any ASCII reading of it."""
    low = "i" if c == "\u0130" else c.lower()
    ways = {low, *_READINGS.get(low, ()), fold_accents(low).casefold(),
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


__all__ = ["one_word_typed", "without_letters"]
