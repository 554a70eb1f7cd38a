"""Organization names as dedupe compares them: the key two records of one company share
(``org_key``; ``org_key_dotless``: an umlaut read as the bare vowel), the legal forms at
a name's end (``legal_form``) and whether two names are
two legal entities (``other_legal_entity``), one company (``same_company``). Pure
functions, no I/O; ``normalize`` reads titles with them (and re-exports them).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..transforms.legal_forms import SINGLE_WORD_FORMS, distinct_forms, name_start, split_forms
from .letters import fold_letters
from .lexicon import is_known_word, plausible_typo
from .title_tokens import words


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """``token`` without the accents of its Latin and Greek letters
    (``jobs.transforms.fold_accents``: ``région`` -> ``region``, ``müller`` -> ``muller``),
    and the letters with no decomposition read as a name's (``letters.fold_letters``: ``þ``
    -> ``th``, ``ð`` -> ``d``; one fold for names and titles, x52r4 F2).
    The Cyrillic yo ``ё`` is ie (U+0435), as Russian writes it (x20r1 M4).
    Other scripts' marks stay: ``が`` is not ``か``, and the Cyrillic breve makes another
    letter (``Май`` is not ``Маи``; v10r9 S3 found that class in organization matching).
    Two words equal after folding are one word written with and without its accents
    (``scoring``: not a typo, not two words)."""
    return fold_letters(token)


@lru_cache(maxsize=65536)
def org_key(name: str | None) -> str:
    """The organization name without case, punctuation and the legal form at its end
    (``ACME Corp.`` -> ``acme``, ``Acme Foods SE`` -> ``acme foods``; ``legal_forms``).

    Empty when there is no name. Two org records of the same company usually
    share this key; ``group`` / ``holding`` are part of it (``Acme Holding GmbH`` ->
    ``acme holding``). ``&``, ``and``, ``und`` and ``et`` between two words are one word,
    ``and``, and stay a word of the key: ``Schneider & Koch`` = ``Schneider und Koch``
    (x9r5), but ``Johnson & Johnson`` is not ``Johnson Johnson`` nor ``Berg und Tal``
    ``Berg Tal`` (x9r6, x9r7). At a name's start or end they are words of their own
    (``AND Technologies``, ``& Partners``: x9r6, x9r7).
    """
    if not name:
        return ""
    # ``words`` drops a bare "&": written out first, it is a word as "and" is
    every = [t for t in words(name.replace("&", " and ")) if t not in _ORG_NOISE]
    # a name's accents are folded as the import folds them ("Café Noir" / "CAFE NOIR");
    # umlauts were transliterated by ``words`` (Müller = Mueller)
    toks = _typed_forms(["and" if t in _ORG_AND and 0 < n < len(every) - 1 else fold(t)
                         for n, t in enumerate(every)])
    # (no form reaches a word written with a letter the form has not: ``Øster Ås``, f52b)
    start = name_start(every, [fold(t) for t in every])
    core, forms = split_forms(toks, start)
    while forms and len(core) > 1 and core[-1] == "and":  # Acme GmbH & Co. KG: the forms'
        core, forms = split_forms(core[:-1], start)
    return " ".join(core) if core else " ".join(every or words(name))


@lru_cache(maxsize=65536)
def legal_form(name: str | None) -> tuple[str, ...]:
    """The canonical legal forms at the end of an organization name, in name order
    (``Acme G.m.b.H. & Co. KG`` -> ``("gmbh", "co", "kg")``, ``Acme Incorporated`` ->
    ``("inc",)``); empty when it has none (``legal_forms.split_forms``)."""
    if not name:
        return ()
    # folded as ``org_key`` folds (``S.à r.l.`` is ``sarl``: x20r1 M2)
    written = [t for t in words(name) if t not in _ORG_NOISE]
    every = [fold(t) for t in written]
    # "und" / "et" / "and" between two words as the "&" ``words`` drops: GmbH und Co KG
    kept = [n for n, t in enumerate(every) if not (t in _ORG_AND and 0 < n < len(every) - 1)]
    toks = [every[n] for n in kept]
    return tuple(split_forms(_typed_forms(toks),
                             name_start([written[n] for n in kept], toks))[1])


# legal forms a slip of a finger is read as (f41d 3): four letters or more, one slip
# (``lexicon.plausible_typo``: a neighbour key, a letter doubled or dropped) or two
# neighbours swapped after the first letter (``GmHb``, ``Gmbg``, ``Gmbhh``, ``Gmb``,
# ``Sral``); three-letter ones only swapped so (``Ldt``, ``Icn``: one key off, ``Inv``,
# ``Ink``, ``Lid``, is another word; ``Tld``, ``Nic``, ``Slr`` are words of names)
_SLIP_FORMS = ("gmbh", "gesmbh", "sarl", "corp", "ltda", "sprl", "bvba", "kgaa", "limited",
               "corporation", "incorporated")  # Limtied, Coporation (x41r5 F2)
_SWAP_FORMS = ("ltd", "inc", "llc", "plc", "kft", "llp")


def _swapped(form: str, word: str) -> bool:
    """``word`` is ``form`` with two neighbours after its first letter swapped."""
    return len(form) == len(word) and form != word and any(
        word == form[:i] + form[i + 1] + form[i] + form[i + 2:] for i in range(1, len(form) - 1))


@lru_cache(maxsize=4096)
def form_typo(word: str) -> str | None:
    """The legal form ``word`` (a folded name token) is a typo of, or None: ``gmhb`` ->
    ``gmbh``, ``ldt`` -> ``ltd`` (``_SLIP_FORMS``, ``_SWAP_FORMS``). A word of the lexicon
    (``lexicon.is_known_word``: ``ink``, ``crop``, ``spa``) is the name's own word, never a
    typo: ``Acme Ink`` is not ``Acme Inc``."""
    if len(word) < 3 or word in SINGLE_WORD_FORMS or not word.isalpha() or is_known_word(word):
        return None
    for form in _SLIP_FORMS:
        if _swapped(form, word) or (word[:1] == form[:1] and (plausible_typo(form, word) or any(
                form[:i] + form[i + 1:] == word for i in range(1, len(form))))):
            return form
    return next((form for form in _SWAP_FORMS if _swapped(form, word)), None)


def _typed_forms(tokens: list[str]) -> list[str]:
    """``tokens`` with a typo of a legal form at the name's end read as the form (``acme
    gmhb`` -> ``acme gmbh``, ``acme ldt`` -> ``acme ltd``; f41d 3: ``Acme GmHb`` and ``Acme
    GmbH`` were two companies, ``Privatkunden GmHb`` a real name); the first word is always
    the name's."""
    out = list(tokens)
    for i in range(len(out) - 1, 0, -1):
        if (form := form_typo(out[i])) is not None:
            out[i] = form
        elif out[i] not in SINGLE_WORD_FORMS and out[i] != "and":
            break
    return out


