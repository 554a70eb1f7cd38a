"""E-mail addresses, phone numbers and the match keys of organization names,
addresses and phones.

Why ~840 lines: every match key (e-mail, phone, person name, organization, address) goes
through one folding (``fold_accents``: accents, apostrophes, scripts) that the import's
account index, its in-file keys, its claims and dedupe all read alike; split apart, two
copies of a key could drift and join or part different people. The e-mail verdicts
(``_checked``: per address, per domain for a plain one) sit beside the reading they serve.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable
from typing import NamedTuple

from email_validator import EmailNotValidError, validate_email

from bulk.errors import InputError

from .conjunctions import AND_WORDS
from .email_list import _PLAIN, Entry, entries
from .legal_forms import SINGLE_WORD_FORMS, name_start, split_forms
from .name_cell_contacts import date_like
from .person_words import EXTENSION_WORDS
from .phone_labels import Labelled, label_alone, split_label
from .quote_marks import QUOTE_MARKS, unwrap_quotes
from .text import clean_text, norm_key

# ---------------------------------------------------------------- e-mail, phone

_NOT_PHONE = re.compile(r"[^\d\s+().\-/]")
_NON_DIGITS = re.compile(r"\D")
_INNER_DOT = re.compile(r"(?<=\w)[./](?=\w)")
def _spaced(text: str) -> str:
    """``text`` with punctuation and symbols (and ``_``) as spaces; the marks of letters
    (Thai vowels and tones, Devanagari signs: not ``\\w``) are kept in their word."""
    return "".join(" " if c == "_" or unicodedata.category(c)[0] in "PS" else c
                   for c in text)


def normalize_email(value: object) -> str | None:
    """The first entry of the cell's list (``email_list.entries``: split first, so
    ``ann@x, Bob <bob@x>`` is ``ann@x``, x20r1 S1), trimmed, ``mailto:``, ``Name <addr>``
    and ``Name (addr)`` unwrapped; the root dot of a domain written as an FQDN (``ann@x.com.``) dropped;
    checked by email-validator (RFC 5321/5322 syntax, internationalized
    addresses such as ``grace.müller@example.com`` accepted, no DNS lookup) and written as
    it normalizes the address: the domain lower-cased and in Unicode form
    (``Ann.Smith@Example.COM`` → ``Ann.Smith@example.com``, ``ann@xn--bcher-kva.de`` →
    ``ann@bücher.de``), the local part in Unicode NFC, its letters' case kept as the file
    writes them. Pipedrive keeps an address as it is given and its own importer matches
    addresses case-insensitively; so does this project, by ``email_key`` (x19r4 F1), never
    by this text (f32e: the local part was lower-cased, so ``Ann.Smith@Example.com`` was
    written ``ann.smith@example.com``; x19r3 F1 had written ``OLGA.GARCÍA@`` as
    ``olga.garcÍa@``). InputError("not an e-mail address: ...") otherwise.
    """
    return _first_of(clean_text(value))[0]


def _first_of(text: str | None) -> tuple[str | None, list[Entry]]:
    """``normalize_email`` of a cleaned cell ``text``, and the entries it split it into
    (``email_addresses`` reads the others from them: issue 8, not split twice)."""
    if text is None:
        return None, []
    listed = entries(text)
    return (_checked(listed[0].address, text) if listed else None), listed


def _checked(first: str, text: str) -> str:
    """``normalize_email`` of one entry's address ``first`` (of the cell ``text``)."""
    if first[:7].lower() == "mailto:":
        first = first[7:]
    if not first.isascii() and "@" in first:  # ("\u201aann@x.com\u2018": x51r1 F2,
        first = first.strip(QUOTE_MARKS)  # the quote kept in the address; the name cell's
        # reader never reads one as part of an address either: one table, ``quote_marks``)
    if first.endswith(".") and "@" in first:  # x20r1 L4: "trail@x.com." names the
        first = first[:-1]  # domain as an FQDN (its root dot): the same address
    email = first
    checked = _VALIDATED.get(email)
    if checked is None:
        checked = _plain_verdict(email) or _verdict(email)
        if checked == email:
            checked = email  # one string kept for the cell and the value (the usual case)
        if len(_VALIDATED) >= _VALIDATED_LIMIT:
            _VALIDATED.clear()
        _VALIDATED[email] = checked
    if isinstance(checked, _Invalid):
        if "@" in email and any(c.isspace() for c in email):  # (x52r1 F8: "invalid
            # characters before the @-sign: SPACE", email-validator's, for a name beside an
            # address; 'bad email' keeps its "must have an @-sign")
            raise InputError(f"not an e-mail address: {text!r} (it holds a space: write a "
                             "name beside its address as 'Name <address>')")
        raise InputError(f"not an e-mail address: {text!r} ({checked.why})")
    return checked


def _verdict(email: str) -> str | _Invalid:
    """email-validator's reading of an address: its normalized form (the domain lower-cased
    and in Unicode, the local part NFC, its case kept), or its refusal."""
    try:
        return str(validate_email(
            email, check_deliverability=False, allow_smtputf8=True,
            allow_quoted_local=False, test_environment=True,  # ".test" (RFC 2606) passes
        ).normalized)
    except EmailNotValidError as exc:
        return _Invalid(str(exc))


