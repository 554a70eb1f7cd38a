"""The decide pass reads each row's new person once (issue 8): a row's person key was
looked up in the file's new persons 4 to 6 times (``in`` then ``[]``, again for each
check), each a SQLite query once those persons are on disk (``SpilledDict``, a
1,000,000-row plan); what is decided is the same, spilled or not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import jobs.learned
from benchmarks.bench_mapping import offline_planner
from jobs.demo_data import write_demo_export
from jobs.import_load import _items, learn_file
from jobs.learned import SpilledDict

ROWS = 300


class _Counted(SpilledDict):
    """A ``SpilledDict`` that counts its look-ups (not its own, on a write)."""

    __slots__ = ("looked", "writing")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.looked: Counter[str] = Counter()
        self.writing = False

    def __contains__(self, key: object) -> bool:
        self.looked["in"] += not self.writing
        return super().__contains__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.writing = True
        try:
            super().__setitem__(key, value)
        finally:
            self.writing = False

    def __getitem__(self, key: str) -> Any:
        self.looked["[]"] += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.looked["get"] += 1
        return super().get(key, default)


def _decide(tmp_path: Path, spill_at: int | None) -> tuple[list[tuple[Any, ...]], Any, int]:
    export = write_demo_export(tmp_path, rows=ROWS)
    planner, settings = offline_planner(export.manifest, export.mapping)()
    new = planner._persons  # the file's new persons (``_NewPersons``), counted from here
    counted = new._d = _Counted(spill_at=spill_at)
    learn_file(planner, settings)
    before = sum(counted.looked.values())
    decided = [(i.row, i.key, i.op, i.state, i.error, i.payload)
               for i in _items(planner, settings)]
    return decided, counted, sum(counted.looked.values()) - before


@pytest.mark.parametrize("spill_at", [None, 5])
def test_a_row_looks_its_new_person_up_once(tmp_path: Path, spill_at: int | None) -> None:
    """The demo's rows (an e-mail each, the file's persons learned) look up the file's new
    persons at most once a row in the decide pass (were 5.8 a row: 1,735 for 300 rows),
    in memory and on disk alike."""
    decided, counted, looked = _decide(tmp_path, spill_at)
    assert len(decided) == ROWS
    assert counted.spilled is (spill_at is not None)
    assert looked <= ROWS, (looked, counted.looked)


def test_what_is_decided_does_not_depend_on_the_persons_being_on_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same items, the file's new persons in memory or on disk (every read from disk
    a fresh copy)."""
    in_memory, _, _ = _decide(tmp_path / "a", None)
    monkeypatch.setattr(jobs.learned, "SPILL_AT", 5)
    on_disk, counted, _ = _decide(tmp_path / "b", 5)
    assert counted.spilled
    assert [d[:5] for d in on_disk] == [d[:5] for d in in_memory]
    assert on_disk == in_memory
