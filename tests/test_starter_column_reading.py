"""init-mapping reads a date column from all its cells, round 9 (x52r6): 4-digit year-first
cells are order evidence and a form of the column (F1: ``2022/10/28`` beside ``33/08/25``
was "no date in any form proposed … fix them in the file", 50 of 100 rows), timed cells
are a form of it (F3: ``33/08/25 14:30`` "an impossible date", or "add "%d/%m/%y"", a
choice the mapping then refused), a numeric date written with spaces is a date (F5: one
typo got two TODOs) and digits-only dates are proposed their pattern (F7:
``28102022`` got ``date_formats = []`` and no TODO, 100 of 100 rows failed). Each first
choice, followed, reads every valid cell and writes none wrong."""

from __future__ import annotations

import json
import random
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulk.errors import InputError
from jobs.catalog import Catalog
from jobs.mapping import Mapping, init_mapping
from jobs.mapping.starter import TypedDate
from jobs.transforms import parse_date
from jobs.transforms.date_order import DateOrder
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)
from tests.test_starter_date_columns import HEADER, _todos

_ORDERS = {"dmy": "%d{s}%m{s}{Y}", "mdy": "%m{s}%d{s}{Y}", "ymd": "{Y}{s}%m{s}%d"}


def _column(order: str, sep: str, widths: tuple[int, ...], years: tuple[int, int],
            time: bool = False, typo: tuple[str, int] | None = None, n: int = 100,
            seed: int = 7) -> tuple[list[str], list[date]]:
    """``n`` cells of one column and the date each means."""
    rng = random.Random(seed)
    cells: list[str] = []
    truth: list[date] = []
    for i in range(n):
        width = widths[i % len(widths)]
        year = rng.randint(*years) if width == 2 else rng.randint(2020, 2030)
        day = date(year, rng.randint(1, 12), rng.randint(1, 28))
        fmt = _ORDERS[typo[0] if typo and i == typo[1] else order].format(
            s=sep, Y="%Y" if width == 4 else "%y")
        if time and i % 2:
            fmt += " %H:%M"
        cells.append(datetime(day.year, day.month, day.day, rng.randint(0, 23),
                              rng.randint(0, 59)).strftime(fmt))
        truth.append(day)
    return cells, truth


def _init(catalog: Catalog, cells: list[str]) -> str:  # noqa: F811
    rows: list[dict[str, object]] = [
        {"Key": f"k{i}", "Title": f"D{i}", "Close Date": "2026-01-05", "Renewal date": c}
        for i, c in enumerate(cells)]
    samples = {h: [str(r[h]) for r in rows] for h in HEADER}
    return init_mapping(HEADER, catalog, samples=samples, rows=rows)


def _first_choice(text: str) -> str:
    """The mapping as a person following each TODO's first choice writes it."""
    out: list[str] = []
    pending: list[str] = []
    keep: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("# TODO"):
            if (kept := re.search(r"keep formats = (\[[^\]]*\])", line)) and keep is None:
                keep = json.loads(kept[1])
            elif found := re.search(r"""(?:list|add) ['"](%[^'"]+)['"]""", line):
                pending.append(found[1])
            continue
        if (pending or keep is not None) and (
                found := re.match(r"^(.*formats = )(\[.*?\])(.*)$", line)):
            listed = keep if keep is not None else json.loads(found[2])
            listed += [p for p in pending if p not in listed]
            line = found[1] + json.dumps(listed) + found[3]
            pending, keep = [], None
        out.append(line)
    return "\n".join(out) + "\n"


def _formats(text: str) -> list[str]:
    bare = tomllib.loads(text)
    entry = bare.get("custom_fields", {}).get("Renewal date")
    if isinstance(entry, dict):
        return list(entry.get("formats", []))
    return list(bare.get("defaults", {}).get("date_formats", []))


def _read(formats: list[str], cells: list[str], truth: list[date]) -> tuple[int, int, int]:
    """Read, refused and wrong cells of the column under ``formats``, the run's guard
    (``DateOrder``) included."""
    order = DateOrder(formats)
    order.start()
    for n, cell in enumerate(cells):
        order.at = n
        order.see(cell)
    order.decide()
    read = refused = wrong = 0
    for cell, day in zip(cells, truth, strict=True):
        try:
            order.check(cell)
            got = parse_date(cell, formats)
        except InputError:
            refused += 1
            continue
        if got == day.isoformat():
            read += 1
        else:
            wrong += 1
    return read, refused, wrong


def _followed(catalog: Catalog, cells: list[str], truth: list[date]  # noqa: F811
              ) -> tuple[tuple[int, int, int], list[str]]:
    text = _init(catalog, cells)
    followed = _first_choice(text)
    Mapping.loads(followed)  # the first choice loads
    return _read(_formats(followed), cells, truth), _todos(text)


