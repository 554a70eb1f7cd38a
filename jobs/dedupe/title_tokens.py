# ruff: noqa: RUF002, RUF003  # the letters are the point here
"""A title or an organization name as word tokens: ``words`` and ``parted_words``.

NFKC + casefold (a title keeps ``ß``), German umlauts transliterated (or, as the other
reading, their dots dropped), invisible characters dropped, digits grouped by thousands
joined, a decimal, version or date one token, dotted initials one word, ``e-mail`` one
word, symbol tokens (``c++``, ``-500``, ``%``, ``★★``) kept whole, and each token's title
part (parts split at separators). ``normalize`` reads the tokens' meaning (numbers,
months, org names, noise); this module only cuts. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

# letters and digits of any script; everything else breaks words, but a number with a decimal
# point or comma, a version or a date is one token (``1.2``, ``1,5``, ``v1.10``, ``01.03.2026``)
# a letter token may carry ``+``, ``++`` or ``#`` (``C++``, ``C#``, ``F#``, ``A+``, ``S+``), and a
# single letter a grade's trailing ``-`` (``Kurs A-``): one identifying token, kept whole
# A number carries a glued ``+`` or ``-`` after it too (``3+``, ``18+``, ``12-``: y54r1 F1,
# ``Level 3+`` read ``Level 3`` and merged); a ``-`` that another number follows is a range's
# joiner (``1-2``, ``3- 5``), and one before a letter a compound's (``3-tägig``)
_SYMBOL = (r"(?:(?<=[^\W\d_])(?:\+\+?|#)(?![\w+#])|(?<![^\W_][^\W_])(?<=[^\W\d_])-(?![\w-])"
           r"|(?<=\d)(?:\+|-(?!\s*\d))(?![\w+\-#]))")


_WORD = re.compile(r"(?:[^\W_]*\d(?:[.,]\d+)+[^\W_]*|[^\W_]+)" + _SYMBOL + "?")


# where a title splits into parts that may come in any order (``Website redesign - Acme`` /
# ``Acme - Website redesign``, ``Acme: CRM`` / ``CRM (Acme)``): ``_split_parts``
# ``2. Phase`` (German ordinal): ``2nd phase``
_DOT_ORDINAL = re.compile(r"(?<![\w.,])(\d{1,2})\.(?=\s+[^\W\d_])")


_DIGIT = re.compile(r"\d")


_DOTTED = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}")  # S.A. / B.V. / s.r.o. (also after a ``_``)


_APOSTROPHE = re.compile(r"(?<=\w)['\u2019]s\b|['\u2019]")  # Acme's -> Acme, don't -> dont


_LETTER_PREFIX = re.compile(r"\b([^\W\d_])-(?=[^\W\d_]{2})")  # e-mail -> email, e-commerce


# German umlauts as their transliteration (``Müller`` = ``Mueller``, ``Köln`` = ``Koeln``;
# casefold already turns ``ß`` into ``ss``); ``_STRIPPED``: the umlauts' dots dropped, a
# second reading kept only for the places in ``DOTLESS_PLACES`` (``Zürich`` = ``Zurich``)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


_STRIPPED = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})


# letters of Turkish that German does not write (casefolded: ``ı`` dotless i, ``ş``, ``ğ``)
_TURKISH = frozenset("\u0131\u015f\u011f")


# a word as the title comparison cuts it (``_WORD`` / ``_PLAIN_WORD``: letters and digits),
# and an apostrophe breaks it here too (``Mütter'ın``: the German ``mütter`` and the Turkish
# suffix ``ın``), so a mark rule reads each word of the title, whatever stands between them
_MARK_WORD = re.compile(r"[^\W_]+")


def _turkish_word(m: re.Match[str]) -> str:
    w = m.group(0)
    return w if not _TURKISH.isdisjoint(w) else w.translate(_UMLAUTS)


def _turkish_words(s: str) -> str:
    """Casefolded title ``s`` that writes Turkish (``_turkish``), each word read by its own
    letters: a word with ``ş`` / ``ğ`` / ``ı`` keeps its ``ö`` / ``ü`` as written, Turkish
    letters that ``letters`` reads typed bare (``sözleşmesi`` = ``sozlesmesi``) but never as
    another marked spelling (``düş`` / ``duş``: ``letters.marks_apart``, two words), any other
    word's umlauts are German (``ä`` / ``ö`` / ``ü`` as ``ae`` / ``oe`` / ``ue``). A word is
    a run of letters and digits (``_MARK_WORD``), as the title comparison cuts it: a hyphen,
    slash, apostrophe, ``&`` or ``+`` ends it as a space does. x53r8 F2: one Turkish letter
    anywhere stripped every umlaut of the title (``Zähler Tausch Şişli`` / ``Zahler Tausch
    Şişli``, 15 of 15 merged); x54r4 F2: read per space-separated word, ``Zähler-Şahin`` /
    ``Zahler-Şahin``, ``Zähler/Şişli``, ``Mütter'ın`` / ``Mutter'ın`` still merged (37 of
    40 grid pairs); x54r4 F1: a Turkish word's ``ö`` / ``ü`` stripped made ``Düş`` (dream) /
    ``Duş`` (shower) one word (12 of 12 main-plan cases merged)."""
    return _MARK_WORD.sub(_turkish_word, s)


# Romanian ``ș`` / ``ț`` (comma below) and the legacy ``ş`` / ``ţ`` (cedilla) are one letter:
# code pages before Unicode 3.0 had only the cedilla forms, and copies still write them
# (Unicode 3.0 split them; x53r7 F4, x54r4 F5: ``Peşte`` / ``Pește`` read two real words)
_ROMANIAN_COMMA = str.maketrans({"\u0219": "\u015f", "\u021b": "\u0163"})


def _turkish(s: str) -> bool:
    """Casefolded title ``s`` writes Turkish (``ş``, ``ğ`` or ``ı``): its ``ö`` / ``ü`` are
    Turkish letters, typed ``o`` / ``u`` without their marks, never German ``oe`` / ``ue``
    (x52r9 F5: ``Bakım sözleşmesi`` read ``soezleşmesi`` against ``Bakim sozlesmesi``;
    Turkish keyboards and ASCII copies drop the dots, TDK spelling has no ``oe``)."""
    return not _TURKISH.isdisjoint(s)


# digits grouped by thousands (``1,000`` / ``1.000`` / ``1 000`` / ``1'000``: one separator,
# groups of exactly 3 digits, not inside a word or a dotted number like ``v1.100`` / ``1.2.300``)
_GROUPED = re.compile(r"(?<![\w.,])\d{1,3}(?P<sep>[,.\u00a0\u202f\u2009 ])\d{3}(?:(?P=sep)\d{3})*"
                      r"(?!\w|(?P=sep)\d)")


_NOT_DIGIT = re.compile(r"\D")


_DIGIT_SEP = re.compile(r"\d[,.\u00a0\u202f\u2009 ]\d")  # where _GROUPED may match


def words(s: str, *, umlauts: str = "transliterate", other: bool = False,
          sharp_s: bool = False) -> list[str]:
    """NFKC + casefold, then the word tokens (punctuation, dashes, underscores split;
    ``'s`` and apostrophes dropped, ``e-mail`` one word). German umlauts become ``ae`` /
    ``oe`` / ``ue`` and ``ß`` ``ss`` (``other``: the other reading, the umlauts' dots
    dropped, ``a`` / ``o`` / ``u``, and ``'s`` an ``s``: ``acme's`` -> ``acmes``), so
    ``Müller`` = ``Mueller``; digits grouped by thousands are one number (``1,000`` /
    ``1.000`` / ``1 000`` / ``1'000`` -> ``1000``); a decimal, a version or a date is one
    token, a decimal comma read as a point (``1,5`` -> ``1.5``, ``1.10``, ``01.03.2026``).
    ``sharp_s`` (titles): ``ß`` stays ``ß`` (``Maße`` dimensions / ``Masse`` mass); org names
    read it ``ss`` (``Strauß GmbH`` = ``Strauss GmbH``). ``umlauts="keep"``: every letter as
    written (``björk``), for ``letters``' readings. The Turkish ``İ`` is ``i``, never a word
    break."""
    return _tokens(_prepare(s, other, sharp_s, keep=umlauts == "keep"), sharp_s)


def parted_words(s: str) -> tuple[list[str], list[int]]:
    """``words(s)`` and, for each token, the index of the title part it is in: the parts
    are split at separators (``_split_parts``: ``-`` with a space beside it, an en or em dash, ``:``,
    ``|``, ``/``, brackets, ``,`` not between digits...), so ``Website redesign - Acme``
    is two parts, ``(0, 0, 1)``; ``Check-in`` and ``1,5`` are one. ``ß`` stays ``ß``."""
    s = _prepare(s, False, True)
    if _HAS_SEPARATOR.search(s) is None:  # one part (most titles): no positions needed
        toks = _tokens(s, True)
        return toks, [0] * len(toks)
    decimal = _DECIMAL.search(s) is not None or _MAY_SYMBOL.search(s) is not None
    toks = []
    parts: list[int] = []
    k = 0
    for seg in _split_parts(s):
        if seg_toks := (_tokens(seg, True) if decimal else _plain_words(seg)):
            toks += seg_toks
            parts += [k] * len(seg_toks)
        k += 1
    return toks, parts


# a character that may separate parts (``_split_parts``): a title without one is one part
_HAS_SEPARATOR = re.compile(r"[^\w\s.'\u2019]")


_SEP_CHARS = str.maketrans(dict.fromkeys(
    ":|/\\()[]{};\u2013\u2014\u2015\u2212\u00b7\u2022\u2190\u2192\u2194\u21d2\u21d4\u2794\u279c"
    "\u27a1\u27f6", "\x1f"))


# ``Website - Acme``, not ``Check-in``, nor a grade's ``-`` after a single letter (``Kurs A-``)
# nor a number's trailing sign (``Stufe 2- Training``), but ``3- 5`` (a range) splits
_HYPHEN_SEP = re.compile(r"(?:^|(?<=\s))-(?!\d)|(?<!\s[^\W\d_])(?<!^[^\W\d_])(?<!\d)-(?=\s|$)"
                         r"|(?<=\d)-(?=\s+\d)")


_COMMA_SEP = re.compile(r"(?<!\d),|,(?!\d)")  # ``Berlin, Hamburg``, not ``1,5``


def _split_parts(s: str) -> list[str]:
    """A title's parts: split at a colon, pipe, slash, semicolon, bracket, en or em dash,
    bullet, a hyphen with a space (or the title's edge) beside it, a comma not between
    digits; ``_`` counts as a space (``Website_redesign_-_Acme``)."""
    s = s.translate(_SEP_CHARS)
    if "_" in s:
        s = s.replace("_", " ")
    if "-" in s:
        s = _HYPHEN_SEP.sub("\x1f", s)
    if "," in s:
        s = _COMMA_SEP.sub("\x1f", s)
    return s.split("\x1f")


# zero-width and soft-hyphen characters inside a word: invisible, no word break
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def _prepare(s: str, other: bool, sharp_s: bool = False, keep: bool = False) -> str:
    if not s.isascii():
        if sharp_s:  # a title: 10² is not 102 (NFKC joins them), ⭐+VS16 is ⭐, U+2212 5 is -5
            if _SUPERSCRIPT.search(s) is not None:
                s = _SUPERSCRIPT.sub(lambda m: "^" + m.group(0), s)
            if "\ufe0f" in s:
                s = s.replace("\ufe0f", "")
            if "\u2212" in s:
                s = _MINUS_SIGN.sub("-", s)
        s = unicodedata.normalize("NFKC", s)
        if _INVISIBLE.search(s) is not None:  # re\u200bdesign (pasted from the web) = redesign
            s = _INVISIBLE.sub("", s)
        if sharp_s and ("ß" in s or "ẞ" in s):  # a title keeps ß: Maße is not Masse
            s = "ß".join(p.casefold() for p in s.replace("ẞ", "ß").split("ß"))
        else:
            s = s.casefold()
        if "\u0307" in s:  # the Turkish İ casefolds to i + a dot above: one letter, i, no
            s = s.replace("i\u0307", "i")  # word break (x51r14 F2: ``İnşaat`` -> ``i nşaat``)
        if "\u0219" in s or "\u021b" in s:  # Romanian ș / ț: the cedilla ş / ţ
            s = s.translate(_ROMANIAN_COMMA)
        if not keep:  # a Turkish word's ö / ü are Turkish letters, never oe / ue
            s = s.translate(_STRIPPED) if other else (
                _turkish_words(s) if sharp_s and _turkish(s) else s.translate(_UMLAUTS))
    else:
        s = s.lower()
    if _DIGIT.search(s) is not None:
        if _DIGIT_SEP.search(s) is not None:
            s = _GROUPED.sub(lambda m: _NOT_DIGIT.sub("", m.group(0)), s)
        if "." in s:
            s = _DOT_ORDINAL.sub(r"\1th", s)  # ``2. Phase`` -> ``2th phase`` (canonical: 2)
    if "'" in s or "\u2019" in s:
        s = _APOSTROPHE.sub("", s) if not other else s.replace("'", "").replace("\u2019", "")
    if "-" in s:
        s = _LETTER_PREFIX.sub(r"\1", s)
    return _join_initials(s)


def _tokens(s: str, symbols: bool = False) -> list[str]:
    if symbols and _MAY_SYMBOL.search(s) is not None:
        return _symbol_tokens(s)
    if _DECIMAL.search(s) is None:  # (most titles: the plain word pattern is faster)
        return _plain_words(s)
    return [t.replace(",", ".") if "," in t else t for t in _WORD.findall(s)]


# superscript digits (``10²``: NFKC reads ``102``) -> ``^`` and the digit: ``10^2``
_SUPERSCRIPT = re.compile("[\u00b2\u00b3\u00b9\u2070\u2074-\u2079]")


_MINUS_SIGN = re.compile("\u2212(?=\\d)")  # U+2212 before a digit: a sign, not a dash


# a title that may hold a symbol token or a signed number (``_symbol_tokens``)
_MAY_SYMBOL = re.compile(r"[^\w\s.,:;'\u2019\"()\[\]{}/\\|&\-\u2013\u2014?_]|(?<![\w.,])[-+](?=\d)")


# a sign glued to a number (``-500``, ``+5``, ``±2``), a word, or one other character
_SIGNED = r"(?:(?<![\w.,+\-±])[+\-±](?=\d))?"


_SYM_TOKEN = re.compile(_SIGNED + "(?:" + _WORD.pattern + r")|[^\w\s]")


# characters that are symbols though Unicode calls them punctuation (``%``, ``#``...)
_PUNCT_SYMBOLS = frozenset("%\u2030\u2031#*§†‡")


# never a symbol token: separators, ``&`` (a word: ``und``), a sign not before a number, arrows
_NOT_SYMBOLS = frozenset("|\u00a6&+-\u00b1~`\u00b4^\u00a8")


def _is_symbol(c: str) -> bool:
    """A character that identifies like a number: a unit, currency, comparison or rating
    symbol (``%``, ``°``, ``$``, ``€``, ``<``, ``=``, ``★``, ``⭐``, ``#``): Unicode's symbol
    categories and ``_PUNCT_SYMBOLS``, not a separator, an arrow or ``&``."""
    if c in _PUNCT_SYMBOLS:
        return True
    if c in _NOT_SYMBOLS or "\u2190" <= c <= "\u21ff" or "\u27f0" <= c <= "\u27ff" \
            or "\u2900" <= c <= "\u297f" or "\u2794" <= c <= "\u27bf":
        return False
    return unicodedata.category(c)[0] == "S"


def _symbol_tokens(s: str) -> list[str]:
    """The tokens of a title that holds a symbol or a signed number: words as ``_WORD``
    reads them, a number with the sign glued to it (``-500``, ``+20``; ``Los 1-2`` has
    none), and each run of symbol characters one token (``%``, ``€``, ``!=``, ``>``,
    ``★★``, ``^`` of a superscript); ``!`` is a symbol only before ``=``."""
    out: list[str] = []
    sym_end = -1  # where the last symbol token ended (a run grows while they touch)
    for m in _SYM_TOKEN.finditer(s):
        t = m.group(0)
        if len(t) == 1 and not t.isalnum():
            if t == "^" or (t == "!" and s[m.end():m.end() + 1] == "=") or _is_symbol(t):
                if sym_end == m.start() and out:
                    out[-1] += t
                else:
                    out.append(t)
                sym_end = m.end()
            continue
        out.append(t.replace(",", ".") if "," in t else t)
    return out


_DECIMAL = re.compile(r"\d[.,]\d")


_PLAIN_WORD = re.compile(r"[^\W_]+")


_SYMBOL_WORD = re.compile(r"[^\W_]+" + _SYMBOL + "?")


def _plain_words(s: str) -> list[str]:
    """The word tokens of a title without decimals (the symbol pattern only where a symbol is)."""
    if "+" in s or "#" in s or "-" in s:
        return _SYMBOL_WORD.findall(s)
    return _PLAIN_WORD.findall(s)


def _join_initials(s: str) -> str:
    """``S.A.`` -> ``SA``, ``B.V.`` -> ``BV`` (dotted initials are one word), before tokenizing."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), s) if "." in s else s
