"""The advice for a manifest that is not UTF-8: which code page reads its words as words,
and which others read them otherwise (``_likely``), for ``bulk.manifest_encoding``'s
error message. Letter shapes first (``_plausible``: no symbol glued to a letter, no word
of accented Latin letters only), then the words themselves (``_by_words``: wordfreq's
lists of the languages each code page is written in), so a few rows of Hebrew, Baltic or
Turkish text are advised right. Nothing here reads a file."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping, Sequence

# charset-normalizer's codec names -> the names users type
_CODEC_NAMES = {"cp1252": "cp1252", "latin_1": "latin-1", "iso8859_15": "iso-8859-15",
                "mac_roman": "mac-roman", "cp1250": "cp1250", "cp850": "cp850"}

# the single-byte code pages pdbulk weighs for a file that is not UTF-8 (beside the
# detector's own candidates): Windows Western, Central European, Mac Roman, Cyrillic, Baltic,
# Turkish, Greek, and DOS Western (and Latin-9, whose € and ŠšŽžŒœŸ cp1252 reads otherwise)
_CANDIDATES = ("cp1252", "iso8859_15", "cp1250", "mac_roman", "cp1251", "cp1257", "cp1254", "cp1253", "cp850")
# code pages made for one language: the detector's pick among readings that all look like
# words is taken when it read the text in that language (``_likely``)
_NATIVE = {"cp1254": "Turkish", "cp1253": "Greek", "cp1255": "Hebrew", "cp1256": "Arabic",
           "cp874": "Thai", "cp1258": "Vietnamese", "koi8_r": "Russian", "koi8_u": "Ukrainian"}
_EDGE = ".,;:!?\u00bf\u00a1()[]{}<>\"'\u00ab\u00bb\u201c\u201d\u201e\u2018\u2019\u201a-\u2013\u2014/\\|*#+=&%$"
# (¿ and ¡ open a Spanish sentence: glued to its first word, they are punctuation)
_WORD = re.compile(r"[^\s,;|\"]+")  # a cell's words, whatever the delimiter


# typographic marks Word and Excel put next to letters (cp1252's 0x82-0x9F and ©®°·):
# glued to a word they are punctuation, not a garbled letter (v10r13 S4: "Bob\u2019s deal"
# advised as mac-roman, which read it "Bobís")
_TYPOGRAPHIC = frozenset("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026"
                         "\u2122\u00ae\u00a9\u00b0\u00b7\u2022\u2020\u2021\u2039\u203a")


def _plausible(word: str) -> bool:
    """Whether ``word`` (one whitespace-separated token holding non-ASCII text) reads like a
    word: no undecodable byte, no symbol glued to a letter inside it (Polish cp1250 read as
    cp1252 gives ``Wroc³aw``, ``wdro¿enie``; Mac Roman gives ``†bernahme``), and a Latin
    word of three or more letters is not all accented letters (Cyrillic cp1251 read as
    cp1252 gives ``Ïðèâåò``)."""
    if "\ufffd" in word:
        return False
    core = word.strip(_EDGE)
    for i, c in enumerate(core):
        if ord(c) <= 127 or c.isalnum():
            continue
        if unicodedata.category(c).startswith("M"):
            # a mark (Hebrew points, Thai tones, Devanagari signs) belongs to a letter before
            # it: after a digit or a symbol (Hebrew cp1255 read as Thai cp874) it is garble
            if i == 0 or not (core[i - 1].isalpha()
                              or unicodedata.category(core[i - 1]).startswith("M")):
                return False
            continue
        if c in _TYPOGRAPHIC:
            continue  # an apostrophe, quotes, a trade mark: glued to words in Western text
        script = unicodedata.name(c, "?").split(" ", 1)[0]
        for j in (i - 1, i + 1):  # a symbol glued to a letter, unless of the letter's script
            if 0 <= j < len(core) and core[j].isalpha() \
                    and unicodedata.name(core[j], "?").split(" ", 1)[0] != script:
                return False
    if any(ord(c) > 127 and c.isupper() and core[i - 1].islower()
           for i, c in enumerate(core) if i > 0):  # SociÈtÈ: Mac Roman read as cp1252
        return False
    letters = [c for c in core if c.isalpha()]
    scripts = {unicodedata.name(c, "?").split(" ", 1)[0] for c in letters}
    if len(scripts) > 1:  # Latin and Cyrillic letters in one word (cp1250 read as cp1251)
        return False
    if len(letters) >= 3 and all(ord(c) > 127 for c in letters):
        return scripts != {"LATIN"}
    return True


def _readings(sample: bytes, codecs_: Sequence[str]) -> dict[str, tuple[float, list[str]]]:
    """Each codec's reading of ``sample``: (the share of its non-ASCII words that read like
    words, those words). Codecs that cannot decode a single-byte sample are left out."""
    out: dict[str, tuple[float, list[str]]] = {}
    for codec in codecs_:
        try:
            text = sample.decode(codec, "replace")
        except LookupError:
            continue
        if len(text) != len(sample):  # not a single-byte code page
            continue
        words = [w for w in _WORD.findall(text) if any(ord(c) > 127 for c in w)]
        undefined = text.count("\ufffd")
        if 0 < undefined <= max(2, (sum(1 for b in sample if b >= 0x80) - undefined) // 10):
            # a few bytes this code page leaves undefined (a stray byte, a cut character:
            # their rows fail alone) say nothing about the rest (v10r7 M1)
            words = [w for w in words if "\ufffd" not in w]
        if words:
            out[codec] = (sum(map(_plausible, words)) / len(words), words)
    return out


def _multibyte(sample: bytes, codec: str) -> str | None:
    """``sample`` read with multi-byte ``codec`` (Shift-JIS, GBK, Big5, EUC-KR...): its
    text when every character decodes (one cut at the sample's end aside); None for a
    single-byte code page or an unknown codec or one that cannot read it."""
    try:
        text = sample.decode(codec, "replace")
    except LookupError:
        return None
    if len(text) == len(sample) or text[:-1].count("\ufffd"):
        return None
    return text


def _likely(sample: bytes, found: list[str],
            detected: Mapping[str, tuple[float, float]] | None = None,
            languages: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """The encoding to suggest and the alternatives worth naming (each with the first word
    it reads differently: ``"cp1250: «Èerný» reads «Černý»"``). ``found``: the detector's
    (charset-normalizer) candidates, best first; ``detected``: their (coherence, chaos);
    ``languages``: the language it read each in.

    A multi-byte encoding the detector ranks first (Shift-JIS, GBK, Big5, EUC-KR) that
    reads the whole sample with little chaos is taken: read byte by byte, such text looks
    like accented Latin words, and a single-byte guess garbled every row (v10r9 S1:
    Shift-JIS advised as Mac Roman).

    Otherwise the detector cannot tell the Windows code pages apart on short text (it
    ranks cp1250 first for German with umlauts), and a guess named alone is followed: a
    Polish cp1250 file advised as cp1252 was imported as ``Oferta dla £ódŸ`` (v10r8). So
    every candidate reads the sample and the ones whose non-ASCII words read most like
    words are kept; among those, the detector's choice when it read it in the language
    that code page is for and is clearly more sure of it than of the others (coherence
    higher by 0.02: Turkish in cp1254 over cp1252; not Estonian in cp1258), else
    the first of ``_CANDIDATES`` (cp1252 first: the Excel "CSV" of Western Europe and
    the Americas), then the detector's order. Every other kept candidate that turns some
    letter into another is named beside it (at most three), with the word, so the user
    can see which is right (v10r9 S1: a Baltic cp1257 file read as cp1252 named only
    cp1250 beside it)."""
    detected, languages = detected or {}, languages or {}
    singles = [f for f in found if f.startswith(("cp", "latin", "iso8859", "mac", "windows",
                                                 "koi8", "kz", "ptcp", "tis"))]
    order = list(dict.fromkeys([*_CANDIDATES, *singles, *_WORDED]))
    if found and (text := _multibyte(sample, found[0])) is not None \
            and detected.get(found[0], (0.0, 0.0))[1] <= 0.1 \
            and not _worded(sample, order):
        words = _WORD.findall(text)
        also: list[str] = []
        for codec in found[1:]:
            read = _multibyte(sample, codec)
            if read is None or detected.get(codec, (0.0, 1.0))[1] > 0.1:
                continue
            diff = next(((a, b) for a, b in zip(words, _WORD.findall(read), strict=False)
                         if a != b), None)
            if diff is not None:
                also.append(f"{_name(codec)}: «{diff[0]}» reads «{diff[1]}»")
            if len(also) == 2:
                break
        return _name(found[0]), also
    readings = _readings(sample, order)
    if not readings:
        names = [_name(f) for f in found]
        return (names[0], names[1:3]) if names else ("latin-1", [])
    best = max(score for score, _ in readings.values())
    # within 0.05 of the best reading, the order decides (cp1252, the detector's, the rest)
    ranked = [c for c in order if c in readings and readings[c][0] >= best - 0.05]
    sure = sorted(((detected[c][0], c) for c in ranked if c in detected), reverse=True)
    if sure and sure[0][1] in _NATIVE and _NATIVE[sure[0][1]] == languages.get(sure[0][1]) \
            and (len(sure) == 1 or sure[0][0] >= sure[1][0] + 0.02):
        ranked.remove(sure[0][1])
        ranked.insert(0, sure[0][1])
    ranked = _by_words(ranked, readings)
    top = ranked[0]
    mine = readings[top][1]
    others: list[str] = []
    seen = {tuple(mine)}
    for codec in ranked[1:]:
        theirs = readings[codec][1]
        if tuple(theirs) in seen or len(theirs) != len(mine):
            continue
        seen.add(tuple(theirs))
        diff = next(((a, b) for a, b in zip(mine, theirs, strict=True) if a != b), None)
        if diff is not None:
            a, b = diff[0].strip(_EDGE), diff[1].strip(_EDGE)
            if not a or not b or a == b:  # they differ in a quote or a dash: shown whole
                a, b = diff
            others.append(f"{_name(codec)}: «{_shown(a)}» reads «{_shown(b)}»")
        if len(others) == 3:
            break
    return _name(top), others


# the languages each code page is written in, as wordfreq names them (those it has lists
# for): what ``_by_words`` looks a reading's words up in
_WESTERN = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "ca", "is")
_LANGUAGES: dict[str, tuple[str, ...]] = {
    "cp1252": _WESTERN, "iso8859_15": _WESTERN, "cp850": _WESTERN, "mac_roman": _WESTERN,
    "latin_1": _WESTERN, "iso8859_1": _WESTERN,
    "cp1250": ("pl", "cs", "sk", "hu", "sl", "ro", "sh"), "iso8859_2": ("pl", "cs", "sk", "hu",
                                                                       "sl", "ro", "sh"),
    "cp1251": ("ru", "uk", "bg", "mk"), "koi8_r": ("ru",), "koi8_u": ("uk",),
    "iso8859_5": ("ru", "uk", "bg", "mk"), "mac_cyrillic": ("ru", "uk", "bg", "mk"),
    "cp1257": ("lt", "lv"), "iso8859_13": ("lt", "lv"), "cp1254": ("tr",),
    "iso8859_9": ("tr",), "cp1253": ("el",), "iso8859_7": ("el",), "cp1255": ("he",),
    "iso8859_8": ("he",), "cp1256": ("ar", "fa", "ur"), "cp1258": ("vi",),
}


# single-byte code pages a multi-byte guess is checked against (``_worded``): the detector
# takes a few rows of KOI8-R for Shift-JIS (every byte pair decodes)
_WORDED = ("koi8_r", "cp1255", "cp1256")


def _worded(sample: bytes, order: Sequence[str]) -> bool:
    """Whether a single-byte code page of ``order`` reads ``sample`` as words of its
    languages — three quarters of its non-ASCII words, two at least — so a multi-byte
    guess that decodes every byte is not taken over it."""
    for codec, (_, words) in _readings(sample, order).items():
        if len(words) >= 2 and _known_share(codec, words) >= 0.75:
            return True
    return False


def _known_share(codec: str, words: Sequence[str]) -> float:
    """The share of ``words`` (a reading's non-ASCII words) that are words (letters only) of
    a language ``codec`` is written in (wordfreq's ``small`` lists, shipped in its wheel:
    nothing downloaded; loaded only here, on the way to an error message)."""
    languages = _LANGUAGES.get(codecs.lookup(codec).name.replace("-", "_"), ())
    if not languages or not words:
        return 0.0
    from wordfreq import zipf_frequency

    # words of three characters or more: a single letter (``ä``, or ``д`` read from the
    # same byte) is a "word" of many languages and tells nothing
    cores = [c for w in words if len(c := w.strip(_EDGE).lower()) >= 3]
    if not cores:
        return 0.0
    # letters only: wordfreq splits a garbled word into tokens and knows its one "x"
    known = sum(1 for w in cores if w.isalpha() and any(
        zipf_frequency(w, lang, wordlist="small") > 0 for lang in languages))
    return known / len(cores)


def _by_words(ranked: list[str], readings: Mapping[str, tuple[float, list[str]]]
              ) -> list[str]:
    """``ranked`` with the code page whose reading is clearly made of its languages' words
    first: at least half of its non-ASCII words known, and a quarter more than the first
    one's. Letter shapes alone cannot tell a few rows of Hebrew from garbled Cyrillic, nor
    Lithuanian or Turkish from Western text with stray accents; the words can (v10r9: 2 rows
    of cp1255 advised as cp1251, Baltic and Turkish files as cp1252)."""
    if len(ranked) < 2:
        return ranked
    shares = {c: _known_share(c, readings[c][1]) for c in ranked}
    best = max(ranked, key=lambda c: shares[c])  # the first of the best, in ranked order
    if best != ranked[0] and shares[best] >= 0.5 and shares[best] >= shares[ranked[0]] + 0.25:
        return [best, *(c for c in ranked if c != best)]
    return ranked


def _shown(word: str) -> str:
    """``word`` with its unprintable characters (a C1 control a code page reads a byte as)
    written as escapes, so the advice never shows an empty «»."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256
                   else f"\\u{ord(c):04x}" for c in word)


def _name(codec: str) -> str:
    """The name a user types for ``codec`` (``mac_roman`` → ``mac-roman``)."""
    return _CODEC_NAMES.get(codec, codec.replace("_", "-"))


_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")


def _cp1252_undefined(sample: bytes) -> list[int]:
    """The offsets in ``sample`` of the five bytes cp1252 leaves undefined."""
    return [m.start() for m in _CP1252_UNDEFINED.finditer(sample)]


def _misread_word(declared: str, likely: str, sample: bytes) -> tuple[str, str] | None:
    """The first non-ASCII word ``declared`` reads otherwise than ``likely`` (one it garbles,
    when there is one), as (declared's reading, likely's reading)."""
    pairs = [(a, b) for a, b in zip(_WORD.findall(sample.decode(declared, "replace")),
                                    _WORD.findall(sample.decode(likely, "replace")),
                                    strict=False) if a != b]
    for a, b in pairs:
        if not _plausible(a) or _C1.search(a):
            return _shown(a.strip(_EDGE) or a), _shown(b.strip(_EDGE) or b)
    return (_shown(pairs[0][0]), _shown(pairs[0][1])) if pairs else None


_C1 = re.compile("[\x80-\x9f]")


def misread(sample: bytes, declared: str) -> tuple[str, str, str] | None:
    """When single-byte code page ``declared`` (a mapping's or --encoding's) garbles the
    non-ASCII text of ``sample`` and another code page reads it as words: (that code
    page's name, a word as ``declared`` reads it, the same word as the other reads it);
    else None. x25r2: a Polish cp1250 export declared cp1252 was planned "valid" and read
    ``Przedsiêbiorstwo £ódŸ``.

    The other is ``_likely``'s choice (the declared code page weighed with its
    candidates), and it must disagree with confidence: ``declared`` reads some byte as a
    C1 control character or leaves it undefined where the other reads a character
    (latin-1 on cp1252's en dash: U+0096, a row failure), or the other's words read clearly
    more like words (letter shapes: no ``£`` between lowercase letters; or the words of
    its languages). A sample both read alike (ASCII, or only bytes both map to the same
    letters) is never said to be misread."""
    if sample.isascii():
        return None
    declared = codecs.lookup(declared).name
    name, _ = _likely(sample, [declared, "iso8859_2", "latin_1"])
    likely = codecs.lookup(name).name
    if likely == declared:
        return None
    mine, theirs = sample.decode(declared, "replace"), sample.decode(likely, "replace")
    if mine == theirs:
        return None
    garbled = sum(1 for a, b in zip(mine, theirs, strict=True)
                  if a != b and (a == "\ufffd" or _C1.match(a)) and b.isprintable())
    confident = garbled > 0
    if not confident:
        readings = _readings(sample, [declared, likely])
        if declared not in readings or likely not in readings:
            return None
        (own, own_words), (other, other_words) = readings[declared], readings[likely]
        if other >= own + 0.1:  # letter shapes: «£ódŸ» against «Łódź»
            confident = True
        elif other >= own:  # the words: «crčme» against «crème»
            known = _known_share(likely, other_words)
            confident = known >= 0.5 and known >= _known_share(declared, own_words) + 0.25
    if not confident:
        return None
    word = _misread_word(declared, likely, sample)
    if word is None:
        return None
    return name, word[0], word[1]
