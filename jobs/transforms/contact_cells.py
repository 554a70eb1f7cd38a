"""A contact cell read as a person's name and address: ``Name (address)`` / ``Name
<address>`` (HubSpot's "Associated Contact", a mail client's "To"), its bracket holding no
``@``.

A cell with an ``@`` is ``contacts.email_addresses`` / ``contacts.display_name``'s (an
address the validator refuses fails its row there). One with none is read here, so that a
bracket never ends in a person's name: the name alone when the bracket is a placeholder for
"no address" (``()``, ``(n/a)``, ``<>``, ``[n/a]``, ``(none)``, ``(-)``), else an InputError naming the
cell with email-validator's reason (x44r1 F2: ``Ines Koch (n/a)``, ``Ines Koch (ines.koch at
example.de)``, ``Ines Koch <ines.koch.example.de>`` made persons named with the whole cell,
no e-mail, and linked their deals to them instead of Ines Koch; x44r9 F3: ``[n/a]`` too).
A name column of its own (``name_cell_name``) drops such a bracket, whatever it holds: its
e-mail is another column's. Pure; no I/O.
"""

from __future__ import annotations

import re

from bulk.errors import InputError

from .contacts import normalize_email
from .text import clean_text

# one name, then one (bracket) or <bracket> at the end of the cell, with no "@" in it
_BRACKETED = re.compile(r"(?P<name>[^()<>\[\]]*?)\s*(?:\((?P<paren>[^()<>\[\]@]*)\)"
                        r"|<(?P<angle>[^()<>\[\]@]*)>|\[(?P<square>[^()<>\[\]@]*)\])")
# what an export writes in the bracket of a contact with no address: nothing, or a
# placeholder for "none" (casefolded, dots, slashes, dashes and spaces dropped)
_PLACEHOLDERS = frozenset({"", "na", "none", "null", "nil", "noemail", "noaddress",
                           "unknown", "keine", "nv", "ka", "empty", "nichtangegeben"})
# ... and the CJK brackets (``「」`` ``『』`` ``《》`` ``〈〉`` ``\u3014\u3015`` ``【】``) read as
# ``[]``: their text goes to the note as ``()`` ``[]``'s does (x52r11 F6: ``Anna Bøe 「CEO」
# <ab@y.io>`` was named ``Anna Bøe 「CEO」``)
_CJK_OPEN, _CJK_CLOSE = "\u300c\u300e\u300a\u3008\u3014\u3010", "\u300d\u300f\u300b\u3009\u3015\u3011"
_FULLWIDTH_BRACKETS = str.maketrans("\uff08\uff09\uff3b\uff3d" + _CJK_OPEN + _CJK_CLOSE,
                                    "()[]" + "[" * len(_CJK_OPEN) + "]" * len(_CJK_CLOSE))
_CLOSERS = (")", ">", "]", "\uff09", "\uff3d", *_CJK_CLOSE)
_DROPPED = re.compile(r"[\s./\-_\u2013\u2014?]+")


def contact_name(value: object) -> str | None:
    """The person's name a contact cell with no ``@`` gives: the cell itself when it holds
    no bracket (``Carl Dee``), the name before a placeholder bracket (``Ines Koch (n/a)``,
    ``Ines Koch ()``, ``Ines Koch <>``: ``Ines Koch``; None when nothing is before it).
    InputError when the bracket holds anything else: it is no e-mail address
    (``Ines Koch (not-an-email)``, ``(ines.koch at example.de)``), and the row's person is
    not to be guessed from it. ``value``: the cell as read (``str``); other values are
    returned as they are (a JSON cell's list or number is the caller's)."""
    if not isinstance(value, str):
        return value if value is None else str(value)
    text = clean_text(value)
    if text is None:
        return None
    found = _BRACKETED.fullmatch(text)
    if found is None:
        return text
    inner = next(found[k] for k in ("paren", "angle", "square") if found[k] is not None)
    name = found["name"].strip() or None
    if _DROPPED.sub("", inner).casefold() in _PLACEHOLDERS:
        return name
    try:  # (never valid without an "@": email-validator's own words say why)
        normalize_email(inner.strip())
        why = "no '@'"
    except InputError as exc:
        why = str(exc).rpartition("(")[2].rstrip(")") or str(exc)
    raise InputError(f"the contact cell {text!r} holds no valid e-mail address in its "
                     f"brackets ({inner.strip()!r}: {why}): write the person's address "
                     "there, or leave the brackets empty for a person without one")


def name_cell_name(value: object) -> object:
    """The person's name a name column of its own gives (the mapping reads the e-mail
    from another column, or none: Zoho's and Salesforce's ``Contact Name``): the name
    before a bracket at the end of the cell that holds no ``@`` — a placeholder for "no
    address" (``Tor Berg (n/a)``, ``()``, ``<>``, ``[n/a]``, ``(keine)``) or any other text
    (``Tor Berg (CEO)``, ``Jane Roe (CEO/CTO)``: a comment beside the name, as an e-mail
    cell's bracket is) — so a bracket never stays in a person's name and ``Tor Berg (CEO)``
    is the account's ``Tor Berg`` (x44r9 F3: seven spellings at one company made seven
    persons named as their cells). None when nothing is before the bracket; a cell with no
    such bracket, or not text, as it is. A fullwidth bracket (``李伟\uff08 \uff09``, ``王芳\uff3b \uff3d``) is
    one (x49r10 F7). Never raises."""
    if not isinstance(value, str) or not value.rstrip().endswith(_CLOSERS):
        return value
    found = _BRACKETED.fullmatch(value.strip().translate(_FULLWIDTH_BRACKETS))
    if found is None:
        return value
    return " ".join(found["name"].split()) or None


