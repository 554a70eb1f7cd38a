"""init-mapping decides a date's day / month order per column (x49r3 F1: ``Renewal date``
written m/d/yyyy, every day 12 or less, took ``Close Date``'s dd/mm/yyyy through the
file-wide ``date_formats`` with no TODO; the plan said "300 valid" and the import wrote 150
of 300 renewal dates day / month swapped)."""

from __future__ import annotations

import csv
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from bulk.errors import InputError
from jobs.catalog import Catalog
from jobs.mapping import Mapping, init_mapping
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Key", "Title", "Close Date", "Renewal date"]


def _file(path: Path, swap: bool = False
          ) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(300):
            told = date(2026, 1, 1) + timedelta(days=(i * 13) % 600)
            untold = date(2026, 1 + i % 12, 1 + (i * 7) % 12)
            a = f"{told.day:02d}/{told.month:02d}/{told.year}"
            b = f"{untold.month}/{untold.day}/{untold.year}"
            writer.writerow([f"g-{i}", f"Deal {i}", *((b, a) if swap else (a, b))])
    rows: list[dict[str, object]] = []
    return _samples(path, rows=rows), rows


def _todos(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("# TODO")]


@pytest.mark.parametrize("swap", [False, True])
def test_a_column_whose_cells_cannot_tell_gets_its_own_todo_and_no_other_columns_order(
        catalog: Catalog, tmp_path: Path, swap: bool) -> None:  # noqa: F811
    samples, rows = _file(tmp_path / "g.csv", swap)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    untold, told = ("Close Date", "Renewal date") if swap else ("Renewal date", "Close Date")
    todo = [t for t in _todos(text) if "cannot tell day first from month first" in t
            and repr(untold) in t]
    assert len(todo) == 1, _todos(text)
    assert "its 300 sampled cells" in todo[0] and repr(told) in todo[0], todo
    assert "day first" in todo[0] and '"%m/%d/%Y"' in todo[0], todo
    # the TODOs deleted unread, the mapping is still refused: nothing is read on a guess
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    data = tomllib.loads(bare)
    entry = (data["deal"]["expected_close_date"] if swap
             else data["custom_fields"]["Renewal date"])
    assert isinstance(entry, dict) and set(entry["formats"]) >= {"%d/%m/%Y", "%m/%d/%Y"}, entry
    with pytest.raises((InputError, ValueError)):
        Mapping.loads(bare)


def test_a_column_whose_cells_tell_their_order_keeps_the_file_wide_formats(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """Both columns day first, each telling so: no TODO, the [defaults] pattern reads both."""
    path = tmp_path / "both.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(100):
            d = date(2026, 1, 1) + timedelta(days=i * 3)
            writer.writerow([f"k-{i}", f"Deal {i}", f"{d:%d/%m/%Y}", f"{d:%d/%m/%Y}"])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    assert not _todos(text), _todos(text)
    assert 'date_formats = ["%d/%m/%Y"]' in text
    Mapping.loads(text)
