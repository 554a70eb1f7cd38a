"""The ``[person] name`` a starter mapping (``jobs.mapping.starter.init_mapping``) gives a
bare ``Name`` column that no target took: x50r1 F11, ``Key,Title,Name,Email,Phone``
left ``Name`` unmapped (the deal title read from ``Title``) and wrote ``# name = ""  #
no column looks like a name`` — false while a column is headed ``Name``. A bare "name"
is a deal title's guess (``starter._GUESSES``); once another column is the title, such a
column holds the persons' or the organizations' names. It is proposed for the person
when its sampled values look like persons' names (letters only, two to four capitalised
words, no company's legal form: ``Ann Lee``, never ``Acme GmbH``); else the comment
names it. This module only decides and words it; it never reads the file."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from collections.abc import Mapping as MappingABC

from .. import transforms as tf
from ..transforms.person_words import LEGAL_CASED, LEGAL_FORMS

# a person's name: 2 to 4 capitalised words of letters (as starter._PERSON_NAME, which
# takes one word too: an owner's first name), a particle or an initial's dot allowed
_WORD = r"[^\W\d_][^\W\d_'\u2019\-]*"
_NAME = re.compile(rf"{_WORD}(?:[ .'\-\u2019]+{_WORD}){{1,3}}\.?")
_PARTICLES = frozenset(("van", "von", "der", "den", "de", "del", "della", "di", "da", "du",
                        "la", "le", "bin", "al"))


def _persons_name(value: str) -> bool:
    """Whether ``value`` reads as a person's name (``Ann Lee``, ``Jan van der Berg``)."""
    if _NAME.fullmatch(value) is None:
        return False
    words = [w for w in re.split(r"[ .'\-\u2019]+", value) if w]
    return all(w[:1].isupper() or w.casefold() in _PARTICLES for w in words) \
        and not any(w.casefold() in LEGAL_FORMS or w in LEGAL_CASED for w in words)


def bare_name_column(header: Sequence[str], used: Collection[str]) -> str | None:
    """The first column of ``header`` headed ``Name`` alone (case and spacing aside) that
    is not in ``used``, or None."""
    return next((c for c in header if c not in used and tf.norm_key(c) == "name"), None)


def person_name_line(header: Sequence[str], used: Collection[str],
                     samples: MappingABC[str, Sequence[str]] | None, *,
                     emailed: bool) -> tuple[str, str] | None:
    """``(column, line)`` for the ``[person]`` table when a bare ``Name`` column is left
    (``bare_name_column``): ``name = "Name"`` with a TODO when eight in ten or more of its
    sampled values (one at least) read as persons' names, else, when the mapping reads the
    persons' e-mail (``emailed``), the commented line naming the column. None otherwise."""
    column = bare_name_column(header, used)
    if column is None:
        return None
    shown = json.dumps(column, ensure_ascii=False)
    values = [str(v).strip() for v in (samples or {}).get(column, ()) if str(v).strip()]
    if values and 10 * sum(map(_persons_name, values)) >= 8 * len(values):
        return column, (f"name = {shown}  # TODO: the deal title is read from another "
                        f"column and {shown}'s values look like persons' names (e.g. "
                        f"{values[0]!r}): check it, then delete this comment")
    if not emailed:
        return None
    return column, (f'# name = ""  # column {shown} is not mapped: its values do not look '
                    "like persons' names; map it here if it holds them, else new persons "
                    "are named by their e-mail address")


__all__ = ["bare_name_column", "person_name_line"]
