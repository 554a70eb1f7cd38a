"""Catch-all names in more languages and scripts: the word classes of
``catch_all_world.txt`` and the Latin reading of a name written in another script.

x37r2 F1: ``Частные клиенты``, ``Klienci indywidualni``, ``Yksityisasiakkaat``,
``Privatkunder``, ``Ohne Firma``, ``No company``, ``Sin empresa``, ``Ιδιώτες``, ``Bireysel
müşteriler``, ``Privé klanten``, ``P.K. (Privatkunden)`` and persons ``Неизвестный``,
``Nieznany``, ``Dr. Unknown``, ``Sir or Madam`` were read as real names (the lexicon knew
en/de/fr/es/nl/it words only), so two same-titled deals there merged unattended. x38r2: the
classes were not filled in each language — forms of address joined by a slash or an "or"
(``Κύριε Κυρία``, ``Сэр или мадам``, ``M./Mme``), a greeting (``Dear Customer``), an
abbreviated honorific (``Г-н Неизвестный``), "no company" (``Ingen firma``, ``Nincs cég``),
cash sales (``Kontantsalg``, ``Продажа за наличные``), natural persons (``Φυσικά
πρόσωπα``) — so the data file now holds each class for all 22 languages.

* ``WORLD``: class -> words (``people``, ``like``, ``nobody``, ``needs``, ``without``,
  ``generic``, ``honorific``, ``address``, ``join``, ``greeting``, ``sale``, ``counter``,
  ``sold``, ``hello``, ``everyone``, ``trade``: guests and orders, people words that also
  name a business, x43r2 F1; ``where``: a hotel, a shop, online beside them; the data file
  says what each means and where the words come from), in ASCII as anyascii writes them,
  pl, fi, sv, da, no, pt, es, cs, sk, tr, el, ru, uk, bg, sr, hu, ro and more "no company"
  phrases, honorifics and greetings in en/de/fr/es/nl/it;
* ``SALES``: language -> (sale words, counter words): a sale word with a counter word of its
  own language is a counter / cash sale (``Kontant salg``, ``Продажа за наличные``), read by
  ``catch_all_lexicon.sale_partners`` beside its own languages (x38r2, f38h);
* ``NAMED_GREETINGS``: language -> (greetings that are first names too, people words): such
  a greeting is one only right before a people word of its own language (``Caro cliente``,
  ``Milá zákaznice``, ``Dragă client``: catch-alls; ``Caro Kunde``, ``Mila Novak``: persons;
  f39c: they were left out of the greeting class, so ``Caro cliente`` was a real name);
* ``readings(name)``: the name, and for a name with non-ASCII letters its transliteration
  (``Частные клиенты`` -> ``Chastnye klienty``, ``müşteriler`` -> ``musteriler``) by the
  ``anyascii`` package when it is installed, else by ``_FALLBACK`` (Cyrillic and Greek
  letter by letter, as anyascii writes them; other letters without their accents), so a
  word of the lexicon is found however the account wrote it.

Pure data and two functions; reads its data file once, at import; no other I/O.
"""

from __future__ import annotations

# ruff: noqa: RUF001  # Cyrillic and Greek letters are the point here
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

_DATA = Path(__file__).with_name("catch_all_world.txt")
# the same classes, kept apart (f40f: the languages next to the 22, x40r3 F1)
_MORE = Path(__file__).with_name("catch_all_more.txt")
CLASSES = ("people", "like", "nobody", "needs", "without", "generic", "honorific", "address",
           "join", "greeting", "sale", "counter", "sold", "namegreet", "hello", "everyone",
           "trade", "where")
_PAIRED = ("sale", "counter")  # read per language too: a sale word and its own counter words
_GREETED = ("namegreet", "people")  # ... and a first-name greeting and its own customers


