"""init-mapping writes a TODO beside the ``close_time`` it proposes from a CRM's "Close
Date" when sampled won / lost rows are dated in the future, counting them, and the row's
reason says what to do (x46r1 F3: 19 HubSpot rows failed "a deal is won when it happens"
with no way forward, from init-mapping's own proposal)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.mapping.rowmapper import close_time_conflict
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC).timestamp()
HEADER = ["Record ID", "Deal Name", "Deal Stage", "Close Date"]


def _text(catalog: Catalog, rows: list[list[str]], now: float = NOW) -> str:  # noqa: F811
    samples: dict[str, list[str]] = {c: [] for c in HEADER}
    for row in rows:
        for column, cell in zip(HEADER, row, strict=True):
            if cell not in samples[column]:
                samples[column].append(cell)
    return init_mapping(HEADER, catalog, samples=samples, now=now,
                        rows=[dict(zip(HEADER, r, strict=True)) for r in rows])


ROWS = [["1", "D1", "closedwon", "2026-05-03"],
        ["2", "D2", "closedlost", "2027-01-10"],  # lost, in the future
        ["3", "D3", "Qualified", "2027-02-01"],  # open: its expected close date
        ["4", "D4", "closedwon", "2026-06-30 10:00"],  # won, in the future
        ["5", "D5", "closedwon", "2026-06-01"]]  # today: not after the bound


def test_future_won_lost_rows_get_a_todo_beside_close_time(
        catalog: Catalog) -> None:  # noqa: F811
    lines = _text(catalog, ROWS).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("close_time = "))
    todo = [line for line in lines[at - 3:at] if line.startswith("# TODO")]
    assert len(todo) == 1, lines[at - 3:at + 1]
    assert "2 of the 4 sampled won / lost rows have a Close Date in the future" in todo[0]
    assert "'2027-01-10'" in todo[0] and "delete the close_time line" in todo[0]


def test_no_todo_when_no_closed_row_lies_ahead(catalog: Catalog) -> None:  # noqa: F811
    text = _text(catalog, ROWS, now=datetime(2028, 1, 1, tzinfo=UTC).timestamp())
    assert "close_time = " in text and "in the future" not in text


@pytest.mark.parametrize("status", ["won", "lost"])
def test_the_future_reason_says_what_to_do(status: str) -> None:
    got = close_time_conflict(status, {"close_time": "2030-03-01T00:00:00Z"},
                              "2026-06-02T02:00:00Z")
    assert got is not None and got[0] in ("close_time", f"{status}_time")
    assert "fix the date" in got[1] and "expected_close_date only" in got[1], got
