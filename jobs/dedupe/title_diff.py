"""How the words of two normalized titles differ: typos, near words, two real words, word forms.

``word_diff`` pairs each word one title lacks with the other title's words it relates to
(``word_pair``: a typo, a slip into a rare spelling, a near word, two real words, two forms
of one word, ``ß`` against ``ss``); what is left unpaired is a substituted or extra word.
``_letter_or_numeral`` tells a letter from a roman numeral among the identifying tokens.
``scoring`` turns these differences into caps and reasons; this module scores nothing.
Pure: no I/O beyond the word lists ``lexicon`` reads once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from ..transforms.conjunctions import CONJUNCTIONS
from .letters import marks_apart, title_word_typed, without_letters
from .lexicon import account_slip, both_known, misspelt, rare_slip
from .normalize import CALENDAR_NAMES, CODE_LIKE, ROMAN_NUMERALS, NormTitle, fold, one_typo
from .title_tokens import words


def _typo_of(x: str, y: str) -> bool:
    # below 4 letters one edit is another word (app/api, crm/cr4), not a typo; two edits are
    # always another word (onboarding/offboarding, encryption/decryption)
    return min(len(x), len(y)) >= 4 and one_typo(x, y)


# endings that make another form of one word (English, German, French, Spanish, Dutch
# plurals, cases, feminine forms): ``invoice`` / ``invoices``, ``abendkurs`` / ``abendkurse``,
# ``tagesschulung`` / ``tagesschulungen``, ``mitarbeiter`` / ``mitarbeiterin``, ``tableau`` / ``-x``
INFLECTIONS = frozenset({"s", "e", "n", "en", "es", "er", "ern", "ens", "nen", "in", "innen",
                         "x"})


def inflected(x: str, y: str) -> bool:
    """True when one word is the other plus an inflection ending (``INFLECTIONS``: ``s``,
    ``e``, ``n``, ``en``, ``es``, ``er``, ``in``...), the shorter of 3+ letters: two forms of
    one word (``workday`` / ``workdays``, ``einzellizenz`` / ``einzellizenzen``), which name
    different things (one course / several, a man / a woman): two words, not a typo."""
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return len(short) >= 3 and long.startswith(short) and long[len(short):] in INFLECTIONS


def _swapped(x: str, y: str) -> bool:
    """Two neighbouring letters swapped (``wesbite`` / ``website``), nothing else."""
    if len(x) != len(y):
        return False
    diff = [i for i, (c, d) in enumerate(zip(x, y, strict=True)) if c != d]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] \
        and x[diff[1]] == y[diff[0]]


def clear_typo(x: str, y: str) -> bool:
    """True when two words one edit apart (``_typo_of``) are surely one word mistyped: two
    neighbours swapped (``wesbite`` / ``website``, ``schmdit`` / ``schmidt``) and not both
    real words (``lexicon.both_known``: ``trial`` / ``trail`` are two words). A letter
    replaced, added or dropped, in a word of any length, may be another word, as likely as
    a typo (``linz`` / ``lienz``, ``heilbronn`` / ``heilbrunn``, ``salesforce`` /
    ``salesforge``, ``katharina`` / ``katarina``): a near word (``word_pair``)."""
    return _swapped(x, y) and not both_known(x, y)


# how two words, one on each side, relate (``word_pair``)
TYPO, NEAR, REAL, FORMS, SHARP_S, SLIP = "typo", "near", "real", "forms", "sharp_s", "slip"


def _end_letter(x: str, y: str) -> bool:
    """One word is the other with one letter more at its end (``frank`` / ``franka``,
    ``simon`` / ``simona``, ``ivan`` / ``ivana``): a name's other form or an inflection, never
    a typo (a typo rarely drops exactly the last letter into another plausible word)."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return len(long) == len(short) + 1 and long.startswith(short)