# a plain address: a dot-atom local part of ASCII letters, digits, "_", "+" and "-" (a
# subset of RFC 5322's atext), one "@", and an ASCII domain of letters, digits, "-"
_PLAIN_ADDRESS = re.compile(r"([A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@"
                            r"([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def _plain_verdict(email: str) -> str | None:
    """``_verdict`` of a plain address (``_PLAIN_ADDRESS``) whose domain validates, from its
    domain's verdict alone, else None. email-validator (2.x) accepts such a local part
    without condition (its dot-atom check; lengths are checked only in ``strict`` mode or
    on the whole address) and checks the domain apart from it, so the address reads as
    ``local@`` + the domain's reading when that is valid and the whole is within 254
    characters (issue 8: one validation per address was ~60 µs, for every person of a
    file; per domain it is one for the whole file). A refused domain, or any other
    address, is validated whole (its message is email-validator's own)."""
    plain = _PLAIN_ADDRESS.fullmatch(email)
    if plain is None or len(email) > _EMAIL_MAX:
        return None
    domain = plain[2].lower()  # (email-validator lower-cases an ASCII domain)
    found = _DOMAINS.get(domain)
    if found is None:
        reading = _verdict("a@" + domain)
        found = _DOMAINS[domain] = (reading[2:] if isinstance(reading, str)
                                    and reading.startswith("a@") else "")
        if len(_DOMAINS) > _VALIDATED_LIMIT:
            _DOMAINS.pop(next(iter(_DOMAINS)))
    return plain[1] + "@" + found if found == domain else None


def display_name(value: object) -> str | None:
    """The name an e-mail cell writes beside its first address (``"Ann Lee" <ann@x.com>``,
    ``Ann Lee (ann@x.com)``): the person's name when the mapping reads no name column
    (x13r5 F1: monday.com's ``Yusuf Nowak <m16@board1.io>`` made a person named
    ``m16@board1.io``). None when the cell has no such name. A bracket beside the
    address is an RFC 5322 comment, never the name (x20r1 L2: ``ann.q@x.com (work)`` made
    a person named ``work``, ``Dana Q <dana.q@x.com> (private)`` one ``Dana Q (private)``)."""
    if isinstance(value, list):
        value = next((v for v in value if not _blank(v)), None)
    text = clean_text(value) if isinstance(value, str) else None
    listed = entries(text) if text is not None else None
    if not listed or listed[0].name is None:
        return None
    rest = listed[0].name
    # ASCII and typographic quotes around the name (x16r2 F5: the person '“Ann Lee”'),
    # never a quote of its words (x51r8 F1: "Robert Smith 'Bob'" was "Robert Smith 'Bob")
    name = unwrap_quotes(" ".join(rest.split()))
    return name if name and "@" not in name and any(c.isalpha() for c in name) else None


def display_names(value: object) -> list[str]:
    """Every different name an e-mail cell's list writes beside its addresses (``Jane Roe
    <jane@x>; John Poe <john@x>``), in order: two or more are two persons, whom a row
    without a name cell must not make one (x23r1 F1)."""
    text = clean_text(value) if isinstance(value, str) else None
    if text is None or text.count("@") < 2:
        return []
    out: dict[str, str] = {}
    for entry in entries(text):
        name = unwrap_quotes(" ".join((entry.name or "").split()))
        if name and "@" not in name and any(c.isalpha() for c in name):
            out.setdefault(name_match_key(name), name)
    return list(out.values())


def email_addresses(value: object) -> tuple[str, ...] | None:
    """Every address a person's e-mail cell gives, the one the person takes first:
    ``normalize_email`` of the cell (of a JSON array's first item), then the others of a
    ``;``/``,`` list or of the array that read as addresses (one that does not is left
    out: only the first is the person's e-mail). None when empty; InputError as
    ``normalize_email`` for the first. The others only find the person again when an
    export lists them in another order (x9r3: a second person was created)."""
    if type(value) is str and value.isascii() and value.isprintable():
        text = value.strip()  # clean_text's reading of printable ASCII, its spaces aside
        if _PLAIN.fullmatch(text) and text[0] not in "'`[{":  # one bare address (most
            # cells; "'a@x'" is quoted: email_list.angled, x52r1 F8): entries has one entry,
            return (_checked(text, text),)  # unnamed, and no other (issue 8)
    items = [v for v in value if not _blank(v)] if isinstance(value, list) else [value]
    if not items:
        return None
    listed: list[Entry] = []
    if isinstance(value, list):
        first = normalize_email(items[0])
    else:  # the cell cleaned and split once, for its first address and for the others
        first, listed = _first_of(clean_text(value))
    if first is None:
        return None
    rest: list[object] = list(items[1:])
    if not isinstance(value, list):
        if any(entry.name is not None for entry in listed):
            # a list of named contacts ("Ann (a@x);Bob (b@x)", "ann@x, Bob <b@x>"): the
            # others are other persons, never this one's addresses
            return (first,)
        rest = [entry.address for entry in listed[1:]]
    out = [first]
    for item in rest:
        if isinstance(item, str) and item.strip():
            try:
                other = normalize_email(item) if isinstance(value, list) \
                    else _checked(item, item)
            except InputError:
                continue
            if other is not None and email_key(other) not in map(email_key, out):
                out.append(other)
    return tuple(out)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@functools.lru_cache(maxsize=1024)
def _one_lower(char: str) -> str:
    lower = char.lower()
    return lower if len(lower) == 1 else char


def email_key(address: str) -> str:
    """The key two spellings of one address share: each letter by its Unicode simple
    case fold, a letter for a letter: the three sigmas (U+03A3, U+03C3, U+03C2) one middle
    sigma wherever they stand (x19r4 F1: ``σοφιασ.b@`` in the account and a row's
    ``ΣΟΦΙΑΣ.B@``, written ``σοφιας.b@``, made a second person), the long s U+017F ``s``,
    the micro sign ``μ``, ``ϐ`` ``β``, ``ẞ`` ``ß``. Never a full
    fold that writes one letter as two: ``ß`` is not ``ss`` (a mail system compares
    ``straße@`` and ``strasse@`` as two mailboxes, as IDNA2008 does two domains), ``ﬁ`` not
    ``fi``, ``İ`` not ``i̇``. Only for matching: the address a person is given stays
    ``normalize_email``'s."""
    if address.isascii():  # (its simple case fold is A-Z to a-z, as str.lower: issue 8)
        return address.lower()
    return "".join(map(_one_fold, address))


@functools.lru_cache(maxsize=1024)
def _one_fold(char: str) -> str:
    folded = char.casefold()
    return folded if len(folded) == 1 else _one_lower(char)


class _Invalid:
    """email-validator's refusal of an address, kept in ``_VALIDATED``."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


# email-validator's verdict by address (no DNS: a pure function of the text; an address
# comes back in every row of its person, in any case or as "Name <address>"); cleared
# when full, so memory stays bounded whatever the file (~2.5 MB)
_VALIDATED: dict[str, str | _Invalid] = {}
_VALIDATED_LIMIT = 16384
# a valid domain's reading by email-validator ("" when refused or read otherwise), for
# ``_plain_verdict``; bounded as ``_VALIDATED``
_DOMAINS: dict[str, str] = {}
_EMAIL_MAX = 254  # email-validator's EMAIL_MAX_LENGTH (RFC 3696 errata 1690)


# a "(0)" after an international prefix and country code (+49 (0)30, 0044 (0) 20): the
# trunk prefix dialled only inside the country, never after the country code
# a phone in its common spellings: digits in groups by " ", "-", "." or parentheses, a "+"
# first (``+1 (555) 964-4505``, ``0049 30 8239350``): no extension, nothing else to read
_COMMON_PHONE = re.compile(r"\+?\(?[0-9]+(?:(?:[ .\-]|\) ?| ?\()[0-9]+)*")
_TRUNK = re.compile(r"^(\s*(?:\+|00)\s*\d{1,3}[\s\-./]*)\(\s*0\s*\)")
# an extension at the end, as people write it (x20r1 S3): `` x45``, ``X45``, ``ext45``,
# ``Ext. 7``, ``EXT: 45``, ``extn 45``, ``extension 45``, ``#45``, ``(ext. 45)``,
# ``, ext 45`` and RFC 3966's ``;ext=45``
# ... and every other language's word (``person_words.EXTENSION_WORDS``: ``Durchwahl
# 12``, ``DW 12``, ``poste 16``, ``Apparat 18``, ``int. 19``; a dash before the digits
# too, ``Durchwahl -12``: x50r1 F2, refused as "not a phone number")
_EXTENSION = re.compile(rf"\s*[,;]?\s*\(?\s*(?:(?:{EXTENSION_WORDS})(?![^\W\d_])\.?|\#)\s*[.:=]?"
                        r"\s*-?\s*(\d{1,6})\s*\)?\s*$", re.I)


def clean_phone(value: object) -> str | None:
    """A phone cell as written, trimmed (``clean_text``: one line, spaces collapsed), once
    it reads as a phone number (``_phone_parts``: 5 to 15 digits, E.164; an extension in
    any spelling ``_EXTENSION`` reads), else an InputError. Pipedrive stores a phone as it
    is given, so the source's formatting is kept (x31r1 5: ``+49 30 1031676`` was sent as
    ``+49301031676``); rows and records are matched and compared by ``normal_phone`` /
    ``phone_key``, never by this text."""
    text = _phone_text(value)
    if text is None:
        return None
    if date_like(text):  # (x50r1 F5: "+12.03.1980" was a person's phone; x52r11 F3: a
        # date in fullwidth digits or slash, "\uff11\uff12\uff0f\uff12\uff10\uff12\uff16", is called one too)
        raise InputError(f"not a phone number: {text!r} (written as a date)")
    _phone_parts(text)
    return text


def normal_phone(value: object) -> str | None:
    """A phone's normal form, for comparing two spellings of one number: digits with a
    leading ``+`` kept (``00`` becomes ``+``), separators dropped, an extension kept as
    `` ext. 123``; after a country code a ``(0)`` trunk prefix is dropped (``+49 (0)30
    1234567`` is ``+49301234567``). InputError when it is no phone number."""
    text = _phone_text(value)
    if text is None:
        return None
    plus, digits, ext = _phone_parts(text)
    return ("+" if plus else "") + digits + (f" ext. {ext}" if ext else "")


# RFC 3966's URI (``tel:+1-555-010-0199``, HubSpot / vCard exports; ``<tel:…>`` as a mail
# header writes it; ``%2B`` a percent-encoded "+"): the number it names is the phone (x37r1
# F6: 37 rows refused "not a phone number"; x37r3 F6: these spellings of it)
_TEL_URI = re.compile(r"<?\s*tel:\s*(?://)?(.*?)\s*>?", re.I | re.S)
# a URI parameter after the number (``;isub=1234``, ``;phone-context=+1``); ``;ext=`` is
# the extension, read by ``_EXTENSION``
_URI_PARAM = re.compile(r"\s*;\s*(?!ext\s*=)[a-z][a-z0-9-]*\s*=\s*[^;,\s]*", re.I)
_URI_EXT = re.compile(r"\s*;\s*ext\s*=\s*(\d{1,6})(?=\s*(?:;|$))", re.I)
_COUNTRY_CODE = re.compile(r"\+\d{1,3}")
_GLOBAL_CONTEXT = re.compile(r";\s*phone-context\s*=\s*(\+[\d().\-]+)\s*(?=;|$)", re.I)


def _without_scheme(text: str) -> str:
    """A phone cell's text, a ``tel:`` URI read as the number it names, as people write a
    phone: the scheme and brackets left out, percent-encoding decoded, a local number's
    global ``phone-context`` written before it (``tel:555-0199;phone-context=+1-212``;
    a national number's trunk ``0`` after a country code alone written ``(0)``, as
    ``+49 (0)30 …`` is, so it keys as ``+49 30 …``: x38r3 F6), its ``;ext=45`` as
    `` ext. 45`` (x38r1 F5: the URI's syntax was sent), its other parameters
    (``;isub=``, a domain's ``phone-context``: nothing a person dials) left out (x38r3
    F6: they were stored in the phone's text)."""
    if text[:1] not in "tT<" or (uri := _TEL_URI.fullmatch(text)) is None:
        return text
    number = urllib.parse.unquote(uri[1])
    if number[:1] in "tT<" and _TEL_URI.fullmatch(number):  # ``Tel: tel:+1 …``: a label
        return _without_scheme(number)  # naming no kind, then the URI (v56r1 F3)
    context = _GLOBAL_CONTEXT.search(number)
    if context is not None and not number.lstrip().startswith("+"):
        local = (number[:context.start()] + number[context.end():]).lstrip()
        if _COUNTRY_CODE.fullmatch(context[1]) and local[:1] == "0" and local[1:2] != "0":
            local = "(0)" + local[1:]
        number = f"{context[1]} {local}"
    return _URI_EXT.sub(r" ext. \1", _URI_PARAM.sub("", number)).strip()


def _phone_text(value: object) -> str | None:
    if isinstance(value, float) and value.is_integer():  # an XLSX number cell
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = clean_text(value)
    return _without_scheme(text) or None if text else text


def _phone_parts(text: str) -> tuple[bool, str, str | None]:
    """(written with ``+``/``00``, its digits, its extension) of a phone's text: the one
    parse of a number, for a row's cell (``clean_phone``) and for the match keys of both
    a row's phone and an account's (``phone_key``). InputError when it is not one."""
    text = _without_scheme(text)
    if ";" in text:  # RFC 3966's parameters other than the extension name no digit
        text = _URI_PARAM.sub("", text)
    if _COMMON_PHONE.fullmatch(text) and "(0)" not in text:  # most cells (issue 8): no
        # extension, no trunk prefix, nothing but digits and separators, a "+" first only
        digits = _NON_DIGITS.sub("", text)
        if text[0] != "+" and digits.startswith("00"):
            if 5 <= len(digits) - 2 <= 15:
                return True, digits[2:], None
        elif 5 <= len(digits) <= 15:
            return text[0] == "+", digits, None
    ext = _EXTENSION.search(text)
    body = text[: ext.start()] if ext else text
    if _NOT_PHONE.search(body) or "+" in body.lstrip()[1:]:
        raise InputError(f"not a phone number: {text!r}")
    body = _TRUNK.sub(r"\1", body)  # +49 (0)30 ...: the national trunk 0 is not dialled
    plus = body.lstrip().startswith("+")
    digits = _NON_DIGITS.sub("", body)
    if not plus and digits.startswith("00"):
        plus, digits = True, digits[2:]
    if not 5 <= len(digits) <= 15:
        raise InputError(f"not a phone number: {text!r} ({len(digits)} digits)")
    return plus, digits, ext[1] if ext else None


# (a ";" before an RFC 3966 parameter, ``ext=`` / ``isub=``, is the number's own, not
# a list's)
_PHONE_LIST = re.compile(r"\s*(?:[,|]|;(?!\s*[a-z][a-z0-9-]*\s*=))\s*|\s+/\s+", re.I)


def phone_numbers(value: object) -> tuple[str, ...] | None:
    """A person's phone cell: ``clean_phone`` of it, or — when the cell lists several
    (``+49 30 1234567, +49 171 5555555``, as Pipedrive's own export writes a person's
    phones; a JSON array) and each reads as a phone — every one, the person's first.
    A label beside a number (``… (work)``, ``Work: …``) is left out
    (``labelled_phones``). None when empty; the cell's own InputError when it is
    neither (x10r1: such cells failed their rows as "not a phone number")."""
    found = labelled_phones(value)
    return tuple(phone for phone, _ in found) if found else None


def labelled_phones(value: object) -> tuple[tuple[str, str | None], ...] | None:
    """A person's phone cell as ``phone_numbers`` reads it, each phone with the label
    the cell writes beside it as Pipedrive's (``phone_labels``: ``work`` / ``home`` /
    ``mobile`` / ``other``; None when it writes none, or a word naming no kind:
    ``Tel.``): ``+49 30 4616337 (work)`` is ``(("+49 30 4616337", "work"),)``, ``Work:
    +1 555 0100; Mobile: +1 555 0101`` two phones each with its own label, ``+49 30
    4616337, work`` one (a list item that is a label alone is the label of the number
    before it). A number's extension stays with it (``… x12 (work)``: ``… x12``); a
    label's text never joins the number (z55r1 F2: 11 of 14 such spellings refused).
    None when empty; InputError as ``phone_numbers``."""
    if isinstance(value, list):
        read = [_labelled(item) for item in value]
        return _distinct_labelled([pair for pair in read if pair is not None])
    try:
        one = _labelled(value)
    except InputError:
        text = clean_text(value) or ""
        parts = [p for p in _PHONE_LIST.split(text) if p]
        if len(parts) < 2 or date_like(text):  # ("12 / 2026": a date, no list; x52r1 F6)
            raise
        try:
            return _distinct_labelled(_listed(parts))
        except InputError:
            raise InputError(f"not a phone number, nor a list of them: {text!r}") from None
    return (one,) if one else None


def _labelled(value: object) -> tuple[str, str | None] | None:
    """One phone (``clean_phone``) and its label: a number written alone first, else
    one with a listed label before or after it (``phone_labels.split_label``); the
    number's own InputError when neither reads."""
    try:
        phone = clean_phone(value)
    except InputError:
        text = _phone_text(value)
        read = _uri_label(clean_text(value)) or (
            split_label(text) if text is not None else None)
        if read is None or not read.body:
            raise
        try:
            phone = clean_phone(read.body)
        except InputError:
            raise InputError(f"not a phone number: {text!r}") from None
        return (phone, read.label) if phone else None
    return (phone, None) if phone else None


# where a ``tel:`` URI starts in a cell (``<tel:``, ``tel://`` as ``_TEL_URI`` reads them)
_TEL_SCHEME = re.compile(r"<?\s*tel:\s*(?://)?", re.I)


def _uri_label(text: str | None) -> Labelled | None:
    """A ``tel:`` URI with a label beside it (``tel:+1-555-010-0199;ext=45 (work)``,
    ``Work: tel:+1-555-010-0199``) as the URI alone — read by ``clean_phone`` as an
    unlabelled cell's URI is: its ``;ext=`` an extension, its parameters and escapes
    read — and the label (v56r1 F3: the label was split from the URI's reading, and
    ``+1-555-010-0199;ext=45`` was sent); None when ``text`` has no such URI and label."""
    if not text or (scheme := _TEL_SCHEME.search(text)) is None:
        return None
    before, tail = text[:scheme.start()], text[scheme.end():]
    if before.strip():  # ``Work: tel:…``, ``(mobile) tel:…``
        alone = label_alone(before.strip().rstrip("-\u2013\u2014").strip())
        return None if alone is False else Labelled(
            text[scheme.start():].strip(), alone if isinstance(alone, str) else None)
    if scheme[0].lstrip().startswith("<"):  # ``<tel:…> (work)``: the URI's own bracket
        tail = tail.replace(">", " ", 1)
    read = split_label(tail)
    return None if read is None else Labelled(f"tel:{read.body}", read.label)


def _listed(parts: list[str]) -> list[tuple[str, str | None]]:
    """The phones of a list's items (``phone_labels``): a label alone labels the phone
    before it (``+49 30 4616337, work``); InputError for anything else that reads as
    no phone (a label first, or after a labelled phone)."""
    out: list[tuple[str, str | None]] = []
    labelled = False
    for part in parts:
        alone = label_alone(part)
        if alone is not False:
            if not out or labelled:
                raise InputError(f"not a phone number: {part!r}")
            out[-1], labelled = (out[-1][0], alone if isinstance(alone, str) else None), True
            continue
        pair = _labelled(part)
        if pair is not None:
            out.append(pair)
            labelled = pair[1] is not None
    return out


def _distinct_labelled(
        phones: list[tuple[str, str | None]]) -> tuple[tuple[str, str | None], ...] | None:
    """``phones`` with one spelling of each number (the first, by ``normal_phone``), and
    the first label any spelling of it gives."""
    seen: dict[str | None, tuple[str, str | None]] = {}
    for phone, label in phones:
        key = normal_phone(phone)
        first = seen.setdefault(key, (phone, label))
        if first[1] is None and label is not None:
            seen[key] = (first[0], label)
    return tuple(seen.values()) or None


# ---------------------------------------------------------------- organisation names

# the single-word spellings of legal forms (``legal_forms.FORMS`` has them all)
LEGAL_SUFFIXES = SINGLE_WORD_FORMS
# the connector between two runs of forms (``Acme GmbH & Co. KG``): the ``&`` and every
# "and" ``_org_key_parts`` read as it (``und``, ``et``, ``og``: ``conjunctions.AND_WORDS``);
# never a single letter (x52r11 F1: ``Vitamin E Oy`` was keyed ``vitamin oy``)
_CONNECTOR = "and"


def org_match_key(name: object) -> str | None:
    """The key two organisation names must share to be the same organisation (see
    ``_org_match_key``); a text's key is remembered (a file names each company in many
    rows)."""
    return _org_text_key(name) if type(name) is str else _org_match_key(name)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def german_spelling(text: str) -> str:
    """``text`` (NFC) with its German umlauts as German writes them without (``Müller`` ->
    ``Mueller``, ``Jäger`` -> ``Jaeger``); ``ß`` is left to the keys' case fold (``ss``).
    The one reading organization and person keys share (``org_umlaut_key``,
    ``name_match_keys``)."""
    return unicodedata.normalize("NFC", text).translate(_UMLAUTS)


def org_umlaut_key(name: object) -> str | None:
    """The match key of an organization name written with German umlauts, read as
    German writes them without (``Müller & Söhne AG`` -> the key of ``Mueller & Soehne
    AG``), when that differs from its ``org_match_key`` (which drops the dots:
    ``muller``); else None. An existing organization is found by both (x24r1 F3:
    ``Mueller & Soehne Aktiengesellschaft`` made a second ``Müller & Söhne AG``); a
    name written with ``ue`` is never read as ``ü`` (``Blue`` is not ``Blü``)."""
    text = clean_text(name)
    if text is None:
        return None
    composed = unicodedata.normalize("NFC", text)
    spelled = german_spelling(composed)
    if spelled == composed:
        return None
    key = org_match_key(spelled)
    return key if key != org_match_key(text) else None


# what Danish and Norwegian write for ``ø`` and ``å`` without them (``æ`` is ``ae`` already:
# ``fold_accents``), as ``german_spelling`` writes the German umlauts
_NORDIC = str.maketrans({"ø": "oe", "å": "aa", "Ø": "Oe", "Å": "Aa"})


def org_spelled_keys(name: object) -> tuple[str, ...]:
    """The match keys an organization name is also found by, written without its umlauts
    and Nordic letters as German and the Nordic languages write them (``org_umlaut_key``;
    ``Øster AS`` -> the key of ``Oester AS``, ``Øster Ås`` of ``Oester Aas``, ``Hansen og
    Søn AS`` of ``Hansen og Soen AS``; both at once for a name of both kinds); each once,
    none its ``org_match_key``; empty when it has neither. x52r9 F2: ``Oester AS`` made a
    second ``Øster AS``. Raises InputError as ``org_match_key``."""
    text = clean_text(name)
    if text is None:
        return ()
    composed = unicodedata.normalize("NFC", text)
    own = org_match_key(text)
    forms = _org_key_parts(text)[1]
    out: list[str] = []
    for spelled in (german_spelling(composed), composed.translate(_NORDIC),
                    german_spelling(composed).translate(_NORDIC)):
        # a spelling never makes a word of the name a legal form (``Osakeyhtiø`` is no
        # ``Osakeyhtioe``: the property of tests/test_org_lookalike_forms.py)
        if spelled != composed and (key := org_match_key(spelled)) and key != own \
                and key not in out and _org_key_parts(spelled)[1] == forms:
            out.append(key)
    return tuple(out)


def address_match_key(address: object) -> str | None:
    """An address compared loosely: accents, case, punctuation and spacing ignored, and
    the common street words one spelling (``_ADDRESS_WORDS``: ``Street`` = ``St``)."""
    return (_address_text_key(address) if type(address) is str
            else _address_match_key(address))


@functools.lru_cache(maxsize=2048)
def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("LATIN ", "GREEK "))


# Latin letters whose stroke or bar NFKD does not take apart, as ASCII writes them (an
# export of ``Ørsted`` / ``Łódź`` from a system without them says ``Orsted`` / ``Lodz``:
# x9r6 left ``Ørsted`` and ``Orsted`` two organizations), and the ligatures Æ and Œ as
# their two letters (x10r3: ``Ærø Shipping`` / ``Aero Shipping``). Other letters (Þ) are
# left: no one spelling of them in ASCII is usual enough. And the Cyrillic yo (ё) as ie, its
# letter without the dots: Russian routinely writes it so (x20r1 M4: ``Королёв`` and the
# same name written with ie were two organizations); unlike й / и, the two are one letter
# to a Russian reader.
# And every character written for an apostrophe as the ASCII one (x21r3 F8d: O + U+02BC +
# Brien, a letter to Unicode, O + U+2019 + Brien and O'Brien were three persons; the acute
# accent U+00B4 folded to a space): U+2019 and U+2018, the modifier letters
# apostrophe and turned comma (U+02BC, U+02BB), the reversed quote U+201B, the acute
# accent, the grave accent, the prime and the full-width apostrophe.
APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u201b\u00b4`\u2032\uff07"
_STROKES = str.maketrans({**dict(zip("ØøŁłĐđĦħŦŧıƀƗɨ\u0401\u0451", "OoLlDdHhTtibIi\u0415\u0435",
                                     strict=True)),
                          "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe",
                          **dict.fromkeys(APOSTROPHES, "'")})


def fold_accents(text: str) -> str:
    """``text`` without the accents of its Latin and Greek letters (``Müller`` →
    ``Muller``, ``Ελλάδα`` → ``Ελλαδα``; ``Ørsted`` → ``Orsted``, ``Łódź`` → ``Lodz``;
    ``Ærø`` → ``AEro``; the Cyrillic yo ``ё`` → ie, U+0435), every other mark kept: in other
    scripts a mark makes another
    letter — Japanese dakuten (ハ/バ/パ), the Cyrillic breve (И/Й), Thai tone marks
    (ขาว/ข้าว), the Devanagari nukta (फ/फ़) — and stripping it linked different
    companies to one organization (v10r9 S3).
    Compatibility forms are unified first (NFKD: full-width and half-width letters
    read as their plain forms), and every apostrophe is the ASCII one (``APOSTROPHES``);
    the result is NFC."""
    out: list[str] = []
    base = ""
    for char in unicodedata.normalize("NFKD", text.translate(_STROKES)):
        if unicodedata.combining(char):
            if base and _latin(base):  # a mark with no letter before it stays
                continue
        else:
            base = char
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


# a row's person name is keyed five times or so (the account's index, the file's new
# persons, their e-mails' owners, the "linked" note), and a file names its persons again
# and again: each name is read once (issue 8: 242,820 reads on 50,000 demo rows)
@functools.lru_cache(maxsize=4096)
def name_match_key(name: str) -> str:
    """A person's name as its one match key (``PersonIndex``, the import's new persons and
    their claims, the resume keys, the "linked under another name" note): case and spacing
    aside (``norm_key``), the accents of its Latin and Greek letters folded as organization
    keys fold them (``fold_accents``), so ``José Núñez`` = ``Jose Nunez``, ``IŞIK KAYA`` =
    the name with the dotless i, ``Σοφία Αλεξίου`` = ``ΣΟΦΙΑ ΑΛΕΞΙΟΥ``, ``Zoë`` = ``Zoe``
    (x20r1 M3: each made a second person), and the transcriptions of umlauts and Nordic
    letters one spelling (``_transcribed``: ``Jürgen Möller`` = ``Juergen Moeller`` =
    ``Jurgen Moller``, ``Søren`` = ``Soeren``, ``Håkon`` = ``Haakon`` = ``Hakon``). One key
    a name, so "same name" is an equivalence and the row order never changes who is one
    person (x44r9 F2: two keys a name were not transitive). A name alone still links no
    one: a phone or an organization must agree too (docs/mapping.md, Matching)."""
    if name.isascii() and name.isprintable() and "  " not in name and "`" not in name:
        key = name.strip().casefold()  # nothing to fold (most names): no cache entry
        key = _name_order(key) if "," in key or "." in key or " " in key else key
        return _transcribed(key)
    return _transcribed(_name_order(_folded_name(name)))


# what German and the Nordic languages write for ä/æ, ö/ø, ü and å without them: each the
# letter alone, as the accent fold writes the letter itself (``ä`` -> ``a``); ``qu`` + ``e``
# is never an umlaut (``Quentin``), nor ``ae``/``oe``/``ue`` ending a word (``Roe``,
# ``Joe``, ``Zoe``, ``Chloe``, ``Mae``, ``Sue``: no umlaut ends a name)
_TRANSCRIPTIONS = re.compile(r"(?:ae|oe|(?<!q)ue)(?=\w)|aa")


def _transcribed(key: str) -> str:
    """A folded name key with ``ae``, ``oe``, ``ue`` (not ending a word) and ``aa`` as ``a``,
    ``o``, ``u``, ``a``
    (the accent fold has made ``ä``, ``æ`` -> ``a``/``ae``, ``ö``, ``ø`` -> ``o``, ``ü`` ->
    ``u``, ``å`` -> ``a``; ``ß`` casefolds to ``ss`` as ``Strauss`` is written): German
    writes ``Müller`` as ``Mueller`` without umlauts and an ASCII export as ``Muller``, so
    all three are one key (and so are ``Mueller`` and ``Muller``, and ``Michael`` and
    ``Michal``: a canonical key cannot hold ``Müller`` = ``Muller`` and ``Müller`` =
    ``Mueller`` apart from ``Mueller`` = ``Muller``). Folded until nothing is left to
    fold: one pass folds ``aa`` first and leaves the ``ae`` it makes (``Aaen`` ->
    ``aen``, while ``Åen`` -> ``aen`` -> ``an``: two persons, x45r5 F1). Each rule drops
    the second letter of a pair, and a dropped letter never starts or ends another rule's
    pair in a way that depends on the order (``aae`` -> ``a`` either way, ``aae`` ending a
    word -> ``ae``), so the result is one key a spelling, whatever the order of folding —
    and folding a key already folded changes nothing."""
    while (folded := _TRANSCRIPTIONS.sub(_first_letter, key)) != key:
        key = folded
    return key


def _first_letter(found: re.Match[str]) -> str:
    return found[0][0]


def transcribe_name_key(key: str) -> str:
    """A name key as an earlier ``name_match_key`` wrote it — before it folded the
    transcriptions (person key version 1: ``mueller``), or folding them once (version 2:
    ``jesper aen`` for ``Jesper Aaen``) — as it writes it now (version 3: ``muller``,
    ``jesper an``): exact, since each is the name's key folded fewer times, and idempotent
    (``_transcribed`` folds until nothing is left), so a key of any version may be given
    (``jobs.person_key_version`` brings an older job's stored keys up to date with it)."""
    return _transcribed(key)


def name_match_keys(name: str) -> tuple[str, ...]:
    """The keys a person's name is matched by: its one ``name_match_key`` (a tuple, for
    the callers that look a name up under each of its keys; x44r9 F2: a name had a second
    key for its German spelling, which made "same name" not transitive)."""
    return (name_match_key(name),)


def names_agree(one: str, other: str) -> bool:
    """Whether two person names are one (their ``name_match_key`` is one)."""
    return name_match_key(one) == name_match_key(other)


# courtesy titles written before a name: never a word of it (``Dr. Lee Kim`` is ``Lee Kim``);
# suffixes (``Jr.``, ``III``) are kept, they tell a father from his son
_NAME_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "herr",
                          "frau", "mme", "mlle", "dame"})
