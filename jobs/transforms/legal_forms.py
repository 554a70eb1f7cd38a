"""Legal forms at the end of company names: which words they are, and which form they name.

A company name ends in its legal form (``Acme GmbH``, ``Acme Foods SE``, ``Acme
Sp. z o.o.``); the same form has several spellings (``GmbH`` / ``G.m.b.H.`` /
``mbH``, ``Inc`` / ``Inc.`` / ``Incorporated`` / ``Corp`` / ``Corporation``,
``Ltd`` / ``Limited``). ``FORMS`` maps each spelling (as the words
``normalize.words`` makes of it: case folded, dotted initials joined, so
``S.p.A.`` is ``spa`` and ``Sp. z o.o.`` is ``sp z oo``) to one canonical form.

Two org records whose names carry *different* canonical forms are different
companies — a group's national entities or subsidiaries (``Tessera Group GmbH`` /
``Tessera Group Inc``), never one company typed twice. A name without a form
(``Acme``) may be any of them. ``group``, ``holding``, ``international`` are part
of the name, not a legal form (``Acme Holding GmbH`` is not ``Acme GmbH``).

Sources: compiled by hand from the abbreviations of the ISO 20275 Entity Legal
Forms code list (GLEIF; per jurisdiction) for the EU, UK, US, Nordic, CH, PL, CZ,
HU, JP, SG, AU forms below, and cleanco 2.3's ``termdata`` (MIT). cleanco itself
is not a dependency: it groups forms by US/UK type (``GmbH``, ``Ltd``,
``SARL`` are one "Limited" bucket, so it cannot tell two forms apart) and lists
ordinary words (``private``, ``company``, ``da``, ``pt``) that would cut real
names short. Two-letter forms are taken only at the end of a name, after at least
one word of the name. Pure data and functions, no I/O.

One table for the whole program: the import's organization key
(``jobs.transforms.org_match_key``) and dedupe's org names (``jobs.dedupe.org_names``)
both read a name's legal form here, so the two never disagree on which spellings are one
form (x20r1 M2: ``AG`` / ``Aktiengesellschaft`` were one company to dedupe and two
organizations to the import). A form written with its initials spaced (``s. r. o.``,
``S. A.``, ``sp. z o. o.``, ``S.à r.l.``) reads as its letters joined (``form_of``).
"""

from __future__ import annotations

from collections.abc import Sequence

