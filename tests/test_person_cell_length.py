"""A person cell longer than any name with its contacts fails its row before the cell
readers run (x49r7 F4: a cell of 20,000 characters took 14 s of CPU in ``plan import``,
the readers' cost growing faster than the cell's length)."""

from __future__ import annotations

import time

import pytest

from jobs.mapping.rowmapper import MAX_PERSON_CELL
from tests.test_person_identity import decide_all, planner, rows_of


@pytest.mark.parametrize("cell", [
    "Jane Roe " + "x" * 20_000 + "@",
    "Jane Roe " + "1-" * 8_000 + "x",
    "Jane Roe " + "van " * 2_500 + "Berg",
])
def test_a_cell_longer_than_a_name_with_its_contacts_fails_its_row(cell: str) -> None:
    started = time.process_time()
    got = decide_all(planner(), rows_of([{"contact": cell}]))["K2"]
    assert isinstance(got, str) and f"{len(cell):,} characters" in got, got
    # the bound, not a timing assertion: the readers never ran on it (they took seconds)
    assert time.process_time() - started < 5.0


def test_a_cell_at_the_bound_is_read() -> None:
    cell = "Jane Roe, jane@roe.com, CEO " + "x" * (MAX_PERSON_CELL - 40)
    assert len(cell) <= MAX_PERSON_CELL
    got = decide_all(planner(), rows_of([{"contact": cell}]))["K2"]
    assert "characters, more than" not in str(got)