# what may follow a comma without the name being written last-first (``John Smith, Jr.``)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba"})


def _name_order(key: str) -> str:
    """A folded name key read as one name however it is written (x24r1 F2: ``Smith, John``
    and ``Dr. Lee Kim`` made second persons beside ``John Smith`` and ``Lee Kim`` of the
    same phone): a name with one comma written last-first is turned first-last (``smith,
    john`` → ``john smith``; not when a suffix follows the comma: ``john smith, jr.``), and
    the courtesy titles before it dropped (a title alone stays the name)."""
    if key.count(",") == 1:
        last, first = (_untitled(part.strip()) for part in key.split(","))
        if last and first and first.replace(".", "") not in _NAME_SUFFIXES:
            key = f"{first} {last}"
    return _untitled(key)


def _untitled(text: str) -> str:
    words = text.split(" ")
    while len(words) > 1 and words[0].rstrip(".") in _NAME_TITLES:
        del words[0]
    return " ".join(words)


@functools.lru_cache(maxsize=65536)  # every account person and every row: once per name
def _folded_name(name: str) -> str:
    # casefold before and after folding: İ casefolds to i + a dot above, which the fold drops
    return fold_accents(norm_key(name)).casefold()


def _org_match_key(name: object) -> str | None:
    """The key two organisation names must share to be the same organisation.

    Accents removed, case-folded, ``&`` (and ``und``, ``et`` between two words) read as
    "and", dots inside abbreviations
    joined (``S.A.`` → ``sa``, ``L.L.C.`` → ``llc``), other punctuation as spaces, a
    leading "the" dropped. Trailing legal forms are kept but spelled one way, as dedupe
    reads them (``legal_forms``: ``Inc``/``Inc.``/``Incorporated``/``Corp`` → ``inc``,
    ``Ltd``/``Limited`` → ``ltd``, ``AG``/``Aktiengesellschaft`` → ``ag``, ``s.r.o.``/``s. r.
    o.`` → ``sro``). So "Northwind Traders Inc." and "Northwind Traders Incorporated"
    share a key, while "Northwind Traders GmbH" and "Northwind Traders" (no legal form)
    each have their own (issue 9 section 7).
    """
    parts = org_key_parts(name)
    if parts is None:
        return None
    return " ".join(parts[0] + parts[1]) or None


