"""Whether an update's deal ids look like another account's: most rows name a deal whose
title differs from the row's **and** two other fields that tell a deal (its owner, pipeline
or stage, currency, value, organization or person) differ too (x47r3 F5: a Pipedrive deals export of
ANOTHER account, ``Deal - ID`` 1..40, was set up to update by id, and ``plan update``
changed title, value and currency of 40 of 40 unrelated deals of this account, with no
word). Pure: it reads the deals the load read anyway, no call of its own.

A rename of every title, or a move of every deal to a new owner — or both at once, a
re-organization; or a rename and a new value — is an update like any other; a row changing
the title and two more of them on most deals is not (x47r10 F1: a real export of another
account differs in title, value, stage and owner: with only owner, pipeline and currency
compared, and the pipeline not at all under a stage column, it went unwarned, 40 of
40): the plan says so loudly and ``update`` refuses to start without ``--yes`` (``pdbulk
update``), ``foreign_ids=True`` (the library).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# the fields besides the title that tell one deal from another, as the row mapper names them
IDENTITY = ("owner_id", "pipeline_id", "currency", "value", "org_id", "person_id")
# a stage column stands for the pipeline (its stage's): a row giving ``stage_id`` and no
# ``pipeline_id`` is compared by stage (x47r10 F1: an export's stage column left the
# pipeline uncompared), never both as two fields
LEAST = 3  # rows differing so, at least: fewer tell nothing (a small file of renames)
_SHOWN = 5  # rows named in the warning


def _text(value: object) -> str:
    """``value`` compared as a title is: case, accents' forms and spacing aside."""
    return " ".join(unicodedata.normalize("NFC", str(value)).casefold().split())


def _same(wanted: object, now: object) -> bool:
    """Whether the row's value is the deal's: numbers by value (``40000`` is ``40000.0``),
    the rest as titles are compared."""
    if now is None:
        return False
    try:
        return float(str(wanted)) == float(str(now))
    except ValueError:
        return _text(wanted) == _text(now)


@dataclass(slots=True)
class ForeignIds:
    """The rows ``see`` compared with their deal, and those whose deal differs in title
    and in two other identity fields (``IDENTITY``) or more."""

    compared: int = 0
    foreign: int = 0
    rows: list[int] = field(default_factory=list)  # the first few of them (manifest rows)
    fields: dict[str, int] = field(default_factory=dict)  # identity field -> rows

    def see(self, row: int, deal: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> None:
        """Compare row ``row``'s mapped values ``wanted`` with its ``deal`` as read (a deal
        missing or deleted is not compared); a row giving no title is not either."""
        if deal is None or deal.get("is_deleted") or wanted.get("title") in (None, ""):
            return
        self.compared += 1
        if _text(wanted["title"]) == _text(deal.get("title") or ""):
            return
        names = [*IDENTITY, "stage_id"] if wanted.get("pipeline_id") in (None, "") else IDENTITY
        other = [name for name in names if wanted.get(name) not in (None, "")
                 and not _same(wanted[name], deal.get(name))]
        if len(other) < 2:  # a rename beside a new owner is a re-organization, not foreign
            return
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
        named = ", ".join(f"{n.removesuffix('_id')} {c}" for n, c in sorted(
            self.fields.items(), key=lambda kv: (-kv[1], kv[0])))
        more = "…" if self.foreign > len(self.rows) else ""
        return (f"WARNING: foreign ids? {self.foreign} of {self.compared} rows name a deal "
                f"whose title differs from the row's AND two other fields that tell a deal "
                f"({named}) — rows {', '.join(map(str, self.rows))}{more}: the ids look like "
                "another account's (a Pipedrive export of another company names its own "
                "deals 1, 2, 3 …), and the update would overwrite unrelated deals of this "
                "account. Check a few of them in Pipedrive; `pdbulk update` refuses to start "
                "without --yes while this warning stands")

    def refusal(self) -> str | None:
        """Why the run does not start (None when the ids look like this account's)."""
        if not self.stands:
            return None
        return (f"not started: {self.foreign} of {self.compared} rows name a deal whose "
                "title and two other fields that tell a deal differ from the row's (foreign "
                "ids? see the plan); if the ids are this account's deals, run again with "
                "--yes")

    def __repr__(self) -> str:
        return f"ForeignIds(compared={self.compared}, foreign={self.foreign})"


__all__ = ["IDENTITY", "LEAST", "ForeignIds"]