def name_cell_bracket(value: object) -> str | None:
    """The text of the bracket ``name_cell_name`` cuts from ``value`` (``Jane Roe (née
    Smith)`` -> ``"née Smith"``, ``Anna Berg (Berlin)`` -> ``"Berlin"``, ``Jane Roe (CEO)``
    -> ``"CEO"``), spaces folded, for the note to keep (x49r10 F8: dropped unsaid); None
    when no bracket is cut, or it is empty or a placeholder for "no address" (``(n/a)``).
    Never raises."""
    if not isinstance(value, str) or name_cell_name(value) == value:
        return None
    found = _BRACKETED.fullmatch(value.strip().translate(_FULLWIDTH_BRACKETS))
    if found is None:
        return None
    inner = " ".join(next(found[k] for k in ("paren", "angle", "square")
                          if found[k] is not None).split())
    return None if _DROPPED.sub("", inner).casefold() in _PLACEHOLDERS else inner


# what a whole person or organization cell writes for "none" (an export's null, a
# spreadsheet's error value, a dash): ``_PLACEHOLDERS`` less the words that may be a
# name (``ka``, ``nv``: a two-letter name), and more (x50r1 F10: ``None``, ``n/a``,
# ``NULL``, ``unknown``, ``nan``, ``-`` made persons, and later rows linked to them; x51r1
# F8: ``Sin nombre``, ``Без имени``, ``غير معروف``, ``不明``, ``なし``, ``未知``, ``미상``)
_CELL_PLACEHOLDERS = (_PLACEHOLDERS - {"ka", "nv", "empty", "keine", "noemail", "noaddress"}) \
    | {"nan", "#na", "#nv", "nn", "tbd", "unbekannt", "inconnu", "desconocido", "sconosciuto",
       "onbekend", "nichtangegeben", "keineangabe", "sinnombre", "semnome", "ohnename",
       "\u0431\u0435\u0437\u0438\u043c\u0435\u043d\u0438", "\u063a\u064a\u0631\u0645\u0639\u0631\u0648\u0641",
       "\u4e0d\u660e", "\u306a\u3057", "\u672a\u77e5", "\ubbf8\uc0c1", "\u65e0", "\u7121"}
# ... and those written with their dots only (``k.A.``: ``Ka`` is a name; x51r1 F8)
_DOTTED_PLACEHOLDERS = frozenset({"k.a.", "k. a.", "n.v.", "n. v."})


# letters alone that a spreadsheet tool writes for an empty cell (pandas' ``nan``, R's
# ``NA``) and a person may be named (``Nan``, ``Na``: Chinese, Thai, Korean names): never
# dropped as a placeholder (x50r7 F3: ``Nan`` made no person, ``Nan`` + e-mail a person
# named by the address, an organization ``Nan`` none)
_NAME_OR_BLANK = frozenset({"nan", "na"})


def placeholder_cell(value: object) -> bool:
    """Whether ``value`` (a whole person or organization name cell) is a placeholder for
    "none" that no real name can be (``None``, ``n/a``, ``N/A``, ``NULL``, ``unknown``,
    ``#N/A``, ``N.N.``, ``n.a.``, ``-``, ``--``): no person, no organization, as a blank
    cell (the row mapper says how many once in the plan). Case, spaces, dots, slashes and
    dashes aside; but letters alone that may be a name (``nan``, ``Na``) are none: see
    ``name_or_blank``. Pure."""
    if not isinstance(value, str) or len(value) > 20:
        return False
    folded = value.strip().casefold()
    if folded in _NAME_OR_BLANK:
        return False
    return folded in _DOTTED_PLACEHOLDERS or _DROPPED.sub("", value).casefold() in _CELL_PLACEHOLDERS


def name_or_blank(value: object) -> str | None:
    """The reason a whole person or organization cell fails its row when it may be a
    spreadsheet tool's empty cell as well as a name: ``nan`` in any case (pandas wrote
    it; ``Nan`` is also a given name), ``na`` / ``NA`` (R's empty cell; ``Na`` in title
    case is a name, so made); None for any other cell. Never dropped, never silently made
    (x50r7 F3). Pure."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    folded = text.casefold()
    if folded not in _NAME_OR_BLANK or (folded == "na" and text == "Na"):
        return None
    return (f"{text!r} may be an empty cell a spreadsheet tool wrote, or a name: write the "
            "name in full or leave the cell blank")


__all__ = ["contact_name", "name_cell_bracket", "name_cell_name", "name_or_blank",
           "placeholder_cell"]
