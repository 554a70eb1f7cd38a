"""Title and organization-name normalization for matching. Pure functions, no I/O.

Why ~690 lines: every reading of a title's words (numbers, months, legal forms and
abbreviations, conjunctions, the org's own name) is made here once, so the blocking keys and
every scoring rule see one normalized title; most of the length is the word tables.

A title is compared in a normalized form: Unicode NFKC + casefold, every
punctuation or dash variant (en dash, em dash, ``_``, ``/``...) a word break, runs
of whitespace collapsed, noise words dropped, and the deal's OWN organization
name removed (with the legal form right after it; spelled exactly, case, accents and
umlauts aside, or spaced differently — never with a typo) — so ``ACME Corp \u2013
Website redesign`` and ``Website redesign - Acme`` at org ``Acme`` both become
``website redesign``. Nothing else is taken for a company name: ``Sales training -
Berlin`` keeps ``berlin``. German umlauts are transliterated (``Müller`` =
``Mueller``); a title keeps ``ß`` (``Maße`` is not ``Masse``), an org name reads it ``ss``;
digits grouped by thousands are one number
(``1,000`` = ``1000``); a decimal, version or date is one token (``1.2`` is not ``2.1``).
An umlaut is never the bare vowel (``Zähler`` is not ``Zahler``) but in a few
place names with an English exonym (``DOTLESS_PLACES``: ``Zürich`` = ``Zurich``).
Each token keeps the index of the title part it is in (``parted_words``: parts
split at separators), and noise words are dropped only where they mark a copy or a
label (``(copy)``, ``Deal: ...``; ``_label_noise``) — function words anywhere.
Number words and ordinals become digits, roman numerals I-XII only right after a word that
counts (``SEQUENCE_WORDS``: ``Phase one`` = ``1st phase`` = ``Phase 1`` = ``Phase I``, ``Phase
II`` = ``Phase 2``; elsewhere a numeral is itself: ``Projekt X`` is not ``Projekt 10``, ``Louis
VI`` not ``Louis 6``); month and weekday names (English, German, French,
Spanish, Dutch) their English name (``Juni`` = ``June``), an abbreviation that is also a word
(``Jan``) only next to a day or year number (``Jan 2026``). A letter token carrying ``+``,
``++``, ``#`` or a grade's ``-`` (``C++``, ``C#``, ``A+``, ``A-``) is one identifying token;
so are a number with the sign glued to it (``-500``, ``+5``) and a run of unit, currency,
comparison or rating symbols (``%``, ``°``, ``€``, ``>``, ``!=``, ``★★``; ``_symbol_tokens``),
while separators (``-`` ``:`` ``/`` ``|`` brackets, arrows) and ``&`` are none.
Identifying tokens are never dropped and are kept apart in ``numbers``: tokens
with a numeral of any script (``has_numeral``: digits, CJK ``一二三``, ``壱``, ``Ⅻ``), month
and weekday names and single letters,
because a differing one (``Renewal 2024`` / ``2025``, ``Phase 1`` / ``2``,
``Q3`` / ``Q4``, ``Building A`` / ``B``) means a different deal.

Cutting a title or a name into tokens (``words``, ``parted_words``; importable from here
too) is ``title_tokens``'; this module reads what the tokens mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from rapidfuzz.distance import OSA

from ..transforms.conjunctions import CONJUNCTIONS
from ..transforms.legal_forms import FORMS, SINGLE_WORD_FORMS, form_run
from .letters import fold_letters, one_word_typed
from .org_names import (
    fold,
    legal_form,
    org_key,
    org_key_dotless,
    other_legal_entity,
    same_company,
    same_org_name,
)
from .title_tokens import _DIGIT, parted_words, words

# single-word spellings of legal forms (legal_forms.FORMS has them all, ``sp z oo`` too)
LEGAL_SUFFIXES = SINGLE_WORD_FORMS
# tokens that name a number without a digit -> the digits they stand for: roman numerals
# II-XII, number words one-twelve, ordinals first-twelfth (``1st``, ``2nd``... by _ORDINAL)
_NUMBER_WORDS: dict[str, str] = {}
# roman numerals I-XII -> their digits, read so only right after a ``SEQUENCE_WORDS`` word
ROMAN_NUMERALS: dict[str, str] = {}
# words that number what follows them (``Phase I``, ``Stage II``, ``Teil III``, ``Lot IV``):
# a roman numeral after one of them is its number. After any other word it may be a name's
# (``Louis VI``), a code name (``Projekt X``) or a word (``Xi``, ``IV``): itself, an
# identifying token, and against its digits review (``scoring``: ``a letter or a roman numeral``)
SEQUENCE_WORDS = frozenset({
    "phase", "stage", "part", "step", "level", "tier", "round", "wave", "lot", "tranche",
    "module", "volume", "vol", "chapter", "season", "milestone", "iteration", "sprint", "release",
    "stufe", "teil", "abschnitt", "bauabschnitt", "bauphase", "etappe", "los", "schritt",
    "welle", "runde", "modul", "kapitel", "staffel", "meilenstein", "ausbaustufe",
    "étape", "etape", "partie", "fase", "etapa", "parte", "ronde"})
# ordinals written as words (``first``, ``zweite``, ``troisième``...): ``first phase`` is read
# ``phase 1`` (normalize_title moves an ordinal after the word it numbers)
_ORDINAL_WORDS: set[str] = set()
for _n, (_roman, _word, _nth) in enumerate((
        ("i", "one", "first"), ("ii", "two", "second"), ("iii", "three", "third"),
        ("iv", "four", "fourth"), ("v", "five", "fifth"), ("vi", "six", "sixth"),
        ("vii", "seven", "seventh"), ("viii", "eight", "eighth"), ("ix", "nine", "ninth"),
        ("x", "ten", "tenth"), ("xi", "eleven", "eleventh"), ("xii", "twelve", "twelfth")), start=1):
    # a roman numeral is a number only after a word that counts (``SEQUENCE_WORDS``: ``Phase
    # I`` = ``Phase 1``); anywhere else it stays itself (``Louis VI``, ``Projekt X``, ``Xi``)
    _NUMBER_WORDS.update(dict.fromkeys((_word, _nth), str(_n)))
    ROMAN_NUMERALS[_roman] = str(_n)
    _ORDINAL_WORDS.add(_nth)
# the same in German, French, Spanish, Dutch and Italian (cardinals two-twelve, ordinals
# first-fifth), leaving out what is also an article, a common word or a name in these
# languages or in English ("ein", "un", "een", "uno", "once", "due", "otto", "neuf", Dutch
# "onze" = our, "premier", "prima", "primo") and "sept" (a September abbreviation):
# ``Phase zwei`` / ``Phase drei`` are two deals, as ``2`` / ``3``
for _n, _words in enumerate((
        "eins erste erster première premiere primero primera eerste",
        "zwei zweite zweiter deux deuxième deuxieme seconde dos segundo segunda twee tweede "
        "secondo seconda",
        "drei dritte dritter trois troisième troisieme tres tercero tercera drie derde tre "
        "terzo terza",
        "vier vierte vierter quatre quatrième quatrieme cuatro cuarto cuarta vierde quattro "
        "quarto quarta",
        "fünf fuenf fünfte fuenfte cinq cinquième cinquieme cinco quinto quinta vijf vijfde "
        "cinque",
        "sechs seis zes sei",
        "sieben siete zeven sette",
        "acht huit ocho",
        "neun nueve negen nove",
        "zehn dix diez tien dieci",
        "undici",
        "zwölf zwoelf douze doce twaalf dodici"), start=1):
    _NUMBER_WORDS.update(dict.fromkeys(_words.split(), str(_n)))
_ORDINAL_WORDS.update(
    "erste erster première premiere primero primera eerste zweite zweiter deuxième deuxieme "
    "seconde segundo segunda tweede secondo seconda dritte dritter troisième troisieme tercero "
    "tercera derde terzo terza vierte vierter quatrième quatrieme cuarto cuarta vierde quarto "
    "quarta fünfte fuenfte cinquième cinquieme quinto quinta vijfde".split())
# month and weekday names (English, German, French, Spanish, Dutch; common abbreviations) ->
# one English name: ``Juni`` = ``June`` = ``jun``. They tell deals apart like a number does
# (``Messe Juni`` / ``Messe Juli``), so they are identifying tokens (``is_identifying``).
_CALENDAR: dict[str, str] = {}
for _name, _forms in (
        ("january", "jan januar jänner janner janvier enero januari"),
        ("february", "feb febr februar feber février fevrier febrero februari"),
        ("march", "mar märz marz maerz mars marzo maart"),
        ("april", "apr avril abril"),
        ("may", "mai mayo mei"),
        ("june", "jun juni juin junio"),
        ("july", "jul juli juillet julio"),
        ("august", "aug août aout agosto augustus"),
        ("september", "sep sept septembre septiembre"),
        ("october", "oct okt oktober octobre octubre"),
        ("november", "nov novembre noviembre"),
        ("december", "dec dez dezember décembre decembre diciembre"),
        ("monday", "montag lundi lunes maandag"),
        ("tuesday", "tues dienstag mardi martes dinsdag"),
        ("wednesday", "mittwoch mercredi miércoles miercoles woensdag"),
        ("thursday", "thurs donnerstag jeudi jueves donderdag"),
        ("friday", "freitag vendredi viernes vrijdag"),
        ("saturday", "samstag sonnabend samedi sábado sabado zaterdag"),
        ("sunday", "sonntag dimanche domingo zondag")):
    _CALENDAR.update(dict.fromkeys((_name, *_forms.split()), _name))
CALENDAR_NAMES = frozenset(_CALENDAR.values())
# abbreviations, and month names that are also words or names (``Jan``, ``Mar``, ``Dez``,
# ``May``, ``Mai``, ``Mars``): a month only next to a day or year number (``Jan 2026``, ``15.
# Jan``, ``Jan-26``, ``Mai 2026``); alone, a word (``Coaching Jan``, ``Coaching Mai``)
MONTH_ABBREVIATIONS = frozenset({
    "jan", "feb", "febr", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "okt",
    "nov", "dec", "dez", "tues", "thurs", "may", "mai", "mei", "mars"})
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")
# a word a title may write another way, as the way read (x42r2 F4: ``Acme Incorporated -
# Annual support`` / ``Acme Inc - Annual support``, ``Société Générale`` / ``Ste Generale``
# were not even a candidate pair): a one-word spelling of a legal form as its canonical form
# (``legal_forms.FORMS``, the table org names read: ``Incorporated`` = ``Inc``, ``Limited`` =
# ``Ltd``, ``Company`` = ``Co``), and a company word's usual abbreviation as the word
_SPELLED_AS: dict[str, str] = {
    k[0]: canon for k, canon in FORMS.items() if len(k) == 1 and " " not in canon and k[0] != canon}
_SPELLED_AS.update({
    "ste": "société", "sté": "société", "intl": "international", "mfg": "manufacturing",
    "bros": "brothers", "gebr": "gebrueder", "cie": "compagnie", "assoc": "associates"})


@dataclass(frozen=True, slots=True)
class NormTitle:
    """A normalized title: ``tokens`` in order, ``text`` (joined), ``sorted_text``
    (tokens sorted, for word-order-free comparison), ``numbers``: the identifying
    tokens (numbers, number words as digits, single letters) of the title, and ``alts``:
    (token, its other reading) for tokens written with an umlaut, which are transliterated
    (``zürich`` -> ``zuerich``) and also read with the dots dropped (``zurich``), the
    spelling without umlauts seen in English text, and for a possessive, read without its
    ``'s`` and also with its ``s`` (``acme's`` -> ``acme`` / ``acmes``)."""

    tokens: tuple[str, ...]
    text: str
    sorted_text: str
    numbers: frozenset[str]
    alts: tuple[tuple[str, str], ...] = ()
    parts: tuple[int, ...] = ()  # per token, the title part it is in; () when all in one
    # the connector words (``_CONJUNCTIONS``) the title read as ``and`` (``og`` of ``DRIFT OG
    # VEDLIKEHOLD``): the other title's same word, read as a word, is that ``and`` too
    # (``title_diff.connectors_read``; x53r3 F1); what the title reads, not what it is
    connectors: frozenset[str] = field(default=frozenset(), compare=False)
    # (token, the word as written, its letters kept: ``vöruhus`` for ``voeruhus``) for each
    # token a German reading of its umlauts made (``Vöruhus`` reads ``voeruhus``, ``Düs``
    # ``dues``), so a copy with some of its marks left out is not read as one typed bare
    # (``title_diff.marks_written``; f56e); what the title writes, not what it compares
    written: tuple[tuple[str, str], ...] = field(default=(), compare=False)


# places whose name without the umlauts' dots is their usual spelling in English text (an
# exonym: ``Zurich``, ``Dusseldorf``, ``Malmo``). Any other word read without its dots is
# another word (``Zähler`` meter / ``Zahler`` payer, ``schön`` / ``schon``): ``ä`` = ``ae``
# only, never ``a``.
DOTLESS_PLACES = frozenset({
    "zurich", "dusseldorf", "gottingen", "tubingen", "saarbrucken", "wurzburg", "lubeck",
    "munster", "osnabruck", "malmo", "goteborg", "jonkoping", "norrkoping", "linkoping",
    "tromso", "graubunden", "monchengladbach"})
_OTHER_READING = re.compile("[äöüÄÖÜ]|\\w['\u2019][sS]\\b")  # a title with a second reading


SYMBOL_ENDS = ("+", "#", "-")  # the last character of a symbol token (``c++``, ``c#``, ``a-``)


@lru_cache(maxsize=65536)  # (speed) a title's words repeat across the account
def canonical(token: str) -> str:
    """A number written without digits as its digits (``one``/``first``/``i``/``1st`` ->
    ``1``, up to twelve; another script's digits as ASCII digits: ``٣`` -> ``3``); a month
    or weekday name as its English name (``juni``/``jun`` -> ``june``, ``montag`` ->
    ``monday``); a legal form's one-word spelling as its form and a company word's
    abbreviation as the word (``_SPELLED_AS``: ``incorporated`` -> ``inc``, ``ste`` ->
    ``société``, ``intl`` -> ``international``); any other token unchanged."""
    if not token.isascii() and _DIGIT.search(token):  # ٣ / ३ (any script's digit) -> 3
        token = "".join(str(d) if (d := unicodedata.decimal(c, None)) is not None else c
                        for c in token)
    n = _NUMBER_WORDS.get(token) or _CALENDAR.get(token) or _SPELLED_AS.get(token)
    if n is not None:
        return n
    m = _ORDINAL.fullmatch(token)
    return m.group(1) if m else token


def _canonical_all(raw: Sequence[str]) -> list[str]:
    """``canonical`` of each token, but a month abbreviation (``MONTH_ABBREVIATIONS``: ``jan``,
    ``mar``, ``dez``...) is a month only next to a token that starts with a digit (a day or a
    year: ``jan 2026``, ``15th jan``, ``jan 26``); alone it is a word (``Coaching Jan``)."""
    out = [canonical(t) for t in raw]
    if not MONTH_ABBREVIATIONS.isdisjoint(raw):
        n = len(raw)
        for i, t in enumerate(raw):
            if t in MONTH_ABBREVIATIONS and not (
                    (i > 0 and raw[i - 1][:1].isdigit()) or (i + 1 < n and raw[i + 1][:1].isdigit())):
                out[i] = t
    return out


def _sequence_numerals(raw: Sequence[str], parts: Sequence[int], toks: list[str]) -> None:
    """Read a roman numeral right after a word that counts (``SEQUENCE_WORDS``, in one title
    part) as its digits, in ``toks``: ``Phase I`` = ``Phase 1``, ``Stage IV`` = ``Stage 4``; never
    elsewhere (``Louis VI``, ``Projekt X``: ``ROMAN_NUMERALS``)."""
    if ROMAN_NUMERALS.keys().isdisjoint(raw):
        return
    for k in range(1, len(raw)):
        n = ROMAN_NUMERALS.get(raw[k])
        if n is not None and raw[k - 1] in SEQUENCE_WORDS and parts[k] == parts[k - 1]:
            toks[k] = n


@lru_cache(maxsize=65536)
def is_identifying(token: str) -> bool:
    """A token that tells deals apart like a number: it holds a numeral of any script
    (``has_numeral``: ``2024``, ``q3``, ``v2``, number words after ``canonical``, ``一期工程``,
    ``第弐``), is a single letter (``Building A``, ``Plan B``), a letter token with a symbol
    (``c++``, ``c#``, ``a+``, ``a-``: ``C++ Schulung`` / ``C# Schulung`` are two courses) or a
    month or weekday name after ``canonical`` (``june``, ``monday``)."""
    return len(token) == 1 or token in CALENDAR_NAMES or has_numeral(token) \
        or token.endswith(SYMBOL_ENDS) or not token[0].isalnum() or token in ROMAN_NUMERALS


def has_numeral(token: str) -> bool:
    """True when ``token`` holds a character with a numeric value (``unicodedata.numeric``):
    a digit of any script (``3``, ``٣``, ``३``; full-width ones are ASCII after NFKC)
    or a numeral letter (CJK ``一二三…十百千万``, ideographic zero U+3007,
    ``零``, ``壱``/``弐``/``参``, ``Ⅻ``). A CJK title has no spaces between
    words, so ``一期工程`` (phase 1 works) is one token: its numeral makes it
    identifying, and ``二期工程`` is another deal, as ``Phase 1`` / ``Phase 2``
    are. A word that merely contains a numeral letter (``统一``, unify) is
    identifying too: it can only keep a pair out of the duplicate band, never put one in."""
    if _DIGIT.search(token) is not None:
        return True
    return not token.isascii() and any(unicodedata.numeric(c, None) is not None for c in token)


@lru_cache(maxsize=65536)
def _org_spelled(name: str | None, dotless: bool = False) -> tuple[str, ...]:
    """The words of ``org_key(name)`` a title spells the organization with, read as the
    title's are (``canonical``), an inner ``and`` left out: ``words`` drops a title's
    ``&``, so ``Smith & Sons - renewal`` spells ``smith sons``. ``dotless``: the same of
    ``org_key_dotless(name)`` (its umlauts as the bare vowel), empty for a name without one."""
    toks = (org_key_dotless(name) if dotless else org_key(name)).split()
    return tuple(canonical(w) for n, w in enumerate(toks)
                 if not (w == "and" and 0 < n < len(toks) - 1))


@lru_cache(maxsize=65536)
def _title_dotless(title: str, count: int) -> tuple[str, ...] | None:
    """A title's ``count`` tokens (``_title_words``) read with the umlauts' dots dropped
    (``Hübner Bäckerei`` -> ``hubner backerei``), for the org-name run only; None when the
    title has no umlaut or the readings do not align."""
    if _UMLAUT.search(title) is None:
        return None
    stripped = _canonical_all(words(title, other=True, sharp_s=True))
    return tuple(stripped) if len(stripped) == count else None


_UMLAUT = re.compile("[äöüÄÖÜ]|[aouAOU]\u0308")


_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


@lru_cache(maxsize=65536)
def _org_lettered(name: str) -> tuple[str, ...]:
    """The words of ``_org_spelled(name)`` as written, every letter kept (``Bjørn Ålund`` ->
    ``bjørn ålund``, ``Öztürk İnşaat A.Ş.`` -> ``öztürk inşaat``), for ``letters``' readings;
    empty for an ASCII name or when the two do not align word for word."""
    org = _org_spelled(name)
    if name.isascii() or not org:
        return ()
    every = [t for t in words(name.replace("&", " and "), umlauts="keep") if t != "the"]
    kept = [t for n, t in enumerate(every)
            if not (t in ("and", "und", "et") and 0 < n < len(every) - 1)][:len(org)]
    if len(kept) != len(org) or any(canonical(fold(t.translate(_SPELLED))) != o
                                    for t, o in zip(kept, org, strict=True)):
        return ()
    return tuple(kept)


@lru_cache(maxsize=65536)
def _title_lettered(title: str, count: int) -> tuple[str, ...] | None:
    """A title's ``count`` tokens (``_title_words``) with every letter as written (``Bjørn``,
    ``Öztürk``), for the org-name run only; None for an ASCII title or when they do not align."""
    if title.isascii():
        return None
    kept = _canonical_all(words(title, umlauts="keep", sharp_s=True))
    return tuple(kept) if len(kept) == count else None


_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")  # letters or digits on both sides


def half_of_compound(word: str, org: Sequence[str] | set[str], *titles: str | None) -> bool:
    """Whether org-name word ``word`` is one part of a hyphenated word of one of ``titles``
    whose other part is no word of the org's (``Nord-Ost Trasse`` at org ``Nord AG``: north-
    east, not the customer's name; ``Rhein-Main`` at ``Rhein GmbH``: a region). A name
    hyphenated itself (``Müller-Lüdenscheid - Wartung`` at org ``Müller-Lüdenscheid KG``)
    is not, nor the name hyphenated to its legal form (``Peltiscor-KGaA - Solar panels`` at
    org ``Peltiscor KGaA``; f35e: below the cutoff against ``Solar panels``) (x13r6 F3: such
    pairs scored 1.00 and merged)."""
    for title in titles:
        for m in _COMPOUND.finditer(title or ""):
            # its legal form hyphenated to the name (``Peltiscor-KGaA - ...``) is the name
            parts = {canonical(w) for w in words(m.group())} - LEGAL_SUFFIXES
            if word in parts and not parts <= set(org):
                return True
    return False


def _remove_org(tokens: list[str], org: Sequence[str], dotless: Sequence[str] | None = None,
                org_dotless: Sequence[str] = (),
                lettered: tuple[Sequence[str], Sequence[str]] | None = None) -> list[int]:
    """The indexes of ``tokens`` left once each run that spells the organization name
    ``org`` is removed (its key's words: in order, each equal — case, accents and umlauts
    aside, never with a typo: ``Maier Umzug`` at org ``Meier AG`` keeps ``maier`` — or the
    same letters spaced differently: ``data soft`` / ``datasoft``), with the legal-form words
    right after such a run (``Acme Corp``, ``Acme GmbH & Co KG``, ``Acme und Co KG``: an
    ``and`` before a legal form is its ``&``, x42r2 F7a). Nothing else goes.

    ``dotless`` (the tokens with the umlauts' dots dropped, ``_title_dotless``) and
    ``org_dotless`` (``org`` so, ``_org_spelled``): a word is the name's word when one of
    the two has no umlaut and both read so are equal, every word of the name at once
    (``Hubner Backerei`` at org ``Hübner Bäckerei``; x51r6 F1: a name of two umlaut words
    was never taken out, and only a one-word slip paired one of one). ``lettered`` (the
    tokens' and the name's words as written, ``_title_lettered``, ``_org_lettered``): a word
    is the name's word when one of the two is the other typed without its letters, each
    dropped or spelled out (``letters.one_word_typed``: ``Bjoern Aalund`` / ``Bjorn Alund`` at
    org ``Bjørn Ålund``, ``Ozturk Insaat`` at ``Öztürk İnşaat``; x51r14 F2, F3). The legal
    form after the name is read folded, as ``org_key`` reads it (``A.Ş.`` = ``A.S.``)."""
    if not org or not tokens:
        return list(range(len(tokens)))
    # (speed) no second reading on either side: ``_org_run`` compares the words as written
    two = (dotless or tokens, org_dotless if len(org_dotless) == len(org) else org) \
        if dotless is not None or len(org_dotless) == len(org) else None
    joined = "".join(org)
    first = org[0] if org[0].isascii() and two is None and lettered is None else None
    # the legal form after the name read as ``org_key`` reads it, its accents folded
    forms = tokens if all(t.isascii() for t in tokens) else [fold(t) for t in tokens]
    out: list[int] = []
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        # (speed) an ASCII token that is not the name's first word nor the start of its
        # letters starts no run (``_org_run``): most tokens, no call
        if first is not None and t != first and t.isascii() and not joined.startswith(t):
            out.append(i)
            i += 1
            continue
        end = _org_run(tokens, i, org, joined, two, lettered)
        if end is None:
            out.append(i)
            i += 1
            continue
        i = form_run(forms, end)
        while i < n and tokens[i] == "and" and (j := form_run(forms, i + 1)) > i + 1:
            i = j  # ``Öberg och Co``, ``Acme GmbH und Co KG``: the forms' ``&`` written out
    return out


def _connector(t: str) -> bool:
    """Title token ``t`` is ``and`` in some language (``_CONJUNCTIONS``: ``og``, ``och``,
    ``ve``, ``und``, ``et`` …), a word the org's name may leave out or write otherwise (``&``);
    never a single letter (``e``, ``y``, ``i`` are also a block's or a vitamin's: x42r6 F1)."""
    return t == "and" or (len(t) > 1 and t in _CONJUNCTIONS)


def _joins(t: str, o: str) -> bool:
    """Title token ``t`` is the org name's connector word ``o`` (``og`` in ``Sørensen Træ og
    Søn``, ``y`` in ``Pérez y Hijos``): written so, or another ``and`` (``_connector``), as a
    title reads a lower-case connector between two capitalized words (``_conjunctions``) or
    writes it in capitals (x52r4 F1: ``Soerensen Trae og Soen``, ``SORENSEN TRAE OG SON``
    and ``MULLER UND SOHNE`` kept the name, and never paired with the lettered copy)."""
    return o in _CONJUNCTIONS and (t == o or _connector(t))


def _same_org_word(t: str, o: str) -> bool:
    """Title token ``t`` spells org-key word ``o``: accents aside, and ``ß`` read ``ss`` (org
    keys read it so; a title keeps it)."""
    f = fold(t)
    return f == fold(o) or ("ß" in f and f.replace("ß", "ss") == fold(o))


def _dotless_word(two: tuple[Sequence[str], Sequence[str]], j: int, n: int,
                  tokens: Sequence[str], org: Sequence[str]) -> bool:
    """Title token ``j`` is the name's word ``n`` with an umlaut's dots dropped on one side:
    read so both are equal and one of the two was written without an umlaut (its reading
    is itself; ``Bjärk`` is not ``Björk``, nor ``Bjoerk`` ``Bjork``)."""
    t, o = two[0][j], two[1][n]
    return (t == tokens[j] or o == org[n]) and (t == o or _same_org_word(t, o))


def _org_run(tokens: Sequence[str], i: int, org: Sequence[str], joined: str,
             two: tuple[Sequence[str], Sequence[str]] | None = None,
             lettered: tuple[Sequence[str], Sequence[str]] | None = None) -> int | None:
    """The end of the org-name run starting at ``tokens[i]``, or None. An ``and`` between two
    of its words is the ``&`` the name leaves out (``_org_spelled``: ``Harbor and Sons -
    fleet`` at org ``Harbor & Sons LLC``; x42r2 F7a: the name stayed in that title only, and
    the pair said "customer's name on one only" though both carried it). ``two``: the
    tokens' and the name's readings with the umlauts' dots dropped, ``lettered`` as written
    (``_remove_org``)."""
    k = len(org)
    run = tokens[i:i + k]
    if len(run) == k and all(tokens[i + n] == o or _same_org_word(tokens[i + n], o)
                             or _joins(tokens[i + n], o)
                             or (two is not None and _dotless_word(two, i + n, n, tokens, org))
                             or (lettered is not None
                                 and one_word_typed(lettered[0][i + n], lettered[1][n]))
                             for n, o in enumerate(org)):
        return i + k
    if k > 1 and any(_connector(t) for t in tokens[i + 1:i + 2 * k - 1]):
        j, n = i, 0  # the name's words in order, a connector between two of them skipped
        while j < len(tokens) and n < k:
            if 0 < n and _connector(tokens[j]) and not _joins(tokens[j], org[n]) \
                    and j + 1 < len(tokens) and not _connector(tokens[j + 1]):
                j += 1
            if not (tokens[j] == org[n] or _same_org_word(tokens[j], org[n])
                    or _joins(tokens[j], org[n])
                    or (two is not None and _dotless_word(two, j, n, tokens, org))
                    or (lettered is not None and one_word_typed(lettered[0][j], lettered[1][n]))):
                break
            j, n = j + 1, n + 1
        if n == k:
            return j
    text = ""
    for j in range(i, len(tokens)):  # the same letters, spaced differently
        text += tokens[j].replace("ß", "ss") if "ß" in tokens[j] else tokens[j]
        if len(text) >= len(joined):
            return j + 1 if text == joined and j + 1 - i != k else None
    return None


def one_typo(x: str, y: str) -> bool:
    """True when ``x`` and ``y`` are at most one edit apart (insert, delete, replace, or swap
    of neighbours), whatever their length: two edits (``onboarding`` / ``offboarding``,
    ``encryption`` / ``decryption``) are another word, never a typo."""
    return OSA.distance(x, y, score_cutoff=1) <= 1


# noise words that are function words: dropped wherever they stand (``Website for Acme``);
# any other noise word (``copy``, ``deal``, ``opportunity``...) only where it marks a copy or
# a label (``label_noise``)
FUNCTION_WORDS = frozenset({"the", "an", "for", "of", "and", "und"})  # ``&`` is no word either


def _label_noise(toks: Sequence[str], parts: Sequence[int], noise_words: frozenset[str]
                 ) -> set[int]:
    """The indexes of the noise words that mark a copy or a label, to be dropped: a part of
    noise words only in a title of two or more parts (``(copy)``, ``[Kopie]``, ``- copy`` at
    the end, ``Deal: ...``, ``Opportunity - ...``) and ``Copy of ...`` at the start. A noise
    word among the title's words is a word like any other (``Copy Shop``, ``Deal room``,
    ``Equal Opportunity Training``)."""
    out: set[int] = set()
    by_part: dict[int, list[int]] = {}
    for i, p in enumerate(parts):
        by_part.setdefault(p, []).append(i)
    if len(by_part) > 1:
        for idx in by_part.values():
            if all(toks[i] in noise_words and not is_identifying(toks[i]) for i in idx):
                out.update(idx)
    if len(toks) > 2 and toks[0] in noise_words and toks[1] == "of" and parts[0] == parts[1]:
        out.update((0, 1))  # Copy of ...
    return out


def _title_words(title: str, noise_words: frozenset[str]
                 ) -> tuple[tuple[str, ...], tuple[int, ...], Mapping[str, str]]:
    """``_title_read`` without the connectors read (its tokens, parts and ``alts``)."""
    return _title_read(title, noise_words)[:3]


def _written(title: str, toks: Sequence[str]) -> Mapping[str, str]:
    """Token -> the word as the title writes it (casefolded, every letter kept), for each
    token of ``toks`` (the title's canonical tokens) that differs from it and is written with
    marks (``letters.fold_letters``): ``voeruhus`` -> ``vöruhus``, ``dues`` -> ``düs``,
    ``voeruhús`` -> ``vöruhús``; empty for an ASCII title or when the readings do not align."""
    if title.isascii():
        return {}
    kept = _canonical_all(words(title, umlauts="keep", sharp_s=True))
    if len(kept) != len(toks):
        return {}
    out: dict[str, str] = {}
    for t, w in zip(toks, kept, strict=True):
        if t != w and fold_letters(w) != w:
            out.setdefault(t, w)
    return out


@lru_cache(maxsize=65536)
def _title_read(title: str, noise_words: frozenset[str]
                ) -> tuple[tuple[str, ...], tuple[int, ...], Mapping[str, str], frozenset[str],
                           Mapping[str, str]]:
    """The part of ``normalize_title`` that needs no organization name, kept once per title
    (``Annual renewal`` at every customer): the canonical tokens with ordinals moved after
    the word they number, each token's title part (``parted_words``), ``alts``, the
    connectors read and the words as written (``_written``)."""
    raw, parts = parted_words(title)
    toks = _canonical_all(raw)
    _sequence_numerals(raw, parts, toks)
    written = MappingProxyType(_written(title, toks))
    connectors: frozenset[str] = frozenset()
    if not _CONJUNCTIONS.isdisjoint(raw):
        connectors = _conjunctions(title, raw, parts, toks)
    if ("&" in title or "+" in title) and _SIGN_AND.search(title) is not None:
        connectors |= {"&"}  # ``Drift & Service``: an ``and`` (x54r4 F3, ``connectors_apart``)
    alts: dict[str, str] = {}
    if _OTHER_READING.search(title) is not None:  # Zürich -> zurich, Acme's -> acmes
        stripped = _canonical_all(words(title, other=True, sharp_s=True))
        if len(stripped) == len(toks):  # (``Ü-Bahn``: a one-letter prefix joins when stripped)
            alts = {t: u for t, u in zip(toks, stripped, strict=True)
                    if t != u and (u in DOTLESS_PLACES or u == t + "s")}
    i = 0 if (toks != raw and any(t != r and r[:1].isdigit() for t, r in zip(toks, raw, strict=True))
              ) or not _ORDINAL_WORDS.isdisjoint(raw) else len(toks)
    while i < len(toks) - 1:  # ``first phase`` / ``1st phase`` / ``2. Phase`` -> phase 1
        if (raw[i] in _ORDINAL_WORDS or _ORDINAL.fullmatch(raw[i])) and parts[i] == parts[i + 1] \
                and not is_identifying(toks[i + 1]) and toks[i + 1] not in noise_words:
            toks[i], toks[i + 1] = toks[i + 1], toks[i]
            i += 1
        i += 1
    return tuple(toks), tuple(parts), MappingProxyType(alts), connectors, written


# ``&`` or ``+`` standing alone between two words (``Drift & Service``, ``KONTOR + LAGER``):
# ``and`` written as a sign, a connector read (``NormTitle.connectors`` holds it as ``&``)
_SIGN_AND = re.compile(r"[^\W_]\s+[&+]\s+[^\W_]")


# "and" in other languages, ``and`` between two words of a part (x42r2 F3: ``Acme et Fils``,
# ``Pérez y Hijos``, ``Rossi e Figli`` were no pair with ``&``); not after a sequence word
_CONJUNCTIONS = CONJUNCTIONS  # (``jobs.transforms.conjunctions``: the import reads them too)
_TITLE_WORDS = re.compile(r"[^\W_]+")


# words a label letter or code follows (``Block E``, ``Handbuch EN``): in capitals (``BLOCK E
# SÜD``) nothing tells such a letter from a connector, so after one of these (or a
# ``SEQUENCE_WORDS`` word) a one-letter connector, ``en`` or ``et`` stays itself (x42r6 F1)
_LABEL_HEADS = SEQUENCE_WORDS | frozenset({
    "block", "haus", "house", "tarif", "tariff", "wohnung", "gebäude", "gebaude", "gebaeude",
    "building", "versand", "handbuch", "manual", "vitamin", "generation", "typ", "type",
    "modell", "model", "variante", "variant", "option", "plan", "gruppe", "group", "team",
    "klasse", "class", "kategorie", "category", "zone", "sektor", "sector", "halle", "hall",
    "tor", "gate", "bauteil", "flügel", "flugel", "wing", "trakt", "turm", "tower", "linie",
    "line", "serie", "series", "format", "größe", "grosse", "size", "version", "edition",
    "paket", "package", "produkt", "product", "artikel", "sprache", "language", "lager",
    "standort", "site", "feld", "field", "raum", "room", "etage", "floor", "bereich", "area"})
# the connectors a label letter or a language code may also be
CODE_LIKE = frozenset({"e", "y", "i", "en", "et"})
_CODE_LIKE = CODE_LIKE


def _joining(a: str, b: str, c: str) -> bool:
    """Written word ``b`` between ``a`` and ``c`` is a connector (``_CONJUNCTIONS``) joining
    them, by case: in lower case between two capitalized words (``Pérez y Hijos``), or in
    capitals between two words in capitals (``DRIFT OG VEDLIKEHOLD``, ``COMPRA Y VENTA``;
    x52r9 F4: a connector reads the same in any case) — there, a one-letter connector,
    ``en`` or ``et`` after a word a label follows (``_LABEL_HEADS``: ``BLOCK E SÜD``,
    ``HANDBUCH EN VERSION``) or next to a word of under three letters stays a letter or code.
    A connector in capitals between capitalized words (``Handbuch EN Version``) is a code."""
    low = b.casefold()
    if low not in _CONJUNCTIONS:
        return False
    if b == low:
        return a[:1].isupper() and c[:1].isupper()
    if not (b.isupper() and a.isupper() and c.isupper()):
        return False
    return low not in _CODE_LIKE or (
        a.casefold() not in _LABEL_HEADS and len(a) > 2 and len(c) > 2)


def _conjunctions(title: str, raw: Sequence[str], parts: Sequence[int], toks: list[str]
                  ) -> frozenset[str]:
    """Read in place each of ``_CONJUNCTIONS`` as ``and`` (a noise word by default) where the
    title writes it in lower case between two capitalized words of one part, or in capitals
    between two words in capitals (``_joining``), the first no sequence word (``Pérez y
    Hijos``, ``DRIFT OG VEDLIKEHOLD``). x42r6 F1: read between any two words, a label letter
    or code was dropped (``Block E`` / ``Block Y``, ``Handbuch EN`` / ``ET``, ``Vitamin E
    Kapseln``: merged as one deal); a lower-case letter in a title of lower case words only
    says nothing of which it is, and is left. Returns the words read so (``NormTitle.
    connectors``: ``og`` of ``DRIFT OG VEDLIKEHOLD``)."""
    written = [w.group() for w in _TITLE_WORDS.finditer(title)]
    aligned = len(written) == len(raw)  # (else the words by their text: Müller is muller)
    joined = {(a.casefold(), b.casefold(), c.casefold())
              for a, b, c in zip(written, written[1:], written[2:], strict=False)
              if _joining(a, b, c)}
    read: set[str] = set()
    for k in range(1, len(raw) - 1):
        if aligned:  # a conjunction, never another lower-case word (f52c: ``Pérez y Hijos -
            # Lizenz 50 Plätze`` read ``50`` as ``and``, one title with ``60``)
            said = written[k].casefold() == raw[k] \
                and _joining(written[k - 1], written[k], written[k + 1])
        else:
            said = (raw[k - 1], raw[k], raw[k + 1]) in joined
        if said and parts[k - 1] == parts[k] == parts[k + 1] \
                and len(raw[k - 1]) > 1 and len(raw[k + 1]) > 1 \
                and raw[k - 1] not in SEQUENCE_WORDS:
            toks[k] = "and"
            read.add(raw[k])
    return frozenset(read)


def normalize_title(title: str, org_name: str | None = None,
                    noise_words: frozenset[str] = frozenset()) -> NormTitle:
    """Normalize a deal title for comparison (see the module docstring).

    ``org_name`` is the deal's own organization name: where its words appear as a
    run (with its legal form after it) they are removed; nothing else is taken for
    a company name. Number words, ordinals and roman numerals become digits
    (``canonical``). A leading article ``a`` (``A website for...``) is a noise word;
    any other single letter is identifying. If removing the organization and noise
    words would leave nothing, the title's words but legal forms are kept (a deal
    titled just ``Acme Corp`` still has a title: ``acme``).
    """
    toks, parts, alts, connectors, written = _title_read(title, noise_words)
    # the org's words read as the title's are (an org named ``Marzo`` is a month word in a
    # title, ``march``: compared raw, it was never removed and read as a date)
    org = " ".join(_org_spelled(org_name))
    if org and "-" in title and any(half_of_compound(w, org.split(), title)
                                     for w in org.split()):
        org = ""  # half of a hyphenated word names no customer (``half_of_compound``)
    org_dotless = _org_spelled(org_name, True) if org and org_name and not org_name.isascii() \
        else ()
    org_lettered = _org_lettered(org_name) if org and org_name else ()
    if org and not (  # (speed) no token starts the name's letters:
            title.isascii() and org.isascii() and not org_dotless and not org_lettered
            and _name_starts(org).isdisjoint(toks)):
        keep = _after_article(toks)
        dotless = _title_dotless(title, len(toks))
        title_lettered = _title_lettered(title, len(toks))
        lettered = None if title_lettered is None and not org_lettered else (
            [(title_lettered or toks)[i] for i in keep], org_lettered or org.split())
        kept = _remove_org([toks[i] for i in keep], org.split(),
                           None if dotless is None else [dotless[i] for i in keep], org_dotless,
                           lettered)
        if len(kept) < len(keep):
            return _normalized(toks, parts, alts, [keep[i] for i in kept], noise_words,
                               connectors, written)
    return _without_org(title, noise_words)  # (speed) no org-name run: one result per title


@lru_cache(maxsize=65536)  # accounts repeat titles a lot ("Annual renewal" at every customer)
def _without_org(title: str, noise_words: frozenset[str]) -> NormTitle:
    """``normalize_title`` of a title with no org-name run in it (most deals'), shared."""
    toks, parts, alts, connectors, written = _title_read(title, noise_words)
    return _normalized(toks, parts, alts, _after_article(toks), noise_words, connectors,
                       written)


@lru_cache(maxsize=4096)
def _name_starts(key: str) -> frozenset[str]:
    """The prefixes of an org key's letters (``acme foods`` -> ``a``, ``ac``... ``acmefoods``):
    an ASCII title token that is none of them starts no org-name run (``_remove_org``)."""
    joined = "".join(key.split())
    return frozenset(joined[:k] for k in range(1, len(joined) + 1))


def _after_article(toks: Sequence[str]) -> list[int]:
    keep = list(range(len(toks)))
    if len(toks) > 1 and toks[0] == "a" and len(toks[1]) > 1:
        keep = keep[1:]  # the article, not a building / plan letter
    return keep


def _normalized(toks: tuple[str, ...], parts: tuple[int, ...], alts: Mapping[str, str],
                keep: list[int], noise_words: frozenset[str],
                connectors: frozenset[str] = frozenset(),
                written: Mapping[str, str] = MappingProxyType({})) -> NormTitle:
    """``normalize_title``'s result from the title's tokens (``_title_words``) and the indexes
    ``keep`` left once the org name is removed: noise words dropped, identifying tokens."""
    if not noise_words.isdisjoint(toks):
        labels = _label_noise([toks[i] for i in keep], [parts[i] for i in keep], noise_words)
        keep = [i for n, i in enumerate(keep) if n not in labels and not (
            toks[i] in noise_words and toks[i] in FUNCTION_WORDS and not is_identifying(toks[i]))]
    if not keep:
        keep = [i for i, t in enumerate(toks) if (t not in noise_words or is_identifying(t))
                and t not in LEGAL_SUFFIXES] or list(range(len(toks)))  # "Acme Corp" = "ACME Corporation"
    core = [toks[i] for i in keep]
    core_parts = tuple(parts[i] for i in keep) if parts and parts[-1] else ()  # () for one part
    numbers = frozenset(t for t in core if is_identifying(t))
    if any(len(t) == 1 for t in numbers):  # a letter of a legal form (``Sp. z o.o.``) is none
        numbers -= frozenset(core[k] for k in _in_legal_runs(core))
    return NormTitle(tuple(core), " ".join(core), " ".join(sorted(core)), numbers,
                     tuple((t, alts[t]) for t in dict.fromkeys(core) if t in alts), core_parts,
                     connectors, tuple((t, written[t]) for t in dict.fromkeys(core) if t in written))


def _in_legal_runs(tokens: Sequence[str]) -> set[int]:
    """The indexes of ``tokens`` inside a run of legal-form words of two or more
    (``form_run``: ``ixtem sp z oo`` -> 1, 2, 3)."""
    out: set[int] = set()
    i = 0
    while i < len(tokens):
        end = form_run(tokens, i)
        if end - i >= 2:
            out.update(range(i, end))
        i = max(end, i + 1)
    return out


__all__ = ["CALENDAR_NAMES", "DOTLESS_PLACES", "FUNCTION_WORDS", "LEGAL_SUFFIXES",
           "MONTH_ABBREVIATIONS", "NormTitle", "ROMAN_NUMERALS", "SEQUENCE_WORDS", "SYMBOL_ENDS",
           "canonical", "fold", "has_numeral", "is_identifying", "legal_form", "normalize_title",
           "one_typo", "org_key", "org_key_dotless", "other_legal_entity", "parted_words",
           "same_company", "same_org_name", "words"]
