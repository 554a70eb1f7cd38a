"""An undo whose rows are all "restore in part" sends writes, so it asks before them and
counts them in "to send" (x42r7 F1: ``pdbulk undo J </dev/null`` said "0 to send", asked
nothing and sent 5 PATCHes; README: no one to answer the prompt cancels the job)."""

from __future__ import annotations

from collections import Counter

from jobs.api import WRITES, Work
from jobs.prepared import Prepared
from jobs.undo.targets import IN_PART


async def _build(_engine: object) -> Prepared:  # pragma: no cover - never run here
    raise AssertionError


def test_restores_in_part_are_writes() -> None:
    assert IN_PART in WRITES["undo"]
    work = Work(kind="undo", build=_build, question="Undo {n} deal{s}?")
    prep = Prepared(kind="undo", actions=Counter({IN_PART: 5, "unchanged": 2}))
    assert work.writes(prep) == 5
