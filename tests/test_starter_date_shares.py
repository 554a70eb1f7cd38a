"""init-mapping proposes, for a date column, every form that reads a real share of its
cells, majority first, and one TODO counting the cells no proposed form reads (x48r12:
``Q3`` among ISO dates had no TODO and hid the one of ``TBD``, the plan then failing 27 rows
init-mapping never named)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Deal ID", "Deal Title", "Value", "Expected close date"]


def _csv(path: Path, cells: list[str]
         ) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, cell in enumerate(cells):
            writer.writerow([f"it-{i}", f"It {i}", 100 + i, cell])
    rows: list[dict[str, object]] = []
    samples = _samples(path, rows=rows)
    return samples, rows


def _todos(text: str) -> list[str]:
    return [line for line in text.splitlines() if "TODO" in line]


def test_a_quarter_and_words_among_iso_dates_get_their_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """200 ISO dates, 10 cells ``TBD`` / ``Q3`` / ``n/a`` / ``Q3 2026``: one TODO names
    every word and quarter (each alone had none, or hid the other's)."""
    bad = ["TBD", "Q3", "n/a", "Q3 2026", "tbd"]
    cells = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(200)]
    for n, i in enumerate(range(7, 200, 20)):
        cells[i] = bad[n % len(bad)]
    samples, rows = _csv(tmp_path / "iso.csv", cells)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    named = [t for t in _todos(text) if "no date" in t]
    assert len(named) == 1, _todos(text)
    assert all(repr(b) in named[0] for b in bad[:4]) and "5 sampled values" in named[0], named
    assert "add a pattern" not in text, text


def test_one_quarter_alone_among_iso_dates_gets_a_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    cells = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(60)]
    cells[7] = "Q4"
    samples, rows = _csv(tmp_path / "q4.csv", cells)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert any("'Q4' is no date" in t for t in _todos(text)), _todos(text)


def test_an_impossible_iso_date_and_words_get_both_named(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """The shape of x48r12's iso.csv: ``2026-02-31`` and ``TBD`` / ``Q3`` / empty cells."""
    cells = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(120)]
    for i, bad in zip(range(3, 120, 10), ["TBD", "2026-02-31", "", "n/a", "Q3", "tbd",
                                          "2026-02-31", "TBD", "", "Q3", "n/a", "TBD"],
                      strict=True):
        cells[i] = bad
    samples, rows = _csv(tmp_path / "iso.csv", cells)
    text = "\n".join(_todos(init_mapping(HEADER, catalog, samples=samples, rows=rows)))
    assert "'2026-02-31'" in text and "'Q3'" in text and "'TBD'" in text, text