# canonical form -> its spellings (space-separated words after normalize.words)
_SPELLINGS: dict[str, tuple[str, ...]] = {
    # US / UK / IE / IN / AU / SG / MY
    "inc": ("inc", "incorporated", "corp", "corporation"),  # US: Inc. and Corp. are one form
    "ltd": ("ltd", "limited"),
    "llc": ("llc",), "pllc": ("pllc",), "llp": ("llp",), "lp": ("lp",), "lllp": ("lllp",),
    "plc": ("plc",), "pty": ("pty",), "pte": ("pte",), "pvt": ("pvt",),
    "bhd": ("bhd",), "sdn": ("sdn",),
    # DE / AT / CH / LI
    "gmbh": ("gmbh", "mbh", "gesmbh"), "ag": ("ag",), "se": ("se",), "kg": ("kg",),
    "kgaa": ("kgaa",), "ohg": ("ohg",), "eg": ("eg",), "ug": ("ug",), "gbr": ("gbr",),
    "ev": ("ev",), "ek": ("ek",),
    # FR / BE / LU / IT / ES / PT / RO / LatAm
    "sa": ("sa",), "sas": ("sas",), "sasu": ("sasu",), "sarl": ("sarl",), "eurl": ("eurl",),
    "sca": ("sca",), "snc": ("snc",), "sprl": ("sprl",), "bvba": ("bvba",), "srl": ("srl",),
    "srls": ("srls",), "spa": ("spa",), "sapa": ("sapa",), "scarl": ("scarl",), "sl": ("sl",),
    "slu": ("slu",), "sau": ("sau",), "lda": ("lda",), "ltda": ("ltda",),
    # NL / BE
    "bv": ("bv",), "nv": ("nv",), "vof": ("vof",), "cv": ("cv",),
    # Nordic
    "oy": ("oy", "osakeyhtio", "osakeyhtioe"), "oyj": ("oyj",),
    "ab": ("ab", "aktiebolag", "aktiebolaget"), "as": ("as", "a s", "aktieselskab", "aksjeselskap"),
    "asa": ("asa", "allmennaksjeselskap"), "aps": ("aps", "anpartsselskab"), "ans": ("ans",),
    "ks": ("ks",), "hf": ("hf",), "ehf": ("ehf",),
    # PL / CZ / SK / HU / HR / SI / RS
    "sp zoo": ("sp z oo", "sp zoo", "spolka z oo"), "sro": ("sro", "spol s ro"),
    "vos": ("vos",), "doo": ("doo",), "dd": ("dd",), "kft": ("kft",), "zrt": ("zrt",),
    "nyrt": ("nyrt",), "bt": ("bt",),
    # BG / EE / LT / LV / RU / UA (Latin spellings), SE partnerships, US professional corp.,
    # MX (the import's key read these before the two tables were one)
    "ad": ("ad",), "ood": ("ood",), "eood": ("eood",), "ou": ("ou", "oue"), "uab": ("uab",),
    "sia": ("sia",), "ooo": ("ooo",), "oao": ("oao",), "zao": ("zao",), "pao": ("pao",),
    "tov": ("tov",), "hb": ("hb",), "kb": ("kb",), "pc": ("pc",),
    "sa de cv": ("sa de cv",), "s de rl": ("s de rl",),
    # JP
    "kk": ("kk",), "gk": ("gk",),
    # ``Co`` = ``Company``: a form of its own (``Quellon Co`` / ``Quellon Inc``: two entities;
    # ``GmbH & Co. KG`` keeps it with its other forms)
    "co": ("co", "company"),
    # not a form of its own (``AB (publ)``): taken off the name, never compared
    "publ": ("publ",),
}
# the forms written out in full, as registers and letterheads write them: ``Yota
# Aktiengesellschaft`` is ``Yota AG`` (v11r8: such a pair was not even a candidate)
_WRITTEN_OUT: dict[str, tuple[str, ...]] = {
    "gmbh": ("gesellschaft mit beschraenkter haftung", "gesellschaft mit beschrankter haftung",
             "gesellschaft mit beschränkter haftung"),
    "ag": ("aktiengesellschaft",), "kg": ("kommanditgesellschaft",),
    "kgaa": ("kommanditgesellschaft auf aktien",), "ohg": ("offene handelsgesellschaft",),
    "eg": ("eingetragene genossenschaft",), "ev": ("eingetragener verein",),
    "se": ("societas europaea",),
    "sa": ("societe anonyme", "société anonyme", "sociedad anonima", "sociedad anónima"),
    "sarl": ("societe a responsabilite limitee", "société à responsabilité limitée"),
    "spa": ("societa per azioni", "società per azioni"),
    "srl": ("societa a responsabilita limitata", "società a responsabilità limitata"),
    "bv": ("besloten vennootschap",), "nv": ("naamloze vennootschap",),
    "plc": ("public limited company",), "llc": ("limited liability company",),
    "llp": ("limited liability partnership",), "lp": ("limited partnership",),
}
for _canon, _written in _WRITTEN_OUT.items():
    _SPELLINGS[_canon] = (*_SPELLINGS[_canon], *_written)
NEUTRAL = frozenset({"publ"})
FORMS: dict[tuple[str, ...], str] = {
    tuple(s.split()): canon for canon, spellings in _SPELLINGS.items() for s in spellings}
_LONGEST = max(len(k) for k in FORMS)
SINGLE_WORD_FORMS = frozenset(k[0] for k in FORMS if len(k) == 1)
# every spelling with its spaces taken out: ``s r o`` (``s. r. o.``) is ``sro``, ``sp z o o``
# (``sp. z o. o.``) ``sp z oo``, ``s a rl`` (``S.à r.l.``) ``sarl`` (x20r1 M2: the spaced
# spellings were names' words, so ``Ostrava s.r.o.`` / ``Ostrava, s. r. o.`` were two)
_JOINED: dict[str, str] = {"".join(k): canon for k, canon in FORMS.items()}


