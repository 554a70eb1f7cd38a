"""A date column whose cells show both orders (x53r5 F7): 15 cells only month first reads
(``3/25/2026``) and one ``25/4/2026`` made every cell that reads both ways fail advising
``list '%d/%m/%Y' instead`` — the order the 15 cells contradict. The advice names the
contradicting rows instead, whichever order is listed, and no order is proposed; a column
no cell of the listed order contradicts is still told the other order."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_mapping_rules import mapper


def _cell(day: date, sep: str, day_first: bool) -> str:
    first, second = (day.day, day.month) if day_first else (day.month, day.day)
    return f"{first}{sep}{second}{sep}{day.year}"


def _column(seed: int) -> tuple[str, list[tuple[str, str]], int]:
    """(listed pattern, [(cell, kind)], the typos' count): kind "own" reads only the
    listed order, "typo" only the other, "both" reads both ways to two dates."""
    rnd = random.Random(seed)
    sep = rnd.choice("/.-")
    day_first = rnd.random() < 0.5
    listed = sep.join(["%d", "%m", "%Y"] if day_first else ["%m", "%d", "%Y"])
    cells: list[tuple[str, str]] = []
    for _ in range(rnd.randint(3, 20)):
        d = date(2025, 1, 1) + timedelta(days=rnd.randrange(900))
        d = d.replace(day=rnd.randint(13, 28))
        cells.append((_cell(d, sep, day_first), "own"))
    for _ in range(rnd.randint(1, 15)):
        d = date(2025, rnd.randint(1, 12), 1).replace(day=rnd.randint(1, 12))
        if d.day == d.month:
            continue
        cells.append((_cell(d, sep, day_first), "both"))
    typos = rnd.randint(1, 2)
    for _ in range(typos):
        d = date(2026, rnd.randint(1, 12), rnd.randint(13, 28))
        cells.append((_cell(d, sep, not day_first), "typo"))
    rnd.shuffle(cells)
    return listed, cells, typos


@pytest.mark.parametrize("seed", range(12))
def test_cells_of_both_orders_name_the_contradicting_rows_never_an_order(
        catalog: Catalog, seed: int) -> None:  # noqa: F811
    listed, cells, _ = _column(seed)
    other = "%d" + listed[2] + "%m" if listed.startswith("%m") else "%m" + listed[2] + "%d"
    rows = [SourceRow(n, n + 1, {"id": f"D{n}", "t": "Deal", "Close": c})
            for n, (c, _) in enumerate(cells, 2)]
    m = mapper(catalog, 'expected_close_date = "Close"', f'date_formats = ["{listed}"]')
    m.use_decimal_marks(m.learn_marks(rows))
    own_rows = [r.row for r, (_, k) in zip(rows, cells, strict=True) if k == "own"]
    for row, (_, kind) in zip(rows, cells, strict=True):
        if kind == "own":
            assert m.map(row).deal["expected_close_date"]
            continue
        with pytest.raises(InputError) as info:
            m.map(row)
        reason = info.value.reason
        assert info.value.row == row.row
        assert f"list '{other}" not in reason, reason  # never the contradicted order
        assert "The column shows both orders" in reason, reason
        assert any(f"(row {r})" in reason for r in own_rows), reason
        assert f"read only as '{listed}'" in reason, reason


def test_a_column_no_cell_contradicts_is_still_told_the_other_order(
        catalog: Catalog) -> None:  # noqa: F811
    """Every cell reads both ways but one, read only day first: that order is advised."""
    cells = ["03/04/2026", "05/06/2026", "13/04/2026"]
    rows = [SourceRow(n, n + 1, {"id": f"D{n}", "t": "Deal", "Close": c})
            for n, c in enumerate(cells, 2)]
    m = mapper(catalog, 'expected_close_date = "Close"', 'date_formats = ["%m/%d/%Y"]')
    m.use_decimal_marks(m.learn_marks(rows))
    with pytest.raises(InputError) as info:
        m.map(rows[0])
    assert "list '%d/%m/%Y' instead of '%m/%d/%Y'" in info.value.reason
    with pytest.raises(InputError) as info:
        m.map(rows[2])
    assert "it reads as '%d/%m/%Y'" in info.value.reason
