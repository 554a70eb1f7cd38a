"""Whether a person's name cell lists several persons (``Jane Roe;John Poe``,
``Jane Roe / John Poe``, ``Jane and John Poe``, ``Anna Berg, Bob Roe``, one name a line),
as CRM exports write every contact of a deal in one cell (x23r1 F1: HubSpot's ``Jane
Roe;John Poe`` became ONE person of that name holding both persons' addresses; x46r1 F1:
Freshsales' and monday.com's ``Anna Berg, Bob Roe``, ``Anna Berg und Bob Roe``, ``Carl
Dee + Dora Fox`` did too, and a later row of Bob linked his deal to it; x46r5 F1: so did
``李伟, 王芳``, ``Tanaka Hiroshi、Suzuki Ichiro``, ``Иван Петров и Анна Смирнова``).

One rule for every joiner, outside brackets (``()``, ``[]``, ``<>`` are never split:
``Jane Roe (CEO/CTO)``, ``Ines Koch (n/a) <ines@koch.de>``, x44r9 F4):

- always a list: ``;`` ``|`` a line break, the ideographic comma ``、`` (U+3001), the
  fullwidth comma and semicolon (U+FF0C, U+FF1B), the Arabic comma ``،``, a spaced ``/``
  or ``+``, ``&``, ``and/or`` / ``und/oder`` / ``et/ou`` / ``y/o`` / ``e/o`` (one
  joiner), and the words ``and`` / ``und`` / ``u.`` / ``et`` / ``og`` / ``och`` /
  ``en`` / ``и`` / Ukrainian ``i`` (U+0456) / ``oraz`` / ``ja`` / ``és`` / ``ve`` /
  ``και`` / ``și`` / ``ed`` (English, German, French, Norwegian and Danish, Swedish,
  Dutch, Russian and Bulgarian and Serbian, Ukrainian, Polish, Finnish, Hungarian,
  Turkish, Greek, Romanian, Italian "and"; ``ja`` / ``ve`` / ``ed`` lower-case only:
  ``Ed`` is a given name) between two names; a comma right after a bracket (``Ines Koch
  (ines@koch.de), Bob Roe (bob@roe.de)``: x44r9 F7);
- an unspaced ``/`` or ``+`` only between names of two words or more (``Jane Roe/John
  Poe``; ``n/a`` and the double surname ``Roe/Smith`` are not lists); ``c/o`` is never a
  separator, and what follows it up to the next comma or separator is not a name
  (``Jane Roe, c/o Acme Corp``: one, x46r5 F3);
- a comma between two full names — two words or more each, titles (``Dr.``) not counted,
  or a name of two letters or more all Han, Hangul or kana, scripts written without
  spaces (``李伟, 王芳``, ``김민준, 박지훈``: two, x46r5 F1) —
  unless the part before it is a surname (one word, or led by a particle: ``Roe, Jane``,
  ``Berg, Anna Maria``, ``van der Berg, Anna Maria``: one name written last-first, which
  takes the part after it as its given names) and unless the part after it is a suffix
  (``Anna Berg, Jr.``, ``, PhD``, ``, MBA``, ``, III``), a job title — every word one of
  a small vocabulary in English, German, French, Spanish, Portuguese, Italian and Dutch
  and their joiners (``Jane Roe, VP Sales``, ``, Head of Marketing``, ``Hans Müller,
  Geschäftsführer``, ``, gerente de ventas``: the name's own, x46r5 F3) — or a single
  word ending the cell (``Ann Lee, CEO``); a part that is a job title alone is no person
  (``Jane Roe, Founder & CEO``); so ``Roe, Jane, Poe, John`` is two persons, last-first;
- ``y`` / ``e`` / ``i`` / ``a`` (Spanish, Portuguese and Italian, Catalan and Polish and
  Croatian, Czech and Slovak "and"; ``a`` lower-case only: ``John A Smith``) only between
  two full names, the second led by neither a particle nor a Spanish surname (``-ez``,
  ``-iz``, ``-az``, ``-oz``, not ``Beatriz``) before a particle after a name of three
  words or more: a second surname joined so is one person's (``José Ortega y Gasset``,
  ``Maria da Silva e Souza``, ``Josep Puig i Cadafalch``, ``Juan Pérez y de la Torre``,
  ``Carlos Fitz-James Stuart y Martínez de Irujo``); a lower-case ``i`` / ``a`` also
  between one given name and a full name, the couple ``Jane and John Poe`` is (``Anna i
  Piotr Nowak``, ``Jana a Petr Novákovi``: two), never in a cell with a comma (``Puig i
  Cadafalch, Josep``) nor one word after it (``Gaudí i Cornet``). The addresses a row
  gives do not decide it: a person's work and home addresses are common beside such a
  name.

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
    r"\s*(?:[;|\n\r\u2028\u2029\u3001\uff0c\uff1b\u060c]"
    r"|\s+(?:and/or|und/oder|et/ou|y/o|e/o|e/ou)\s+|\s/|/\s|\s&\s|\s\+|\+\s"
    r"|\s+(?:and|und|u\.|et|og|och|en|и|\u0456|oraz|és|και|și|şi|(?-i:ja|ve|ed))\s+"
    r"|(?<=\0)\s*,)\s*", re.IGNORECASE)
# "and" in Spanish, Portuguese and Italian, Catalan, Polish and Croatian, Czech and
# Slovak: also a compound surname's joiner (``a`` lower-case only: ``John A Smith``)
_WEAK = re.compile(r"\s+((?i:y|e|i)|a)\s+")
_QUICK = re.compile(r"[;|/,\n\r\u2028\u2029&+\u3001\uff0c\uff1b\u060c]|\s(?:and|und|u\.|et"
                    r"|og|och|en|y|e|i|a|и|\u0456|oraz|ja|és|ve|και|și|şi|ed)\s", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>"
                       r"|\bc/o\b[^;|,\n\r\u3001\uff0c\uff1b\u060c]*", re.IGNORECASE)
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


# the words of a job title written after a name and a comma (``Jane Roe, VP Sales``,
# ``Hans Müller, Geschäftsführer``): the name's own, as a suffix is (case aside)
_JOB_WORDS = frozenset("""
    director directors manager head vp svp evp avp vice president sales marketing officer
    engineer ceo cfo cto coo cmo cio cso cpo cro founder co-founder cofounder partner owner
    consultant assistant lead chief executive senior junior principal account accounts
    business development operations ops finance financial technology technical product
    project program procurement purchasing buyer hr human resources it legal counsel
    general managing board member chair chairman chairwoman secretary treasurer analyst
    specialist coordinator administrator admin representative rep agent advisor adviser
    architect developer designer supervisor team leader regional global national area
    country key customer success support service services office communications pr
    strategy research quality logistics supply chain commercial creative digital content
    brand growth revenue relations investor interim acting deputy associate staff intern
    controller accountant emea apac dach americas contact primary main billing software
    hardware data security systems inside outside field channel ventas vendas
    geschäftsführer geschäftsführerin gf leiter leiterin vertrieb vertriebsleiter einkauf
    inhaber inhaberin vorstand prokurist abteilungsleiter assistenz assistentin berater
    beraterin verkauf technischer kaufmännischer buchhaltung ingenieur entwicklung
    projektleiter geschäftsleitung
    directeur directrice général générale commerciale gérant gérante responsable chef
    présidente pdg dg adjoint adjointe achats ventes ingénieur fondateur fondatrice
    associé associée chargé chargée d'affaires affaires comptable
    gerente directora diretor diretora jefe jefa compras presidenta fundador fundadora
    socio socia sócio responsabile amministratore delegato titolare vendite acquisti
    dirigente consulente ingeniero engenheiro ingegnere coordinador coordinadora
    asistente administrador administradora eigenaar verkoop inkoop bedrijfsleider
    """.split())
# the words that join a job title's words (``Head of Marketing``, ``Founder & CEO``)
_JOB_JOINERS = frozenset({"of", "and", "&", "the", "for", "de", "del", "des", "du", "la",
                          "le", "für", "der", "y", "e", "et", "und", "di", "della", "da",
                          "do", "in", "-", "/", "+"})
# letters of the scripts that write a name without spaces (Han, Hangul, kana)
_CJK = re.compile(r"[\u1100-\u11ff\u3005\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
                  r"\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
                  r"\U00020000-\U0002ffff]")
# how a Spanish surname ends (``Martínez``, ``Ruiz``, ``Díaz``, ``Muñoz``): one leading
# the part after ``y`` before a particle is a second surname (``... y Martínez de
# Irujo``); the given names ending so are not (``Beatriz de la Cruz``)
_SURNAME_ENDS = ("ez", "iz", "az", "oz", "éz", "íz", "áz", "óz")
_GIVEN_ENDING_SO = frozenset({"inez", "inéz", "beatriz", "paz", "aritz", "feliz", "luz"})


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
    names = [n for n in names if any(c.isalpha() for c in n) and not _job_title(n)]
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


def _job_title(text: str) -> bool:
    """Whether ``text`` (after a comma) is a job title: its words (case, dots and commas
    aside) are ``_JOB_WORDS`` and their joiners, one of them a job word."""
    words = text.replace("\0", " ").casefold().replace(",", " ").split()
    words = [w.strip(".") for w in words]
    return any(w in _JOB_WORDS for w in words) and all(
        w in _JOB_WORDS or w in _JOB_JOINERS for w in words)


def _cjk_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a whole name of a script written without spaces: two
    letters or more, every one Han, Hangul or kana (``李伟``, ``김민준``, ``さくら``)."""
    letters = [c for c in masked[a:b] if c.isalpha()]
    return len(letters) > 1 and all(_CJK.match(c) for c in letters)