# the words of the spellings above written with letters ASCII has not, and the forms
# written so by their own language (Estonian ``OÜ``, Turkish ``A.Ş.``, Finnish
# ``Osakeyhtiö``, Polish ``Spółka``; their initials spaced: ``A. Ş``, ``O. Ü``): every other
# word whose letters a fold changed is a word of the name, never a form (f52b: ``Øster Ås``
# was the form AS, ``Kärnäs Øy`` Oy)
_LETTERED = frozenset({w for spellings in _SPELLINGS.values() for s in spellings
                       for w in s.split() if not w.isascii()}
                      | {"oü", "aş", "ş", "ü", "osakeyhtiö", "spółka", "à",
                         "sà", "sàrl"})  # (``S.à r.l.``, ``S.à.r.l.``: their dots joined)


def name_start(written: Sequence[str], folded: Sequence[str]) -> int:
    """Where a name's legal forms may start at the earliest (``split_forms``' ``start``):
    one past its last word written with a letter its form has not (``written``: the words
    as written, case folded; ``folded``: the same words with their letters folded, as
    read against ``FORMS``): ``["øster", "ås"]`` -> 2, ``["øster", "as"]`` -> 1. Always 1
    or more; 1 when the two do not pair word for word."""
    start = 1
    if len(written) == len(folded):
        for at, (word, plain) in enumerate(zip(written, folded, strict=True)):
            if word != plain and word not in _LETTERED:
                start = at + 1
    return start


def form_of(run: Sequence[str]) -> str | None:
    """The canonical form the words ``run`` spell, or None: a spelling of ``FORMS``, or one
    with its short words spaced apart (every word after the first at most two letters:
    ``s r o``, ``sp z o o``, ``spol s r o``, ``e v``), read as the letters joined."""
    canon = FORMS.get(tuple(run))
    if canon is None and len(run) > 1 and all(len(t) <= 2 for t in run[1:]):
        canon = _JOINED.get("".join(run))
    return canon


def _form_at_end(tokens: Sequence[str], end: int, start: int) -> int:
    """How many words before ``end`` (not reaching before ``start``) spell one legal
    form, longest first; 0 when none."""
    for k in range(min(_LONGEST + 2, end - start), 0, -1):
        if form_of(tokens[end - k:end]) is not None:
            return k
    return 0


def split_forms(tokens: Sequence[str], start: int = 1) -> tuple[list[str], list[str]]:
    """A company name's words as (name words, canonical legal forms at its end). The first
    ``start`` words are always the name's (the first one: ``AS Roma`` keeps ``as``; more
    when a word is written with a letter no form has: ``name_start``); the forms are in
    name order. ``["acme", "gmbh", "co", "kg"]`` -> ``(["acme"], ["gmbh", "co", "kg"])``."""
    end = len(tokens)
    forms: list[str] = []
    while end > start and (k := _form_at_end(tokens, end, start)):
        forms.append(form_of(tokens[end - k:end]) or "")
        end -= k
    return list(tokens[:end]), forms[::-1]


def form_run(tokens: Sequence[str], start: int) -> int:
    """The end of the run of legal-form words starting at ``tokens[start]`` (``start``
    itself when there is none): ``Acme GmbH & Co KG - ...`` after the org name."""
    i, n = start, len(tokens)
    while i < n:
        for k in range(min(_LONGEST + 2, n - i), 0, -1):
            if form_of(tokens[i:i + k]) is not None:
                i += k
                break
        else:
            break
    return i


def distinct_forms(x: Sequence[str], y: Sequence[str]) -> bool:
    """True when two names' legal forms (``split_forms``) are both given and differ (``publ``
    aside): two legal entities (``Co`` / ``Inc``, ``GmbH`` / ``AG``, ``LLC`` / ``Ltd``). A
    name without a form may be either."""
    fx, fy = frozenset(x) - NEUTRAL, frozenset(y) - NEUTRAL
    return bool(fx) and bool(fy) and fx != fy


__all__ = ["FORMS", "NEUTRAL", "SINGLE_WORD_FORMS", "distinct_forms", "form_of", "form_run",
           "name_start", "split_forms"]
