"""The mapping's cost per row (issue 8), counted in Python function calls so that the
test is exact on a loaded machine too: a CSV row (a plain dict) whose text cells every
step remembers reads them in place, with no call per step, and a cell a step does not
remember yet is read, converted and remembered in one pass over its memo."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from types import FrameType
from typing import Any

from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from tests.test_mapping_memo import catalog, mapper, values

__all__ = ["catalog"]  # (the fixture, imported for the tests below)


def _calls(run: Callable[[], object]) -> Counter[str]:
    """The Python calls (by function name) ``run`` makes."""
    calls: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            calls[frame.f_code.co_name] += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return calls


def test_a_remembered_csv_row_reads_its_deal_and_custom_cells_in_place(
        catalog: Catalog) -> None:
    """A plain dict row whose cells the deal and custom field steps remember runs no
    per-step call for them (was one ``_cell`` a step a row: 2 a row here), and maps as
    before."""
    m = mapper(catalog)
    rows = [SourceRow(n, n, values(id=f"K-{n}"), None) for n in range(2, 42)]
    first = m.map(rows[0])  # (every memo now knows the cells)
    calls = _calls(lambda: [m.map(row) for row in rows[1:]])
    assert calls["_cell"] == 0, calls.most_common()
    again = m.map(rows[1])
    assert again.deal == {**first.deal, "custom_fields": {
        **first.deal["custom_fields"], m.key_code: "K-3"}}


def test_a_cell_a_step_does_not_remember_is_read_once_and_remembered(
        catalog: Catalog) -> None:
    """A new amount of each row is converted once and remembered, with no second look-up
    of the memo (``_remembered``: a call a miss, was 1 a new cell here), and the next row
    of that amount is a hit."""
    m = mapper(catalog)
    m.map(SourceRow(1, 1, values(), None))
    rows = [SourceRow(n, n, values(id=f"K-{n}", Amount=f"{n},500.00"), None)
            for n in range(2, 42)]
    calls = _calls(lambda: [m.map(row) for row in rows])
    assert calls["_remembered"] == 0, calls.most_common()
    # (the monetary custom field reads its currency cell: computed each row, not remembered)
    assert calls["parse_money"] == 2 * len(rows)
    again = _calls(lambda: [m.map(row) for row in rows])
    assert again["parse_money"] == len(rows)
    assert m.map(rows[3]).deal["value"] == 5500


STAGE_STATUS = """
version = 1
[import]
key_column = "id"
[deal]
title = "{Company} - {Name}"
pipeline = { default = "Sales" }
[deal.status]
column = "Stage"
map = { "closedwon" = "won", "*" = "open" }
[deal.stage]
column = "Stage"
map = { "closedwon" = "Qualified" }
"""


def test_a_stage_cells_status_is_read_once_per_cell_and_pipeline() -> None:
    """A status read from the stage column (``RowMapper.stage_status``) is judged once per
    stage cell and pipeline, not for every row (issue 8: ~3 % of ``map``: a text clean-up,
    a key fold and a catalog look-up a row), and gives each row the status it gave the
    first: a stage cell named as a built-in word (``Won``) is judged in the row's
    pipeline."""
    from jobs.mapping import Mapping, compile_mapping
    from tests.test_mapping import RAW_FIELDS
    catalog = Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1},
                {"id": 12, "name": "Won", "pipeline_id": 1, "order_nr": 2}],
        deal_fields=RAW_FIELDS)
    m = compile_mapping(Mapping.loads(STAGE_STATUS), catalog, header=list(values()))
    assert m.stage_status is not None
    stages = ["Qualified", "closedwon", "Won", "Qualified"]
    rows = [SourceRow(n, n, values(id=f"K-{n}", Stage=stages[n % 4]), None)
            for n in range(2, 42)]
    first = [m.map(row) for row in rows[:4]]
    calls = _calls(lambda: [m.map(row) for row in rows[4:]])
    assert calls["clean_text"] == 0 and calls["stage"] == 0, calls.most_common()
    assert [r.deal["status"] for r in first] == ["open", "open", "open", "won"]
    again = [m.map(row) for row in rows[4:8]]
    assert [r.deal for r in again] == [
        {**r.deal, "custom_fields": {m.key_code: f"K-{r.row + 4}"}} for r in first]


def test_a_mapping_without_close_times_judges_none(catalog: Catalog) -> None:
    """A mapping that maps no won / lost / close time never judges a row's times (issue 8:
    ~4 % of ``map``, a set and two look-ups a row for a time no step fills)."""
    m = mapper(catalog)
    rows = [SourceRow(n, n, values(id=f"K-{n}"), None) for n in range(2, 12)]
    calls = _calls(lambda: [m.map(row) for row in rows])
    assert calls["close_times"] == 0 and calls["close_time_conflict"] == 0, \
        calls.most_common()