def word_pair(x: str, y: str, vocab: Mapping[str, int] | None = None) -> str | None:
    """How word ``x`` of one title relates to word ``y`` of the other (both unequal, accents
    and umlauts aside), or None when they are two unrelated words (a substitution):

    * ``REAL``: one edit apart and both real words or names (``trial`` / ``trail``);
    * ``FORMS``: two forms of one word (``inflected``: ``abendkurs`` / ``abendkurse``), or one
      letter more at the end (``_end_letter``: ``frank`` / ``franka``, ``simon`` / ``simona``);
    * ``REAL`` too: one spelling once folded, both written with marks that differ
      (``letters.marks_apart``: ``thuê`` / ``thuế``, rent / tax; ``máy`` / ``mây``);
    * ``SHARP_S``: ``ß`` on one side where the other writes ``ss`` (``maße`` / ``masse``:
      dimensions / mass; Swiss spelling writes ``ss`` for both): a person decides;
    * ``TYPO``: two neighbours swapped (``clear_typo``);
    * ``SLIP``: a common word and a plausible slip of a finger into a spelling written less than
      once per 100 million words (``lexicon.rare_slip``: ``servce`` / ``service``), or any slip
      into a spelling written nowhere of a common word the account's titles use (``vocab``:
      title word -> deals, ``lexicon.account_slip``): a typo only when the deals agree on org
      record, person and value (``score_pair``), else a near word;
    * ``NEAR``: one letter replaced, added or dropped after the first letter, the shorter
      word of 4+ letters: review at most (``score_pair``);
    * ``TYPO`` too: two edits apart, each spelling a ``TYPO`` of one common word
      (``mistyped_alike``: ``warehose`` / ``warheouse``, both ``warehouse``);
    * None: two or more edits apart otherwise (``onboarding`` / ``offboarding``, ``encryption`` /
      ``decryption``, ``aktivierung`` / ``deaktivierung``), under 4 letters (``app`` /
      ``api``), or the first letter changed, added or dropped (``preorder`` / ``reorder``:
      a prefix that changes the meaning; a typo rarely hits the first letter)."""
    if ("ß" in x or "ß" in y) and x.replace("ß", "ss") == y.replace("ß", "ss"):
        return SHARP_S
    if marks_apart(x, y):  # ``thuê`` / ``thuế``: two words, both written with their marks
        return REAL
    if _typo_of(x, y):
        if both_known(x, y):
            return REAL
        if _swapped(x, y):
            return TYPO
        if inflected(x, y) or _end_letter(x, y):
            return FORMS
        if x[0] != y[0]:
            return None
        # a common word next to a spelling no one writes: that word mistyped
        if misspelt(x, y):
            return TYPO
        return SLIP if rare_slip(x, y) or (vocab is not None and account_slip(x, y, vocab)) \
            else NEAR
    if inflected(x, y):
        return FORMS
    return TYPO if mistyped_alike(x, y) else None


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(w: str) -> set[str]:
    """Every spelling one edit from ``w`` (a letter dropped, swapped with its neighbour,
    replaced or added: a-z), its first letter kept."""
    out = {w[:i] + w[i + 1:] for i in range(1, len(w))}
    out.update(w[:i] + w[i + 1] + w[i] + w[i + 2:] for i in range(1, len(w) - 1))
    out.update(w[:i] + c + w[i + 1:] for i in range(1, len(w)) for c in _LETTERS)
    out.update(w[:i] + c + w[i:] for i in range(1, len(w) + 1) for c in _LETTERS)
    return out


@lru_cache(maxsize=4096)
def mistyped_alike(x: str, y: str) -> str:
    """The common word two unequal spellings two edits apart both mistype, or empty: each is
    that word with one slip into a spelling written nowhere (``word_pair`` reads each against
    it as ``TYPO``: a swap, or ``lexicon.misspelt``), as two copies of one deal typed
    ``warehose`` and ``warheouse`` for ``warehouse`` (f36e 1: each copy merged with the
    original, the two copies held apart as different words, so the group went to review).
    The reading is as strong as each typo alone; a word either spelling is (a brand, a town,
    a name) is never read so (``word_pair`` reads it ``REAL``, ``NEAR`` or not at all)."""
    if x[:1] != y[:1] or min(len(x), len(y)) < 4 or abs(len(x) - len(y)) > 2 \
            or not (x.isalpha() and y.isalpha()) or OSA.distance(x, y, score_cutoff=2) != 2:
        return ""
    for w in sorted(_one_edit(x) & _one_edit(y)):
        if w not in (x, y) and word_pair(w, x) == TYPO and word_pair(w, y) == TYPO:
            return w
    return ""


