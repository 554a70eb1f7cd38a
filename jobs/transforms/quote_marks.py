# ruff: noqa: RUF002, RUF003  # the quote marks are the point here
"""The quote marks and brackets of every script, one table for every reader of an
address (the name cell's ``name_cell_contacts.ADDRESS`` and the E-mail column's
``contacts``), and the stray punctuation a person's name never keeps beside a contact
cut from it (x51r1 F2, F3).

- ``QUOTE_MARKS``: every non-ASCII character of Unicode's categories Pi, Pf, Ps and Pe
  (initial / final quotes, opening / closing brackets: ``‹ › „ “ ‚ ‘ 「 」 《 》 【 】``)
  and of its Quotation_Mark property that is none of those (``＂ ＇``), with the
  ornament quotes ``❛ ❜ ❝ ❞`` (category So). Around an address each is punctuation,
  never part of it (x51r1 F2: ``Gisela Ekdahl ‹qq00@x.com›`` wrote ``‹qq00@x.com`` and
  named the person ``Gisela Ekdahl ›``). The ASCII ones (``" ' ( ) [ ] < > { } ` ``)
  are the readers' own: RFC 5322's atext holds ``' { } ` `` (``d'arcy@x.ie``).
- ``STRAY_MARKS``: ``QUOTE_MARKS`` and every other non-ASCII punctuation mark (category
  P: ``！ ？ ؟ ، । · • ¡ ‼ ⁉ ※ 〜 。``, every dash), math and other symbol (Sm, So:
  ``∙ ～ ☎ ✉``) and ``` ` ```: what is left of a
  name cell's punctuation once its address or phone is cut (``Rosa Dahlberg 「 」``,
  ``Leif Juhl ·``, ``Corin Abelsen ‐``: x51r1 F3).

- ``PAIRS``: every bracket and quote pair, ASCII and of every script, by its opening mark
  (``( [ { < " ' ` `` and ``« » ‹ › „ ‚ “ ‘ 「 『 《 〈 【 〔 （ ［ ＜`` ...: the closing marks
  each may take; ``„`` closes with ``“`` or ``”``, ``«`` with ``»`` and ``»`` with ``«``).
  One table for every reader of a person cell (x52r1 F1: the name was read one way beside
  ``<…>`` ``«»`` ``()`` and another beside ``「」`` ``《》`` ``„“`` ``（）``):
  ``emptied_pairs`` drops a pair its contact was cut from, ``unwrap_quotes`` cuts a pair
  around a whole display name.

Pure; built once at import from ``unicodedata`` (~10 ms; the BMP only: no quote mark or
bracket lies beyond it).
"""

from __future__ import annotations

import re
import unicodedata

_OTHER_QUOTES = "\uff02\uff07\u275b\u275c\u275d\u275e"  # ＂ ＇ ❛ ❜ ❝ ❞


_QUOTES = frozenset(("Pi", "Pf", "Ps", "Pe"))
_STRAY = _QUOTES | {"Pd", "Po", "Pc", "Sm", "So"}
# the non-ASCII BMP characters of those categories, in code point order (one pass)
_MARKS = [(c, unicodedata.category(c)) for c in map(chr, range(0x80, 0x10000))]
QUOTE_MARKS = "".join(c for c, cat in _MARKS if cat in _QUOTES) + _OTHER_QUOTES
STRAY_MARKS = "`" + "".join(c for c, cat in _MARKS if cat in _STRAY)
del _MARKS


def char_class(marks: str) -> str:
    """``marks`` written for a regular expression's ``[...]`` (each character escaped
    where it must be). Pure."""
    return "".join("\\" + c if c in "\\]^-[" else c for c in marks)


# every opening bracket of Unicode (category Ps) whose closing one (Pe) is the next code
# point (``「」`` ``《》`` ``（）`` ``【】`` ``〔〕`` ``〈〉`` ...), the fullwidth ``［］`` ``｛｝`` ``＜＞``,
# and the quote pairs of the languages' own usage (CLDR's quotation delimiters: en ``“”``
# ``‘’``, de ``„“`` ``‚‘``, pl / hu ``„”``, sv / fi ``””`` ``’’``, fr ``«»``, da ``»«``, ch
# ``‹›``, ja / zh ``「」`` ``『』``)
_ASCII_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", '"': '"', "'": "'", "`": "`"}
_QUOTE_PAIRS = {"\u201c": "\u201d", "\u201e": "\u201c\u201d", "\u201a": "\u2018\u2019",
                "\u2018": "\u2019", "\u2019": "\u2019", "\u201d": "\u201d",
                "\u201b": "\u2019", "\u201f": "\u201d", "\u00ab": "\u00bb", "\u00bb": "\u00ab\u00bb",
                "\u2039": "\u203a", "\u203a": "\u2039\u203a", "\u301d": "\u301e\u301f",
                "\uff3b": "\uff3d", "\uff5b": "\uff5d", "\uff1c": "\uff1e", "\uff02": "\uff02",
                "\uff07": "\uff07", "\u275b": "\u275c", "\u275d": "\u275e"}
