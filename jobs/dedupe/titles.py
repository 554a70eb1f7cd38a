"""Which title a merged group keeps: the clean one, not the survivor's by default.

The survivor rules pick a deal by status, stage and times; its title is often the worse
copy (x23r2 2: ``most_recently_updated`` kept ``conference room av upgrade (copy)`` and
``Helpdesk Implementaton``, and dropped the clean title). ``group_title`` names the title
a careful person would keep: among the group's titles, the survivor's stays unless
another is strictly cleaner, judged in this order:

1. not a copy form (``… (copy)``, ``(copy 2)``, ``Copy of …``, ``… - copy``, ``(Kopie)``);
2. written with its letters (``Café Cloud migration`` over ``Cafe Cloud migration``,
   ``Müller`` over ``Mueller`` or ``Muller``, ``Straße`` over ``Strasse``, ``Bjørn Ålund``
   over ``Bjorn Alund`` or ``Bjoern Aalund``, ``Łódź`` over ``Lodz``) when another title of
   the group is this one with them, each letter dropped or spelled out (``letters``;
   x26r1 7: the plain later copy survived and the accented title was kept on no live deal,
   45 of 45);
3. fewer words no word list knows (``lexicon.is_known_word``: ``Implementaton`` is a typo
   of a word, ``Implementation`` is one), between titles of as many words;
4. written in its case (not all lower case; not all capitals when it has a word of four
   or more letters);
5. shared by more deals of the group.

Whatever the ranking, the survivor's title never loses a letter to an ASCII or spelled-out
copy (``_loses_letters``): a title that writes a word of the survivor's without letters the
survivor's has (``Bjorn`` for ``Bjørn``, ``Sjoestroem`` for ``Sjöström``) is never chosen,
in any language (x51r14 F1: the word lists know ``Bjorn`` and ``Tra`` but not ``Bjørn`` and
``Trä``, and 21 of 168 merged groups were PATCHed to the copy's ASCII spelling when the
misspelling rank came before the letters one).

A survivor's title written with stray spaces (leading, trailing, doubled) that another deal
of the group writes cleanly takes that clean form.

Among titles equally clean the older deal's wins (then the smaller id). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .letters import without_letters
from .lexicon import is_known_word
from .model import DealRecord

_COPY = re.compile(r"\((?:copy|kopie)(?:\s*\d+)?\)|^\s*(?:copy|kopie)\s+(?:of|von)\b"
                   r"|[-\u2013\u2014]\s*(?:copy|kopie)\s*\d*\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{3,}")


def copy_form(title: str) -> bool:
    """``… (copy)``, ``Copy of …``, ``… - copy`` (and the German ``Kopie``)."""
    return _COPY.search(title) is not None


def _unknown_words(title: str) -> int:
    return sum(not is_known_word(w.casefold()) for w in _WORD.findall(title))


def _case_lost(title: str) -> bool:
    if title.islower():
        return True
    return title.isupper() and any(len(w) >= 4 for w in _WORD.findall(title))


def _accents_lost(title: str, others: Sequence[str]) -> bool:
    """Another title of the group is ``title`` written with letters it lacks (``Café`` for
    ``Cafe``, ``Müller`` for ``Mueller``, ``Bjørn Ålund`` for ``Bjoern Aalund``): this one
    lost them."""
    return any(without_letters(title, o) for o in others)


def _loses_letters(title: str, survivor: str) -> bool:
    """``title`` writes a word of ``survivor``'s without letters it has (``Bjorn`` for
    ``Bjørn``): never chosen over it, whatever else ``title`` mends."""
    lettered = {w.lower() for w in _WORD.findall(survivor) if not w.isascii()}
    return any(without_letters(w, v) for w in _WORD.findall(title) for v in lettered)


def _defects(title: str, shared: int, spelling: bool,
             others: Sequence[str] = ()) -> tuple[int, int, int, int, int]:
    return (copy_form(title), _accents_lost(title, others),
            _unknown_words(title) if spelling else 0, _case_lost(title), -shared)


def _spaced(title: str) -> str:
    return " ".join(title.split())


def _clean_spacing(members: Sequence[DealRecord], survivor: DealRecord,
                   own: str) -> tuple[str, int] | None:
    """(the survivor's title with its spacing cleaned, a deal that has it so) when the
    survivor's has stray spaces and another deal of the group is written cleanly, else None."""
    if not own or survivor.title == own:
        return None
    clean = next((r for r in members if r.id != survivor.id and r.title == own), None)
    return None if clean is None else (own, clean.id)


def group_title(members: Sequence[DealRecord], survivor: DealRecord) -> tuple[str, int] | None:
    """(the title the group should keep, the deal it is taken from) when it is not the
    survivor's (``members``: the group's deals, the survivor among them), else None."""
    titles = [(r, _spaced(r.title)) for r in members if r.title and r.title.strip()]
    own = _spaced(survivor.title or "")
    if len({t for _, t in titles} | {own}) < 2:
        # one title, spacing aside: the survivor's written with stray spaces (leading,
        # trailing, doubled) takes a member's clean form (x33r1 L1)
        return _clean_spacing(members, survivor, own)
    count: dict[str, int] = {}
    for _, t in titles:
        count[t] = count.get(t, 0) + 1
    # spelling is weighed only between titles of as many words (a typo, not another wording:
    # ``Acme - Website redesign`` is no worse than ``Website redesign`` for naming its org)
    spelling = len({len(_WORD.findall(_COPY.sub("", t))) for _, t in titles}) == 1
    every = [t for _, t in titles]
    mine = _defects(own, count.get(own, 0), spelling, every) if own else (2, 2**30, 2, 2, 0)
    better = [(d, r, t) for r, t in titles
              if t != own and (d := _defects(t, count[t], spelling, every)) < mine
              and not _loses_letters(t, own)]
    if not better:
        return _clean_spacing(members, survivor, own)
    best = min(d for d, _, _ in better)
    chosen = min(((r.add_time is None, r.add_time.timestamp() if r.add_time else 0.0, r.id, t)
                  for d, r, t in better if d == best))
    return chosen[3], chosen[2]


__all__ = ["copy_form", "group_title"]