def _forms(t: str, alts: Mapping[str, str]) -> tuple[str, ...]:
    """The spellings a title token stands for: itself, its accents folded, its reading with
    the umlauts' dots dropped (``zuerich``, written ``zürich``, is also ``zurich``)."""
    f = fold(t)
    a = alts.get(t)
    return (t, f) if a is None else (t, f, a)


def _only(x: NormTitle, y: NormTitle) -> list[str]:
    """The words of ``x`` (not its identifying tokens) that ``y`` lacks, accents folded
    (``normalize.fold``: ``région`` is ``region``, ``þ`` is ``th``, one word written two
    ways), an umlaut read both ways (``zürich`` is ``zuerich`` and ``zurich``; ``müller`` is
    ``mueller``) and a letter dropped or spelled out (``søn`` is ``son`` and ``soen``)."""
    if x.text.isascii() and y.text.isascii() and not x.alts and not y.alts:
        return [t for t in x.tokens if t not in y.tokens and t not in x.numbers]
    xa, ya = dict(x.alts), dict(y.alts)
    ys = {f for t in y.tokens for f in _forms(t, ya)}
    # a word typed without its letters, each dropped or spelled out, as a name's words are
    # read (``letters.title_word_typed``: ``soen`` / ``søn``, ``haardvare`` / ``hårdvare``;
    # x52r4 F2: "different words: søn≠soen"); never a word the other side writes with other
    # marks (``letters.marks_apart``: ``thuế`` / ``thuê``, x53r3 F8: merged at 1.00)
    return [t for t in x.tokens if t not in x.numbers and t not in y.tokens
            and (ys.isdisjoint(_forms(t, xa)) or _marked_apart(t, y.tokens))
            and not any(title_word_typed(t, u) for u in y.tokens)]


def _marked_apart(t: str, others: tuple[str, ...]) -> bool:
    """Every word of ``others`` that folds as ``t`` does is written with other marks
    (``letters.marks_apart``): ``t`` is not among them, as ``thuế`` is not ``thuê``."""
    f = fold(t)
    alike = [u for u in others if fold(u) == f]
    return bool(alike) and all(marks_apart(t, u) for u in alike)


@dataclass(frozen=True, slots=True)
class WordDiff:
    """How two titles' words differ: words of each side with no equal or related word on
    the other (substituted or extra words), and the related pairs by kind (``word_pair``)."""

    only_x: tuple[str, ...]
    only_y: tuple[str, ...]
    typo: tuple[tuple[str, str], ...]
    near: tuple[tuple[str, str], ...]
    real: tuple[tuple[str, str], ...]
    forms: tuple[tuple[str, str], ...]
    sharp_s: tuple[tuple[str, str], ...] = ()
    slip: tuple[tuple[str, str], ...] = ()


def word_diff(x: NormTitle, y: NormTitle, vocab: Mapping[str, int] | None = None) -> WordDiff:
    """The words of two titles compared (``WordDiff``): a word with no equal word on the
    other side is paired with the other side's unequal words it relates to (``word_pair``);
    a word with no such partner is a substituted or extra word."""
    only_x, only_y = _only(x, y), _only(y, x)
    if only_x and only_y and len(only_x) != len(only_y) and "".join(only_x) == "".join(only_y):
        only_x = only_y = []  # the same letters spaced differently: data soft / datasoft
    kinds: dict[str, list[tuple[str, str]]] = {TYPO: [], NEAR: [], REAL: [], FORMS: [], SHARP_S: [],
                                               SLIP: []}
    paired_x: set[str] = set()
    paired_y: set[str] = set()
    for t in only_x:
        for u in only_y:
            kind = word_pair(t, u, vocab)
            if kind is not None:
                kinds[kind].append((t, u))
                paired_x.add(t)
                paired_y.add(u)
    return WordDiff(tuple(t for t in only_x if t not in paired_x),
                    tuple(u for u in only_y if u not in paired_y),
                    tuple(kinds[TYPO]), tuple(kinds[NEAR]), tuple(kinds[REAL]),
                    tuple(kinds[FORMS]), tuple(kinds[SHARP_S]), tuple(kinds[SLIP]))


