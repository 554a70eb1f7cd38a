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
