"""The entries of an e-mail cell's list (``ann@x.com, "Roe, Bob" <bob@x.com>; Cat (cat@x)``),
in the order written: each entry's address text and the name it writes beside it.

A pure splitter for ``contacts``: it never validates or lower-cases an address. The list
is split first and each entry unwrapped after (x20r1 S1: the first ``<...>`` of the whole
cell was taken as its first address, so ``ann@x.com, Bob Roe <bob@x.com>`` was Bob's).
``email.utils.getaddresses`` is not used: it splits at ``,`` only (exports write ``;``
and line breaks too), cuts an unquoted ``Doe, John <jd@x.org>`` in two, reads HubSpot's
``Anna Müller (anna@x)`` as the address ``Anna`` and, on the Pythons that carry the
CVE-2023-27043 fix, answers ``('', '')`` for a whole cell it finds malformed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .quote_marks import PAIRS, char_class

# a quoted name (ASCII or typographic quotes: a display name may hold a comma; a
# typographic one opens only after a space, a separator or the cell's start: x51r1 F2,
# ``»ann@x.com«, bob@x.com`` read ``«, bob@x.com`` as a quote), an
# <address>, a (bracket), a separator, a space, or a run of other characters
_TOKEN = re.compile(r"""
    (?P<quoted>"(?:[^"\\]|\\.)*"?|(?<![^\s;,<(])(?:\u201c[^\u201d]*\u201d?
              |\u201e[^\u201c\u201d]*[\u201c\u201d]?|\u00ab[^\u00bb]*\u00bb?|\u2018[^\u2019]*\u2019?))
  | (?P<angle><[^<>]*>?)
  | (?P<paren>\([^()]*\)?)
  | (?P<sep>[;,])
  | (?P<space>\s+)
  | (?P<word>[^\s;,"<>()\u201c\u201e\u00ab\u2018]+|.)
""", re.VERBOSE)
# a cell needing no tokens: one bare address (most cells)
_PLAIN = re.compile(r"[^\s;,\"<>()\u201c\u201e\u00ab\u2018]+")
# a cell needing no tokens either: one name of plain words (no quote, bracket, separator
# or "@") before one <address> with no space in it, ``Ann Lee <ann@x.com>`` (a third of an
# export's cells: issue 8). ``entries`` reads it as these two groups (the name's words
# joined by one space, as here; the address as written between the brackets)
_WORD = r"[^\s;,\"<>()\u201c\u201e\u00ab\u2018@]+"
_NAMED = re.compile(rf"({_WORD}(?: {_WORD})*) ?<([^<>\s]+)>")


class Entry(NamedTuple):
    """One entry of the list: ``address`` as written (the text of its ``<...>``, of its
    ``(...)`` holding the ``@``, else its words: an entry of stray words is an invalid
    address), and ``name``, the text beside a ``<...>`` / ``(address)`` (comments out,
    quotes kept), else None."""

    address: str
    name: str | None


class _Building:
    """The entry being read."""

    __slots__ = ("address", "comment", "named", "words")

    def __init__(self) -> None:
        self.words: list[str] = []  # name words and quoted parts, or the bare address
        self.named: str | None = None  # the address of a <...> or (address)
        self.address = False  # an address is written (named or bare)
        self.comment: str | None = None  # a (comment) after a bare address


# words that label an address rather than name its person: ``ann@x.com (work)``,
# ``(private)``, ``(work email)``
_LABELS = frozenset({"work", "home", "private", "personal", "office", "business", "main",
                     "primary", "secondary", "other", "mobile", "billing", "sales", "support",
                     "info", "old", "new", "alt", "alternate", "preferred", "email", "e-mail",
                     "mail", "invoices", "invoice", "accounts", "shared", "team"})


def _name_like(comment: str) -> bool:
    """Whether a ``(comment)`` after a bare address is its person's name, as RFC 822's old
    form writes it (``kim@board1.io (Kim Roe)``, x13r5 F1): two words or more, each
    beginning with a letter, none a label (``(work)``, ``(private)``, ``(work email)``:
    x20r1 L2 made persons named ``work``)."""
    words = comment.split()
    return len(words) >= 2 and all(w[0].isalpha() for w in words) \
        and not any(w.casefold().strip(".") in _LABELS for w in words)


# an address alone in a pair of ``quote_marks.PAIRS`` other than ``<>`` / ``()`` (the
# tokens' own) and ``"`` (a display name's quotes), opened after a space, a separator or the
# cell's start, closed before one or the end: ``Eva Kolumm 「en0@ec.io」``, ``\uff1ceb11@ec.io\uff1e``,
# ``'eb8@ec.io'``, ``[a@x]``, ``«a@x»`` (x52r1 F8: refused with email-validator's "invalid
# characters before the @-sign: SPACE"; the name cell reads every pair so: one table)
_OTHER_PAIRS = {o: c for o, c in PAIRS.items() if o not in '<("'}
# ... spaces inside the pair too (``« ec@e.se »``, ``“ ec@e.se ”``: x52r11 F5, "it holds a
# space"; the name cell read them)
_PAIRED_ADDRESS = re.compile(rf"(?<![^\s;,])(?P<open>[{char_class(''.join(_OTHER_PAIRS))}])\s*"
                             rf"(?P<address>[^\s;,<>()\"@]+@[^\s;,<>()\"@]+?)\s*"
                             rf"(?P<close>[{char_class(''.join(set(''.join(_OTHER_PAIRS.values()))))}])"
                             r"(?=[\s;,]|$)")
# a CJK full stop or comma (ideographic, halfwidth) ending a cell or a word, as after a
# sentence (``ec@e.se。``, ``「ec@e.se」。``, ``ec@e.se、``: x52r11 F5, refused with the
# validator's "cannot end with a period"; the name cell read them): punctuation
_CJK_STOP = re.compile(r"(?<=[^\s;,])[\u3001\u3002\uff61\uff64]+(?=[\s;,]|$)")


def _angled(m: re.Match[str]) -> str:
    return f"<{m['address']}>" if m["close"] in _OTHER_PAIRS[m["open"]] else m[0]


def angled(text: str) -> str:
    """``text`` (an e-mail cell) with each address alone in a bracket or quote pair of any
    script written in ``<…>`` (``Eva Kolumm 「en0@ec.io」`` -> ``Eva Kolumm <en0@ec.io>``,
    ``'eb8@ec.io'`` -> ``<eb8@ec.io>``): the E-mail column reads the pairs the name cell
    reads (x52r1 F8), spaces inside the pair and a CJK full stop or comma after it dropped
    (x52r11 F5). ``text`` itself when it holds no such pair (a ``'`` inside a local
    part is its own: ``d'arcy@x.ie``). Pure."""
    if text.isascii() and "'" not in text and "[" not in text and "{" not in text \
            and "`" not in text:
        return text
    if "@" in text and not text.isascii():
        text = _CJK_STOP.sub("", text)
    return _PAIRED_ADDRESS.sub(_angled, text)


def entries(text: str) -> list[Entry]:
    """The entries of ``text`` (a cleaned, one-line cell), empty ones skipped. A new entry
    begins at ``;``/``,`` outside quotes and brackets, and at a word, quote, ``<...>`` or
    ``(address)`` after an entry's address (a line break is read as a space:
    ``ann@x.com Bob <bob@x>``); a ``(comment)`` stays with its entry, as neither name
    nor address. Words before a ``;``/``,`` with no address begin the next entry's name
    when it writes one (``Doe, John <jd@x.org>``), else are an entry of their own."""
    text = angled(text)  # ("Eva Kolumm 「en0@ec.io」": x52r1 F8)
    if _PLAIN.fullmatch(text):
        return [Entry(text, None)]
    if (named := _NAMED.fullmatch(text)) is not None:
        return [Entry(named[2], named[1])]
    return _tokenized(text)


def _tokenized(text: str) -> list[Entry]:
    """``entries`` of any cell, token by token (its fast paths' readings are this one's):
    the address alone in a quote or bracket pair read as ``<address>`` first (``angled``,
    as ``entries`` does; a no-op on its output), so that the full reading is the fast
    paths' (f57a: ``\u20189@9\u2019`` was ``9@9`` to ``entries``, the README's reading,
    x52r1 F8, and ``\u20189@9\u2019`` to the token loop)."""
    text = angled(text)
    out: list[Entry] = []
    pending: list[str] = []  # words closed by a separator before any address
    current = _Building()

    def close() -> None:
        nonlocal current
        done, current = current, _Building()
        if done.named is not None:
            name = ", ".join([*pending, " ".join(done.words)]).strip(", ")
            pending.clear()
            out.append(Entry(done.named, name or None))
            return
        if pending:
            out.append(Entry(", ".join(pending), None))
            pending.clear()
        if done.words:
            comment = done.comment if done.address and len(done.words) == 1 else None
            out.append(Entry(" ".join(done.words),
                             comment if comment is not None and _name_like(comment) else None))

    for token in _TOKEN.finditer(text):
        kind, value = token.lastgroup, token[0]
        if kind == "space":
            continue
        if kind == "sep":
            if not current.address and current.words:  # "Doe, John <jd@x.org>"
                pending.append(" ".join(current.words))
                current = _Building()
            else:
                close()
            continue
        if kind == "paren":
            inner = value[1:].removesuffix(")").strip()
            if "@" in inner:  # "Anna Müller (anna@x)"; after an address, another entry
                if current.address:
                    close()
                current.named, current.address = inner, True
            elif current.address and current.named is None and current.comment is None:
                current.comment = inner  # maybe the old form's name: ``close`` decides
            continue  # a comment: neither name nor address
        if current.address:  # the entry is complete: this begins the next
            close()
        if kind == "angle":
            current.named, current.address = value[1:].removesuffix(">").strip(), True
        else:
            current.words.append(value)
            current.address = kind == "word" and "@" in value
    close()
    if pending:
        out.append(Entry(", ".join(pending), None))
    return out