def _letter_or_numeral(x: frozenset[str], y: frozenset[str]) -> str:
    """``i≠1`` when the two titles' identifying tokens differ only in letters that could be
    roman numerals written against their digits (``i`` / ``1``, ``x`` / ``10``, ``vi`` /
    ``6``) and the numeral follows no word that counts (``normalize.SEQUENCE_WORDS``: there
    ``Phase I`` is ``Phase 1`` already): a letter (``Projekt X``), a name's numeral (``Louis
    VI``) or a number; else empty."""
    dx, dy = x - y, y - x
    if not dx or len(dx) != len(dy) or ROMAN_NUMERALS.keys().isdisjoint(dx | dy):
        return ""
    if {ROMAN_NUMERALS.get(t, t) for t in dx} != {ROMAN_NUMERALS.get(t, t) for t in dy}:
        return ""
    return " ".join(f"{t}≠{ROMAN_NUMERALS.get(t, t)}" if t in ROMAN_NUMERALS else
                    f"{next(k for k, v in ROMAN_NUMERALS.items() if v == t)}≠{t}"
                    for t in sorted(dx))


def _month_as_word(p: NormTitle, q: NormTitle) -> NormTitle:
    """``p`` with each month or weekday name it reads (``may``) that ``q`` writes as a word
    with its letters and reads no month (``máy``) read as that word: a word typed without its
    marks, not a date."""
    if not p.text.isascii() or q.text.isascii():
        return p  # (speed) only an ASCII copy of a lettered title
    drop = {t: u for t in p.numbers if t in CALENDAR_NAMES and t not in q.numbers
            for u in q.tokens if u not in q.numbers and without_letters(t, u)}
    if not drop:
        return p
    toks = tuple(drop.get(t, t) for t in p.tokens)
    return NormTitle(toks, " ".join(toks), " ".join(sorted(toks)),
                     p.numbers - frozenset(drop), p.alts, p.parts, p.connectors)


def months_typed(x: NormTitle, y: NormTitle) -> tuple[NormTitle, NormTitle]:
    """Two titles with a month read on one side only where the other writes that word with
    letters (``Bao duong may lanh`` / ``Bảo dưỡng máy lạnh``: the Vietnamese ``máy``,
    machine, typed without its marks) read as that word: the month reading holds only when
    both sides read a month (x52r9 F5: "number only on one: may", review). Unchanged when
    neither reads a month."""
    if not (x.numbers or y.numbers) or CALENDAR_NAMES.isdisjoint(x.numbers | y.numbers):
        return x, y
    return _month_as_word(x, y), _month_as_word(y, x)


def marks_written(x: NormTitle, y: NormTitle) -> tuple[NormTitle, NormTitle]:
    """Two titles with each word a German reading of its umlauts made ASCII or spelled
    (``NormTitle.written``: ``Vöruhus`` reads ``voeruhus``, ``Düs`` ``dues``) read as
    written where the other title writes that word with other marks or some of them
    (``letters.marks_apart``: ``vöruhús`` / ``vöruhus``, ``düş`` / ``düs``, ``vöruhús`` /
    ``voeruhús``): a word with some of its marks left out is neither a copy typed bare nor
    the word, two words, review at most (f56e: ``Vöruhús`` / ``Vöruhus``, ``Düs`` / ``Düş``
    merged at 1.00; the ``oe`` of the German reading hid the marks the copy kept).
    Unchanged when neither title has such a word: a copy typed wholly bare (``Voruhus``,
    ``Dus``) keeps its reading."""
    if not x.written and not y.written:
        return x, y
    wx, wy = dict(x.written), dict(y.written)
    as_x: dict[str, str] = {}
    as_y: dict[str, str] = {}
    for t in dict.fromkeys(x.tokens):
        a = wx.get(t, t)
        if t in x.numbers or a.isascii() or a in {wy.get(u, u) for u in y.tokens}:
            continue
        for u in dict.fromkeys(y.tokens):
            b = wy.get(u, u)
            if (t in wx or u in wy) and u not in y.numbers and not b.isascii() \
                    and b not in {wx.get(v, v) for v in x.tokens} and marks_apart(a, b):
                as_x[t], as_y[u] = a, b
    if not as_x:
        return x, y
    return _tokens_as(x, as_x), _tokens_as(y, as_y)