def _org_words(text: str) -> list[str]:
    text = text.replace("&", " and ").replace("+", " and ")
    return _spaced(_INNER_DOT.sub("", text)).split()  # s.a. -> sa., a/s -> as


@functools.lru_cache(maxsize=4096)  # a file names each company in many rows
def _org_key_parts(text: str) -> tuple[list[str], list[str]]:
    folded = _org_words(fold_accents(text).casefold())
    # no form reaches a word written with a letter the form has not (f52b: ``Øster Ås``
    # was the form AS): the words as written, compatibility forms and case aside
    written = folded if text.isascii() else _org_words(
        unicodedata.normalize("NFKC", text).casefold())
    start = 1 if written is folded else name_start(written, folded)
    # "and" in other languages between two words is the "&" (``conjunctions.AND_WORDS``,
    # dedupe's table; x9r1: "Müller & Söhne GmbH" and "MÜLLER UND SÖHNE GMBH" were two
    # organizations, x52r9 F2: "Hansen og Søn AS" and "Hansen & Søn AS")
    words = ["and" if w in AND_WORDS and 0 < n < len(folded) - 1 else w
             for n, w in enumerate(folded)]
    drop = 0
    if words[:1] == ["the"] and len(words) > 1:
        words, start, drop = words[1:], max(1, start - 1), 1
    name, forms = _name_and_forms(words, start)
    if start > 1:  # a word of the name the fold made a form's letters is keyed as written
        plain = len(_name_and_forms(words, 1)[0])  # (x52r9 F1: ``Nordvik Ås`` was the key
        name[plain:] = [  # of ``Nordvik AS``, ``Lehto Øy`` of ``Lehto Oy``)
            unicodedata.normalize("NFC", written[n + drop])
            if written[n + drop] != folded[n + drop] else word
            for n, word in enumerate(name[plain:], plain)]
    return name, forms