def other_legal_entity(x: str | None, y: str | None) -> bool:
    """True when two organization names carry different legal forms (``Tessera Group
    GmbH`` / ``Tessera Group Inc``, ``Acme Ltd`` / ``Acme SE``): two legal entities (a
    group's subsidiaries or national entities), whatever their names share. Spellings of
    one form are one form (``GmbH`` = ``G.m.b.H.``, ``Inc`` = ``Incorporated``); a name
    without a form (``Acme`` / ``Acme GmbH``) may be the same company."""
    return distinct_forms(legal_form(x), legal_form(y))


_ORG_NOISE = frozenset({"the"})  # The Acme Company
# "and" between two words of a name, as "&" (which ``words`` drops): Smith & Sons / Smith
# and Sons / Smith und Sons; never at its start (x9r6: "AND Technologies" was "Technologies")
_ORG_AND = frozenset({"and", "und", "et"})


_DOTLESS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"})


@lru_cache(maxsize=65536)
def org_key_dotless(name: str | None) -> str:
    """``org_key`` of the name with its umlauts read as the bare vowel (``Björk Design AB``
    -> ``bjork design``), the spelling an ASCII keyboard gives; empty when the name has no
    umlaut (its ``org_key`` is its only reading)."""
    if not name:
        return ""
    composed = unicodedata.normalize("NFC", name)
    plain = composed.translate(_DOTLESS)
    return org_key(plain) if plain != composed else ""


def same_org_name(x: str, x_dotless: str, y: str, y_dotless: str) -> bool:
    """Two org names of one company (``same_company`` of their ``org_key``s), an umlaut
    read both ways where the other name has none: ``Björk`` = ``Bjoerk`` (``org_key``) =
    ``Bjork`` (``org_key_dotless``, x23r2 3), as ``Müller`` = ``Mueller`` = ``Muller``. Two
    names both written with umlauts compare as written (``Bjärk`` is not ``Björk``)."""
    return same_company(x, y) or (not y_dotless and same_company(x_dotless, y)) \
        or (not x_dotless and same_company(x, y_dotless))


def same_company(x: str, y: str) -> bool:
    """Two org keys (``org_key``) of one company: equal, or equal but for spacing
    (``Data Soft`` / ``DataSoft``). Any other remaining word is another company
    (``siemens energy`` / ``siemens healthineers``); an empty key is nobody's."""
    return bool(x) and bool(y) and (x == y or x.replace(" ", "") == y.replace(" ", ""))


__all__ = ["fold", "legal_form", "org_key", "org_key_dotless", "other_legal_entity",
           "same_company", "same_org_name"]