def _tokens_as(p: NormTitle, read: Mapping[str, str]) -> NormTitle:
    """``p`` with its tokens ``read`` maps replaced (``marks_written``), their ``alts`` kept."""
    toks = tuple(read.get(t, t) for t in p.tokens)
    return NormTitle(toks, " ".join(toks), " ".join(sorted(toks)), p.numbers,
                     tuple((read.get(t, t), a) for t, a in p.alts), p.parts, p.connectors,
                     tuple((t, w) for t, w in p.written if t not in read))


def _connectors_as_read(p: NormTitle, q: NormTitle) -> NormTitle:
    """``p`` with each word ``q`` wrote too and read as ``and`` (``q.connectors``) read as
    ``q`` read it: ``and`` where ``q`` keeps its ``and``, else left out (a noise word)."""
    drop = {t for t in p.tokens if t in q.connectors and t not in q.tokens}
    if not drop:
        return p
    keep_and = "and" in q.tokens
    kept = [(("and" if t in drop else t), n) for n, t in enumerate(p.tokens)
            if keep_and or t not in drop]
    toks = tuple(t for t, _ in kept)
    parts = tuple(p.parts[n] for _, n in kept) if p.parts else ()
    return NormTitle(toks, " ".join(toks), " ".join(sorted(toks)), p.numbers - frozenset(drop),
                     tuple((t, a) for t, a in p.alts if t not in drop), parts,
                     p.connectors | drop)


def _sign_read_as(letters: frozenset[str], raw: str) -> bool:
    """``&`` / ``+`` against a title's one-letter connectors ``letters`` read as ``and`` is
    that ``and`` (``connectors_apart``): a connector of its language written in lower case
    between two capitalized words (``Pérez y Hijos`` / ``Pérez & Hijos``, ``Rossi e Figli``,
    ``Acme et Fils``: x42r2 F3), never ``i`` (the Nordic and Polish "in": ``Drift i
    Service``) nor a letter written in capitals (``KONTOR Y LAGER``: a label letter as well)."""
    return "i" not in letters and not any(
        re.search(rf"(?<![^\W_]){re.escape(c.upper())}(?![^\W_])", raw) for c in letters)