def _name_and_forms(words: list[str], start: int) -> tuple[list[str], list[str]]:
    """An org key's words (``_org_key_parts``) as (name words, canonical forms): the name
    words are always the first words of ``words``, its forms read from ``start`` on. The
    connector before forms (``_CONNECTOR``) is dropped only where forms precede it too
    (``Acme GmbH & Co. KG``: forms, a connector, forms) or the form after it is ``Co``
    (``Smith & Co`` is ``Smith Co``); before a name's only other form it is a word of the
    name (x52r11 F1: ``Generation Und GmbH`` is not ``Generation GmbH``)."""
    words, forms = split_forms(words, start)
    while forms and len(words) > 1 and words[-1] == _CONNECTOR:
        before, earlier = split_forms(words[:-1], start)
        if not earlier and forms[0] != "co":
            break
        words, forms = before, earlier + forms
    return words, forms


def org_key_parts(name: object) -> tuple[list[str], list[str]] | None:
    """An organization name's match key (``org_match_key``) as its two parts: the name's
    words and the canonical legal forms at its end (``Acme GmbH & Co. KG`` -> ``(["acme"],
    ["gmbh", "co", "kg"])``, ``Øster Ås`` -> ``(["oster", "as"], [])``: ``Ås`` is no
    form); None for no name. New lists each call."""
    text = clean_text(name)
    if text is None:
        return None
    words, forms = _org_key_parts(text)
    return list(words), list(forms)