PAIRS: dict[str, str] = {
    **{c: chr(ord(c) + 1) for c in map(chr, range(0x80, 0x10000))
       if unicodedata.category(c) == "Ps" and unicodedata.category(chr(ord(c) + 1)) == "Pe"},
    **_ASCII_PAIRS, **_QUOTE_PAIRS}


# what a pair holds once the contact in it is cut (``name_cell_contacts`` blanks a cut
# contact with NULs): the NULs, blanks and separators, never a mark (a pair inside is
# emptied first: ``<'ann@x.ie'>``, ``(「…」)``; x52r1 F2: ``"Ann Lee" "a@x"`` read ``" "``
# as a pair and left the contact's)
_EMPTY = char_class("\0 ,;|/-\u3001\uff0c\uff1b\u060c")
# one alternative a pair, each closed by its own marks only (a shared class would close
# ``„Ann“ „…”`` at the name's own ``“``)
_EMPTIED = re.compile("|".join(f"{re.escape(o)}[{_EMPTY}]*?\0[{_EMPTY}]*?[{char_class(c)}]"
                               for o, c in PAIRS.items()))


def emptied_pairs(text: str) -> str:
    """``text`` (a person cell, each contact cut from it blanked by NULs) with every pair
    of ``PAIRS`` that held only a cut contact, blanks and separators as one NUL (a cut
    contact's blank), nested ones too (``Ann O'Nail '\\0\\0'``, ``„Ani“ Nowak 「\\0」``, ``<'\\0'>``): a pair's
    marks go with its contact, whichever pair, and never take a mark of the name's own
    (x52r1 F4: ``Ann O'Nail 'q0@ap.ie'`` was named ``Ann O'Nail ' '``; F1: ``「」`` was
    left and read the name another way). A pair with no NUL in it is the name's own
    (``Ann Roe ()``). Pure."""
    while "\0" in text and (cut := _EMPTIED.sub("\0", text)) != text:
        text = cut
    return text


_WRAPPERS = frozenset(QUOTE_MARKS + "\"'()[]")


def unwrap_quotes(name: str, *, brackets: bool = True) -> str:
    """``name`` (a person's display name) without one pair of quote marks or brackets of
    any script around the whole of it (``"Ann Lee"``, ``《Didrik Dahl》``, ``«Ann Lee»``,
    ``(Ann Lee)``, ``[Ann Lee]``: ``Ann Lee``, ``Didrik Dahl``; x51r8: ``(Jostein Dahl)
    <a@x>`` named the person by the address), as a mail client writes a display name; ``name`` itself
    when its marks are its words' own (``Robert Smith 'Bob'``, ``„Ani“ Nowak``,
    ``'Abd al-Rahman``: x51r8 F1, F9, the closing quote or the leading ``'`` was cut before
    ``<addr>`` alone) or a mark of the pair stands inside too. ``brackets`` False: a
    ``(…)`` or ``[…]`` around the whole is kept (a name cell's bracket alone is a comment,
    ``contact_cells.name_cell_name``'s to read: ``(CEO)`` names no one). Pure."""
    if len(name) < 3 or name[0] not in _WRAPPERS or name[-1] not in PAIRS.get(name[0], "") \
            or (not brackets and name[0] in "([\uff08\uff3b"):
        return name  # (a pair of ``PAIRS``: ``„Ani“ Nowak 」`` is none, x52r1 F1)
    inner = name[1:-1]
    if name[0] in inner or name[-1] in inner or not inner.strip():
        return name
    return " ".join(inner.split())


__all__ = ["PAIRS", "QUOTE_MARKS", "STRAY_MARKS", "char_class", "emptied_pairs",
           "unwrap_quotes"]