def connectors_apart(x: NormTitle, y: NormTitle, raw_x: str = "", raw_y: str = ""
                     ) -> tuple[str, str] | None:
    """The connectors two titles each read as ``and`` where they are two words, one of them
    a word a letter, code or preposition may also be (``normalize.CODE_LIKE``: ``Kiosk y
    Series`` / ``Kiosk i Series``, ``PRINTER Y LEASE`` / ``PRINTER E LEASE``, ``Drift og
    Service`` / ``Drift i Service`` — Norwegian ``i`` is "in": x53r8 F1, 16 of 16 merged):
    each title's such words that the other neither wrote nor read so, or None. Read away,
    both titles were one (x53r7 F3: 24 of 30 such pairs in the duplicate band at 1.00, a
    label letter or model read as ``and`` in both); two such words are two words, as two
    real words are. ``&`` / ``+`` between two words is ``and`` written as a sign
    (``NormTitle.connectors`` holds ``&``), so ``Drift & Service`` / ``Drift i Service``,
    ``KONTOR + LAGER`` / ``KONTOR Y LAGER`` are two words as ``Drift and Service`` / ``Drift
    i Service`` are, but for a lower-case ``y`` / ``e`` / ``et`` between capitalized words
    (``_sign_read_as``: ``raw_x`` / ``raw_y``, the titles as written); and a title reading
    ``i`` where the other reads only connectors both read (``Lager i Oslo og Bergen`` /
    ``Lager og Oslo og Bergen``) too (x54r4 F3: 8 of 8, 8 of 8 and 4 of 4 grid pairs merged at 1.00)."""
    cx = x.connectors - y.connectors - set(y.tokens)
    cy = y.connectors - x.connectors - set(x.tokens)
    if (cx | cy).isdisjoint(CODE_LIKE):  # (og / och / &: "and" either way)
        return None
    if not (cx and cy):  # ``Lager i Oslo og Bergen`` / ``Lager og Oslo og Bergen``: the
        # other title reads only connectors this one reads too, where this one reads ``i``
        if not (cx & CODE_LIKE and y.connectors) and not (cy & CODE_LIKE and x.connectors):
            return None
        cx, cy = (cx, y.connectors - set(x.tokens) or y.connectors) if cx else (
            x.connectors - set(y.tokens) or x.connectors, cy)
    if (cy == {"&"} and _sign_read_as(cx, raw_x)) or (cx == {"&"} and _sign_read_as(cy, raw_y)):
        return None
    return " ".join(sorted(cx)), " ".join(sorted(cy))


def connectors_read(x: NormTitle, y: NormTitle) -> tuple[NormTitle, NormTitle]:
    """Two titles with a connector one reads as ``and`` (``normalize._joining``: ``og`` of
    ``DRIFT OG VEDLIKEHOLD``, ``Drift og Vedlikehold``) and the other keeps as a word or a
    letter (``Drift og vedlikehold``: the case says nothing there) read alike: the same word
    stands in both titles, a connector or a letter either way (x53r3 F1: "word only on one:
    og", "number only on one: y", review, 17 of 20 phrases). Unchanged when neither reads
    one."""
    if not (x.connectors or y.connectors):
        return x, y
    return _connectors_as_read(x, y), _connectors_as_read(y, x)


_SIGN_AS_AND = re.compile(r"(?<=\S)\s+[&+]\s+(?=\S)")  # ``Koop & Verkoop``: ``and`` as a sign


def or_against_and(raw_x: str, raw_y: str) -> tuple[str, str] | None:
    """``of`` between two words of one title where the other title has an ``and`` between
    the same two words (``CONJUNCTIONS``: ``en``, ``and``, ``und``, ``et``..., or ``&`` /
    ``+`` between spaces): the Dutch "or" (``Koop of Verkoop`` / ``Koop en Verkoop``, ``Huur
    of Koop`` / ``Huur & Koop``), not the English filler ``of`` the noise words drop (y54r1
    F3: both pairs read ``koop verkoop`` and merged at 1.000). The pair's two words, ``of``
    and the other's ``and`` word (``("of", "en")``, ``&`` read ``and``), in the order of
    ``raw_x`` / ``raw_y``, or None. Only against an "and": ``Bank of Ireland`` / ``Bank
    Ireland`` and ``Koop of Verkoop`` / ``Koop Verkoop`` stay one title."""
    for p, q, flip in ((raw_x, raw_y, False), (raw_y, raw_x, True)):
        if "of" not in p.casefold().split():
            continue
        tp = words(p, sharp_s=True)
        tq = words(_SIGN_AS_AND.sub(" and ", q), sharp_s=True)
        for i in range(1, len(tp) - 1):
            if tp[i] != "of":
                continue
            for j in range(len(tq) - 2):
                if tq[j] == tp[i - 1] and tq[j + 2] == tp[i + 1] and tq[j + 1] in CONJUNCTIONS:
                    pair = ("of", tq[j + 1])
                    return (pair[1], pair[0]) if flip else pair
    return None