# the words of a street address written out or abbreviated, as one spelling (x24r1 F3:
# ``1 Main Street`` and ``1 Main St`` made two organizations): the common street types,
# unit words and directions of English addresses (the USPS abbreviations), and the German
# ``Straße`` / ``Str.`` (also at the end of a word: ``Hauptstraße`` = ``Hauptstr.``) and
# ``Platz`` / ``Pl.``. Whole words only, numbers untouched: ``1 Main St`` and ``11 Main
# St`` stay two addresses. (The maintained address parsers read US addresses only, or
# need libpostal's model of about 2 GB.)
_ADDRESS_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd",
    "boulevard": "blvd", "drive": "dr", "lane": "ln", "place": "pl", "platz": "pl",
    "court": "ct", "square": "sq", "terrace": "ter", "highway": "hwy",
    "parkway": "pkwy", "circle": "cir", "crescent": "cres", "suite": "ste",
    "floor": "fl", "apartment": "apt", "building": "bldg", "north": "n",
    "south": "s", "east": "e", "west": "w", "strasse": "st",
}
_STRASSE = ("strasse", "str")


def _address_word(word: str) -> str:
    spelled = _ADDRESS_WORDS.get(word)
    if spelled is not None:
        return spelled
    for end in _STRASSE:  # Hauptstraße, Hauptstr. (ß is casefolded to ss)
        if word.endswith(end) and len(word) > len(end) + 2:
            return word[:-len(end)] + " st"
    return word