@pytest.mark.parametrize("sep", ["/", ".", " "])
@pytest.mark.parametrize("years", [(2001, 2045), (2032, 2045), (2013, 2031)])
def test_four_digit_year_first_cells_are_a_form_of_the_column(
        catalog: Catalog, sep: str, years: tuple[int, int]) -> None:  # noqa: F811
    """F1: half ``yyyy/mm/dd``, half ``yy/mm/dd``: both widths proposed year first, no
    TODO calls the 4-digit cells unreadable, 100 of 100 read."""
    cells, truth = _column("ymd", sep, (4, 2), years)
    (read, refused, wrong), todos = _followed(catalog, cells, truth)
    assert not any("no pattern can read" in t for t in todos), todos
    assert (read, refused, wrong) == (100, 0, 0), todos


@pytest.mark.parametrize("sep", ["/", "."])
@pytest.mark.parametrize("years", [(2001, 2045), (2032, 2045)])
def test_timed_cells_of_a_year_first_column_are_a_form_of_it(
        catalog: Catalog, sep: str, years: tuple[int, int]) -> None:  # noqa: F811
    """F3: ``yy/mm/dd`` with a time on every other cell: both proposed, none called
    impossible, the first choice loads and reads 100 of 100."""
    cells, truth = _column("ymd", sep, (2,), years, time=True)
    (read, refused, wrong), todos = _followed(catalog, cells, truth)
    assert not any("impossible" in t or "%d/%m/%y" in t for t in todos), todos
    assert (read, refused, wrong) == (100, 0, 0), todos


@pytest.mark.parametrize("order,typo", [("ymd", "dmy"), ("dmy", "ymd"), ("mdy", "ymd")])
def test_one_typo_of_a_column_written_with_spaces_gets_one_todo(
        catalog: Catalog, order: str, typo: str) -> None:  # noqa: F811
    """F5: one cell of another order among ``yy mm dd`` cells: one TODO names it, none
    calls it "no date"."""
    cells, truth = _column(order, " ", (2,), (2032, 2045), typo=(typo, 37))
    (read, refused, wrong), todos = _followed(catalog, cells, truth)
    assert len([t for t in todos if repr(cells[37]) in t]) == 1, todos
    assert not any("is no date" in t for t in todos), todos
    assert (read, refused, wrong) == (99, 1, 0), todos


@pytest.mark.parametrize("order,widths", [("dmy", (4,)), ("ymd", (4,)), ("mdy", (4,)),
                                          ("dmy", (2,)), ("ymd", (2,))])
def test_digits_only_dates_of_one_order_are_proposed_their_pattern(
        catalog: Catalog, order: str, widths: tuple[int, ...]) -> None:  # noqa: F811
    """F7: ``28102022`` (ddmmyyyy), ``20221028``, ``281022``: the pattern that reads every
    cell (``%d%m%Y``) is proposed, and 100 of 100 read."""
    cells, truth = _column(order, "", widths, (2032, 2045))
    (read, refused, wrong), todos = _followed(catalog, cells, truth)
    assert (read, refused, wrong) == (100, 0, 0), (todos, cells[:3])


def test_digits_only_dates_that_read_two_ways_are_asked(
        catalog: Catalog) -> None:  # noqa: F811
    """F7: digits of days and months 12 or less (``05032022``) are no order: a TODO
    names both patterns, and nothing is proposed on a guess."""
    cells = [f"{d:02d}{m:02d}2022" for d in range(1, 13) for m in range(1, 13)][:100]
    text = _init(catalog, cells)
    todos = _todos(text)
    assert any("%d%m%Y" in t and "%m%d%Y" in t for t in todos), todos
    assert not {"%d%m%Y", "%m%d%Y"} <= set(_formats(_first_choice(text))), text


@pytest.mark.parametrize("sep", [".", "/"])
def test_four_digit_day_first_cells_tell_the_order_of_two_digit_ones(
        catalog: Catalog, sep: str) -> None:  # noqa: F811
    """F6: ``dd.mm.yyyy`` beside ``dd.mm.yy`` whose every cell reads year first too
    (``17.01.25``): the 4-digit cells are written day first, so the column is; no TODO
    asks "day first or year first", and 100 of 100 read."""
    rng = random.Random(3)
    truth = [date(rng.randint(2013, 2028), rng.randint(1, 12), rng.randint(13, 28))
             for _ in range(100)]
    cells = [d.strftime(f"%d{sep}%m{sep}" + ("%y" if n % 2 else "%Y"))
             for n, d in enumerate(truth)]
    (read, refused, wrong), todos = _followed(catalog, cells, truth)
    assert not any("year first" in t for t in todos), todos
    assert (read, refused, wrong) == (100, 0, 0), todos


def test_text_dates_read_year_first_beside_serials_are_proposed(
        catalog: Catalog) -> None:  # noqa: F811
    """F6: Excel serials beside text ``32/06/20`` (2032-06-20, year first): the text
    cells are no "impossible date"; their pattern is listed with the token."""
    rng = random.Random(5)
    truth = [date(rng.randint(2032, 2045), rng.randint(1, 12), rng.randint(1, 28))
             for _ in range(100)]
    cells = [d.strftime("%y/%m/%d") if n % 2 else str((d - date(1899, 12, 30)).days)
             for n, d in enumerate(truth)]
    text = _init(catalog, cells)
    assert not any("impossible" in t for t in _todos(text)), _todos(text)
    formats = _formats(_first_choice(text))
    assert "%y/%m/%d" in formats and "excel" in formats, formats


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.sampled_from(sorted(_ORDERS)), sep=st.sampled_from(["/", "-", ".", " ", ""]),
       widths=st.sampled_from([(2,), (4,), (4, 2)]),
       years=st.sampled_from([(2001, 2045), (2032, 2045), (2013, 2031)]),
       time=st.booleans(), seed=st.integers(0, 1000))
