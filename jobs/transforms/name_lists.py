"""Whether a person's name cell lists several persons (``Jane Roe;John Poe``,
``Jane Roe / John Poe``, ``Jane and John Poe``, ``Anna Berg, Bob Roe``, one name a line),
as CRM exports write every contact of a deal in one cell (x23r1 F1: HubSpot's ``Jane
Roe;John Poe`` became ONE person of that name holding both persons' addresses; x46r1 F1:
Freshsales' and monday.com's ``Anna Berg, Bob Roe``, ``Anna Berg und Bob Roe``, ``Carl
Dee + Dora Fox`` did too, and a later row of Bob linked his deal to it).

One rule for every joiner, outside brackets (``()``, ``[]``, ``<>`` are never split:
``Jane Roe (CEO/CTO)``, ``Ines Koch (n/a) <ines@koch.de>``, x44r9 F4):

- always a list: ``;`` ``|`` a line break, a spaced ``/`` or ``+``, ``&``, and the words
  ``and`` / ``und`` / ``u.`` / ``et`` / ``og`` / ``och`` / ``en`` (English, German,
  French, Norwegian and Danish, Swedish, Dutch "and") between two names; a comma right
  after a bracket (``Ines Koch (ines@koch.de), Bob Roe (bob@roe.de)``: x44r9 F7);
- an unspaced ``/`` or ``+`` only between names of two words or more (``Jane Roe/John
  Poe``; ``n/a`` and the double surname ``Roe/Smith`` are not lists);
- a comma between two full names — two words or more each, titles (``Dr.``) not counted —
  unless the part before it is a surname (one word, or led by a particle: ``Roe, Jane``,
  ``Berg, Anna Maria``, ``van der Berg, Anna Maria``: one name written last-first, which
  takes the part after it as its given names) and unless the part after it is a suffix
  (``Anna Berg, Jr.``, ``, PhD``, ``, MBA``, ``, III``: the name's own) or a single word
  ending the cell (``Ann Lee, CEO``);
  so ``Roe, Jane, Poe, John`` is two persons, last-first;
- ``y`` / ``e`` / ``i`` (Spanish, Portuguese and Italian, Catalan "and") only between two
  full names, the second not led by a particle: a second surname joined so is one
  person's (``José Ortega y Gasset``, ``Maria da Silva e Souza``, ``Josep Puig i
  Cadafalch``, ``Juan Pérez y de la Torre``). The addresses a row gives do not decide it:
  a person's work and home addresses are common beside such a name.

Surnames written last-first of two words with two given names (``García Márquez, Gabriel
José``) read as two persons: the row fails, saying which — a refused row is safe, two
persons made one are not. A pure reader: it never fails a row itself (the row mapper does,
naming the parts).
"""

from __future__ import annotations

import re

# the separators that always list persons, outside brackets (written as NULs by the
# masking below, so a comma right after one separates: two contacts ``Name (address),
# Name (address)``)
_SEPARATORS = re.compile(
    r"\s*(?:[;|\n\r\u2028\u2029]|\s/|/\s|\s&\s|\s\+|\+\s"
    r"|\s+(?:and|und|u\.|et|og|och|en)\s+|(?<=\0)\s*,)\s*", re.IGNORECASE)
# "and" in Spanish, Portuguese and Italian, Catalan: also a compound surname's joiner
_WEAK = re.compile(r"\s+(?:y|e|i)\s+", re.IGNORECASE)
_QUICK = re.compile(r"[;|/,\n\r\u2028\u2029&+]|\s(?:and|und|u\.|et|og|och|en|y|e|i)\s",
                    re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>")
# what follows a name after a comma and is the name's own (dots and case aside)
_SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "v", "vi", "phd", "md", "mba", "esq", "cpa", "dds",
    "dmd", "dvm", "rn", "np", "pa", "do", "jd", "llm", "msc", "bsc", "ma", "ba", "ms",
    "mph", "cfa", "pe", "pmp", "dr", "prof", "ing", "dipl-ing", "mag", "lic", "ret",
    "retd", "obe", "mbe", "cbe", "kc", "qc"})
# titles before a name: not words of it
_TITLES = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "miss", "herr", "frau", "mme",
                     "mlle", "dott", "dott.ssa", "sig", "sra", "sr", "srta", "dña", "don",
                     "ing", "mag", "sir", "dame"})
