"""Title and organization-name normalization for matching. Pure functions, no I/O.

A title is compared in a normalized form: Unicode NFKC + casefold, every
punctuation or dash variant (en dash, em dash, ``_``, ``/``...) a word break, runs
of whitespace collapsed, legal suffixes (``Inc``, ``GmbH``, ``Ltd``...) and
noise words dropped, and the deal's own organization name removed — so
``ACME Corp \u2013 Website redesign`` and ``Website redesign - Acme`` both become
``website redesign``. Numbers are never dropped: tokens with a digit and roman
numerals II-XII are kept apart in ``numbers`` because a differing number
(``Renewal 2024`` / ``2025``, ``Phase 1`` / ``2``, ``Q3`` / ``Q4``) means a
different deal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

# Legal forms found in company names (common EU/US/UK/Nordic/LatAm forms). Dotted
# forms ("S.A.", "B.V.") become separate letters after punctuation is split, so
# they are matched as joined letters too (see _join_initials).
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp",
    "lp", "plc", "gmbh", "ag", "kg", "ug", "mbh", "sa", "sas", "sarl", "srl", "spa", "bv", "nv",
    "oy", "oyj", "ab", "as", "asa", "aps", "pty", "pte", "kk", "sl", "sro", "zoo", "doo", "ltda",
    "group", "holding", "holdings",
})
# tokens that name a number without a digit: roman numerals, number words, ordinals
_ROMAN = frozenset({
    "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
})
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; everything else breaks words
_DIGIT = re.compile(r"\d")
_DOTTED = re.compile(r"\b(?:[^\W\d_]\.){2,}")  # S.A. / B.V. / s.r.o.
# where a title is made of parts ("Acme Corp - Website redesign", "Website (Acme GmbH)")
_PARTS = re.compile(r"\s[-\u2010-\u2015|/:]+\s|[()\[\]]|\s[\u2010-\u2015]|[\u2010-\u2015]\s")


@dataclass(frozen=True, slots=True)
class NormTitle:
    """A normalized title: ``tokens`` in order, ``text`` (joined), ``sorted_text``
    (tokens sorted, for word-order-free comparison), the number tokens, and the
    words that look like a company name written into the title."""

    tokens: tuple[str, ...]
    text: str
    sorted_text: str
    numbers: frozenset[str]
    aside: frozenset[str] = frozenset()  # words that look like a company name (see _split_parts)


def words(s: str) -> list[str]:
    """NFKC + casefold, then the word tokens (punctuation, dashes, underscores split)."""
    if s.isascii():  # ASCII is already NFKC, and casefold() == lower() on it
        return _WORD.findall(_join_initials(s.lower()))
    return _WORD.findall(_join_initials(unicodedata.normalize("NFKC", s).casefold()))


def _join_initials(s: str) -> str:
    """``S.A.`` -> ``SA``, ``B.V.`` -> ``BV`` (dotted initials are one word), before tokenizing."""
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), s) if "." in s else s


def is_number(token: str) -> bool:
    """A token that names a number: it has a digit (``2024``, ``q3``, ``v2``), is a roman II-XII,
    a number word (``one``-``twelve``) or an ordinal (``first``-``tenth``)."""
    return token in _ROMAN or _DIGIT.search(token) is not None


@lru_cache(maxsize=65536)
def org_key(name: str | None) -> str:
    """The organization name without case, punctuation and legal suffixes (``ACME Corp.`` -> ``acme``).

    Empty when there is no name. Two org records of the same company usually
    share this key.
    """
    if not name:
        return ""
    toks = [t for t in words(name) if t not in LEGAL_SUFFIXES]
    return " ".join(toks) if toks else " ".join(words(name))


def _remove_run(tokens: list[str], run: Sequence[str]) -> list[str]:
    """Drop every occurrence of the word run, and words one typo away from a word of it."""
    n = len(run)
    if not n:
        return tokens
    out = tokens
    if run[0] in tokens:
        want = list(run)
        out = []
        i = 0
        while i < len(tokens):
            if tokens[i] == want[0] and tokens[i:i + n] == want:
                i += n
                continue
            out.append(tokens[i])
            i += 1
    long_run = [r for r in run if len(r) >= 4]
    if not long_run:
        return out
    kept = []
    for t in out:
        if len(t) >= 4 and t not in long_run:
            for r in long_run:
                if abs(len(t) - len(r)) <= 2 and one_typo(t, r):
                    break
            else:
                kept.append(t)
        else:
            kept.append(t)
    return kept


def one_typo(x: str, y: str) -> bool:
    """True when ``x`` and ``y`` are one edit apart (insert, delete, replace, or swap of neighbours);
    two edits for words of 9+ letters."""
    return OSA.distance(x, y, score_cutoff=2) <= (2 if min(len(x), len(y)) >= 9 else 1)


def _split_parts(title: str) -> tuple[list[str], frozenset[str]]:
    """Title words without company-name parts, and the words that look like a company name.

    A part (between dashes, bars, slashes, colons, brackets) of 2-4 words ending
    in a legal suffix is a company name: its words are dropped (its numbers are
    kept). A single-word part at either end (``Website - Acme``) is kept but
    recorded as a possible company name.
    """
    parts = [p for p in _PARTS.split(title) if p and p.strip()]
    if len(parts) < 2:
        return words(title), frozenset()
    kept: list[str] = []
    aside: set[str] = set()
    for n, p in enumerate(parts):
        w = words(p)
        if 1 < len(w) <= 4 and w[-1] in LEGAL_SUFFIXES and w[0] not in LEGAL_SUFFIXES:
            kept.extend(t for t in w if is_number(t))
            aside.update(t for t in w if not is_number(t) and t not in LEGAL_SUFFIXES)
            continue
        if len(w) == 1 and n in (0, len(parts) - 1) and not is_number(w[0]):
            aside.add(w[0])
        kept.extend(w)
    return (kept or words(title)), frozenset(aside)


@lru_cache(maxsize=65536)  # accounts repeat titles a lot ("Annual renewal" at every customer)
def normalize_title(title: str, org_name: str | None = None,
                    noise_words: frozenset[str] = frozenset()) -> NormTitle:
    """Normalize a deal title for comparison (see the module docstring).

    ``org_name`` is the deal's own organization name; its words are removed
    from the title where they appear as a run. If removing the organization,
    legal suffixes and noise words would leave nothing, the title's words are
    kept without that removal (a deal titled just ``Acme Corp`` still has a title).
    """
    toks, aside = _split_parts(title)
    org_toks = org_key(org_name).split()
    core = [t for t in _remove_run(toks, org_toks) if t not in LEGAL_SUFFIXES and t not in noise_words]
    if not core:
        core = ([t for t in toks if t not in noise_words and t not in LEGAL_SUFFIXES]
                or [t for t in toks if t not in noise_words] or toks)
    has_digit = _DIGIT.search(title) is not None
    numbers = frozenset(t for t in core if t in _ROMAN or (has_digit and _DIGIT.search(t) is not None))
    return NormTitle(tuple(core), " ".join(core), " ".join(sorted(core)), numbers, aside)
