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
  ``και`` / ``și`` / ``ed`` / ``và`` / ``و`` / Hebrew U+05D5 / ``및`` / ``와`` / ``과`` /
  ``และ`` / ``और`` / ``اور`` / ``和`` / ``与`` / ``及`` / ``と`` / ``dan`` / ``un`` /
  ``ir`` / ``dhe`` ("and" of English, German, French, Norwegian and Danish, Swedish,
  Dutch, Russian and Bulgarian and Serbian, Ukrainian, Polish, Finnish and Estonian,
  Hungarian, Turkish, Greek, Romanian, Italian, Vietnamese, Arabic and Persian, Hebrew,
  Korean, Thai, Hindi, Urdu, Chinese, Japanese, Indonesian and Malay, Latvian,
  Lithuanian, Albanian: x47r1 F3; ``en`` ``ja`` ``ve`` ``ed`` ``dan`` ``un`` ``ir``
  ``dhe`` lower-case only: ``Ed``, ``Dan`` are given names, ``En`` a Chinese one's part,
  ``Tan En Qi``: x47r5 F8) as a whole word between two names,
  spaced (the attached forms — ``وفاطمة``, ``ושרה``, ``王芳和李伟``, ``山田太郎と佐藤花子``
  — are not read: a known limit); a comma right after a bracket (``Ines Koch
  (ines@koch.de), Bob Roe (bob@roe.de)``: x44r9 F7);
- an unspaced ``/``, ``+`` or ``&`` only between names of two words or more, or of two
  letters or more all Han, Hangul or kana (``Jane Roe/John Poe``, ``山田太郎/佐藤花子``:
  x46r9 F1; ``n/a``, ``AT&T``, ``R&D`` (one letter each side of ``&``: a title's
  abbreviation) and the double surname ``Roe/Smith`` are not lists, a title after a
  comma no word of a name: ``Anna Roe/Smith, CEO`` is one, x47r9 F6), and between
  two given names after a surname written first (``Smith, John/Mary``, ``Smith,
  J.&M.``: two, x48r1 F2); a
  nakaguro ``・`` only between two names of three Han letters or more (``山田太郎・佐藤花子``;
  ``ジョン・スミス`` and ``山田・太郎`` are one); ``c/o`` is never a separator, and what
  follows it up to the next comma or separator is not a name (``Jane Roe, c/o Acme
  Corp``: one, x46r5 F3); full-width forms (U+FF01-FF5E but the comma) are read as NFKC
  folds them, the names cut from the cell as written;
- a dash (a spaced hyphen, an en or em dash) or a bracket between two full names,
  neither a title nor a company (``Jane Roe - Bob Roe``, ``Jane Roe (CEO) Bob Roe``:
  two, x48r1 F3; ``Jane Roe - CEO``, ``Mary Roe - Smith``, ``Roe-Smith`` are one);
- a comma between two full names — two words or more each, titles (``Dr.``) not counted,
  or a name of two letters or more all Han, Hangul or kana, scripts written without
  spaces (``李伟, 王芳``, ``김민준, 박지훈``: two, x46r5 F1) —
  unless the part before it is a surname (one word, or led by a particle, or one word
  each side of ``y`` / ``e`` / ``i``, no given name after it: ``Roe, Jane``, ``Berg,
  Anna Maria``, ``van der Berg, Anna Maria``, ``Ortega y Gasset, José``: x48r1 F6;
  one name written last-first, which
  takes the part after it as its given names) and unless the part after it is a suffix
  (``Anna Berg, Jr.``, ``, PhD``, ``, MBA``, ``, III``), a job title — every word one of
  a small vocabulary in English, German, French, Spanish, Portuguese, Italian and Dutch
  (and a few Turkish, Czech, Indonesian, Vietnamese words: x47r5 F7) and their joiners,
  a slash too (``Design Director/Lead``), a German compound ending in ``-leiter`` /
  ``-leiterin`` after a known job's first part one word of them (``Verkaufsleiter``;
  ``Schleiter`` is a surname, after a slash too: x47r7 F3, F5) (``Jane Roe, VP Sales``, ``, Head
  of Marketing``, ``Hans Müller, Geschäftsführer``, ``, gerente de ventas``: the name's
  own, x46r5 F3) or holding a
  title's head word, its other words the vocabulary's, a region's or market's too
  (``Ana López, Director Comercial LATAM``, ``Jan
  Kowalski, Prezes Zarządu``, ``Иван Петров, генеральный директор``; Han, Hangul or kana
  a title of the vocabulary whole, a head word alone or after a department's word:
  ``営業部長``, x46r9 F2, not ``佐藤部長`` nor ``박지훈 부장``, names, x48r1 F1;
  ``Head of`` one, ``Head of Sales North America``,
  after a slash too, ``Jane Roe / Director Europe``: x47r9 F5) when led by a title's or
  a region's word (``North Sales Manager``) or written in lower case in
  a script other than Latin (``Hans Leiter``, ``hans leiter`` are names: x46r12 F1, x46r13
  F4) and holding no other word but a title's joiner in lower case and a title's word
  of a script other than Latin (any other may be a name: ``Jane Roe, CEO Bob Roe``,
  ``Иван Петров, директор анна``, ``Ahmed Ali, مدير محمد``: x47r9 F2,
  ``, CEO Bob van Dijk``, ``, CEO bob roe``, ``, CEO Bob`` are refused as two, x47r5
  F2, x47r7 F2) — or a single word
  ending the cell (``Ann Lee, CEO``; a courtesy title before a name is a word of it:
  ``Anna Berg, Don Lee``, ``Don Lee, Anna Berg`` are two, x47r5 F3); a part that is a job title
  alone is no person (a place's or field's word alone, ``Key``, ``Store``, is no
  title, after a title's ``&`` / ``and`` too: a surname, ``Jane Roe, CEO & Plant`` is
  two, x47r9 F4) (``Jane Roe, Founder & CEO``, ``Jane Roe, Store Manager``, ``Anna
  Berg, Co CEO``, ``田中太郎、営業部長``), after a comma or a slash (``Jane Roe / CEO``;
  every later part at a comma or a slash that is no title, suffix nor company a
  person's, a single given name too: ``Jane Roe/CEO/Bob``, ``Jane Roe, CEO, Bob`` are
  two, x47r9 F3; an e-mail or web address, a phone number, ``n/a`` there is none, cut
  with the title into the note: ``Jane Roe, CEO, jane@roe.com``, ``Jane Roe /
  jane@roe.com`` are one, x48r1 F5; a place's name is refused, ``Jane Roe, CEO,
  Berlin``), nor
  one ending in a company's legal form after a comma (``Anna Berg, CEO, Acme GmbH``,
  ``Smith & Sons Ltd``, ``Jane Roe & Co``, ``Anna Berg & Co. KG``: x46r9 F3, x47r1 F5)
  but a bare ``Co``, a surname too (``Anna Berg, Maria Co`` is two; ``Anna Berg, Acme
  Co`` cannot be told from it and is refused, ``Acme Co.`` is one: x47r1 F4), and, the
  same safe side, two words ending in a family's word (``Anna Berg, Bob Partners``,
  ``, Hans Söhne``) or a part led by ``AB`` / ``PT``, initials too (``Anna Berg, AB
  Smith``, ``, AB Volvo``: refused, x47r5 F4); nor one a legal form leads that is no
  name's (``Ivan Petrov, OOO Romashka``, in Cyrillic too, ``田中太郎、株式会社ABC``:
  x46r12 F4), nor a family's or associates' word after its
  joiner, last (``Dupont & Fils``, ``Rossi & Figli S.r.l.``, ``Roe & Associates``: x46r13
  F6; ``Anna Fils & Bob Roe`` is two); a title
  goes on after ``&`` / ``and`` ... with title words only, an initial never one of them
  (``Jane Roe, CEO & T. Manager`` is two: x47r1 F2); so ``Roe, Jane, Poe, John`` is two
  persons, last-first;
