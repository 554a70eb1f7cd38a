"""The readings of a person's name cell that depend on its text alone, remembered per text
(issue 8): ``RowMapper._person`` reads each distinct name cell once, where it read every
row's — a dirty export repeats its persons' names (``Jane Roe``, ``JANE ROE``, `` Jane Roe
``) on row after row, and the reading was a fifth of the mapping.

Each function here is a pure function of its arguments (text, flags), so a remembered
reading is the reading: it never sees the row, its number, its other cells or the account.
A reading that refuses the cell returns the reason (the caller raises it naming its own row
and the name column); a transform's own InputError is not remembered (``lru_cache`` keeps
no exception): it is raised again, from the same point of the reading, each row. What the
reading does beside its value — a placeholder counted, an address compared with the row's
e-mail cell — stays the caller's, per row, in the same order as before.

Never: read or keep anything but the texts given (a memo of the row would tell one row's
number or cells as another's)."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from .. import transforms as tf

# distinct texts each reading remembers (an LRU: bounded memory; a text is at most
# rowmapper.MAX_PERSON_CELL characters, ~510: a few MB at most for the four readings)
_MEMO = 2048

# a web address in a name (x48r15 F2: "Nils Berg | https://x.de/team")
WEB_IN_NAME = re.compile(r"https?://|www\.", re.IGNORECASE)
# an e-mail address or a number of six digits or more (a phone) left in a person's name
CONTACT_IN_NAME = re.compile(rf"[@\uff20]|\d(?:{tf.PHONE_GAP}*\d){{5}}")


class Opening(NamedTuple):
    """The first look at a whole name cell: a placeholder (``n/a``: a blank cell, counted)
    or the reason it fails its row (``nan``, too long), else neither."""

    placeholder: bool
    error: str | None


def opening(name: str, longest: int) -> Opening:
    """``Opening`` of the name cell ``name``; a cell of more than ``longest`` characters
    fails (x49r7 F4: no name with its contacts is that long, and the readers' cost grows
    faster than its length), and is not remembered (the memo's texts stay short)."""
    if len(name) > longest:  # (the checks in their order, unremembered)
        if tf.placeholder_cell(name):
            return Opening(True, None)
        if (why := tf.name_or_blank(name)) is not None:
            return Opening(False, f"the person cell {why}")
        return Opening(False, f"the person cell holds {len(name):,} characters, more than "
                              f"a person's name with its contacts ({longest}): is it the "
                              "right column?")
    return _opening(name)


@functools.lru_cache(maxsize=_MEMO)
def _opening(name: str) -> Opening:
    if tf.placeholder_cell(name):  # ("n/a", "NULL", "-": a blank cell, x50r1 F10)
        return Opening(True, None)
    if (why := tf.name_or_blank(name)) is not None:  # ("nan": x50r7 F3)
        return Opening(False, f"the person cell {why}")
    return Opening(False, None)


class CutCell(NamedTuple):
    """A name cell (not the e-mail column's too) with the contacts written in it cut out:
    ``error`` the reason it fails its row, else the name left and the addresses, phones and
    web addresses cut (``cut``: any was)."""

    error: str | None
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    webs: tuple[str, ...]
    cut: bool


def two_contacts(cell: str) -> str | None:
    """The reason a name cell writing two different addresses or two different phones,
    wherever (``tf.cell_contacts``), fails its row, else None: one was kept, the other
    dropped unsaid (x48r15 F1; x49r4 F1, F2: a second ``<address>``, a second phone after
    one), as two persons would be."""
    emails, phones = tf.cell_contacts(cell)
    if len(emails) < 2 and len(phones) < 2:
        return None
    what, found = ("addresses", emails) if len(emails) > 1 else ("phone numbers", phones)
    return (f"the person cell {cell!r} writes {len(found)} {what} ("
            + ", ".join(map(repr, found)) + f"): the name cell holds a second "
            f"{'address' if len(emails) > 1 else 'phone number'}; keep the person's one "
            "(more in the e-mail / phone column)")


@functools.lru_cache(maxsize=_MEMO)
def cut_cell(name: str) -> CutCell:
    """``CutCell`` of the name cell ``name`` ("Jane Roe, jane@x", "Jane Roe / +49 30
    1234567": the person's own address or phone, as "Jane Roe <jane@x>"'s; x48r11 F1)."""
    name = tf.fold_digits(name)  # (fullwidth digits and dashes: x49r10 F4)
    if "\uff20" in name:  # (x50r1 F6: "jane\uff20fitch.com", the name kept "jane\uff20")
        return CutCell(f"the person cell {name!r} writes a full-width at-sign (\uff20): not "
                       "an e-mail address, as in the e-mail column; write it as @",
                       name, (), (), (), False)
    if (why := two_contacts(name)) is not None:
        return CutCell(why, name, (), (), (), False)
    if (pair := tf.name_after_contact(name)) is not None:
        # "李伟 li@x.cn・王芳", "李伟 li@x.cn 王芳": a name after the contact is a second
        # person's (x49r10 F2: the address swallowed it, or the name did)
        return CutCell(f"the person cell may name 2 persons ({pair[0]!r}, {pair[1]!r}, "
                       "after an address or phone): a deal has one person: keep the one it "
                       "belongs to, with only its e-mail and phone", name, (), (), (), False)
    name, own_emails, own_phones = tf.name_contacts(name)
    # ... and those after a space, in brackets, web addresses anywhere (x49r4 F4, F6:
    # "Ola Fenwick ola@x" was the person's name, "(www.x)" dropped unsaid)
    name, glued_emails, glued_phones, webs = tf.cut_contacts(name)
    emails, phones = own_emails + glued_emails, own_phones + glued_phones
    return CutCell(None, name, emails, phones, webs, bool(emails or phones or webs))


class Bracketed(NamedTuple):
    """A cut name cell's name: ``bracket`` the display name beside an address in it ("Ann
    Lee <ann@x>": the address is compared with the row's), else the name before its
    bracket or quotes (``name``) and the spelling kept for the note (``spelling``)."""

    bracket: str | None
    name: object
    spelling: str | None


@functools.lru_cache(maxsize=_MEMO)
def bracketed(name: str, cut: bool) -> Bracketed:
    """``Bracketed`` of ``name`` (``CutCell.name``; ``cut``: a contact was cut from it).
    "Tor Berg (CEO)", "Ines Koch [n/a]": the name before the bracket (x44r9 F3);
    "山田太郎 (Taro Yamada)", "Jane Roe (née Smith)": the bracket's text kept for the note
    (x48r11, x49r10 F8); "《Didrik Dahl》 <a@x>", '"Ann Lee"': the name in the quotes
    (x51r8 F1, x52r1 F2)."""
    if "@" in name and (bracket := tf.display_name(name)) is not None:
        return Bracketed(bracket, bracket, None)
    name = tf.unwrap_quotes(name, brackets=cut)
    spelling = tf.latin_spelling(name) or tf.name_cell_bracket(name)
    return Bracketed(None, tf.name_cell_name(name), spelling)


class Titled(NamedTuple):
    """A person's name with its title, address form or web address taken for the note:
    ``error`` the reason the name fails its row, else the name, the note's text (``title``)
    and whether the name left is a placeholder (``N/A, CEO``: a blank name cell)."""

    error: str | None
    name: str
    title: str | None
    placeholder: bool


@functools.lru_cache(maxsize=_MEMO)
def titled(name: str, shared: bool, cut: bool, webs: tuple[str, ...],
           spelling: str | None) -> Titled:
    """``Titled`` of a person's ``name`` (``shared``: the name column is the e-mail
    column too; ``cut``, ``webs``: what ``cut_cell`` cut from it; ``spelling``:
    ``bracketed``'s)."""
    # "Jane Roe, VP Sales": the name before the title, which no field takes (f47f: the
    # person was named with it, and "Jane Roe" of another row was another) ("Attn: Bob
    # Roe", "강민호 팀장님": x51r8 F10, the person named so)
    name, addressed = tf.addressed_name(name) if not shared else (name, None)
    name, title = tf.name_and_title(name)
    title = title or addressed
    if title is not None and not shared:  # ("Tor Berg (CEO), VP Sales": "Tor Berg")
        name = str(tf.name_cell_name(name) or name)
    # a web address cut from the name goes to the note, as one after a comma
    title = ", ".join(t for t in (title, *webs) if t) or None
    if title is None and spelling is not None:
        title = spelling  # (the note's: "'Taro Yamada' not sent")
    # a joiner left at either end ("Nils Berg -": x48r15 F5; "Omar Roe &", "and Lena Roe",
    # "&amp;": x49r4 F5) is no part of the name, nor the punctuation left around a contact
    # cut from it ("Rosa Roe 「 」", "Leif Juhl ·": x51r1 F3)
    name = tf.strip_joiners(tf.strip_marks(name) if cut else name)
    if not shared and ((found := CONTACT_IN_NAME.search(name)) or tf.holds_date(name)):
        # (the last check: x49r4; a date of a 2-digit year, five digits: x50r7 F6; one in
        # brackets is the note's)
        return Titled(
            f"the person's name {name!r} holds "
            + ("an e-mail address" if "@" in name or "\uff20" in name else
               "a date (a date is never a phone, whatever leads it)"
               if found is None or tf.date_like(name[found.start():]) else
               "a number of six digits or more (a phone is read from a name cell only led "
               "by +, 0 or a label such as Tel.)")
            + ": write a contact in the e-mail / phone column, or leave it out",
            name, title, False)
    if not shared:
        # ("N/A, CEO", "nan <nan@x.io>", "Nan (CEO)": x51r1 F8, persons 'N/A', 'nan')
        if (why := tf.name_or_blank(name)) is not None:
            return Titled(f"the person's name {why}", name, title, False)
        if tf.placeholder_cell(name):
            return Titled(None, name, title, True)
    if WEB_IN_NAME.search(name):  # x48r15 F2: "Nils Berg | https://x.de/team"
        return Titled(f"the person's name {name!r} holds a web address: write it in a "
                      "column of its own", name, title, False)
    return Titled(None, name, title, False)


def forget() -> None:
    """Empty every reading's memo (a test's fresh start; what is remembered is pure)."""
    for reading in (_opening, cut_cell, bracketed, titled):
        reading.cache_clear()


__all__ = ["CONTACT_IN_NAME", "WEB_IN_NAME", "bracketed", "cut_cell", "forget", "opening",
           "titled", "two_contacts"]
