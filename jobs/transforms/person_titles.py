"""What a part of a person cell is when it is no person: a job title (``VP Sales``,
``Geschäftsführer``, ``Director Comercial LATAM``, ``営業部長``), a name's suffix (``Jr.``,
``PhD``) or a company (``Acme GmbH``, ``Smith & Sons Ltd``, ``OOO Romashka``) — the
readers ``name_lists``' rule asks after a comma, a slash or a joiner (its docstring
states where), and the persons a cell names after such a title
(``persons_after_title``). Pure functions of a part's text, ``str -> bool`` (``suffix``
takes the masked cell and the part's bounds), that read the vocabularies of
``person_words`` and never fail.

Split from ``name_lists`` (issue #8: modules of ~500 lines at most).
"""

from __future__ import annotations

import re
from itertools import pairwise

from .person_words import (
    CJK_HEADS,
    CJK_LEADS,
    CJK_LETTER,
    FAMILY_WORDS,
    HEAD_WORDS,
    JOB_JOINERS,
    JOB_WORDS,
    LEGAL_CASED,
    LEGAL_CJK,
    LEGAL_FIRST,
    LEGAL_FORMS,
    LEGAL_INITIALS,
    LEITER_JOBS,
    NAME_SUFFIXES,
    QUALIFIERS,
    REGION_WORDS,
    SCRIPT_TITLE_WORDS,
    TITLE_AND,
)


def title_words(tail: str) -> bool:
    """Whether ``tail`` (``_tail_title``: a title after a comma with the parts joined to
    it) is one job title, every word a title's: no name in it (``Maria Co``, ``Bob Roe``:
    x46r13 F1). A single letter is a title's only inside its abbreviation (``R & D
    Director``: ``r&d``), never an initial before a name (``CEO & T. Manager``, ``CEO &
    A. B. Partner``: x47r1 F2, each was ONE person)."""
    raw = _INITIALS.sub(r"\1&\2", tail.casefold()).split()
    # (a ``-leiter`` title after a slash as after a comma: x47r7 F5)
    words = [_compound(w.strip(".")) for w in raw]
    # (``und E. Leiter``, ``and Y Manager``: an initial alike a joiner, ``e`` ``y``)
    initial = any(len(w) == 2 and w[1] == "." for w in raw) or any(
        a in JOB_JOINERS and b in JOB_JOINERS for a, b in pairwise(words))
    # (a region's word beside a head word: ``Jane Roe / Director Europe``, x47r9 F5)
    headed = any(w in HEAD_WORDS for w in words)
    return bool(words) and not initial and all(
        w in JOB_WORDS or w in JOB_JOINERS or w in HEAD_WORDS
        or (headed and w in REGION_WORDS) for w in words) and job_title(tail)


def bare_co(name: str) -> bool:
    """Whether ``name`` (a part after a comma) may be a person's as well as a company's,
    so no company there (the safe side: the cell is refused): its last word ``Co`` with
    no dot, a surname too (x46r13 F4: ``Anna Berg, Maria Co`` was one person); two words,
    the last a family's or associates' word (``Bob Partners``, ``Anna Sons``, ``Hans
    Söhne``: a name or a company, x47r5 F4); or led by a legal form that can be a name's
    initials (``AB Smith``, ``PT Barnum``, ``AB Volvo``: x47r5 F4). ``Acme Sons Ltd``,
    ``OOO Romashka``, ``株式会社ABC`` stay companies."""
    words = name.replace("\0", " ").split()
    return len(words) > 1 and (
        words[-1].casefold() == "co" or words[0] in LEGAL_INITIALS
        or (len(words) == 2 and words[-1].strip(".").casefold() in FAMILY_WORDS))