def _address_match_key(address: object) -> str | None:
    text = clean_text(address)
    if text is None:
        return None
    text = fold_accents(text).casefold()
    return " ".join(map(_address_word, _spaced(text).split())) or None


# pure functions of a text: remembered, a bounded number of them
_org_text_key = functools.lru_cache(maxsize=4096)(_org_match_key)
_address_text_key = functools.lru_cache(maxsize=4096)(_address_match_key)


class PhoneKey(NamedTuple):
    """One phone as matching compares it (``phone_key``)."""

    last9: str  # its last 9 digits (country prefix and formatting ignored)
    country: str | None  # "+" and every digit, when written with its country code
    ext: str | None  # its extension's digits


def phone_key(phone: object) -> PhoneKey | None:
    """The match key of a phone — a row's cleaned cell or an account's stored text, both
    read by the one parse (``_phone_parts``; x20r1 S3: the account's ``+1 555 222 3333
    x45`` was keyed by its raw text, split on a case-sensitive " ext", and never met the
    row's identical cell) — or None when it reads as no phone."""
    if isinstance(phone, int) and not isinstance(phone, bool):
        phone = str(phone)
    try:
        text = clean_text(phone) if isinstance(phone, str) else None
    except InputError:
        return None
    return _phone_text_key(text) if text else None