def _surname(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (before a comma) reads as a surname written first: one word,
    or led by a particle (``van der Berg``, ``De la Cruz``); a whole name of Han, Hangul
    or kana (``李伟``) is not."""
    words = _words(masked, a, b)
    return not _cjk_name(masked, a, b) and (
        len(words) <= 1 or words[0].casefold() in _PARTICLES)


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
        while i < len(pieces) and (
                _suffix(masked, *pieces[i]) or not _words(masked, *pieces[i])
                or _job_title(masked[slice(*pieces[i])])
                or (i == len(pieces) - 1 and len(_words(masked, *pieces[i])) <= 1
                    and not _cjk_name(masked, *pieces[i]))):
            # "Anna Berg, Jr.", "Anna Berg, PhD, MBA", "Ann Lee, CEO", "Jane Roe, VP
            # Sales", "Jane Roe, c/o Acme Corp" (masked as a bracket)
            b = pieces[i][1]
            i += 1
        out.append((a, b))
    return out


def _weak(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` split at ``y`` / ``e`` / ``i`` / ``a`` when every piece is a
    full name (two words or more, a later one led by neither a particle nor a Spanish
    surname before one: ``... y Martínez de Irujo``), or at a lone lower-case ``i`` /
    ``a`` between one given name and a full name (``Anna i Piotr Nowak``, the couple
    ``Jane and John Poe`` is); else the part whole."""
    found = list(_WEAK.finditer(masked, start, end))
    if not found:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    at = start
    for m in found:
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, end))
    words = [_words(masked, a, b) for a, b in spans]
    if all(len(w) > 1 for w in words) and not any(
            w[0].casefold() in _PARTICLES or _second_surname(w, len(words[n]))
            for n, w in enumerate(words[1:])):
        return spans
    left, right = words[0], words[-1]
    couple = (len(found) == 1 and found[0][1] in ("i", "a") and "," not in masked[start:end]
              and len(left) == 1 and left[0].casefold() not in _PARTICLES
              and len(right) > 1 and right[0].casefold() not in _PARTICLES)
    return spans if couple else [(start, end)]


def _second_surname(words: list[str], before: int) -> bool:
    """Whether ``words`` (after ``y``, the part before it of ``before`` words) is a second
    surname of a formal Spanish name: a surname (``Martínez``, ``Ruiz``) then a particle,
    after a given name and a surname of three words or more (``Carlos Fitz-James Stuart y
    Martínez de Irujo``, ``María José Carrascosa y Ruiz de Alarcón``)."""
    first = words[0].casefold()
    return (before > 2 and len(words) > 2 and words[1].casefold() in _PARTICLES
            and first.endswith(_SURNAME_ENDS) and first not in _GIVEN_ENDING_SO)


__all__ = ["listed_persons"]