def company_whole(first: str, last: str) -> bool:
    """Whether ``first`` & ``last`` is one company's name: ``last`` legal forms alone
    (``Jane Roe & Co``, ``Anna Berg & Co. KG``: x47r1 F5) or a family's or associates'
    word alone, or before legal forms (``Dupont & Fils``, ``Rossi & Figli S.r.l.``, ``Anna
    Dupont & Fils``: x46r13 F6), or a company after a one-word ``first`` (``Smith & Sons
    Ltd``, ``Ernst & Young LLP``); never a name before a company (``Anna Berg & Bob Co``)
    nor such a word leading (``Anna Fils & Bob Roe``)."""
    words = last.split()
    if words and words[0].strip(".").casefold() in FAMILY_WORDS \
            and all(_legal_word(w) for w in words[1:]):
        return True
    if not company(last):
        return False
    return all(_legal_word(w) for w in words) or len(first.split()) == 1


def _legal_word(word: str) -> bool:
    """Whether ``word`` (dots and commas aside) is a legal form (``Ltd``, ``S.r.l.``)."""
    bare = word.replace(".", "").replace(",", "")
    return bare.casefold() in LEGAL_FORMS or bare in LEGAL_CASED


def company(name: str) -> bool:
    """Whether ``name`` (a part of a person cell) is a company's: its last word (dots and
    commas aside) a legal form (``Acme GmbH``, ``Sons Ltd``, ``Co``, ``Rossi S.p.A.``), or
    its first a legal form written first before a name (``AB Volvo``, ``OOO Romashka``),
    or a CJK legal form at either end of it (``株式会社ABC``, ``北京星光有限公司``)."""
    words = name.replace(",", " ").replace("\0", " ").split()
    if not words:
        return False
    if _legal_word(words[-1]) or (len(words) > 1 and words[0] in LEGAL_FIRST):
        return True
    whole = "".join(words)
    return any(len(whole) > len(form) and (whole.startswith(form) or whole.endswith(form))
               for form in LEGAL_CJK)


