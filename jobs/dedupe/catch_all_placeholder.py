"""Placeholder names: what people type into a required name field they have no name for.

x40r3 F1 (16 of 18 probe pairs sharing only such an org or person merged unattended): a
name of punctuation or symbols only (``---``, ``?``, ``.``), one letter (``x``), keyboard
mash (``asdf``, ``qwertz``, ``xxx``), a label letter with a digit after a people word
(``Customer B2``: ``label_words``), a buyer word that is also a surname standing alone
(``Koper``, Dutch "buyer") and the well-known placeholder persons of each language (``Jan
Modaal``, ``Mario Rossi``) were read as real names. ``placeholder`` says which class a name
is of; ``catch_all.named_catch_all`` reads every such name as a catch-all.

Decisions: a placeholder person is a catch-all whether or not real people bear the name
(``Mario Rossi``, ``Juan Pérez``, ``Jan Kowalski`` are common names as well as each
language's form example): read as a catch-all, a real one's copies that share only that
person go to review, where read as a person a placeholder's walk-ins merge; ``John Smith``
is left out (English forms use ``John Doe``), and so is a placeholder with anything more
(``Maria Rossi``, ``Juan Pérez García``). A registered name (a legal form: ``Xyz Corp``,
``Mario Rossi Srl``) is a company's own, never a placeholder. Short brands stay names:
``3M``, ``1&1``, ``24/7``, ``KLM``, ``AAA``, ``ABC`` (mash needs a keyboard row from its
end, 3 letters or more — the alphabet's, 4 —, or ``x`` / ``z`` repeated, or another letter 4
times).

Pure: no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType

from .catch_all_lexicon import HONORIFICS
from .catch_all_world import WORLD
from .normalize import legal_form, org_key

# the letter rows of the QWERTY, QWERTZ and AZERTY keyboards: mash is typed along one from
# an end (``asdf``, ``qwe``, ``jkl``, ``yxcv``, ``azer``); the AZERTY home row's right end
# is left (``KLM`` is an airline)
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "yxcvbnm", "azertyuiop",
         "qsdfghjklm", "wxcvbn", "abcdefgh")
_RIGHT_ENDS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_MASH_MIN = 3
_FILLER = frozenset({"xyz", "test"})  # filler words a digit may follow (``test123``)
# the singular buyer / customer words that are surnames too (``catch_all_world.txt`` keeps
# them as "needs" words: ``Jan Koper`` is a person): alone they are the word, no one's name
LONE_WORDS = frozenset({"koper", "kober", "kupec", "stranka", "kunde", "klant", "klient",
                        "host"})  # Czech: a guest (x43r2 F1); Host Europe GmbH: registered

# each language's form-filling example persons (Wikipedia "Placeholder name" and its
# language versions: the names official forms and ID-card samples print), as org_key spells
# them; the language in brackets goes into the reason
PLACEHOLDER_PERSONS: dict[str, frozenset[str]] = {
    "en": frozenset({"john doe", "jane doe", "richard roe", "jane roe", "joe bloggs",
                     "fred bloggs", "joe public", "john q public", "jane q public",
                     "joe schmoe", "john q citizen", "joe soap", "a n other"}),
    "de": frozenset({"max mustermann", "erika mustermann", "hans mustermann",
                     "otto normalverbraucher", "lieschen mueller", "max muster",
                     "erika muster", "hans muster", "erika musterfrau"}),
    "nl": frozenset({"jan modaal", "jan met de pet"}),
    "it": frozenset({"mario rossi", "mario bianchi", "pinco pallino"}),
    "es": frozenset({"juan perez", "fulano de tal", "fulano", "mengano", "zutano",
                     "perengano", "fulanito", "fulana de tal", "juan del pueblo",
                     "pepito perez", "juan de los palotes", "perico de los palotes"}),
    "pt": frozenset({"fulano de tal", "ze ninguem", "joao ninguem", "joao da silva",
                     "jose da silva", "fulano da silva"}),
    "fr": frozenset({"jean dupont", "monsieur tout le monde", "jean untel", "madame untel",
                     "monsieur untel", "jean dupond"}),
    "da": frozenset({"morten menigmand"}),
    "no": frozenset({"ola nordmann", "kari nordmann"}),
    "sv": frozenset({"sven svensson", "medelsvensson", "kalle anka"}),
    "fi": frozenset({"matti meikalainen", "maija meikalainen", "matti meikaelaeinen",
                     "maija meikaelaeinen"}),
    "pl": frozenset({"jan kowalski", "anna kowalska"}),
    "cs": frozenset({"jan novak", "jan novaek"}),
    "hu": frozenset({"gipsz jakab"}),
    "ro": frozenset({"ion popescu"}),
    "ru": frozenset({"vasya pupkin", "ivan ivanov", "ivan ivanovich ivanov"}),
}
_PERSONS = {name: lang for lang, names in PLACEHOLDER_PERSONS.items() for name in names}
# surnames no family bears, each a form's model name (German Mustermann and its female form
# Musterfrau, Finnish Meikäläinen "one of us", Dutch Modaal "average", Normalverbraucher
# "average consumer"): with any given name (``Maxi Mustermann``, ``Maria Musterfrau``), an
# initial or alone they are the placeholder (x40r4 F2)
NO_FAMILY = MappingProxyType({"mustermann": "de", "musterfrau": "de", "normalverbraucher": "de",
                              "meikalainen": "fi", "meikaelaeinen": "fi", "modaal": "nl"})
# surnames of the list that are rare as real ones: after an initial of the list's given name
# (``J. Doe``, ``R. Roe``) they are the placeholder; ``Doe`` alone too (a real Doe so typed
# costs a review; a walk-in's ``Doe`` read as a person costs a wrong merge). An initial before
# a common surname (``M. Rossi``, ``J. Kowalski``) may be anyone: a person
_RARE = frozenset({"doe", "roe", "bloggs", "schmoe", "nordmann", "pupkin", *NO_FAMILY})
_ALONE = MappingProxyType({**NO_FAMILY, "doe": "en"})
_INITIALS = {(name.split()[0][0], " ".join(name.split()[1:])): lang
             for name, lang in _PERSONS.items()
             if len(name.split()) == 2 and name.split()[-1] in _RARE}
# the forms of address set aside before a person's name (``Herr``, ``Mr.``, ``M.``, ``Sig.``,
# ``Sr.``, ``Dhr.``, ``Pan``, ``Herra``: the lexicon's and ``catch_all_world.txt``'s)
_ADDRESSED = HONORIFICS | WORLD["honorific"]
# a bracketed note after the name (``Max Mustermann (Test)``, ``Mario Rossi [alt]``)
_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_LABEL = re.compile(r"[a-z]{1,2}\d{1,4}|\d{1,4}[a-z]")  # B2, A12, 3B, 7a


def _mash(token: str) -> bool:
    """Whether ``token`` (an ``org_key`` token) is keyboard mash: a run along a keyboard row
    from one of its ends (3 letters or more), ``x`` / ``z`` typed twice or more or another
    letter four times, such a run typed again (``asdfasdf``), or a filler word, each maybe
    with digits after it (``test123``, ``asdf1``)."""
    letters = token.rstrip("0123456789")
    if not letters.isalpha() or not letters.isascii():
        return False
    if len(set(letters)) == 1:
        return (letters[0] in "xz" and len(letters) >= 2) or len(letters) >= 4
    if letters in _FILLER and letters != token:
        return True  # test123 (test alone: the lexicon's own word)
    if letters == "xyz":
        return True
    if (m := re.fullmatch(r"(.+?)\1+", letters)) and _mash(m[1]):
        return True
    if len(letters) < _MASH_MIN or letters == "abc":  # ABC: a brand as often as a filler
        return False
    return any(row.startswith(letters) for row in _ROWS) \
        or any(row.endswith(letters) for row in _RIGHT_ENDS)


def label_words(words: list[str], i: int) -> int:
    """How many of ``words`` (``org_key`` tokens) from ``i`` to the end are a label of one or
    two letters and a number (``B2``, ``3B``, ``B 2``: ``Customer B2``, ``Kunde B12``, x40r3
    F1): after a people word they say which of several catch-alls, as a number does; 0 when
    they are not one."""
    rest = words[i:]
    if len(rest) == 1 and _LABEL.fullmatch(rest[0]):
        return 1
    if len(rest) == 2 and re.fullmatch(r"[a-z]", rest[0]) and rest[1].isdigit():
        return 2
    return 0


@lru_cache(maxsize=65536)
def placeholder(name: str, kind: str = "org") -> str:
    """Which placeholder class the org / person ``name`` (one reading of it: ``catch_all_world
    .readings``) is of, "" when none: ``"punctuation only"`` (no letter, and no digit but
    one repeated: ``---``, ``?``, ``000``), ``"one letter"`` (``x``, ``-x-``), ``"keyboard
    mash"`` (``asdf``, ``qwertz``, ``xxx``, ``test123``), ``"a buyer word alone"`` (``Koper``:
    ``LONE_WORDS``) or ``"a placeholder person (LANG)"`` (``Jan Modaal``, a person's name only:
    ``PLACEHOLDER_PERSONS``). A registered name (a legal form) is never one."""
    if legal_form(name):
        return ""
    text = "".join(name.split())
    if not text:
        return ""  # an empty name is nothing to judge (a record without one)
    if not any(c.isalpha() for c in text):
        digits = {c for c in text if c.isdigit()}
        if not digits or (len(digits) == 1 and text.isdigit()):
            return "punctuation only"
        return ""  # 1&1, 24/7: a brand
    letters = [c for c in text if c.isalpha()]
    if len(letters) == 1 and not any(c.isdigit() for c in text):
        return "one letter"
    words = org_key(name).split()
    if words and all(_mash(w) for w in words):
        return "keyboard mash"
    if len(words) == 1 and words[0] in LONE_WORDS:
        return "a buyer word alone"
    if kind == "person" and (lang := placeholder_person(name)):
        return f"a placeholder person ({lang})"
    return ""


def placeholder_person(name: str) -> str:
    """The language of the placeholder person a person's ``name`` is written as, "" when
    none (x40r4 F2: 25 of ~40 ways of writing one were read as a real person): one of
    ``PLACEHOLDER_PERSONS`` after any forms of address (``Herr Max Mustermann``, ``Mr. John
    Doe``, ``Pan Jan Kowalski``) and bracketed notes (``Max Mustermann (Test)``) are set
    aside, in either order (``Mustermann, Max``, ``Rossi Mario``, ``del Pueblo Juan``), with
    an initial for the given name before a rare surname (``J. Doe``, ``M. Mustermann``), or a
    ``NO_FAMILY`` surname with any one given name or alone (``Maxi Mustermann``, ``Erika
    Musterfrau``, ``Mustermann``), and ``Doe`` alone. Anything more is a person
    (``Maria Rossi``, ``Juan Pérez García``, ``M. Rossi``, ``John Doerr``)."""
    while (bare := _NOTE.sub("", name)) != name:
        name = bare
    words = org_key(name).split()
    while len(words) > 1 and words[0] in _ADDRESSED:
        words = words[1:]  # Herr Dr. Max Mustermann
    for order in (words, words[-1:] + words[:-1]):  # Mustermann, Max: the given name last
        if lang := _PERSONS.get(" ".join(order)):
            return lang
        if len(order) == 2 and len(order[0]) == 1 \
                and (lang := _INITIALS.get((order[0], order[1]), "")):
            return lang  # J. Doe, M. Mustermann
        if len(order) == 2 and (lang := NO_FAMILY.get(order[1], "")):
            return lang  # Maxi Mustermann, Maria Musterfrau
    return _ALONE.get(words[0], "") if len(words) == 1 else ""


__all__ = ["LONE_WORDS", "NO_FAMILY", "PLACEHOLDER_PERSONS", "label_words", "placeholder",
           "placeholder_person"]