- ``y`` / ``e`` / ``i`` / ``a`` / ``at`` (Spanish, Portuguese and Italian, Catalan and
  Polish and Croatian, Czech and Slovak, Tagalog "and"; ``a``, ``at`` lower-case only:
  ``John A Smith``; ``at`` never before a company: ``Jane Roe at Acme Corp``) only between
  two full names, the second led by neither a particle nor a Spanish surname (``-ez``,
  ``-iz``, ``-az``, ``-oz``, not ``Beatriz``) before a particle after a name of three
  words or more: a second surname joined so is one person's (``José Ortega y Gasset``,
  ``Maria da Silva e Souza``, ``Josep Puig i Cadafalch``, ``Juan Pérez y de la Torre``,
  ``Carlos Fitz-James Stuart y Martínez de Irujo``); a lower-case joiner of them also
  between one given name and a full name, the couple ``Jane and John Poe`` is (``Anna i
  Piotr Nowak``, ``Jana a Petr Novákovi``, ``Marco e Anna Rossi``, ``Juan y María
  Pérez``: two, x47r1 F3), never in a surname written first (``Puig i
  Cadafalch, Josep``) nor one word after it (``Gaudí i Cornet``), but between two given
  names after a surname written first (``Rossi, Marco e Anna``, ``Pérez, Juan y María``:
  two, x47r9 F1); a lone lower-case ``y`` / ``e`` / ``i`` / ``a`` before one word that
  is a common given name (``given_names``) joins two persons (``Marco e Anna``, ``Anna
  i Piotr``, ``Marco Rossi e Anna``, ``Rossi Marco e Anna``: x48r1 F4; a second surname,
  ``José Ortega y Gasset``, ``Gaudí i Cornet``, ``Maria e Silva``, stays one); the part
  before a
  name's first comma is read alone, whatever follows it (``Marco e Anna Rossi, CEO``,
  ``Marco e Anna Rossi, Milano``: two; ``José Ortega y Gasset, Director``, ``José Ortega
  y Gasset, Madrid``: one; x47r5 F1, F6, x47r7 F1, F4). The addresses a row
  gives do not decide it: a person's work and home addresses are common beside such a
  name.

Known refusals (the safe side): ``Procter & Gamble`` (one word each side: the row's reason
says the cell "may name" two persons), ``Li Na, 李娜`` (one person in two scripts).
Surnames written last-first of two words with two given names (``García Márquez, Gabriel
José``) read as two persons: the row fails, saying which — a refused row is safe, two
persons made one are not. A pure reader: it never fails a row itself (the row mapper does,
naming the parts).

The rule's steps, in ``listed_persons``' order: full-width forms folded; brackets,
``c/o`` and contact parts (``_CONTACT``) masked; the cell cut at the separators that
always list; each part at a dash or bracket between full names (``_dashed``), at an
unspaced ``/`` ``+`` ``&`` ``・`` between full names (``_joined``), at its commas
(``_commas``), at a weak joiner (``_weak``); the parts that are a title, a suffix or a
company dropped (``person_titles``); a company's own name (``Smith & Sons Ltd``) one;
under two persons left, the persons after a title cut at a comma or slash
(``person_titles.persons_after_title``). The words every step reads (joiners by
language, titles, regions, qualifiers, courtesy titles, particles, legal forms, family
words) are ``person_words``', one list each, so that a word added is read by every step.

Round 10 (x48r11): a dash before one capitalised word no title, company nor suffix
(``Jane Roe - Bob``; ``Mary Roe - Smith`` too, the safe side) and a full name in
brackets (``Anna Berg (Bob Roe)``, ``(assistant: Bob Roe)``; ``_bracketed_persons``) are
two persons (F4); a capital ``E`` / ``Y`` / ``I`` before a listed given name after a full
name, any weak joiner in an all-capitals cell, reads as the lower-case one (F3); a
title after a dash is cut as after a comma (F7); an e-mail address or phone written as a
part of its own is the person's (``name_contacts``, F1), a contact beside a word of its
part a word (``Jane Roe, bob@roe.com Bob``: two, F2).

Round 11 (x48r11, x48r15): a name of Han, Hangul or kana is a full name beside a weak
joiner (``Wang Fang y 李伟``, ``李伟 e 王芳``: two, were ONE) and beside ``・`` when the other
is a Latin full name, both Hangul, or both two Han letters led by a common Chinese
surname (``李伟・王芳``; ``山田・太郎`` stays one: ``_dotted_names``); a Latin name in
brackets beside a name of Han, Hangul or kana, no word of it a listed given name, is its
spelling (``山田太郎 (Taro Yamada)``: one); ``mailto:`` before an address is no part of it
(x48r15 F4); an address or a phone ending the cell after a space or a colon, in ``[]``
too (a phone in ``()`` too) is the person's (``name_contacts``, x48r15 F3).

Round 12 (x49r10): one word after a spaced dash that is no job title, in any script, makes
the row fail again (``Jane Roe - Hans``, ``Jane Roe - Berlin``, ``Mary Roe - Smith``: the
safe side; round 11 read a listed given name only, and the list misses most). An address
never holds CJK letters or punctuation (``NOT_MAIL``), and a name after an address or a
phone glued to a name is a second person (``name_after_contact``: ``李伟 li@x.cn・王芳``);
a bracket of digits before a digit is a phone's (``+44 (0)20 7946 0958``: ``_BRACKETS``);
every dash between digits separates a phone's groups (``PHONE_GAP``); a title or
contact after a dash or glued at the end is cut before a weak joiner is judged
(``José Ortega y Gasset - CEO``: ``_before_title``).

Why ~1090 lines: the rule's steps read each other's pieces (``_words``, ``_before_title``,
``_surname``), one module so that a change to one is seen by every step; its readers and
vocabularies are apart (``person_titles``, ``person_words``, ``given_names``).
"""

from __future__ import annotations

import functools
import re
from itertools import pairwise

from .given_names import given_name
from .name_cell_contacts import (
    ADDRESS,
    ADDRESS_STOP,
    PHONE_EXTENSION,
    PHONE_GAP,
    PHONE_LABEL,
    WEB_ADDRESS,
    WORD_LABEL,
    cell_contacts,
    date_like,
)
from .name_joiners import script_joined
from .person_titles import (
    bare_co,
    company,
    company_whole,
    job_title,
    persons_after_title,
    slashed_title,
    suffix,
    tail_title,
    title_words,
)
from .person_words import (
    AND_WORDS,
    AND_WORDS_LOWER,
    CJK_LETTER,
    CN_SURNAMES,
    COMMA_GAPS,
    COMPANY_JOINERS,
    COURTESY_TITLES,
    FULLWIDTH_FOLD,
    GIVEN_ENDING_SO,
    HAN_LETTER,
    PARTICLES,
    SURNAME_ENDS,
    TITLE_JOINERS,
)
from .quote_marks import PAIRS, STRAY_MARKS

_MEMO = 8192  # distinct cells each reader remembers (bounded: unique names grow nothing)

# the separators that always list persons, outside brackets (written as NULs by the
# masking below, so a comma right after one separates: two contacts ``Name (address),
# Name (address)``)
_SEPARATORS = re.compile(
    r"\s*(?:[;|\n\r\u2028\u2029\u3001\uff0c\uff1b\u060c]"
    r"|\s+(?:and/or|und/oder|et/ou|y/o|e/o|e/ou)\s+|\s/|/\s|\s&\s|\s\+|\+\s"
    rf"|\s+(?:{AND_WORDS}|(?-i:{AND_WORDS_LOWER}))\s+"
    r"|(?<=\0)\s*,)\s*", re.IGNORECASE)
# "and" in Spanish, Portuguese and Italian, Catalan, Polish and Croatian, Czech and
# Slovak, Tagalog: also a compound surname's joiner (``a`` lower-case only: ``John A
# Smith``; ``at`` too, and never before a company: ``Jane Roe at Acme Corp``)
_WEAK = re.compile(r"\s+((?i:y|e|i|a|at))\s+")
# between a couple's given names after a surname written first: those, or an unspaced
# ``/`` ``&`` ``+`` (``Smith, John/Mary``: x48r1 F2)
_GIVEN_JOINERS = re.compile(r"\s+((?i:y|e|i)|a|at)\s+|(?<=[^\s\0])[/&+](?=[^\s\0])")
_QUICK = re.compile(r"[;|/,\n\r\u2028\u2029&+\u3001\uff0c\uff1b\u060c\u30fb]"
                    rf"|\s(?:{AND_WORDS}|{AND_WORDS_LOWER}|y|e|i|a|at)\s"
                    r"|\s-+\s|[\u2013\u2014]|[)\]>]\s*[^\W\d_]|[(\[][^()\[\]]*\s",
                    re.IGNORECASE)
# what a name cell writes beside a name after a comma or a slash that is no name: an
# e-mail address (its label too, no Han, Hangul nor kana letter: x48r11 F5, ``山田太郎、
# taro@acme.jp`` was read as one address), a web address, a phone number, ``n/a`` (x48r1 F5: ``Jane Roe, CEO,
# jane@roe.com``, ``Jane Roe, CEO, n/a`` were refused as naming a person 'jane@roe.com',
# or 'n' and 'a'); written as NULs as a bracket is, the part dropped (into the note)
_CONTACT = re.compile(
    r"(?:\b(?:e-?mail|mail)\b\s*:?\s*)?(?:\bmailto:)?"
    rf"{ADDRESS}{ADDRESS_STOP}"
    rf"|{WEB_ADDRESS}"
    rf"|(?:{PHONE_LABEL}\.?:?\s*|{WORD_LABEL})?"
    rf"\+?\d(?:{PHONE_GAP}*\d){{5,}}{PHONE_EXTENSION}"
    r"|(?<![^\W\d_])n/a(?![^\W\d_])", re.IGNORECASE)


# ... a phone after any word and a colon, alone in its part after a separator, the word its
# label (``Jane Roe, Zentrale: +49 30 1234567``: x51r1 F4, read as a second person while
# the listed labels were cut; glued to a name it fails the row: ``name_cell_contacts.
# word_label``)
# what a contact part alone stands between: a separator, a dash, a bracket (NULs), the
# cell's ends
_PART_ENDS = ",;|/\n\r\u3001\uff0c\uff1b\u060c&+-\u2013\u2014\0"


def _alone(text: str, m: re.Match[str]) -> bool:
    """Whether the contact ``m`` of ``text`` is a part of its own: nothing but spaces
    between it and a separator, a dash, a bracket or the cell's ends each side."""
    before, after = text[:m.start()].rstrip(), text[m.end():].lstrip()
    return (not before or before[-1] in _PART_ENDS) and (not after or after[0] in _PART_ENDS)