def suffix(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (after a comma) is a name's suffix: ``Jr.``, ``Ph.D.``,
    ``MBA``, ``III`` ..."""
    words = masked[a:b].replace(".", " ").replace("\0", " ").casefold().split()
    joined = "".join(words)
    return bool(words) and (joined in NAME_SUFFIXES or all(w in NAME_SUFFIXES for w in words))


# a Latin letter: a part of them in lower case may be a name typed so (``hans leiter``:
# x46r13 F4), where Cyrillic and Arabic titles are written in lower case
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


_INITIALS = re.compile(r"\b(\w)\s*&\s*(\w)\b")


# ``Sr.`` / ``Jr.`` before a job word are the title's (``Sr. Manager``: x50r1 F8), alone a
# name's suffix
_SENIORITY = frozenset({"sr", "snr", "jr", "jnr"})


def job_title(text: str) -> bool:
    """Whether ``text`` (after a comma) is a job title: its words (case, dots and commas
    aside) are ``JOB_WORDS`` and their joiners, one of them a job word."""
    # ``R & D``, ``M&A``, ``P & L``: one word of a title (x46r13 F3)
    folded = _INITIALS.sub(r"\1&\2", text.replace("\0", " ").casefold())
    # (``Design Director/Lead``: a slash joins a title's words; a German compound ending
    # in ``-leiter`` / ``-leiterin`` is one: ``Verkaufsleiter``; x47r5 F7)
    words = [_compound(w.strip(".")) for w in
             folded.replace(",", " ").replace("/", " / ").split()]
    if words and words[0] in JOB_JOINERS and words[0].isalpha():
        return False  # an initial (``E. Leiter``, ``Y. Manager``: x47r1 F2), no joiner
    if words and all(w in _SENIORITY for w in words):
        return False  # ``Sr.``, ``Jr.`` alone: a name's suffix (a title's before a job word)
    # ``Co CEO``, ``Co Founder``: a co-CEO (x47r1 F5); ``Co Santos`` is a name
    words = [w for i, w in enumerate(words) if w != "co" or i + 1 == len(words)
             or words[i + 1] not in JOB_WORDS]
    if _lone_qualifier(words):
        return False  # ``CEO & Plant``: a place's word alone after a joiner (x47r9 F4)
    # a head word, the part led by a title's word or written in lower case (``Director
    # Comercial``, ``Sales Manager Nordics``, ``генеральный директор``), never a name whose
    # surname is a head word (``Hans Leiter``: x46r12 F1)
    # (led by a region's word too, ``Head of`` a head word: ``North Sales Manager``,
    # ``Head of Sales North America``, x47r9 F5, were refused as two)
    led = bool(words) and (words[0] in HEAD_WORDS or words[0] in JOB_WORDS
                           or words[0] in REGION_WORDS or (
        text.strip() == text.strip().lower() and not _LATIN.search(text)))
    headed = any(w in HEAD_WORDS for w in words) or ["head", "of"] == words[:2]
    if ("," not in text and led and headed
            and not _name_inside(text)) or (
            words and all(CJK_LETTER.match(c) for w in words for c in w)
            and cjk_title("".join(words))):
        # "Director Comercial", "Prezes Zarządu", "営業部長", "مدير المبيعات"; not a name
        # before its title ("Jane Roe, Sales Director": the comma rule's part whole)
        return True
    # (a place's or field's word alone is no title: ``Jane Roe, Key``, ``Jane Roe /
    # Store``: a surname too, x47r7; ``Key Account Manager`` is one)
    return any(w in JOB_WORDS and w not in QUALIFIERS for w in words) and all(
        w in JOB_WORDS or w in JOB_JOINERS for w in words)


def cjk_title(text: str) -> bool:
    """Whether ``text`` (letters of Han, Hangul or kana, its spaces taken out) is a
    title of the vocabulary whole: words of ``CJK_LEADS`` and ``CJK_HEADS`` in a row,
    the last a head word (``部長``, ``営業部長``, ``代表取締役``, ``副总经理``, ``영업부장``);
    a name before a head word (``佐藤部長``, ``박지훈부장``) is no title (x48r1 F1)."""
    ends = {0: False}  # where a reading of text[:at] ends, and whether at a head word
    for at in range(len(text)):
        if at not in ends:
            continue
        for word in (*CJK_HEADS, *CJK_LEADS):
            if text.startswith(word, at):
                ends[at + len(word)] = ends.get(at + len(word), False) or word in CJK_HEADS
    return ends.get(len(text), False)


def _lone_qualifier(words: list[str]) -> bool:
    """Whether ``words`` (a title's, case-folded) hold a place's or field's word
    (``QUALIFIERS``) with no other title word between the joiners around it
    (``TITLE_AND``): ``ceo & plant``, ``founder and store`` (x47r9 F4: cut as the
    title, a surname too); ``store manager``, ``sales & key account manager`` not."""
    group: list[str] = []
    for word in [*words, "&"]:
        if word not in TITLE_AND:
            group.append(word)
            continue
        if any(w in QUALIFIERS for w in group) and not any(
                (w in JOB_WORDS or w in HEAD_WORDS) and w not in QUALIFIERS
                for w in group):
            return True
        group = []
    return False


def _compound(word: str) -> str:
    """``word`` (case-folded) as a title's word: a German compound ending in ``leiter`` /
    ``leiterin`` (``verkaufsleiter``, ``vertriebsleiterin``) is ``leiter`` /
    ``leiterin``, a head word, when its first part is a known job's (``LEITER_JOBS``);
    any other word as it is (``schleiter``, ``bergleiter``: surnames, the name's own;
    x47r7 F3: ``Anna Berg, Schleiter`` was cut to ``Anna Berg``)."""
    for head in ("leiterin", "leiter"):
        if word.endswith(head) and word[:-len(head)] in LEITER_JOBS:
            return head
    return word


def _name_inside(text: str) -> bool:
    """Whether ``text`` (a title's words after a comma, led by a head word) may hold a
    name: a word that is neither the titles' vocabulary (``JOB_WORDS``,
    ``HEAD_WORDS``, ``REGION_WORDS``, a ``-leiter`` compound) nor a title's joiner in
    lower case (``of``, ``de``, ``für``, ``&``) nor a title's word of a script other
    than Latin (``SCRIPT_TITLE_WORDS``: ``генеральный директор``, ``مدير المبيعات``;
    x47r9 F2: any lower-case word of such a script was taken, Arabic having no case, so
    ``директор анна смирнова``, ``مدير فاطمة حسن`` were cut and hidden). x47r5 F2 read
    a name as two capitalised words in a row, so ``CEO Bob van Dijk``, ``Director Juan
    de la Cruz``, ``CEO Bob-Roe``, ``CEO bob roe``, ``CEO Bob`` were cut as the title
    (x47r7 F2): any other word now keeps the part a person's, the cell refused (the safe
    side)."""
    for word in _INITIALS.sub(r"\1&\2", text.replace("\0", " ").replace(",", " ")
                              .replace("/", " / ")).split():
        bare = word.strip(".")
        folded = _compound(bare.casefold())
        if folded in JOB_WORDS or folded in HEAD_WORDS or folded in REGION_WORDS \
                or folded in SCRIPT_TITLE_WORDS:
            continue
        if bare == bare.lower() and folded in JOB_JOINERS:
            continue
        return True
    return False


def slashed_title(tail: str) -> bool:
    """Whether ``tail``, after an unspaced slash (``Jane Roe/CEO``), is a title cut from
    the name: every word a title's (``title_words``) and an abbreviation written in
    capitals (``CEO``, ``VP Sales``) or two words or more (``Sales Director``); a single
    title word so joined may be a second surname (``Jane Roe/Lead``) and stays
    (x47r7 F5: ``Jane Roe/CEO`` kept its title in the name)."""
    words = tail.replace("\0", " ").split()
    return title_words(tail) and (len(words) > 1 or any(
        len(w) > 1 and w.isupper() for w in words))


def persons_after_title(value: str, masked: str) -> list[str] | None:
    """The persons a one-person cell (``value``, its brackets written as NULs in
    ``masked``) names after a job title cut at a comma or a slash: every later part
    (at ``,`` or ``/``) that is no title, suffix nor company is a person's, a single
    given name too (x47r9 F3: ``Jane Roe/CEO/Bob Roe``, ``Jane Roe, CEO, Bob``, ``Jane
    Roe, CEO/Bob`` were ONE person named with the whole cell, ``Jane Roe/CTO/Bob
    Roe/CEO`` the person ``Jane Roe/CTO/Bob Roe``): the part before the title and those
    parts, in order, or None when there is none (``Ann Lee, CEO``, ``Anna Berg, CEO,
    Acme GmbH``, ``Jane Roe, Founder, CEO``)."""
    bounds = [-1, *(m.start() for m in _PART_MARKS.finditer(masked)), len(masked)]
    titled: int | None = None  # where the first title after a name begins
    names: list[str] = []
    for a, b in pairwise(bounds):
        text = masked[a + 1:b]
        if not any(c.isalpha() for c in text):
            continue
        if titled is None:
            if a >= 0 and job_title(text) and any(c.isalpha() for c in masked[:a]) \
                    and not job_title(masked[:a]):
                titled = a
        elif not (job_title(text) or suffix(masked, a + 1, b)
                  or (company(text) and not bare_co(text))):
            names.append(" ".join(value[a + 1:b].split()))
    if titled is None or not names:
        return None
    return [" ".join(value[:titled].split()), *names]


# the marks a title part follows a name after, and a person's part a title
_PART_MARKS = re.compile("[,/]")


def tail_title(names: list[str], gaps: list[str]) -> str:
    """The first name's part after its last comma with every later part joined to it by
    its separator (``R`` ``&`` ``D Director``: ``R & D Director``)."""
    return " ".join([names[0].rsplit(",", 1)[1], *(f"{g} {n}" for g, n in
                                                     zip(gaps[1:], names[1:], strict=True))])


__all__ = ["bare_co", "cjk_title", "company", "company_whole", "job_title", "persons_after_title",
           "slashed_title", "suffix", "tail_title", "title_words"]