def _load() -> tuple[MappingProxyType[str, frozenset[str]],
                     MappingProxyType[str, tuple[frozenset[str], frozenset[str]]],
                     MappingProxyType[str, tuple[frozenset[str], frozenset[str]]]]:
    found: dict[str, set[str]] = {c: set() for c in CLASSES}
    paired: dict[str, tuple[set[str], set[str]]] = {}
    greeted: dict[str, tuple[set[str], set[str]]] = {}
    lines = [(data.name, n, line) for data in (_DATA, _MORE)
             for n, line in enumerate(data.read_text(encoding="utf-8").splitlines(), 1)]
    for file, n, line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        kind, lang, *words = line.split()
        if kind not in found:
            raise ValueError(f"{file} line {n}: unknown class {kind!r}")
        tokens = {w for word in words for w in word.split("-") if w}
        found[kind].update(tokens)
        if kind in _PAIRED:
            paired.setdefault(lang, (set(), set()))[_PAIRED.index(kind)].update(tokens)
        if kind in _GREETED:
            greeted.setdefault(lang, (set(), set()))[_GREETED.index(kind)].update(tokens)
    return (MappingProxyType({c: frozenset(ws) for c, ws in found.items()}),
            MappingProxyType({lang: (frozenset(sale), frozenset(counter))
                              for lang, (sale, counter) in paired.items()}),
            MappingProxyType({lang: (frozenset(greet), frozenset(people))
                              for lang, (greet, people) in greeted.items() if greet}))


WORLD, SALES, NAMED_GREETINGS = _load()
# the languages that write a compound as one word (German, Dutch, the Nordic ones, Finnish,
# Estonian): only their words may end one (``Hotelgäste``; ``Webclients`` is a brand)
_JOINING = frozenset({"de", "nl", "sv", "da", "no", "nb", "is", "fi", "et"})


def _joining_words() -> frozenset[str]:
    """The ``people``, ``trade`` and ``nobody`` words of ``_JOINING``'s languages, from both
    files."""
    out: set[str] = set()
    for data in (_DATA, _MORE):
        for line in data.read_text(encoding="utf-8").splitlines():
            kind, lang, *words = line.split() or ("#", "")
            if kind in ("people", "trade", "nobody") and lang in _JOINING:
                out.update(w for word in words for w in word.split("-") if w)
    return frozenset(out)


JOINING_WORDS = _joining_words()

# Cyrillic and Greek letters as anyascii writes them (its tables for U+0400-U+045F, U+0490,
# U+03AC-U+03CE): the reading when the package is not installed
_FALLBACK = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "'", "ы": "y", "ь": "'", "э": "e", "ю": "yu", "я": "ya", "ѐ": "e", "ё": "e", "ђ": "dj",
    "ѓ": "g", "є": "ie", "ѕ": "dz", "і": "i", "ї": "i", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c",
    "ќ": "k", "ѝ": "i", "ў": "u", "џ": "dzh", "ґ": "g",
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "ς": "s",
    "σ": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o", "ά": "a", "έ": "e",
    "ή": "i", "ί": "i", "ό": "o", "ύ": "y", "ώ": "o", "ϊ": "i", "ϋ": "y", "ΐ": "i", "ΰ": "y",
    "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th",
})


def _fallback(text: str) -> str:
    low = text.lower().translate(_FALLBACK)
    return "".join(c for c in unicodedata.normalize("NFKD", low)
                   if not unicodedata.combining(c))


_transliterate: Callable[[str], str]
try:  # a well-kept transliteration of every script (ISC); the fallback covers the lexicon's
    from anyascii import anyascii as _transliterate
except ImportError:  # pragma: no cover - depends on what is installed
    _transliterate = _fallback


@lru_cache(maxsize=65536)
def readings(name: str) -> tuple[str, ...]:
    """``name`` itself and, when it has non-ASCII letters, its ASCII transliteration (one or
    two strings): ``Частные клиенты`` -> ``("Частные клиенты", "Chastnye klienty")``,
    ``Bireysel müşteriler`` -> (..., ``"Bireysel musteriler"``). ``catch_all`` reads each
    through ``org_key``; a name is a catch-all when one reading is."""
    if name.isascii():
        return (name,)
    latin = _transliterate(name)
    return (name, latin) if latin != name else (name,)


__all__ = ["CLASSES", "NAMED_GREETINGS", "SALES", "WORLD", "readings"]
