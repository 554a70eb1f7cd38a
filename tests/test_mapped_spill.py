"""An import maps each row once (issue 8): the learning pass's mappings are kept on disk
(``jobs.mapped_spill``) and the decide pass takes them instead of mapping those rows
again; what is decided is the same, and a spill that cannot give a row back only costs
a second mapping."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from benchmarks.bench_mapping import offline_planner
from bulk.manifest import SourceRow
from jobs.demo_data import write_demo_export
from jobs.import_load import _first_rows, _items, learn_file, learn_marks
from jobs.mapped_spill import MappedSpill
from jobs.mapping import MappedRow, OrgRef, PersonRef
from jobs.mapping.rowmapper import RowMapper

ROWS = 300


def _maps(run: Any) -> tuple[int, Any]:
    """How many times ``run`` calls ``RowMapper.map``, and what it returns."""
    code = RowMapper.map.__code__
    calls = [0]

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is code:
            calls[0] += 1

    sys.setprofile(profile)
    try:
        out = run()
    finally:
        sys.setprofile(None)
    return calls[0], out


def _decided(planner: Any, settings: Any) -> list[tuple[Any, ...]]:
    return [(i.row, i.key, i.op, i.state, i.error, i.payload) for i in _items(planner, settings)]


def test_each_row_of_a_plan_is_mapped_once_and_decided_as_before(tmp_path: Path) -> None:
    """``learn_file`` then the decide pass (as ``plan import`` runs them) map the demo
    export's rows once each but those the mapping refuses (were twice: 600 calls for 300
    rows here), and decide every row as a
    planner whose learning pass keeps nothing does."""
    export = write_demo_export(tmp_path, rows=ROWS)
    make = offline_planner(export.manifest, export.mapping)

    planner, settings = make()
    calls, decided = _maps(lambda: (learn_file(planner, settings),
                                    _decided(planner, settings))[1])
    # (a row the mapping refuses is mapped again: its error is not kept)
    assert calls <= ROWS + planner.counts.bad, (calls, planner.counts.bad)
    assert planner.mapped_spill is None  # (removed after the decide pass)

    # the same rows decided with no spill: learned without one, each row mapped again
    plain, settings = make()
    learn_marks(plain, settings)
    plain.learn_contacts(_first_rows(plain, settings),
                         places=plain.mapper.reads_org_address,
                         persons=plain.mapper.reads_person_email_or_phone)
    assert plain.mapped_spill is None
    again, before = _maps(lambda: _decided(plain, settings))
    assert again >= ROWS - 10  # (the rows the reader refuses are never mapped)
    assert decided == before


def _mapped(n: int) -> MappedRow:
    return MappedRow(n, f"K-{n}", {"title": f"deal {n}", "value": 1.5, "custom_fields": {}},
                     PersonRef("Ann Lee", "ann@example.com"), OrgRef("Acme", None),
                     False, ("USD", "CAD"), {"f" * 40: ("USD", "CAD")})


def _row(n: int, line: int | None = None) -> SourceRow:
    return SourceRow(n, n if line is None else line, {"key": f"K-{n}"}, None)


def test_a_spill_gives_back_the_rows_put_by_row_in_order() -> None:
    """Rows put are taken back equal, by row number; rows never put, or passed over,
    are None; a row of another line (another file's) is None too."""
    spill = MappedSpill()
    for n in (2, 3, 5, 8, 9):
        spill.put(_row(n), _mapped(n))
    assert spill.take(_row(2)) == _mapped(2)
    assert spill.take(_row(4)) is None  # 3 was put, never asked: passed over
    assert spill.take(_row(5)) == _mapped(5)
    assert spill.take(_row(6)) is None
    assert spill.take(_row(8, line=12)) is None  # the same number, another record
    assert spill.take(_row(9)) == _mapped(9)
    assert spill.take(_row(10)) is None
    assert spill.take(_row(11)) is None  # (at its end: closed, still None)
    assert (spill.put_rows, spill.taken_rows) == (5, 3)
    assert "5 put, 3 taken" in repr(spill)


def test_a_spill_whose_file_cannot_be_made_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """No temporary file (a full or read-only disk): nothing is put, every take is None
    (the caller maps the row, as before), nothing is raised."""
    def refuse(**_: object) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    spill = MappedSpill()
    spill.put(_row(2), _mapped(2))
    spill.put(_row(3), _mapped(3))
    assert spill.take(_row(2)) is None
    assert spill.put_rows == 0
    assert "closed" in repr(spill)


class _FullDisk:
    """A temporary file on a full disk: every write and flush fails, and so does the
    close that flushes what is buffered (x46r11 F1: a 64 KB TMPDIR ended the import)."""

    def __init__(self, fail_after: int) -> None:
        self.left = fail_after

    def write(self, data: bytes) -> int:
        if self.left <= 0:
            raise OSError(28, "No space left on device")
        self.left -= 1
        return len(data)

    def flush(self) -> None:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("fail_after", [0, 3])
def test_a_spill_on_a_full_disk_turns_off_and_raises_nothing(
        monkeypatch: pytest.MonkeyPatch, fail_after: int) -> None:
    """A write, a flush or the close failing for want of space: the spill is off, every
    take None (the rows are mapped again), nothing raised — the spill is a cache."""
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: _FullDisk(fail_after))
    spill = MappedSpill()
    for n in (2, 3, 5):
        spill.put(_row(n), _mapped(n))
    assert spill.take(_row(2)) is None
    assert spill.take(_row(5)) is None
    spill.close()
    assert "closed" in repr(spill)


def test_a_mapping_of_other_types_than_marshals_own_is_not_kept() -> None:
    """A value marshal would not give back as it was (a str subclass, an array of
    addresses), or a row with a deactivated user's error, is not kept: None, mapped again;
    the rows around it are kept, their types exact (a bool stays a bool, a float a float)."""
    from array import array

    from bulk.errors import InputError

    class Given(str):
        pass

    spill = MappedSpill()
    odd = _mapped(3)._replace(deal={"title": Given("x")})
    listed = _mapped(4)._replace(person=PersonRef("Ann", "a@example.com",
                                                  also=array("u", "b")))  # type: ignore[arg-type]
    user = _mapped(5)._replace(deactivated={"owner_id": InputError("gone", row=5)})
    typed = _mapped(6)._replace(deal={"title": "t", "active": True, "value": 2.0})
    for n, mapped in ((2, _mapped(2)), (3, odd), (4, listed), (5, user), (6, typed)):
        spill.put(_row(n), mapped)
    assert [spill.take(_row(n)) for n in range(2, 7)] == [_mapped(2), None, None, None, typed]
    back = spill.take(_row(6))
    assert back is None  # (taken once)
    assert spill.put_rows == 2
