"""Whether an update's deal ids look like another account's (x47r3 F5: a Pipedrive deals
export of ANOTHER account, ``Deal - ID`` 1..40, set up to update by id, changed title,
value and currency of 40 of 40 unrelated deals of this account, with no word). Pure: it
reads the deals the load read anyway, no call of its own.

The rule, per row whose deal was read (``ForeignIds.see``):

- with a title, the row looks foreign when its title is **unrelated** to the deal's
  (``related``: not the same once case, accents' forms, punctuation and spacing are set
  aside; neither holds the other's words in a run — a rename keeps them: ``2027 <old>``,
  ``<OLD> (new)``, ``<old> [EU]``, ``EU: <old>``; and their rapidfuzz token-sort
  similarity under ``SIMILAR`` or their numbers disjoint, ``Deal 17`` / ``Deal 23``) **and**
  one other field that tells a deal differs too (``GROUPS``);
- without a title (no title column, or the cell blank), when ``BLIND`` of those differ.

The fields that tell a deal count by group, each one field (x48r2 F3): the amount (value
and currency: the README decides them whole), the place (pipeline, or the stage standing
for it), the owner, the organization, the person. A field the plan keeps because a
colleague changed it in Pipedrive since (``jobs.update_edits``: not sent) is not counted.
When ``LEAST`` rows or more and most rows compared look so, the plan warns loudly and
``update`` refuses to start without ``--yes`` (``pdbulk update``), ``foreign_ids=True``
(the library).

Why the title: field counts alone cannot tell a rename with a re-value in EUR from another
account's title + value export (x48r2 F2: 4 of 9 foreign exports went unwarned, one wrote
40 of 40 unrelated deals; F3: 15 of 15 renames + re-values refused); a rename keeps a
relation to the old title, another account's row names another deal. ``SIMILAR`` was
measured on the sandbox's titles (``<Company> <Suffix> - <Product>``, three pairs of
seeds, 300 ids each): another account's titles under the same ids score 37 (median) to
86 (the most, 1-2 % of rows at 80 or more: the same company); a typo, ``Ltd`` written
``Limited``, a year added score 82 or more. A rename of the product alone
(``Acme Corp - Pilot`` to ``Acme Corp - Expansion``, 52-76) is unrelated: with a new
value on most rows too, the plan warns and ``--yes`` runs it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

# the fields besides the title that tell one deal from another (the row mapper's names),
# by group: a group differing is one field, whichever of its members differ
GROUPS: dict[str, tuple[str, ...]] = {
    "amount": ("value", "currency"), "stage": ("pipeline_id", "stage_id"),
    "owner": ("owner_id",), "organization": ("org_id",), "person": ("person_id",)}
IDENTITY = tuple(name for names in GROUPS.values() for name in names)
LEAST = 3  # rows looking foreign, at least: fewer tell nothing (a small file of renames)
BLIND = 3  # groups differing on a row without a title
SIMILAR = 80.0  # rapidfuzz token_sort_ratio (0-100) from which two titles are related
_SHOWN = 5  # rows named in the warning
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


def _words(value: object) -> list[str]:
    """``value``'s words, as titles are compared: case, accents' forms, punctuation and
    spacing aside."""
    return _WORD.findall(unicodedata.normalize("NFKC", str(value)).casefold())


def _holds(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return n > 0 and any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def related(title: object, other: object) -> bool:
    """Whether two titles name one deal, one renamed (``2027 Acme``, ``ACME (new)``, a
    typo, ``Ltd`` written ``Limited``): the same words, or one's words a run of the
    other's, or rapidfuzz token-sort similarity ``SIMILAR`` or more with a number in common
    where both have numbers (``Deal 17`` is not ``Deal 23``). Two empty titles are related."""
    a, b = _words(title), _words(other)
    if a == b or _holds(a, b) or _holds(b, a):
        return True
    if not a or not b:
        return False
    na, nb = set(_NUMBER.findall(" ".join(a))), set(_NUMBER.findall(" ".join(b)))
    if na and nb and not na & nb:
        return False
    from rapidfuzz import fuzz  # here: a load without renames never loads it (issue 8's RSS)

    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) >= SIMILAR


def _same(wanted: object, now: object) -> bool:
    """Whether the row's value is the deal's: numbers by value (``40000`` is ``40000.0``),
    the rest as titles are compared."""
    if now is None:
        return False
    try:
        return float(str(wanted)) == float(str(now))
    except ValueError:
        return _words(wanted) == _words(now)


def differing(deal: Mapping[str, Any], wanted: Mapping[str, Any],
              kept: Collection[str] = ()) -> list[str]:
    """The groups (``GROUPS``' names) where the row's values differ from the deal's, a
    field blank in the row or in ``kept`` (the plan keeps Pipedrive's) not compared; a
    stage given beside a pipeline is compared with it, as one group."""
    out = []
    for group, names in GROUPS.items():
        if any(wanted.get(name) not in (None, "") and name not in kept
               and not _same(wanted[name], deal.get(name)) for name in names):
            out.append(group)
    return out


@dataclass(slots=True)
class ForeignIds:
    """The rows ``see`` compared with their deal, and those that look like another
    account's (the module's rule)."""

    compared: int = 0
    foreign: int = 0
    rows: list[int] = field(default_factory=list)  # the first few of them (manifest rows)
    fields: dict[str, int] = field(default_factory=dict)  # group (or "title") -> rows

    def see(self, row: int, deal: Mapping[str, Any] | None, wanted: Mapping[str, Any],
            kept: Collection[str] = ()) -> None:
        """Compare row ``row``'s mapped values ``wanted`` with its ``deal`` as read (a deal
        missing or deleted is not compared); ``kept``: the fields (the mapper's names) the
        plan keeps as Pipedrive has them, not compared."""
        if deal is None or deal.get("is_deleted"):
            return
        self.compared += 1
        title = wanted.get("title")
        if title in (None, "") or "title" in kept:
            other = differing(deal, wanted, kept)
            if len(other) < BLIND:
                return
        else:
            if related(title, deal.get("title") or ""):
                return
            other = differing(deal, wanted, kept)
            if not other:  # a rename alone is an update like any other
                return
            other = ["title", *other]
        self.foreign += 1
        for name in other:
            self.fields[name] = self.fields.get(name, 0) + 1
        if len(self.rows) < _SHOWN:
            self.rows.append(row)

    @property
    def stands(self) -> bool:
        """Whether the ids look foreign: ``LEAST`` rows or more, and most rows compared."""
        return self.foreign >= LEAST and self.foreign * 2 > self.compared

    def warning(self) -> str | None:
        """The plan's line (None when the ids look like this account's)."""
        if not self.stands:
            return None
        named = ", ".join(f"{n} {c}" for n, c in sorted(
            self.fields.items(), key=lambda kv: (-kv[1], kv[0])))
        more = "…" if self.foreign > len(self.rows) else ""
        return (f"WARNING: foreign ids? {self.foreign} of {self.compared} rows name a deal "
                f"of an unrelated title and another amount, stage, owner, organization or "
                f"person (no title: {BLIND} of them) ({named}) — rows "
                f"{', '.join(map(str, self.rows))}{more}: the ids look like another "
                "account's (a Pipedrive export of another company names its own deals 1, "
                "2, 3 …), and the update would overwrite unrelated deals of this account. "
                "Check a few of them in Pipedrive; `pdbulk update` refuses to start without "
                "--yes while this warning stands")

    def refusal(self) -> str | None:
        """Why the run does not start (None when the ids look like this account's)."""
        if not self.stands:
            return None
        return (f"not started: {self.foreign} of {self.compared} rows name a deal of an "
                "unrelated title and other fields that tell a deal (foreign ids? see the "
                "plan); if the ids are this account's deals, run again with --yes")

    def __repr__(self) -> str:
        return f"ForeignIds(compared={self.compared}, foreign={self.foreign})"


__all__ = ["BLIND", "GROUPS", "IDENTITY", "LEAST", "SIMILAR", "ForeignIds", "differing",
           "related"]