def _masked(folded: str) -> str:
    """``folded`` (a name cell, full-width forms folded) with its brackets and its
    contact parts (``_CONTACT``) written as NULs, one for each letter: no separator in
    them splits a name. A contact beside a word of its part (``Jane Roe, bob@roe.com
    Bob``) is written as letters instead, a word of that part: x48r11 F2, its part was
    read as the given name ``Bob`` alone ending the cell, one person with the cell)."""
    bracketed = _BRACKETS.sub(lambda m: "\0" * len(m[0]), folded)
    return _CONTACT.sub(lambda m: ("\0" if _alone(bracketed, m) else "x") * len(m[0]),
                        bracketed)


@functools.lru_cache(maxsize=_MEMO)
def name_contacts(cell: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The e-mail addresses and phone numbers a one-person name cell writes as parts of
    their own after (or before) a ``,`` ``/`` ``|`` ``;`` or a dash (``Jane Roe,
    jane@roe.com``, ``Jane Roe / +49 30 1234567``, ``Jane Roe, CEO, jane@roe.com``): the
    cell without them (spaces folded), the addresses and the phones as written (a
    phone's label, ``Tel.``, dropped), each in order. They are the person's own as
    ``Jane Roe <jane@roe.com>``'s is (x48r11 F1: they were cut into the note as a "job
    title", four such contacts made one person). A web address or ``n/a`` stays in the
    cell (the note's). ``(cell, (), ())`` when there is none or the cell lists persons
    (``listed_persons``). Pure."""
    if not any(c.isdigit() or c == "@" for c in cell) or listed_persons(cell) is not None:
        return cell, (), ()
    folded = cell if cell.isascii() else cell.translate(FULLWIDTH_FOLD)
    bracketed = _BRACKETS.sub(lambda m: "\0" * len(m[0]), folded)
    emails: list[str] = []
    phones: list[str] = []
    cuts: list[tuple[int, int]] = []
    for m in _CONTACT.finditer(bracketed):
        text = cell[m.start():m.end()]
        if not _alone(bracketed, m) or not ("@" in text or _PHONE_DIGITS.search(text)) \
                or _WEB.match(text):
            continue
        if "@" in text:
            # (x50r7 F10; the full-width ones as the folded cell read them: x51r1 F3)
            emails.append(_MAIL_LABEL.sub("", text).rstrip("!?:\u2026" + STRAY_MARKS))
        else:
            phones.append(text[_PHONE_DIGITS.search(text).start():])  # type: ignore[union-attr]
        # the contact and the separator before it (after it, first in the cell)
        before = bracketed[:m.start()].rstrip()
        if before and before[-1] != "\0":
            cuts.append((len(before) - 1, m.end()))
        else:
            after = len(bracketed) - len(bracketed[m.end():].lstrip())
            cuts.append((m.start(), after + 1 if after < len(bracketed)
                         and bracketed[after] != "\0" else m.end()))
    tail = cell.rstrip()[-1:]  # (most cells end in a letter: neither search is run)
    if not cuts and "@" in cell and (last := _LAST_ADDRESS.search(cell)) is not None \
            and "@" not in cell[:last.start()] and any(c.isalpha() for c in cell[:last.start()]):
        # the cell's last word an address after a space or a colon, in ``[]`` too (``Jane
        # Roe jane@roe.com``, ``Jane Roe: jane@roe.com``, ``Jane Roe [jane@roe.com]``:
        # x48r15 F3, the person was named with the address and created without it)
        return " ".join(cell[:last.start()].split()), (last[1],), ()
    if not cuts and tail and (tail.isdigit() or tail in ")]") \
            and (last := _LAST_PHONE.search(cell)) is not None and not date_like(last[1]) \
            and not any(c.isdigit() for c in cell[:last.start()]) \
            and _digits(last[1]) in map(_digits, cell_contacts(cell)[1]) \
            and any(c.isalpha() for c in cell[:last.start()]):
        # ... and a phone (``Jane Roe +49 30 1234567``, ``Jane Roe tel:+49301234567``,
        # ``Jane Roe (+49 30 1234567)``: named with it, or the bracket dropped unsaid); a
        # number not led by ``+``, ``0`` or a label is no phone (``Kunde 1234567``)
        # ... and the phone the cell's reader reads there, never more (``Agent 007 (030
        # 1234585)``: its bracket's phone, x52r1 F5; ``007 (030 1234585`` was written)
        phone = last[1]
        if phone.count(")") > phone.count("(") and cell[last.start(1) - 1] == "(":
            phone = "(" + phone  # (``(0)30 1234567``: x49r10 F3, a phone whole)
        return " ".join(cell[:last.start()].split()), (), (phone,)
    if not cuts:
        return cell, (), ()
    rest, at = [], 0
    for a, b in cuts:
        rest.append(cell[at:max(a, at)])
        at = max(b, at)
    rest.append(cell[at:])
    name = " ".join("".join(rest).split()).strip(" ,;|/-\u2013\u2014")
    if not name and len(emails) == 1 and not phones:
        name = emails[0]  # (``mailto:jane@roe.com`` alone: named as ``jane@roe.com`` is)
    return (name or cell), tuple(emails), tuple(phones)


# what may stand between a contact and a name after it: spaces, separators, CJK
# punctuation, a joiner word (attached too: ``li@x.cn和王芳``)
_AFTER_CONTACT = re.compile(rf"(?:[\s,;|/&+:\u3001\u3002\u30fb\uff0c\uff1b\u060c\-\u2013\u2014]"
                            rf"|(?i:{AND_WORDS})(?=\s)|(?:和|与|及|と|및|와|과))*")
_AFTER_ENDS = re.compile(r"[,;|/(\[<\0\u3001\uff0c\uff1b\u060c]")


@functools.lru_cache(maxsize=_MEMO)
def name_after_contact(cell: str) -> tuple[str, str] | None:
    """``(name before, name after)`` when a name cell writes a name after an e-mail address
    or a phone glued to the name before it (``李伟 li@x.cn・王芳``, ``李伟 li@x.cn和王芳``,
    ``李伟 li@x.cn 王芳``, ``李伟 +86 138 0013 8000・王芳``: x49r10 F2, the address
    swallowed ``・王芳`` or the name kept it): a second person's, the row to fail. None when
    what follows the contact is nothing, CJK punctuation, a bracket, a job title, a
    company, another contact or holds a digit (``Jane Roe jane@roe.com\uff08CEO\uff09``, ``山田太郎
    yamada@x.jp、営業部長``). Pure."""
    if "@" not in cell and not any(c.isdigit() for c in cell):
        return None
    folded = cell if cell.isascii() else cell.translate(FULLWIDTH_FOLD)
    folded = _BRACKETS.sub(lambda m: "\0" * len(m[0]), folded)  # (``<jane@roe.com>``)
    for m in _CONTACT.finditer(folded):
        if ("@" not in m[0] and not _PHONE_DIGITS.search(m[0])) or _WEB.match(m[0]):
            continue
        before = folded[:m.start()]
        rest = folded[m.end():]
        rest = rest[_AFTER_CONTACT.match(rest).end():]  # type: ignore[union-attr]
        if not rest or rest[0] in "([<\0" or not any(c.isalpha() for c in before):
            continue
        at = len(folded) - len(rest)
        piece = _AFTER_ENDS.split(rest, 1)[0]
        after = " ".join(piece.split())
        if not any(c.isalpha() for c in after) or any(c.isdigit() for c in after) \
                or job_title(after) or company(after) or _contact(after):
            continue
        name = " ".join(cell[:m.start()].split()).strip(" ,;|/:-\u2013\u2014")
        return name, " ".join(cell[at:at + len(piece)].split())
    return None


def holds_contact(text: str) -> bool:
    """Whether ``text`` (a part cut from a name cell into the note) holds an e-mail or
    web address, a phone number or ``n/a`` (``_CONTACT``): the note then says it was not
    sent, not that it is a job title (x48r11 F1)."""
    return _CONTACT.search(text) is not None


def contact_alone(text: str) -> bool:
    """Whether ``text`` (a name a cell lists) is an e-mail or web address, a phone number
    or ``n/a`` alone (in ``<>`` ``()`` ``[]`` too): no person's name, never called one
    in a message (x52r11 F7). Pure."""
    return _contact(text)


def no_title(text: str) -> bool:
    """Whether ``text`` (a part ``name_and_title`` cut from a name cell into the note) is
    no job title: a contact (``holds_contact``) or any other word: the note then says it
    was not sent, not that it is a job title."""
    return holds_contact(text) or not job_title(text)


_PHONE_DIGITS = re.compile(r"\+?\d")
_NOT_DIGIT = re.compile(r"\D")


def _digits(phone: str) -> str:
    return _NOT_DIGIT.sub("", phone)

# an address ending a name cell after a space or a colon, bare or in ``[]``
_LAST_ADDRESS = re.compile(r"(?:\s+(?i:e-?mail|mail))?\s*:?\s+\[?\s*(?i:mailto:)?"
                           rf"({ADDRESS})"
                           r"\s*\]?[\s.\u3002]*$")
# ... and a phone, led by ``+``, ``0`` or a label, bare or in ``()`` / ``[]``
_LAST_PHONE = re.compile(rf"\s*:?\s+[(\[]?\s*(?:(?i:{PHONE_LABEL})\.?:?\s*)?"
                         rf"((?<![^\s:(\[])[+0]\d?(?:{PHONE_GAP}*\d){{5,}}{PHONE_EXTENSION})"
                         r"\s*[)\]]?\s*$")
# an address's label (``E-Mail: jane@roe.com``: x48r11 F5, read as a second person) and a
# link's scheme (``mailto:jane@roe.com``: x48r15 F4, read as 'to:jane@roe.com'); the
# ``mail`` of ``mail@x.com`` is no label (x49r4)
_MAIL_LABEL = re.compile(r"^(?:(?:e-?mail|mail)(?:\s*:\s*|\s+))?(?:mailto:\s*)?", re.IGNORECASE)
_WEB = re.compile(WEB_ADDRESS, re.IGNORECASE)  # (x49r4 F6: a bare domain, ftp://)


def _contact(text: str) -> bool:
    """Whether ``text`` (a part after a comma or a slash) is a contact part alone: an
    e-mail or web address, a phone number, ``n/a`` (``_CONTACT``)."""
    text = text.strip()  # (``<id@x.com>`` alone after a ``;``: x49r4 F7)
    return _CONTACT.fullmatch(text[1:-1].strip() if text[:1] + text[-1:] in ("<>", "()", "[]")
                              else text) is not None


# (a bracket of one to four digits before a digit is a phone's, no bracket: ``+44 (0)20
# 7946 0958``, ``+1 (212) 555-0100``: x49r10 F3, the phone was split)
_BRACKETS = re.compile(r"\((?!\d{1,4}\)\s*\d)[^()]*\)|\[[^\[\]]*\]|<[^<>]*>"
                       r"|\bc/o\b[^;|,\n\r\u3001\uff0c\uff1b\u060c]*", re.IGNORECASE)


def listed_persons(value: object) -> list[str] | None:
    """The names a person cell lists when it lists two or more (each with a letter), in
    the order written; None when it names one person or none (the rule: the module's
    docstring). A cell is read once per ``_MEMO`` cells (a contact's name repeats on each
    of its deals' rows, and the row mapper, ``name_contacts`` and ``name_and_title`` each
    ask): a new list each call."""
    if not isinstance(value, str):
        return None
    names = _listed(value)
    return None if names is None else list(names)


@functools.lru_cache(maxsize=_MEMO)
def _listed(value: str) -> tuple[str, ...] | None:
    # ... and an "and" glued to the names (``李伟和王芳``, ``김민준과 박지훈``: x50r1 F3, ONE
    # person), however the rest of the cell reads
    names = _listed_persons(value)
    if names is None:
        names = script_joined(value)
    return None if names is None else tuple(names)


def _listed_persons(value: str) -> list[str] | None:
    # full-width forms folded as NFKC does (one letter each: the names keep their own
    # spelling, cut from ``value`` at the same places)
    folded = value if value.isascii() else value.translate(FULLWIDTH_FOLD)
    if not _QUICK.search(folded):
        return None  # most cells: nothing to split (a quick test before the rest)
    if (last := _last_contact(folded)) is not None and _contact_owner(folded[:last]):
        # a contact ending the cell after a space is the person's own, as in ``<…>``, after
        # a display name in brackets or a title: the cell is read without it (f52b: ``Jane
        # Roe, CEO d@x`` listed ``CEO d@x``, ``(Jostein Dahl) a@x`` the address, each as a
        # second person; ``Jane Roe, Bob bob@x`` stays two, x48r11 F2)
        value, folded = value[:last].rstrip(), folded[:last].rstrip()
    masked = _masked(folded)
    spans: list[tuple[int, int]] = []
    start = 0
    for sep in _SEPARATORS.finditer(masked):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(value)))
    parts = [(a, b) for start0, end0 in spans for start, end in _dashed(masked, start0, end0)
             for c, d in _joined(masked, start, end, "/")
             for e, f in _joined(masked, c, d, "+")
             for i, j in _joined(masked, e, f, "&")
             for k, m in _joined(masked, i, j, "\u30fb")
             for g, h in _commas(masked, k, m) for a, b in _weak(masked, g, h)]
    names: list[str] = []
    gaps: list[str] = []  # what comes before each name (its separator, "" for the first)
    end: int | None = None
    dropped = False  # the part before was a title or a company (``Founder & CEO``)
    for a, b in parts:
        if not any(c.isalpha() for c in value[a:b]):
            continue
        gap = "" if end is None else masked[end:a].strip()
        end = b
        # a job title or a company only after a comma of a name before it (``Anna Berg,
        # Sales Director``, ``Anna Berg, Acme GmbH``) or joined to such a part (``Jane Roe,
        # Founder & CEO``), never a part a list's separator gives after a name (x46r12 F1:
        # ``Anna Leiter & Bob Roe``, ``Maria Co & Jose Santos`` were one person: Leiter
        # and Co are surnames too)
        comma = gap in COMMA_GAPS or (bool(gap) and not gap.strip(_DASH_GAP))
        # (after a title a joiner goes on with the title only, never a company: ``Jane
        # Roe, CEO & Maria Co`` names two persons: x46r13 F1)
        joined = not comma and dropped and gap.casefold() in COMPANY_JOINERS
        # (a slash before a title of title words alone: ``Jane Roe / CEO``, ``/ Sales
        # Director``; ``Jane Roe / T. Manager`` is two: x47r1 F5)
        if bool(names) and gap == "/" and title_words(value[a:b]):
            dropped = True
            continue
        if bool(names) and (comma or gap in ("/", "|", ";")) and _contact(value[a:b]):
            continue  # (``Jane Roe / jane@roe.com``: x48r1 F5; ``| jane@``: x48r11 F1)
        dropped = bool(names) and (comma or joined) and (
            job_title(value[a:b]) or (comma and company(masked[a:b])
                                       and not bare_co(masked[a:b])))
        if dropped:
            continue
        names.append(" ".join(value[a:b].split()))
        gaps.append(gap)
        # a name with its title after a comma (``Jane Roe, Founder``): what a joiner adds
        # to it is its title's (``& CEO``)
        dropped = "," in value[a:b] and job_title(value[a:b].rsplit(",", 1)[1])
    if len(names) > 1 and "," in names[0] and all(g in TITLE_JOINERS for g in gaps[1:]) \
            and title_words(tail_title(names, gaps)):
        # one title joined inside (``Jane Roe, R&D Director``: x46r13 F3)
        return persons_after_title(value, masked)
    if len(names) == 2 and gaps[1].casefold() in COMPANY_JOINERS and (
            company_whole(names[0], names[1])):
        return None  # one company's name (``Smith & Sons Ltd``, ``Jane Roe & Co``)
    if len(names) > 1:
        # (a part of a contact alone is no person the message names: x52r11 F7)
        persons = [name for name in names if not _contact(name)]
        return persons if len(persons) > 1 else names
    after = persons_after_title(value, masked)
    if after is None and (inner := _bracketed_persons(folded)):
        # a full name in brackets is a second person's (x48r11 F4: ``Anna Berg (Bob
        # Roe)``, ``Anna Berg (assistant: Bob Roe)`` were ONE person)
        outside = " ".join(_BRACKETS.sub(" ", folded).split()).strip(" -\u2013\u2014")
        # (the name alone: a contact, a title after a comma or a dash aside: ``山田太郎
        # (Taro Yamada) taro@example.jp``, ``李伟 (Li Wei), CEO``: x49r10, refused)
        head = _NAME_HEAD.split(_CONTACT.sub(" ", outside), 1)[0].strip()
        if _cjk_name(head, 0, len(head)):
            # a name of Han, Hangul or kana and its Latin spelling are one person
            # (x48r11: ``山田太郎 (Taro Yamada)`` was refused as two)
            inner = [name for name in inner if not _romanised(name)]
        # (an address or phone outside is no person: ``ad0@y.io (Anna Bex)`` is ``Anna Bex
        # <ad0@y.io>``, x52r11 F7, refused as "2 persons ('ad0@y.io', 'Anna Bex')")
        outside = " ".join(_CONTACT.sub(" ", outside).split()).strip(" ,;|/-\u2013\u2014")
        listed = [outside, *inner] if any(c.isalpha() for c in outside) else inner
        return listed if len(listed) > 1 else None
    return after


def _contact_owner(head: str) -> bool:
    """Whether ``head`` (a name cell before the contact ending it) is a display name in
    brackets alone (``(Jostein Dahl)``) or ends in a job title after a comma (``Jane Roe,
    CEO``, ``Jane Roe, CEO:``): what the contact after it is beside is no second name."""
    head = head.rstrip(" :")
    if head[-1:] in ")]" and not _BRACKETS.sub("", head).strip():
        return True
    # ... or after a slash or a spaced dash (``Jane Roe / CEO``, ``Jane Roe - CEO``: x52r11
    # F4, as the cell without the contact reads)
    parts = _TITLE_GAP.split(head)
    return len(parts) > 1 and any(c.isalpha() for c in parts[0]) and job_title(parts[-1].strip())


# a closing mark of any pair (``quote_marks.PAIRS``), and a ``()`` ``[]`` ``<>`` ending a cell
_CLOSING = frozenset("".join(PAIRS.values()))
_END_BRACKET = re.compile(r"\s[(\[<]([^()\[\]<>]*)[)\]>]$")
# what a job title ending a name cell's head follows: a comma, a slash, a spaced dash
_TITLE_GAP = re.compile(r",|\s*/\s*|\s+-+\s+|\s*[\u2013\u2014]\s*")


def _last_contact(folded: str) -> int | None:
    """Where an e-mail address or a phone number (``_CONTACT``, its label too) that ends
    ``folded`` (a name cell, a full stop after it aside) after a space starts; None when
    the cell ends otherwise, or is the contact alone."""
    end = folded.rstrip(" .\u3002")
    if end[-1:] in _CLOSING:  # (a contact in a pair of its own: x52r11 F4)
        if (m := _END_BRACKET.search(end)) is not None and _CONTACT.fullmatch(m[1].strip()) \
                and ("@" in m[1] or _PHONE_DIGITS.search(m[1])):
            return m.start() + 1
        end = end[:-1]
    if not end or ("@" not in end and not end[-1].isdigit()):
        return None  # (most cells end in a letter: no search)
    bracketed = _BRACKETS.sub(lambda m: "\0" * len(m[0]), folded)
    found = list(_CONTACT.finditer(bracketed))
    last = found[-1] if found else None
    if last is None:
        return None
    start, rest = last.start(), bracketed[last.end():].strip(" .\u3002")
    if rest and start > 1 and (closing := PAIRS.get(bracketed[start - 1])) is not None \
            and rest[0] in closing and not rest[1:].strip(" .\u3002"):
        start -= 1  # (in a pair of its own: ``Jane Roe, CEO 「jr@x」``: x52r11 F4)
        rest = ""
    if rest or start == 0 or not bracketed[start - 1].isspace() or _WEB.match(last[0]) \
            or not ("@" in last[0] or _PHONE_DIGITS.search(last[0])):
        return None
    return start


# one syllable of an East-Asian romanisation (Hepburn romaji, Hanyu pinyin, the Revised
# Romanization of Korean, their common spellings): an initial (one consonant, a digraph,
# a palatal ``ky`` ``ny``...), a vowel group of one to three (macrons, tone marks,
# ``ü`` too), a final ``n`` ``ng`` ``m`` ``k`` ``l`` ``p`` ``t`` (``Kim``, ``Hattori``)
_INITIAL = r"(?:ch|sh|zh|ts|kk|tt|pp|ss|jj|[kgnhbpmr]y|[bcdfghjklmnpqrstwxyz])?"
_VOWELS = "[aeiouāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜâêîôû]"
_SYLLABLE = rf"{_INITIAL}{_VOWELS}{{1,3}}(?:ng|[nmklpt])?"
_ROMANISED_WORD = re.compile(rf"(?:{_SYLLABLE})+(?:['\u2019-](?:{_SYLLABLE})+)*",
                             re.IGNORECASE)


# where a name's head ends: a separator, a spaced or long dash
_NAME_HEAD = re.compile(r"[,;|/\u3001\uff0c\uff1b\u060c]|\s-+\s|[\u2013\u2014]")


def _romanised(name: str) -> bool:
    """Whether ``name`` (a full name in brackets beside a name of Han, Hangul or kana)
    reads as that name's Latin spelling: every word an East-Asian romanisation, syllable
    by syllable (``_SYLLABLE``: ``Taro Yamada``, ``Yamada Tarō``, ``Li Wei``, ``Kim
    Min-jun``, ``Jun'ichi``), and none a listed given name (``given_names``). Any other
    Latin name is a second person's: ``Hans Müller``, ``Oliver Roe``, ``Elizabeth
    Smith``, ``Christopher Lee`` beside ``李伟`` (x49r10 F1: round 11 read every Latin
    name of no listed given name so, and the list misses most). Known limits: a
    romanisation is not checked against the name's reading; spellings outside the three
    systems (``Park``, ``Choi``... read as RR ``Bak``, ``Choe``) are read as a second
    person, the safe side."""
    words = name.split()
    return bool(words) and all(_ROMANISED_WORD.fullmatch(w) for w in words) \
        and not any(given_name(w) for w in name.replace("-", " ").split())


def latin_spelling(cell: str) -> str | None:
    """The Latin spelling a one-person name cell writes in brackets after a name of Han,
    Hangul or kana (``山田太郎 (Taro Yamada)`` -> ``"Taro Yamada"``, ``_romanised``), which
    the person is named without: the note keeps it (x48r11: refused as two persons). None
    for any other cell. Pure."""
    if "(" not in cell and "[" not in cell:
        return None
    folded = cell if cell.isascii() else cell.translate(FULLWIDTH_FOLD)
    outside = " ".join(_BRACKETS.sub(" ", folded).split())
    inner = _bracketed_persons(folded)
    if len(inner) == 1 and _cjk_name(outside, 0, len(outside)) and _romanised(inner[0]):
        return inner[0]
    return None


# a bracket's label before a name (``(assistant: Bob Roe)``)
_LABEL = re.compile(r"^[^:]*:\s*")


def _bracketed_persons(folded: str) -> list[str]:
    """The full names ``folded`` writes in brackets (``()`` ``[]``): two words or more,
    each capitalised and of letters (``.`` ``-`` ``'`` aside), a label before a colon
    aside, neither a job title nor a company (``Anna Berg (Bob Roe)``; a nickname ``Anna
    (Annie) Berg``, ``Jane Roe (CEO)``, ``(Head of Sales)``, ``(Acme GmbH)`` hold none)."""
    out: list[str] = []
    for m in re.finditer(r"\(([^()]*)\)|\[([^\[\]]*)\]", folded):
        inner = _LABEL.sub("", (m[1] if m[1] is not None else m[2]).strip())
        words = inner.split()
        if len(words) > 1 and all(
                w[:1].isupper() and w.replace(".", "").replace("-", "").replace("'", "")
                .isalpha() for w in words) and not job_title(inner) and not company(inner):
            out.append(" ".join(words))
    return out


# a dash or a bracket between two full names (``_dashed``): a title or company after it
# is dropped as after a comma (``Jane Roe - CEO - Bob Roe``: 'Jane Roe', 'Bob Roe')
_DASH_GAP = "-\u2013\u2014\0 "
# a spaced hyphen, an en or em dash, a bracket (written as NULs) inside a part
# (a dash right after a bracket is the bracket's gap too: ``山田太郎 (Taro Yamada) - Tokyo``)
_DASHES = re.compile(r"\s+-+\s+|\s*[\u2013\u2014]+\s*|\s*\0[\0\s]*(?:[-\u2013\u2014]+\s+)?")


def _dashed(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` split at its dashes and brackets (``Jane Roe - Bob Roe``,
    ``Jane Roe — Bob Roe``, ``Jane Roe (CEO) Bob Roe``) when two pieces or more are full
    names (``_full_name``), each piece (start, end); else the part whole: a title, a
    company, one word after it stays the name's (``Jane Roe - CEO``, ``Jane Roe - Acme
    GmbH``, ``Mary Roe - Smith``, ``Anna (Annie) Berg``; x48r1 F3: each such cell of two
    full names was ONE person)."""
    spans: list[tuple[int, int]] = []
    at = start
    for m in _DASHES.finditer(masked, start, end):
        if m.start() > at and m.end() < end:
            spans.append((at, m.start()))
            at = m.end()
    spans.append((at, end))
    if len(spans) == 1:
        return spans
    judged = list(spans)
    if (glued := _GLUED_CONTACT.search(masked, *spans[-1])) is not None:
        judged[-1] = (spans[-1][0], glued.start())  # (``Jane Roe - Bob jane@roe.com``)
    full = [_full_name(masked, a, b) for a, b in judged]
    if sum(full) > 1:
        return spans
    # a lone word after a dash that is no title, company nor suffix may be a second
    # person's given name, as after a slash: the row fails, the safe side (x48r11 F4:
    # ``Jane Roe - Bob`` was ONE person; x49r10 F1: round 11 read only a listed given
    # name so, and the list misses most: ``Jane Roe - Hans``, ``- Oliver``, ``Иван
    # Петров - Ольга`` were ONE; ``Mary Roe - Smith``, ``Jane Roe - Berlin`` fail with them)
    lone = [_lone_name(masked, a, b) for a, b in judged[1:]]
    if full[0] and any(lone) and all(
            ok or _full_name(masked, a, b) or job_title(masked[a:b])
            or company(masked[a:b])
            for ok, (a, b) in zip(lone, judged[1:], strict=True)):
        return spans
    return [(start, end)]


def _lone_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is one capitalised word of letters, neither a job title,
    a company nor a name's suffix (``Bob``, ``Smith``; not ``CEO``, ``PhD``)."""
    words = masked[a:b].replace("\0", " ").split()
    # (a script without case, ``محمد حسن - علي``, counts as capitalised: x49r10 F1)
    return len(words) == 1 and (words[0][:1].isupper() or words[0][:1].lower()
                                == words[0][:1].upper()) and words[0].replace("-", "") \
        .isalpha() and not job_title(words[0]) and not company(words[0]) \
        and not suffix(masked, a, b)


def _full_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a person's full name, a title or suffix after its comma
    aside: two words or more (titles before a name not counted) or a name of Han, Hangul
    or kana, and neither a job title nor a company."""
    core = _before_title(masked, a, b)
    text = masked[a:core]
    return (len(_words(masked, a, core)) > 1 or _cjk_name(masked, a, core)) \
        and not job_title(text) and not company(text)


def _words(masked: str, a: int, b: int) -> list[str]:
    """The words of ``masked[a:b]`` that are a name's (with a letter; a title not)."""
    return [w for w in masked[a:b].replace("\0", " ").split()
            if any(c.isalpha() for c in w) and w.casefold().strip(".") not in COURTESY_TITLES]


def _person_words(masked: str, a: int, b: int) -> int:
    """How many words ``masked[a:b]`` holds as a person's name written after or before a
    comma: ``_words`` and each title before a capitalised word (``Don Lee``, ``Mr Smith``,
    ``Herr Schmidt``: two, a person; x47r5 F3: ``Anna Berg, Don Lee`` read as one name
    ending in one word, and ``Don Lee, Anna Berg`` as a surname before given names);
    ``Dr. med.`` is one word."""
    raw = masked[a:b].replace("\0", " ").split()
    titled = sum(w.casefold().strip(".") in COURTESY_TITLES and nxt[:1].isupper()
                 for w, nxt in pairwise(raw))
    return len(_words(masked, a, b)) + titled


def _joined(masked: str, start: int, end: int, mark: str) -> list[tuple[int, int]]:
    """The part ``start:end`` of a cell (``masked``: its brackets written as NULs, so a
    ``mark`` in one is no separator) split at its unspaced ``mark`` (``/``, ``+``) when
    every piece is a name of two words or more, else the part whole: (start, end) of
    each piece."""
    part = masked[start:end]
    if mark not in part:
        return [(start, end)]
    # a title's abbreviation (``R&D``, ``P&L``, ``M&A``: one letter each side) joins no
    # names (x47r1 F2: ``Jane Roe, R&D Director & T. Manager`` read as three parts)
    inside = {m.start() + 1 for m in _ABBREVIATION.finditer(part)} if mark == "&" else set()
    spans: list[tuple[int, int]] = []
    at = start
    for i, ch in enumerate(part):
        if ch == mark and i not in inside:
            spans.append((at, start + i))
            at = start + i + 1
    spans.append((at, end))
    if len(spans) == 1:
        return spans
    if mark == "\u30fb":  # nakaguro: between all-kanji full names only (not ジョン・スミス)
        return spans if all(_kanji_name(masked, a, b) for a, b in spans) or _dotted_names(
            masked, spans) else [(start, end)]
    # (a piece's words before the title or suffix it ends with after a comma: ``Anna
    # Roe/Smith, CEO`` is one double surname, x47r9 F6, was refused as ``Anna Roe`` and
    # ``Smith, CEO``)
    return spans if all(len(masked[a:_before_title(masked, a, b)].replace("\0", " ")
                            .split()) > 1
                        or _cjk_name(masked, a, b) for a, b in spans) else [(start, end)]


def _kanji_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a whole name of three Han letters or more (``山田太郎``;
    ``山田・太郎`` is one person's surname and given name)."""
    letters = [c for c in masked[a:b] if c.isalpha()]
    return len(letters) > 2 and all(HAN_LETTER.match(c) for c in letters)


def _dotted_names(masked: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the pieces ``spans`` of a part cut at ``・`` are names of two persons that
    ``_kanji_name`` does not tell: one piece or more a person's name — a full name of two
    words or more of a script written with spaces, a name of Hangul, or of Han letters
    three or more, or two led by a common Chinese surname (``CN_SURNAMES``) — and every
    other piece such a name or kana (``Wang Fang・李伟``, ``李伟・王芳``, ``李伟・山田太郎``,
    ``Jane Roe・さくら``; x48r11: each was ONE person); a piece of two Han letters not so
    led only beside a full name of spaced words (``山田・太郎``, ``高橋・一郎`` stay one),
    kana alone never (``ジョン・スミス``)."""
    kinds = set()
    for a, b in spans:
        letters = [c for c in masked[a:b] if c.isalpha()]
        if len(_words(masked, a, b)) > 1 and not any(CJK_LETTER.match(c) for c in letters):
            kinds.add("spaced")
        elif len(letters) > 1 and all(_HANGUL.match(c) for c in letters):
            kinds.add("name")
        elif len(letters) > 1 and all(HAN_LETTER.match(c) for c in letters):
            kinds.add("name" if len(letters) > 2 or letters[0] in CN_SURNAMES else "han")
        elif letters and all(_KANA.match(c) for c in letters):
            kinds.add("kana")
        else:
            return False
    return "spaced" in kinds or ("name" in kinds and "han" not in kinds)


_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")


# one letter each side of an unspaced ``&``: a title's abbreviation (``R&D``, ``P&L``)
_ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]&[^\W\d_](?![^\W\d_])")


def _cjk_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a whole name of a script written without spaces: two
    letters or more, every one Han, Hangul or kana (``李伟``, ``김민준``, ``さくら``)."""
    letters = [c for c in masked[a:b] if c.isalpha()]
    return len(letters) > 1 and all(CJK_LETTER.match(c) for c in letters)


def _surname(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (before a comma) reads as a surname written first: one word,
    or led by a particle (``van der Berg``, ``De la Cruz``); a whole name of Han, Hangul
    or kana (``李伟``) is not."""
    words = _words(masked, a, b)
    return not _cjk_name(masked, a, b) and (
        _person_words(masked, a, b) <= 1 or words[0].casefold() in PARTICLES
        or _joined_surname(masked, a, b))


def _joined_surname(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a compound surname joined by a lower-case ``y`` / ``e``
    / ``i`` (``Ortega y Gasset``, ``Puig i Cadafalch``): every piece one word or led by a
    particle, none after the joiner a common given name (``Marco e Anna`` is a couple;
    x48r1 F6: ``Ortega y Gasset, José, Director`` was refused as two)."""
    found = [m for m in _WEAK.finditer(masked, a, b) if m[1] in ("y", "e", "i")]
    if not found:
        return False
    cuts = [a, *(x for m in found for x in (m.start(), m.end())), b]
    pieces = [_words(masked, c, d) for c, d in zip(cuts[::2], cuts[1::2], strict=True)]
    return len(pieces) > 1 and all(
        len(w) == 1 or (w and w[0].casefold() in PARTICLES) for w in pieces) and not any(
        len(w) == 1 and given_name(w[0]) for w in pieces[1:])


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
                suffix(masked, *pieces[i]) or not _words(masked, *pieces[i])
                or job_title(masked[slice(*pieces[i])])
                or (i == len(pieces) - 1 and _person_words(masked, *pieces[i]) <= 1
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
    surname before one: ``... y Martínez de Irujo``; ``at`` never before a company), or
    at a lone lower-case ``i`` / ``a`` / ``y`` / ``e`` / ``at`` between one given name and
    a full name (``Anna i Piotr Nowak``, ``Marco e Anna Rossi``: the couple ``Jane and
    John Poe`` is), or at a lone lower-case ``y`` / ``e`` / ``i`` / ``a`` before one word
    that is a common given name (``given_names``), after one word or more (``Marco e
    Anna``, ``Anna i Piotr``, ``Marco Rossi e Anna``, ``Rossi Marco e Anna``; x48r1 F4:
    each was ONE person; a second surname stays: ``José Ortega y Gasset``, ``Puig i
    Cadafalch``, ``Maria e Silva``); else the part whole."""
    # the title or suffix the part ends with after a comma: the name before it judged
    # as if the cell had no comma (x47r5 F1: ``Marco e Anna Rossi, CEO`` was ONE person;
    # F6: ``José Ortega y Gasset, Director`` two)
    core = _before_title(masked, start, end)
    # the part before its first comma judged alone, whatever follows, unless a surname
    # written first (``Puig i Cadafalch, Josep``, ``Roe, Jane``): x47r7 F1, ``Marco e
    # Anna Rossi, Milano`` was ONE person; F4, ``José Ortega y Gasset, Madrid`` two
    after = start
    comma = masked.find(",", start, end)
    if comma > start and not _surname(masked, start, comma):
        head = _weak(masked, start, comma)
        if len(head) > 1:
            return [*head[:-1], (head[-1][0], end)]
        after = comma  # only a joiner after the comma may still list
    if comma > start and _surname(masked, start, comma):
        # the given names after a surname written first: a weak joiner between two of
        # them is a couple's (x47r9 F1: ``Rossi, Marco e Anna``, ``Pérez, Juan y María``
        # were ONE person); the surname's own joiner stays (``Puig i Cadafalch, Josep``)
        given = _given_couple(masked, start, comma, end)
        if given is not None:
            return given
        after = comma  # the surname's own joiner stays (``da Silva e Souza, Maria``)
    # an upper-case ``A`` / ``AT`` only in a cell written all in capitals (``John A
    # Smith``: an initial); ``E`` ``Y`` ``I`` read as lower-case ones (x48r11 F3:
    # ``Marco Rossi E Anna``, ``JUAN Y MARÍA PÉREZ`` were ONE person)
    capitals = not any(c.islower() for c in masked[start:end])
    found = [m for m in _WEAK.finditer(masked, after, core)
             if capitals or m[1].casefold() not in ("a", "at") or m[1].islower()]
    if not found:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    at = start
    for m in found:
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, core))
    words = [_words(masked, a, b) for a, b in spans]
    if any(m[1].casefold() == "at" for m in found) and any(
            company(masked[a:b]) for a, b in spans):
        return [(start, end)]  # "Jane Roe at Acme Corp": her company
    whole = [*spans[:-1], (spans[-1][0], end)]  # the title with the last name
    # a name of Han, Hangul or kana is a full name as two words are (x48r11: ``Wang Fang
    # y 李伟``, ``李伟 e 王芳`` were ONE person)
    cjk = [_cjk_name(masked, a, b) for a, b in spans]
    if any(cjk) and all(len(w) > 1 or c for w, c in zip(words, cjk, strict=True)):
        return whole
    if all(len(w) > 1 for w in words) and not any(
            w[0].casefold() in PARTICLES or _second_surname(w, len(words[n]))
            for n, w in enumerate(words[1:])):
        return whole
    left, right = words[0], words[-1]
    # (a capital one in a cell of mixed case only before a listed given name after a
    # full name: ``John I Smith Jones`` is one)
    lower = capitals or found[0][1].islower()
    couple = (len(found) == 1 and lower and found[0][1].casefold() in ("i", "a", "y", "e", "at")
              and "," not in masked[start:core]
              and len(left) == 1 and left[0].casefold() not in PARTICLES
              and (len(right) > 1 or cjk[-1]) and right[0].casefold() not in PARTICLES)
    # one given name after the joiner: a second person's, not a second surname (x48r1 F4)
    lone = (len(found) == 1 and found[0][1].casefold() in ("i", "a", "y", "e")
            and (lower or len(left) > 1)
            and "," not in masked[start:core] and len(right) == 1 and given_name(right[0]))
    return whole if couple or lone else [(start, end)]


def _given_couple(masked: str, start: int, comma: int, end: int
                  ) -> list[tuple[int, int]] | None:
    """The part ``start:end`` (a surname written first before ``comma``) split at the
    weak joiners (``y`` / ``e`` / ``i`` / ``a`` / ``at``) or an unspaced ``/`` ``&``
    ``+`` between its given names, up to the next comma: ``Rossi, Marco e Anna``,
    ``Smith, John/Mary`` -> ``Rossi, Marco`` and ``Anna``, each piece (start, end); None
    when no such joiner joins two words there (``Roe, Jane``, ``Roe, R&D``: a title's
    abbreviation) or ``at`` joins a company (``Roe, Jane at Acme Corp``). (x48r1 F2:
    ``Smith, John/Mary``, ``Smith, J.&M.`` were ONE person: an unspaced mark splits only
    two full names.)"""
    stop = masked.find(",", comma + 1, end)
    stop = end if stop < 0 else stop
    inside = {m.start() + 1 for m in _ABBREVIATION.finditer(masked, comma + 1, stop)}
    found = [m for m in _GIVEN_JOINERS.finditer(masked, comma + 1, stop)
             if m.start() not in inside]
    if not found:
        return None
    cuts = [comma + 1, *(x for m in found for x in (m.start(), m.end())), stop]
    pieces = list(zip(cuts[::2], cuts[1::2], strict=True))
    if not all(_words(masked, a, b) for a, b in pieces) or (
            any(m[1] == "at" for m in found)
            and any(company(masked[a:b]) for a, b in pieces)):
        return None
    spans = [(start, found[0].start())]
    spans += [(m.end(), found[i + 1].start() if i + 1 < len(found) else end)
              for i, m in enumerate(found)]
    return spans


# a contact glued to the name before it, as ``_masked`` writes it (one ``x`` a letter)
_GLUED_CONTACT = re.compile(r"\s+x{6,}\s*$")


def _before_title(masked: str, start: int, end: int) -> int:
    """Where the job titles and suffixes the part ``start:end`` ends with after its
    commas begin (``Marco e Anna Rossi, CEO``, ``José Ortega y Gasset, PhD, MBA``: at the
    first comma), read as ``name_and_title`` cuts them; ``end`` when the part before them
    holds a comma itself (``Puig i Cadafalch, Josep, CEO``) or none ends it. A contact
    glued at its end (``_masked``'s run of ``x``) and a title or company after a dash
    (``José Ortega y Gasset - CEO``, ``... jose@ortega.es``: x49r10 F5, read as two
    persons 'José Ortega', 'Gasset - CEO') are cut first too."""
    core = end
    if (glued := _GLUED_CONTACT.search(masked, start, end)) is not None:
        core = glued.start()
    for dash in reversed(list(_DASHES.finditer(masked, start, core))):
        if dash.end() >= core or not (job_title(masked[dash.end():core])
                                      or company(masked[dash.end():core])):
            break
        core = dash.start()
    for comma in reversed(list(re.finditer(",", masked[start:core]))):
        tail = (start + comma.end(), core)
        if not (suffix(masked, *tail) or job_title(masked[slice(*tail)])):
            break
        core = start + comma.start()
    return core if "," not in masked[start:core] else end


def _second_surname(words: list[str], before: int) -> bool:
    """Whether ``words`` (after ``y``, the part before it of ``before`` words) is a second
    surname of a formal Spanish name: a surname (``Martínez``, ``Ruiz``) then a particle,
    after a given name and a surname of three words or more (``Carlos Fitz-James Stuart y
    Martínez de Irujo``, ``María José Carrascosa y Ruiz de Alarcón``)."""
    first = words[0].casefold()
    return (before > 2 and len(words) > 2 and words[1].casefold() in PARTICLES
            and first.endswith(SURNAME_ENDS) and first not in GIVEN_ENDING_SO)


def a_full_name(names: list[str]) -> bool:
    """Whether a name of ``names`` (``listed_persons``' answer) is a full name: two words
    or more, or two letters or more of Han, Hangul or kana (``Jane and John Poe``: the
    couple's 'John Poe'). When none is (``Procter & Gamble``: 'Procter', 'Gamble'), the
    cell only may name that many persons, and a message says so (x46r9 F3)."""
    return any(len(n.split()) > 1 or _cjk_name(n, 0, len(n)) for n in names)


# the commas a job title follows a name after: ASCII, ideographic, full-width, Arabic;
# and a spaced slash (``Jane Roe / CEO``: x47r5 F9, the title was the person's name); a
# dash, a spaced hyphen (``Jane Roe - CEO``, ``Jane Roe \u2013 Head of Sales DACH``: x48r11 F7,
# each a person named with its title while ``Jane Roe, CEO`` was cut)
_TITLE_COMMA = re.compile("[,\u3001\uff0c\u060c]|\\s+/\\s*|\\s*/\\s+|/"
                          "|\\s+-+\\s+|\\s*[\u2013\u2014]+\\s*")


@functools.lru_cache(maxsize=_MEMO)
def name_and_title(cell: str) -> tuple[str, str | None]:
    """A one-person name cell (``listed_persons`` None) cut before the job title its
    commas end with: ``Jane Roe, VP Sales`` -> ``("Jane Roe", "VP Sales")``, ``Roe, Jane,
    Founder & CEO`` -> ``("Roe, Jane", "Founder & CEO")``, ``田中太郎、営業部長`` ->
    ``("田中太郎", "営業部長")``; every trailing part a title (``job_title``), the part
    before it a name (a letter, not a title itself). ``(cell, None)`` for anything else: a
    suffix (``Anna Berg, PhD``), ``c/o``, a company after the title (``Anna Berg, CEO,
    Acme GmbH``), a list of persons. Pure; the name and title as written, spaces folded
    (f47f: the title was the person's name in Pipedrive, and the rows of ``Jane Roe, VP
    Sales`` and ``Jane Roe`` two persons)."""
    if not _QUICK.search(cell) or listed_persons(cell) is not None:
        return cell, None
    folded = cell if cell.isascii() else cell.translate(FULLWIDTH_FOLD)
    masked = _masked(folded)
    cut: int | None = None
    after = end = len(masked)
    for comma in reversed(list(_TITLE_COMMA.finditer(masked))):
        contact = _contact(cell[comma.end():end])  # (x48r1 F5: into the note)
        if comma[0] == "/" and not slashed_title(masked[comma.end():end]) and not contact:
            continue  # (``Roe/Smith``, ``Design Director/Lead``: the part goes on)
        if not job_title(masked[comma.end():end]) and not contact:
            break
        cut, after, end = comma.start(), comma.end(), comma.start()
    if cut is None:
        return cell, None
    name, title = " ".join(cell[:cut].split()), " ".join(cell[after:].split())
    if not any(c.isalpha() for c in name) or job_title(masked[:cut]):
        return cell, None  # (``Founder, CEO``: no name before the title)
    return name, title


__all__ = ["a_full_name", "contact_alone", "holds_contact", "latin_spelling", "listed_persons",
           "name_after_contact",
           "name_and_title", "name_contacts", "no_title"]
