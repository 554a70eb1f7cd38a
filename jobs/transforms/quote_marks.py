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

Pure; built once at import from ``unicodedata`` (~10 ms; the BMP only: no quote mark or
bracket lies beyond it).
"""

from __future__ import annotations

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


_WRAPPERS = frozenset(QUOTE_MARKS + "\"'()[]")


def unwrap_quotes(name: str) -> str:
    """``name`` (a person's display name) without one pair of quote marks or brackets of
    any script around the whole of it (``"Ann Lee"``, ``《Didrik Dahl》``, ``«Ann Lee»``,
    ``(Ann Lee)``, ``[Ann Lee]``: ``Ann Lee``, ``Didrik Dahl``; x51r8: ``(Jostein Dahl)
    <a@x>`` named the person by the address), as a mail client writes a display name; ``name`` itself
    when its marks are its words' own (``Robert Smith 'Bob'``, ``„Ani“ Nowak``,
    ``'Abd al-Rahman``: x51r8 F1, F9, the closing quote or the leading ``'`` was cut before
    ``<addr>`` alone) or a mark of the pair stands inside too. Pure."""
    if len(name) < 3 or name[0] not in _WRAPPERS or name[-1] not in _WRAPPERS:
        return name
    inner = name[1:-1]
    if name[0] in inner or name[-1] in inner or not inner.strip():
        return name
    return " ".join(inner.split())


__all__ = ["QUOTE_MARKS", "STRAY_MARKS", "char_class", "unwrap_quotes"]