def test_the_first_choice_followed_reads_every_valid_cell(
        catalog: Catalog, order: str, sep: str, widths: tuple[int, ...],  # noqa: F811
        years: tuple[int, int], time: bool, seed: int) -> None:
    """Property (x52r6): a column of one order, separator, year width or both, years and
    times, as init-mapping's first choice reads it: every cell read, none wrong, and no
    TODO calls a cell unreadable."""
    if (sep == "" and (time or (widths != (4,) and widths != (2,)))) or (
            order == "ymd" and sep == "-" and widths == (4,)):
        return  # digits alone are written without a time, in one width; ISO 8601 reads
    cells, truth = _column(order, sep, widths, years, time=time, seed=seed)
    (read, refused, wrong), todos = _followed(catalog, cells, truth)
    assert not any("no pattern can read" in t or "is no date" in t for t in todos), todos
    if any("cannot tell" in t for t in todos):
        # a column every cell of which reads both ways (dd/mm/yy of 2013-31: '28/09/07' is
        # 2007-09-28 or 2028-09-07): the TODO asks, and until it is answered its first
        # choice writes nothing wrong (the guard refuses the cells that read both ways;
        # CI found the case: Hypothesis' random draw, now derandomized)
        assert wrong == 0, (todos, cells[:4])
        return
    assert (read, refused, wrong) == (len(cells), 0, 0), (todos, cells[:4])


@pytest.mark.parametrize("kind", ["go-live", "kickoff"])
def test_a_workbook_s_date_column_is_read_from_all_its_cells(
        catalog: Catalog, tmp_path: Path, kind: str) -> None:  # noqa: F811
    """F6 as the tester's X1.xlsx: Go-live = 40 date cells, 30 serials (General), 30
    text ``yy/mm/dd`` of 2032-45 (called "an impossible date"); Kickoff = text
    ``dd.mm.yyyy`` and ``dd.mm.yy`` of 2013-31 (asked "day first or year first"). Each
    proposal reads every cell, no TODO about its dates."""
    rng = random.Random(7)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(100):
        day = date(rng.randint(2020, 2030), rng.randint(1, 12), rng.randint(1, 28))
        cell: object
        if kind == "kickoff":
            day = date(rng.randint(2013, 2031), rng.randint(1, 12), rng.randint(1, 28))
            cell = day.strftime("%d.%m.%y" if i % 2 else "%d.%m.%Y")
        elif i < 40:
            cell = datetime(day.year, day.month, day.day)
        elif i < 70:
            cell = (day - date(1899, 12, 30)).days
        else:
            cell = date(rng.randint(2032, 2045), day.month, day.day).strftime("%y/%m/%d")
        sheet.append([f"k{i}", f"D{i}", datetime(2026, 1, 5), cell])
    book.save(tmp_path / "x1.xlsx")
    rows: list[dict[str, object]] = []
    samples = _samples(tmp_path / "x1.xlsx", rows=rows)
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert not [t for t in _todos(text) if "Renewal date" in t or "sampled date" in t], text
    formats = _formats(text)
    for row in rows:
        value = str(row["Renewal date"])
        assert isinstance(row["Renewal date"], TypedDate) or parse_date(value, formats), value


@pytest.mark.parametrize("order,typo", [("mdy", "dmy"), ("dmy", "mdy")])
@pytest.mark.parametrize("sep", ["/", "-", " "])
def test_one_cell_of_the_other_day_month_order_is_a_typo_not_the_first_choice(
        catalog: Catalog, order: str, typo: str, sep: str) -> None:  # noqa: F811
    """Round 9 (the typo rule for day / month, as x51r2 F4's for year first): one cell of
    the other order among month-first ones was "show both orders … list the right one of
    '%d/%m/%y' / '%m/%d/%y'", day first offered first (followed: 0 of 100 read). The
    column's own order is proposed, the typo named: no valid cell written wrong."""
    cells, truth = _column(order, sep, (2,), (2032, 2045), typo=(typo, 37))
    text = _init(catalog, cells)
    own = _ORDERS[order].format(s=sep, Y="%y")
    assert _formats(text.replace("# TODO", "#")) == [own], _todos(text)
    todos = _todos(text)
    assert len([t for t in todos if repr(cells[37]) in t]) == 1, todos
    assert "a typo?" in " ".join(todos), todos
    read, refused, wrong = _read([own], cells[:37] + cells[38:], truth[:37] + truth[38:])
    assert wrong == 0 and read > 0, (read, refused)