# the particles that lead a surname (``van der Berg``, ``de la Cruz``, ``da Silva``)
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "das",
                        "do", "dos", "du", "la", "le", "ten", "ter", "zu", "bin", "al",
                        "el", "mac", "st", "st."})


def listed_persons(value: object) -> list[str] | None:
    """The names a person cell lists when it lists two or more (each with a letter), in
    the order written; None when it names one person or none (the rule: the module's
    docstring)."""
    if not isinstance(value, str) or not _QUICK.search(value):
        return None  # most cells: nothing to split (a quick test before the rest)
    masked = _BRACKETS.sub(lambda m: "\0" * len(m[0]), value)
    spans: list[tuple[int, int]] = []
    start = 0
    for sep in _SEPARATORS.finditer(masked):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(value)))
    names = [" ".join(value[a:b].split())
             for start, end in spans for c, d in _joined(masked, start, end, "/")
             for e, f in _joined(masked, c, d, "+")
             for g, h in _commas(masked, e, f) for a, b in _weak(masked, g, h)]
    names = [n for n in names if any(c.isalpha() for c in n)]
    return names if len(names) > 1 else None


def _words(masked: str, a: int, b: int) -> list[str]:
    """The words of ``masked[a:b]`` that are a name's (with a letter; a title not)."""
    return [w for w in masked[a:b].replace("\0", " ").split()
            if any(c.isalpha() for c in w) and w.casefold().strip(".") not in _TITLES]


def _joined(masked: str, start: int, end: int, mark: str) -> list[tuple[int, int]]:
    """The part ``start:end`` of a cell (``masked``: its brackets written as NULs, so a
    ``mark`` in one is no separator) split at its unspaced ``mark`` (``/``, ``+``) when
    every piece is a name of two words or more, else the part whole: (start, end) of
    each piece."""
    part = masked[start:end]
    if mark not in part:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    at = start
    for piece in part.split(mark):
        spans.append((at, at + len(piece)))
        at += len(piece) + 1
    return spans if all(len(masked[a:b].replace("\0", " ").split()) > 1
                        for a, b in spans) else [(start, end)]


def _suffix(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (after a comma) is a name's suffix: ``Jr.``, ``Ph.D.``,
    ``MBA``, ``III`` ..."""
    words = masked[a:b].replace(".", " ").replace("\0", " ").casefold().split()
    joined = "".join(words)
    return bool(words) and (joined in _SUFFIXES or all(w in _SUFFIXES for w in words))


def _surname(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (before a comma) reads as a surname written first: one word,
    or led by a particle (``van der Berg``, ``De la Cruz``)."""
    words = _words(masked, a, b)
    return len(words) <= 1 or words[0].casefold() in _PARTICLES


def _commas(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` split at the commas that separate two persons (the module's
    rule), each piece (start, end) in order; the part whole when none does."""
    if "," not in masked[start:end]:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    at = start
    for piece in masked[start:end].split(","):
        pieces.append((at, at + len(piece)))
        at += len(piece) + 1
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        a, b = pieces[i]
        i += 1
        if i < len(pieces) and _surname(masked, a, b) and _words(masked, a, b):
            b = pieces[i][1]  # "Roe, Jane": the given names after the surname
            i += 1
        while i < len(pieces) and (_suffix(masked, *pieces[i]) or (
                i == len(pieces) - 1 and len(_words(masked, *pieces[i])) <= 1)):
            b = pieces[i][1]  # "Anna Berg, Jr.", "Anna Berg, PhD, MBA", "Ann Lee, CEO"
            i += 1
        out.append((a, b))
    return out


def _weak(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` split at ``y`` / ``e`` / ``i`` when every piece is a full
    name (two words or more, a later one not led by a particle), else the part whole."""
    found = list(_WEAK.finditer(masked, start, end))
    if not found:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    at = start
    for m in found:
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, end))
    full = all(len(_words(masked, a, b)) > 1 for a, b in spans) and not any(
        _words(masked, a, b)[0].casefold() in _PARTICLES for a, b in spans[1:])
    return spans if full else [(start, end)]


__all__ = ["listed_persons"]
