"""Every e-mail address, phone number and web address a one-person name cell writes,
wherever it stands, and the joiners left at the name's ends (x49r4).

A name cell writes contacts in every form: after a ``,`` ``/`` ``|`` ``;`` or a dash
(``name_lists.name_contacts`` reads those), with only a space (``Ola Fenwick
ola@fenwick.com``, ``Jon Tedder +49 30 3434343``), in brackets (``<…>`` ``(…)``
``[…]``), after a label (``Tel.``, ``Mobil``, ``Phone:``, ``Fax``, ``E-Mail:``,
``mailto:``, ``tel:``). x49r4 F1, F2, F4: a second ``<address>`` or a second phone was
dropped unsaid, and an address or phone after a space stayed in the person's name. So:

- ``cell_contacts``: every different address (case aside) and phone (its digits) of the
  whole cell, so the row mapper fails a row whose cell writes two, naming them;
- ``cut_contacts``: the cell without the contacts ``name_contacts`` left (those after a
  space, in ``(…)`` / ``[…]``, a web address anywhere), each with its label and the
  separator before it, in ``<…>`` too: the name before ``<addr>`` is then read as the name
  before an address after a space, one reading whatever form the address takes (x51r8 F1,
  F5, F8, F9: ``contacts.display_name`` read it, cutting ``Robert Smith 'Bob'``'s closing
  quote, dropping ``(née Smith)`` unsaid, refusing ``Nora Eli <Z8//w@x.org>``);
- ``strip_joiners``: a name without the joiners at its ends (``Jane Roe &``, ``and Lena
  Roe``, ``Jane Roe &amp;``: x49r4 F5), the words of the two-person rule
  (``person_words.AND_WORDS``), so that a joiner added there is stripped here;
- ``WEB_ADDRESS``: a web address — ``http(s)://``, ``ftp://``, ``www.`` or a bare domain,
  lower case, no space, ending in a common top-level domain (``moe.io``, ``nilsvanholt.com``:
  x49r4 F6; ``J.R. Ewing``, ``Dr.Li`` are none) — read one way by every reader (the
  two-person rule's ``_CONTACT`` too).

Why ~575 lines: every check of a name cell's contacts (the two-contact, led-address,
unsure-phone, label, extension and date checks) reads the one set of patterns here
(``ADDRESS``, ``_PHONE``, ``PHONE_LABEL``, ``_DATE_LIKE``); split apart, two readers of one
cell could drift and read a contact two ways (x52r1 F1's class).

Pure; no I/O.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from .name_dates import name_date
from .person_words import (
    AND_WORDS,
    AND_WORDS_LOWER,
    EXTENSION_WORDS,
    MESSENGER_LABELS,
    PHONE_LABELS,
)
from .quote_marks import QUOTE_MARKS, STRAY_MARKS, char_class, emptied_pairs

# the common generic and country top-level domains (a bare domain ends in one)
_TLDS = ("com|net|org|info|biz|io|co|ai|app|dev|me|tv|xyz|online|site|tech|shop|eu|de|at"
         "|ch|uk|fr|es|it|nl|be|se|no|dk|fi|pl|cz|us|ca|au|jp|cn|ru|br|in|ie|pt|gr|hu|ro"
         "|sk|lt|lv|ee|nz|za|mx|ar|cl|kr|tr|il")
_URL_TAIL = r"[^\s,;|<>()\[\]\"']"
WEB_ADDRESS = (rf"\b(?:https?://|ftp://|www\.){_URL_TAIL}+"
               rf"|(?<![\w@.\-])(?-i:[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{_TLDS}))"
               rf"(?![\w@\-]|\.\w)(?:/{_URL_TAIL}*)?")

# the letters an address never has around it: separators, brackets, quotes, Han, kana,
# Hangul, CJK punctuation (``・`` ``。`` ``、``), full-width forms (``山田太郎、t06@acme.jp``;
# x49r10 F2: ``李伟 li@x.cn・王芳`` wrote the e-mail ``li@x.cn・王芳``): every address
# pattern of a name cell reads it
# ... and every quote mark and bracket of every script (``quote_marks.QUOTE_MARKS``) and a
# backtick (x51r1 F2: ``Gisela Ekdahl \u2039qq00@x.com\u203a`` wrote ``\u2039qq00@x.com``; a
# ``'`` or ``` ` ``` inside a local part is its own: ``d'arcy@x.ie``)
NOT_MAIL = (r"\s,;|/<>()\[\]@\"'`\u060c"
            r"\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef" + char_class(QUOTE_MARKS))
# an address, one pattern for every reader of a name cell: the whole local part RFC 5322
# allows in a dot-atom (atext: letters, digits, ``!#$%&'*+-/=?^_`{|}~``, and dots), started
# after a space, a bracket, a quote, a colon or CJK text (``NOT_MAIL``), never at a ``'``;
# a ``/`` or ``|`` (a name cell's separators too: ``Jane Roe/jane@roe.com``) only in a
# lower-case part before it (``a/b@x.ie``, ``z8//w@x.org``); a fullwidth at-sign (U+FF20) read as one so that
# the address is refused as the E-mail column refuses it, never left in the name; the
# domain a dot-atom, a full stop after it no part of it (x50r1 F1: ``ann.o'neil@x.ie`` was
# cut at the ``'``, the person named ``Ann Abe ann.o'``, the e-mail ``neil@x.ie``)
# ... and a run of them (x51r1 F1: ``z8//w@x.org`` was cut at the ``//`` and ``w@x.org``
# written; one not in a lower-case part fails its row: ``led_address``)
ADDRESS = (rf"(?<![^{NOT_MAIL}:])(?-i:[^{NOT_MAIL}:A-Z]+[/|]+)*[^{NOT_MAIL}:](?:[^{NOT_MAIL}:]|['`])*"
           rf"[@\uff20](?:(?![{NOT_MAIL}])[^\W_]|-)+(?:\.(?:(?![{NOT_MAIL}])[^\W_]|-)+)+")
# a full stop ending a sentence after an address (``Ann Gobe ann@gobe.com.``), and the
# other sentence signs ``!`` ``?`` ``:`` ``…`` (x50r7 F10: left in the name)
ADDRESS_STOP = rf"(?:[.!?:\u2026]+(?=[{NOT_MAIL}]|$))?"
_EMAIL = re.compile(rf"(?:\b(?:e-?mail|mail)(?:\s*:\s*|\s+)(?={ADDRESS})|mailto:\s*)?"
                    rf"(?P<address>{ADDRESS}){ADDRESS_STOP}", re.IGNORECASE)
# an address led by a sign that both separates and may start a local part (RFC 5322's
# atext: ``|``, ``/``, ``-``, ``'``, ``` ` ```), glued to it after a space or the cell's start
# (x50r7 F4: ``Rut Lead124 |rl124@z.io`` wrote ``rl124@z.io``; ``'rl39@z.io`` left the
# ``'`` in the name); a ``'`` or ``` ` ``` closed after the address is a quote (``'ann@x.ie'``)
_LOCAL_START = rf"[^{NOT_MAIL}:'\-](?:[^{NOT_MAIL}:]|['`])*[@\uff20][^{NOT_MAIL}.]+(?:\.[^{NOT_MAIL}.]+)+"
_LED_ADDRESS = re.compile(rf"(?:^|(?<=\s))(?P<lead>[|/'`\-])(?P<address>{_LOCAL_START})")
# ... and one after a run of ``/`` ``|`` glued to a word ``ADDRESS`` does not read as part of
# it (an upper-case letter in it) or to a word holding a digit (x51r1 F1: ``Thea Brandt
# Z8//w@x.org`` would write ``w@x.org``); ``Jane Roe/jane@roe.com`` separates
_RUN_ADDRESS = re.compile(rf"(?P<word>[^\s{NOT_MAIL}:]+)(?P<lead>[/|]+)(?P<address>{_LOCAL_START})")
# ... but whole in a bracket or quotes of its own (x51r8 F5: ``Nora Eli <Z8//w@x.org>``,
# ``(…)``, ``[…]``, ``「…」`` were refused; the bracket bounds the address)
_OPENING = "<([" + QUOTE_MARKS
_BRACKETED_RUN = re.compile(rf"(?<=[{char_class(_OPENING)}])(?P<address>(?:[^\s{NOT_MAIL}:]+[/|]+)+"
                            rf"{_LOCAL_START})(?=[{char_class('>)]' + QUOTE_MARKS)}])")
# ... and one in ``'`` or backtick quotes glued to a word (x51r8 F4: ``Jo Evje'je@x.no'``
# wrote ``Evje'je@x.no`` and named the person ``Jo '``): the quoted address, or the word's
_QUOTED_ADDRESS = re.compile(rf"(?<![^\s{NOT_MAIL}:])(?P<word>[^\s{NOT_MAIL}:](?:[^\s{NOT_MAIL}:]|['`])*?)"
                             rf"(?P<lead>['`])(?P<address>[^{NOT_MAIL}:]+[@\uff20][^{NOT_MAIL}.]+"
                             rf"(?:\.[^{NOT_MAIL}.]+)+)(?P=lead)")


def led_address(cell: str) -> str | None:
    """The reason a name cell fails its row when an address in it is led by a sign that
    both separates and may start the address (``Rut Roe |rl@z.io``: the address
    ``rl@z.io`` after a ``|``, or ``|rl@z.io``; ``Thea Roe Z8//w@x.org``: ``w@x.org`` after
    ``Z8//``, or ``Z8//w@x.org``; ``Jo Evje'je@x.no'``: ``je@x.no`` in quotes after
    ``Evje``, or ``Evje'je@x.no``): the two readings named, never a shortened address
    written (x50r7 F4, x51r1 F1, x51r8 F4); the advice how to write the other. A run in
    an address in a bracket of its own is the address's (``Nora Eli <Z8//w@x.org>``:
    x51r8 F5). None when there is none. Read before any dash is spaced. Pure."""
    if "@" not in cell and "\uff20" not in cell:
        return None
    m = next((m for m in _LED_ADDRESS.finditer(cell)
              if m["lead"] not in "'`" or not cell.startswith(m["lead"], m.end())), None)
    advice = "write the address alone after a space"
    if m is not None:
        whole = m["lead"] + m["address"]
    elif (m := _QUOTED_ADDRESS.search(cell)) is not None:
        whole = m["word"] + m["lead"] + m["address"]
        return (f"the person cell {cell!r} writes {whole + m['lead']!r}: the address "
                f"{m['address']!r} in quotes after {m['word']!r}, or the address "
                f"{whole!r}? Write the address alone after a space")
    else:
        whole_ones = [b.span() for b in _BRACKETED_RUN.finditer(cell)]
        m = next((m for m in _RUN_ADDRESS.finditer(cell)
                  if ((len(m["lead"]) > 1 and re.search("[A-Z]", m["word"]))
                      or any(c.isdigit() for c in m["word"])) and m.span() not in whole_ones),
                 None)
        # (a word of digits, no letter, is unsure however the address reads: ``9//w@x``
        # after a space was read whole, f52b; ``z8//w@x`` is an address's lower-case part)
        if m is None or (re.fullmatch(ADDRESS, m[0])
                         and any(c.isalpha() for c in m["word"])):
            return None
        whole = m[0]
        advice = f"write it in <…> after the name (\"Name <{whole}>\")"  # (x51r8 F5)
    return (f"the person cell {cell!r} writes {whole!r}: the address {m['address']!r} after "
            f"a {m['lead']!r}, or the address {whole!r}? If the latter, {advice}")


# what stands between a phone's digit groups: spaces, brackets, dots, slashes and every
# dash (hyphen U+2010 to the horizontal bar U+2015, minus, fullwidth hyphen: x49r10 F4,
# ``030\u2013123\u20134567``, ``090\uff0d1234\uff0d5678`` were split or left in the name)
PHONE_GAP = r"[\s().\-/\u2010-\u2015\u2212\uff0d]"
# a phone: a number of six digits or more led by ``+`` or ``0`` or by a label; any other
# (``Kunde 1234567``, ``Jane Roe 12.03.1980``) is no phone, and a name holding it is
# refused (``rowmapper``'s last check), never written as a phone (x49r4 / f49c)
# ... with its extension (``+1 212 555 0252 ext. 12``: x49r7 F6, ``ext. 12`` was left in
# the name)
# ... in every language's word (``person_words.EXTENSION_WORDS``: ``Durchwahl -12``,
# ``poste 16``, ``int. 19``, ``#15``) and RFC 3966's ``;ext=12`` (x50r1 F2: refused, or
# left in the name); the phone column's reader (``contacts``) takes the same words
PHONE_EXTENSION = (rf"(?:\s*,?\s*(?:(?i:{EXTENSION_WORDS})(?![^\W\d_])\.?|\#)\s*[.:=]?\s*-?\s*"
                   r"\d{1,6}(?!\d)|\s*;\s*(?i:ext)\s*=\s*\d{1,6}(?!\d)"
                   rf"|\s*\(\s*(?i:{EXTENSION_WORDS})(?![^\W\d_])\.?\s*[.:=]?\s*\d{{1,6}}\s*\))?")
# (a label's Hebrew geresh, ``טל'``, is its own: x51r1 F4)
# ... never started by a digit glued to a letter of a spaced script (x51r8 F2: ``Anna Boe0 030
# 1234569`` wrote ``0 030 1234569``; ``山田太郎090-1234-5678`` is written unspaced)
_GLUED_DIGIT = r"(?<![A-Za-z\u00c0-\u024f\u0370-\u052f])"
# a phone's label, listed (``person_words.PHONE_LABELS``) or several joined by ``/``
# (``Tel/WhatsApp:``, ``Phone/WA:``, ``Tel. / WhatsApp:``: x51r8 F6, ``Tel`` was left in
# the name), and ``WA`` opening a bracket before a ``+`` (``(WA +90 …)``)
# ... a messenger after the ``/`` (``person_words.MESSENGER_LABELS``) or alone before a
# colon, and spaces before the colon (French ``Tél/WhatsApp : +33 …``: x52r1 F3, ``Tél`` was
# left in the name): ``label(/label)* :`` in every form
# ... a messenger first too when a label follows it after a ``/`` and the whole ends in a
# colon (``SMS/Tel.:``, ``KakaoTalk/Tel.:``: x52r11 F2)
_JOINED_LABEL = rf"\.?\s*/\s*(?:{PHONE_LABELS}|{MESSENGER_LABELS})\b"
PHONE_LABEL = (rf"(?:(?:\b(?:{PHONE_LABELS})\b['\u05f3]?"
               rf"|\b(?:{MESSENGER_LABELS})\b(?=(?:{_JOINED_LABEL})+\.?\s*:))"
               rf"(?:{_JOINED_LABEL})*(?:\.?\s+(?=:))?"
               rf"|\b(?:{MESSENGER_LABELS})\b(?=\s*:)(?:\s+(?=:))?"
               r"|(?<=\()(?i:wa)(?=\s+\+))")
_PHONE = re.compile(rf"(?:(?P<label>{PHONE_LABEL})\.?:?\s*)?"
                    rf"(?P<number>{_GLUED_DIGIT}\+?\d(?:{PHONE_GAP}*\d){{5,}}{PHONE_EXTENSION})",
                    re.IGNORECASE)
# a phone's label no list holds: a word before a colon after a separator or starting a
# part (``Jane Roe, Zentrale: +49 30 1234567``; ``name_lists``' contact part: x51r1 F4)
_SEPARATED = r",;|/\-\u2013\u2014\u3001\uff0c\uff1b\u060c\0"
WORD_LABEL = (rf"(?:^|(?<=[{_SEPARATED}])|(?<=[{_SEPARATED}]\s))\s*[^\W\d_]{{2,20}}\s*:\s*")
# ... and one glued after a name (``Stellan Iversen Zentrale: +90 216 333 0009``)
_GLUED_LABEL = re.compile(rf"(?<=[^\W\d_]\s)(?P<word>[^\W\d_]{{2,20}}):\s*[(\[]?\s*"
                          rf"(?P<number>\+?\d(?:{PHONE_GAP}*\d){{5,}})")


@functools.lru_cache(maxsize=4096)
def word_label(cell: str) -> str | None:
    """The reason a name cell fails its row when a word no list holds stands before a colon
    and a phone, after two words or more of the name (``Stellan Iversen Zentrale: +90 216
    333 0009``: a label, or the name's last word as in ``Jane Roe: +49 30 1234567``?): the
    two readings named, never the label left in the name (x51r1 F4); None otherwise (a
    listed label, ``person_words.PHONE_LABELS``, is cut with the phone). Pure."""
    if ":" not in cell:
        return None
    labelled = [p.span() for p in _phones(cell) if p["label"]]
    for m in _GLUED_LABEL.finditer(cell):
        if not any(a <= m.start() and m.end() <= b for a, b in labelled) \
                and len(cell[:m.start()].split()) >= 2 and not date_like(m["number"]) \
                and re.fullmatch(PHONE_LABELS, m["word"], re.IGNORECASE) is None:
            return (f"the person cell {cell!r} writes {m['word'] + ':'!r} before the phone "
                    f"{m['number']!r}: a label, or the end of the name? Write the phone in "
                    "the phone column, or after a comma (\"Tel.: +49 30 1234567\")")
    return None


_A_DIGIT = re.compile(r"\d")
# a word and up to six digits right after a phone: an extension after a word no list holds
_AFTER_PHONE = re.compile(r"\s*,?\s*\(?\s*(?P<word>[^\W\d_]{1,16})\.?\s*[.:=#]?\s*-?\s*"
                          r"(?P<digits>\d{1,6})(?!\d)")


@functools.lru_cache(maxsize=4096)
def unknown_extension(cell: str) -> str | None:
    """The reason a name cell fails its row when a phone in it is followed by a word no
    list holds and a number (``Zeno Holm, +420 2 2233 0024 Xtn 23`` before ``Xtn`` was
    listed): an extension word the reader does not know, said so (x51r1 F7: the row failed
    as naming 2 persons, or the person was named ``Zeno Holm Xtn 23``); None otherwise (a
    listed word, ``person_words.EXTENSION_WORDS``, is kept with the phone). Pure."""
    if _A_DIGIT.search(cell) is None:
        return None
    for p in _phones(cell):
        if (m := _AFTER_PHONE.match(cell, p.end())) is not None:
            return (f"the person cell {cell!r} writes {m['word']!r} and {m['digits']!r} after "
                    f"the phone {p['number']!r}: an unknown extension word? Write the "
                    "extension as 'ext. 23', or the phone in the phone column")
    return None


# a date, not a phone, however it is led (``06.12.2026``, ``06/12/1980 14:30``,
# ``2026-12-06``: x49r7 F2, written as phones ``06.12.2026 14``): a name holding one is
# refused by the row mapper's last check
# (``01.23.45.67.89``, a French number, goes on past a third group: no date)
# ... and a month and year, either first (``12/2026``, ``2026/12``, ``12-2026``, ``12.2026``:
# x51r8 F3, written as phones in the name cell and the phone column): a month 1-12 and a
# year 1900-2099, nothing more after it
# ... spaced around its sign, or its month led by a 0 more, when nothing follows
# (``12 / 2026``, ``2026 / 12``, ``0 12/2026``, ``012/2026``: x52r1 F6, phones in the
# phone column)
_DATE_LIKE = re.compile(r"(?:\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})"
                        r"|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}"
                        r"|(?:0?[1-9]|1[0-2])[./\-](?:19|20)\d\d|(?:19|20)\d\d[./\-](?:0?[1-9]|1[0-2])"
                        r"|(?:0+\s*)?(?:0?[1-9]|1[0-2])\s*[./\-]\s*(?:19|20)\d\d(?=\s*$)"
                        r"|(?:19|20)\d\d\s*[./\-]\s*(?:0?[1-9]|1[0-2])(?=\s*$))"
                        r"(?!\d|[./\-]\d)")


def date_like(number: str) -> bool:
    """Whether ``number`` (a phone candidate) starts as a date is written, whatever leads
    it (x50r1 F5: ``+06.12.2026``, ``+ 12.03.1980`` were written as phones), its digits and
    separators of any script read as ASCII (``fold_digits``: x52r11 F3, a fullwidth ``12/2026``,
    ``٠٦/٢٠٢٧`` in the phone column were written as phones)."""
    return _DATE_LIKE.match(fold_digits(number).strip().lstrip("+([ ")) is not None


_DATE_IN = re.compile(r"(?<![\d./\-])" + _DATE_LIKE.pattern)


def holds_date(text: str) -> bool:
    """Whether ``text`` (a person's name, its contacts cut) holds a date anywhere, its
    year of two digits or four (``Vilma Roe tel:6.12.26``, ``+6.12.26``, ``Mobil
    6/12/26``: x50r7 F6, five digits, read as neither a phone nor a date, were left in
    the name), or with a month's word or without a year (``name_dates.name_date``: ``Jan 6
    2026``, ``6. Dezember``, ``12/6``: x51r1 F5). Pure."""
    return any(c.isdigit() for c in text) and (
        _DATE_IN.search(text) is not None or name_date(text) is not None)


# (a bracket's date is not the cell's, in CJK brackets too: x52r11 F6, ``Jane Roe
# \u300c2026\u5e7412\u6708\u300d <j@x>`` was refused)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>|\uff08[^\uff08\uff09]*\uff09"
                        r"|[\u300c\u300e\u300a\u3008\u3014\u3010][^\u300c-\u3011]*[\u300d\u300f\u300b\u3009\u3015\u3011]")


@functools.lru_cache(maxsize=4096)
def cell_date(cell: str) -> str | None:
    """The date a name cell writes outside brackets and its contacts, in any part of it
    (``Gisela Roe, 6 de diciembre``, ``Gisela Roe - Mon 6 Dec``: x51r1 F5, refused as
    naming 2 persons or kept in the note unsaid), as written (``name_dates.name_date``
    and ``holds_date``'s digits-only dates); None when it writes none. Pure."""
    if _A_DIGIT.search(cell) is None:
        return None
    text = _BRACKETED.sub(" ", cell)
    emails, phones = cell_contacts(text)
    for contact in (*emails, *phones):
        text = text.replace(contact, " ")
    if (found := name_date(text)) is not None:
        return found
    return m[0] if (m := _DATE_IN.search(text)) is not None else None


# a phone's first group of digits, spaced from the rest
_FIRST_GROUP = re.compile(r"\d+\s+(?=\d)")
# a first group that is a name's digit word as well as a phone's start: ``0`` alone, or
# ``00`` and a one-digit country code (``007``: +7, or Agent 007?)
_UNSURE_GROUP = re.compile(r"0|00\d?")


def _rest(text: str, m: re.Match[str]) -> re.Match[str] | None:
    """The phone after the first group of ``m``'s number (unlabelled), when that rest is
    one by itself (led by ``0``, six digits or more, no date): ``Agent 7 030 1234568``'s
    ``030 1234568``; else None."""
    if m["label"] or m["number"][0] == "+" or (g := _FIRST_GROUP.match(m["number"])) is None:
        return None
    rest = _PHONE.match(text, m.start("number") + g.end())
    return rest if rest is not None and rest["number"][0] == "0" \
        and not date_like(rest["number"]) else None


_BRACKET_OPENED = re.compile(r"\d+\s*\(")


def _bracketed_rest(text: str, m: re.Match[str]) -> re.Match[str] | None:
    """The phone in a bracket of its own after the first group of ``m``'s number
    (unlabelled, not led by ``+``), the bracket closed right after it: ``Agent 007 (030
    1234585)``'s ``030 1234585``, as in ``「…」`` (one reading whatever the pair, x52r1 F5:
    the phone was ``007 (030 1234585``); else None (``02 (030) 1234581``: an area code's
    bracket, no phone of its own)."""
    if m["label"] or m["number"][0] == "+" or (g := _BRACKET_OPENED.match(m["number"])) is None:
        return None
    rest = _PHONE.match(text, m.start("number") + g.end())
    if rest is None or ")" in rest[0] or rest["number"][0] not in "+0" \
            or not text[rest.end():].lstrip().startswith(")") or date_like(rest["number"]):
        return None
    return rest


def _phones(text: str) -> list[re.Match[str]]:
    """``_PHONE``'s matches in ``text`` that are phones: labelled, or led by + or 0, and
    not written as a date is; a first group of digits that is no phone's start (``Agent 7
    030 1234568``: not led by 0) left to the name, the phone the rest (x51r8 F2: a phone
    never takes a word of the name; ``unsure_phone`` fails a row whose split is unsure)."""
    out = []
    for m in _PHONE.finditer(text):
        if m["number"][0] not in "+0" and (rest := _rest(text, m)) is not None:
            m = rest
        elif (rest := _bracketed_rest(text, m)) is not None:
            m = rest  # ("Agent 007 (030 1234585)": the bracket's phone, x52r1 F5)
        if (m["label"] or m["number"][0] in "+0") and not date_like(m["number"]):
            out.append(m)
    return out


# ... and any digit word led by ``0`` after a name's word, before a rest led by ``0`` in
# groups of another width, spaced or in a bracket (x52r1 F5: ``Unit 02 030 1234581`` was
# the person ``Unit`` with ``02 030 1234581``; ``Agent 007 (030 1234585)`` ``Agent`` with
# ``007 (030 1234585``); ``01 02 03 04 05`` (groups of one width) is one phone
_DIGIT_WORD = re.compile(r"(0\d{0,2})[\s(]+(?=0)")
_NAME_WORD_BEFORE = re.compile(r"[^\W\d_][.']?\s+$")
_GROUP = re.compile(r"\d+")


def _unsure_split(cell: str, m: re.Match[str]) -> tuple[str, str] | None:
    """The digit word and the rest of ``m``'s number (unlabelled, led by ``0``) when it
    may be a name's last word and a phone of its own (``unsure_phone``), else None."""
    if m["label"] or m["number"][0] != "0" or (g := _DIGIT_WORD.match(m["number"])) is None \
            or date_like(m["number"]) or _bracketed_rest(cell, m) is not None:
        return None
    rest = _PHONE.match(cell, m.start("number") + g.end())
    if rest is None or date_like(rest["number"]):
        return None
    if _UNSURE_GROUP.fullmatch(g[1]) is None and (
            _NAME_WORD_BEFORE.search(cell, 0, m.start("number")) is None
            or len(_GROUP.match(rest["number"])[0]) == len(g[1])):  # type: ignore[index]
        return None
    shown = ("(" if "(" in g[0] else "") + rest["number"]  # ("(030) 1234581")
    if shown.count("(") > shown.count(")") and cell.startswith(")", rest.end()):
        shown += ")"
    return g[1], shown


@functools.lru_cache(maxsize=4096)
def unsure_phone(cell: str) -> str | None:
    """The reason a name cell fails its row when a phone in it may start with a word of
    the name: its first group ``0`` alone or ``00`` and a digit (an international prefix,
    or ``Agent 007``'s number), or any digit word led by ``0`` after a name's word before
    groups of another width (``Unit 02 030 1234581``), before a rest that is a phone by
    itself, spaced or bracketed (``Agent 007 030 1234568``, ``Agent 007 (030 1234585)``:
    ``007 030 1234568``, or ``Agent 007`` and ``030 1234568``?): both readings named,
    never a word of the name written into the phone (x51r8 F2, x52r1 F5); None otherwise.
    Pure."""
    if _A_DIGIT.search(cell) is None:
        return None
    for m in _PHONE.finditer(cell):
        if (split := _unsure_split(cell, m)) is not None:
            return (f"the person cell {cell!r} writes the phone {m['number']!r}, or "
                    f"{split[0]!r} as the name's last word and the phone "
                    f"{split[1]!r}? Write the phone in the phone column, or after a "
                    "comma")
    return None


_WEB = re.compile(WEB_ADDRESS, re.IGNORECASE)
# the decimal digits of other scripts a phone is written in (fullwidth, Arabic-Indic,
# Persian, Devanagari, Bengali, Thai), and the fullwidth plus before a digit
_DIGITS = {z + d: str(d) for z in (0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50)
           for d in range(10)} | {0xFF1C: "<", 0xFF1E: ">", 0xFF0E: "."}
_WIDE_PLUS = re.compile(r"\uff0b(?=\s*\d)")
_DIGIT_DASH = re.compile(r"(?<=\d)(\s*)[\u2010-\u2015\u2212\uff0d](?=\s*\d)")
# a decimal digit of any other script (``unicodedata.decimal``: Persian, Devanagari, ...)
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# a fullwidth or small solidus / full stop / colon between two digits (a fullwidth
# ``12/2026``: x52r11 F3, the name ``Tove Kyl 12\uff0f2026``), as NFKC folds it
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)(\s*)[\uff0f\u2044\u2215\ufe52\uff0e\uff1a](?=\s*\d)")
_SEPARATOR_FOLD = {0xFF0F: "/", 0x2044: "/", 0x2215: "/", 0xFE52: ".", 0xFF0E: ".", 0xFF1A: ":"}


def _digit(m: re.Match[str]) -> str:
    return str(unicodedata.decimal(m[0]))


def _separator(m: re.Match[str]) -> str:
    return m[1] + _SEPARATOR_FOLD[ord(m[0][-1])]


def fold_digits(text: str) -> str:
    """``text`` (a name cell) with its digits of other scripts written as ASCII digits
    (``\uff10\uff19\uff10`` -> ``090``, NFKC's fold), a fullwidth plus before a digit as ``+`` and every
    dash between two digits as ``-`` (``090\uff0d1234\uff0d5678``, ``030\u2013123\u20134567`` ->
    ``090-1234-5678``, ``030-123-4567``): a phone is then read whole, and a number is
    never left in a name (x49r10 F4). The fullwidth brackets and full stop (U+FF1C,
    U+FF1E, U+FF0E) as ``< > .`` too, as the E-mail column reads them (x50r1 F6: ``Jane Roe
    <jane@roe.com>`` in fullwidth brackets kept them in the name); a fullwidth at-sign
    (U+FF20) is kept, the row then refused as that column refuses it. Every other
    script's decimal digit (``unicodedata.decimal``) and a fullwidth ``\uff0f`` ``\uff0e`` ``\uff1a``
    between digits as ASCII (x52r11 F3: ``\uff11\uff12\uff0f\uff12\uff10\uff12\uff16`` was kept in the name).
    ``text`` itself when it holds none. Pure."""
    if text.isascii():
        return text
    text = _WIDE_PLUS.sub("+", text.translate(_DIGITS))
    if not text.isascii():
        text = _OTHER_DIGIT.sub(_digit, text)
        text = _DIGIT_SEPARATOR.sub(_separator, text)
    return _DIGIT_DASH.sub(r"\1-", text)


# a separator before a contact that goes with it
_BEFORE = re.compile(r"\s*[,;|/\u2013\u2014-]*\s*$")


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    out = list(text)
    for a, b in spans:
        out[a:b] = "\0" * (b - a)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def cell_contacts(cell: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every different e-mail address (compared case-insensitively) and phone number
    (compared by its digits) anywhere in ``cell``, brackets too, as written (a label and
    ``mailto:`` dropped), in order: ``("a@x.com", "b@y.com"), ("+49 30 1234567",)``. A
    run of six digits or more led by ``+``, ``0`` or a label is a phone; digits in an
    address or web address are not."""
    if not any(c.isdigit() or c == "@" for c in cell):
        return (), ()  # most cells (a quick test before the rest)
    emails: dict[str, str] = {}
    spans = []
    rest = cell
    for pattern in (_BRACKETED_RUN, _EMAIL):
        for m in pattern.finditer(rest):
            emails.setdefault(m["address"].casefold(), m["address"])
            spans.append(m.span())
        rest = _blanked(rest, spans)
    rest = _blanked(rest, [m.span() for m in _WEB.finditer(rest)])
    phones: dict[str, str] = {}
    for m in _phones(rest):
        phones.setdefault(re.sub(r"\D", "", m["number"]), m["number"])
    return tuple(emails.values()), tuple(phones.values())


def cut_contacts(name: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``name`` (a one-person name cell once ``name_contacts`` cut its contacts after a
    separator) without every e-mail address, phone number and web address left in it —
    after a space, in ``(…)`` or ``[…]`` (the bracket dropped when nothing else is in it),
    with its label and the separator before it —: (the name, spaces folded; the addresses;
    the phones; the web addresses), each as written. An address in ``<…>`` is cut as one
    in ``(…)`` is (x51r8 F1: one reading of the name before it, whatever the form)."""
    if not any(c.isdigit() or c in "@." for c in name):
        return name, (), (), ()
    found: list[tuple[int, int, str, str]] = []  # start, end, kind, text
    taken = name
    for kind, pattern, group in (("email", _BRACKETED_RUN, "address"),
                                 ("email", _EMAIL, "address"), ("web", _WEB, 0),
                                 ("phone", _PHONE, "number")):
        for m in (_phones(taken) if kind == "phone" else pattern.finditer(taken)):
            found.append((m.start(), m.end(), kind, name[m.start(group):m.end(group)]))
        taken = _blanked(taken, [(a, b) for a, b, k, _ in found if k == kind])
    if not found:
        return name, (), (), ()
    found.sort()
    spans = []
    for a, b, _, _ in found:
        a -= len(_BEFORE.search(name[:a])[0])  # type: ignore[index]
        spans.append((a, b))
    text = _blanked(name, spans)
    # a bracket (or quotes: ``'ann@x.ie'``) left with nothing but separators in it goes
    # too, whichever pair of ``quote_marks.PAIRS`` (x52r1 F1, F4)
    text = emptied_pairs(text)
    rest = " ".join(text.replace("\0", " ").split())
    while rest.endswith(")") and rest.count(")") > rest.count("("):  # ("ann@x.io)")
        rest = rest[:-1].rstrip()
    return (rest, tuple(t for *_, k, t in found if k == "email"),
            tuple(t for *_, k, t in found if k == "phone"),
            tuple(t for *_, k, t in found if k == "web"))


# what a name keeps of its cell's punctuation once a contact is cut from it: no word of
# these alone, none at its ends (``quote_marks.STRAY_MARKS`` and ``,`` ``;`` ``:`` ``|``
# ``/`` ``-`` ``!`` ``?`` ``*`` ``~`` ``#`` ``^`` ``=`` ``_``)
_STRAY = STRAY_MARKS + ",;:|/-!?*~#^=_"
_STRAY_WORD = re.compile(rf"(?:(?<=\s)|^)[{char_class(_STRAY)}]+(?=\s|$)")
# (a quote mark or bracket glued to a word stays: ``Ann Roe 「営業部」``)
_GLUED = char_class("".join(c for c in _STRAY if c not in QUOTE_MARKS))
_STRAY_ENDS = re.compile(rf"^[{_GLUED}\s]+|[{_GLUED}\s]+$")


def strip_marks(name: str) -> str:
    """``name`` (a person's name once the address, phone or web address its cell wrote is
    cut from it) without the punctuation left around it: a word of quote marks, brackets,
    dashes or other punctuation of any script alone (``Rosa Dahlberg \u300c \u300d``, ``Leif
    Juhl \u00b7``, ``Corin Abelsen \u2010``), and such marks glued to the name's ends
    (``Gisela Juhl\u060c``, ``Ann Roe\uff01``): x51r1 F3, the name kept them. A quote mark
    or bracket glued to a word stays (``Ann Roe 「営業部」``), but not a lone one ending the
    name (``Unni Foss„`` of ``Unni Foss„a@x“``: x51r8 F6, an address's quote). Spaces
    folded. Pure."""
    if name.isascii() and not any(c in "`,;:|/-!?*~#^=_" for c in name):
        return name
    out = " ".join(_STRAY_WORD.sub(" ", name).split())
    bare = _STRAY_ENDS.sub("", out)
    if bare[-1:] in QUOTE_MARKS and sum(c in QUOTE_MARKS for c in bare) == 1:
        bare = bare[:-1].rstrip()  # ("Unni Foss„a@x“": the quote's, x51r8 F6)
    return bare if any(c.isalnum() for c in bare) else out


_SIGNS = ",;|/+&\u2013\u2014-:\u3001\u3002\u30fb\uff0c\uff1a\uff1b"
_JOINER = re.compile(rf"(?i:and/or|und/oder|et/ou|y/o|e/ou|e/o|{AND_WORDS})"
                     rf"|{AND_WORDS_LOWER}|y|e|i|a|at")


def strip_joiners(name: str) -> str:
    """``name`` without the joiners at its ends — ``&``, ``+``, ``/``, ``|``, ``,``, ``;``,
    a dash, ``and`` / ``und`` / ``et`` / ``y`` ... (``person_words.AND_WORDS``, the
    two-person rule's), ``&amp;`` read as ``&`` —: ``Omar Roe &`` and ``and Lena Roe`` are
    ``Omar Roe`` and ``Lena Roe``. A joiner word is stripped only spaced from the name
    (``Andy``, ``Etta`` stay), in lower or upper case (``Anna Und`` stays); ``""`` when
    nothing else is left (``& jane@x``: the person is named by its address). Word by word,
    linear in the name's length (no regex backtracking)."""
    words = (html.unescape(name) if "&" in name else name).split()
    for end in (-1, 0):
        while words:
            word = words[end]
            # a joiner word in lower or upper case (a capitalised one may be a name: ``Anna
            # Und``, x49r7 F8)
            if not word.strip(_SIGNS) or (len(words) > 1 and _JOINER.fullmatch(word)
                                          and (word.islower() or word.isupper())):
                words.pop(end)
            elif (cut := word.rstrip(_SIGNS) if end else word.lstrip(_SIGNS)) != word:
                words[end] = cut
            else:
                break
    out = " ".join(words)
    if len(words) == 1 and _JOINER.fullmatch(words[0]) and not words[0][:1].isupper():
        return ""  # a joiner alone is no name (x49r7 F5: ``and bert@x`` was named 'and')
    return out if any(c.isalnum() for c in out) else ""


__all__ = ["ADDRESS", "cell_date", "ADDRESS_STOP", "NOT_MAIL", "PHONE_EXTENSION", "PHONE_GAP",
           "PHONE_LABEL", "PHONE_LABELS",
           "WEB_ADDRESS", "cell_contacts", "cut_contacts", "date_like", "fold_digits",
           "WORD_LABEL", "holds_date", "led_address", "strip_joiners", "strip_marks",
           "unknown_extension", "unsure_phone", "word_label"]