@functools.lru_cache(maxsize=4096)
def _phone_text_key(text: str) -> PhoneKey | None:
    try:
        plus, digits, ext = _phone_parts(text)
    except InputError:
        return None
    # a country key only for a number long enough to hold one
    return PhoneKey(digits[-9:], "+" + digits if plus and len(digits) >= 8 else None, ext)


def phone_match_key(phone: object) -> str | None:
    """A phone compared by its last 9 digits (country prefix, formatting and extension
    ignored: ``phone_key``)."""
    key = phone_key(phone)
    return key.last9 if key else None


def phone_country_key(phone: object) -> str | None:
    """``+`` and every digit of a phone written with its country code (``+44 …``,
    ``0044 …``), else None. Two such numbers that differ are two phones, though their
    last 9 digits agree (x14r2 F6: ``+1 555 123 4567`` and ``+44 555 123 4567`` joined
    two John Smiths); a number without one still matches either by its last 9 digits."""
    key = phone_key(phone)
    return key.country if key else None


def phones_agree(mine: PhoneKey, theirs: Iterable[PhoneKey]) -> bool:
    """Whether a row's phone is one of ``theirs`` (a person's phones): one with the same
    last 9 digits and no other extension — two extensions of one number are two lines,
    two people at one switchboard (x20r1 S2), while a number with no extension is any of
    its lines —, unless both are written with a country code and those differ."""
    same = [p for p in theirs if p.last9 == mine.last9
            and (p.ext is None or mine.ext is None or p.ext == mine.ext)]
    if not same:
        return False
    if mine.country is None:
        return True
    written = [p.country for p in same if p.country]
    return not written or mine.country in written


def phone_claim(key: PhoneKey) -> str:
    """The phone part of a new person's key (``n:<name>|p:…``): the number with its
    country code when written with one, else its last 9 digits, and its extension: two
    extensions are two persons (x20r1 S2)."""
    return (key.country or key.last9) + (f" x{key.ext}" if key.ext else "")


def phone_claims(key: PhoneKey) -> list[str]:
    """Every phone part of a key a person with this phone answers to (``person_keys``):
    ``phone_claim``'s of this phone and of the same number with no extension, or with no
    country code — as ``phones_agree`` lets a row's phone find it."""
    plain = [key.last9, *([key.country] if key.country else [])]
    return plain + [f"{p} x{key.ext}" for p in plain] if key.ext else plain
