"""A date column's day/month order, learned per pattern family (x23r1 F1): the evidence a
cell gives is compared with its own family's pattern, and the advice of an ambiguous date
names formats that read the cell and the evidence it cites."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping
from jobs.transforms import parse_date
from jobs.transforms.date_order import DateOrder
from jobs.transforms.date_patterns import (
    order_family,
    reordered,
    replacements,
    swapped_pattern,
    year_twins,
)
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_mapping_rules import mapper


def _rows(cells: list[str]) -> list[SourceRow]:
    return [SourceRow(n, n + 1, {"id": f"D{n}", "t": "Deal", "Close": cell})
            for n, cell in enumerate(cells, 2)]


def test_a_day_first_slash_date_is_no_evidence_against_day_first_dot_dates(
        catalog: Catalog) -> None:  # noqa: F811
    """x23r1 F1: with ["%m/%d/%Y", "%d.%m.%y"], 13/04/2026 (row 3) made 04.03.26 fail as
    "ambiguous", advising '%m.%d.%y' — which does not read 13/04/2026, and would month-swap
    every dot date. 04.03.26 reads 2026-03-04; 13/04/2026 alone fails, its hint naming the
    slash pattern to exchange; with ["%d/%m/%Y", "%d.%m.%y"] the file passes."""
    rows = _rows(["04.03.26", "13/04/2026"])
    m = mapper(catalog, 'expected_close_date = "Close"',
               'date_formats = ["%m/%d/%Y", "%d.%m.%y"]')
    m.learn_marks(rows)
    assert m.map(rows[0]).deal["expected_close_date"] == "2026-03-04"
    with pytest.raises(InputError) as info:
        m.map(rows[1])
    assert "reads as '%d/%m/%Y'" in info.value.reason, info.value.reason
    assert "list '%d/%m/%Y' instead of '%m/%d/%Y'" in info.value.reason, info.value.reason
    fixed = mapper(catalog, 'expected_close_date = "Close"',
                   'date_formats = ["%d/%m/%Y", "%d.%m.%y"]')
    fixed.learn_marks(rows)
    assert [fixed.map(r).deal["expected_close_date"] for r in rows] == [
        "2026-03-04", "2026-04-13"]


def test_an_ambiguous_date_names_the_pattern_that_reads_its_evidence(
        catalog: Catalog) -> None:  # noqa: F811
    """The slash family showed day first (13/04/2026): 03/04/2026, read month first by
    '%m/%d/%Y', is refused naming '%d/%m/%Y' (which reads 13/04/2026); a resume reads the
    same way from the stored evidence."""
    rows = _rows(["13/04/2026", "03/04/2026", "04.03.26"])
    spec = 'date_formats = ["%m/%d/%Y", "%d.%m.%y"]'
    m = mapper(catalog, 'expected_close_date = "Close"', spec)
    stored = m.learn_marks(rows)
    for again in (m, mapper(catalog, 'expected_close_date = "Close"', spec)):
        again.use_decimal_marks(stored)
        with pytest.raises(InputError) as info:
            again.map(rows[1])
        assert "which only '%d/%m/%Y' reads — by that order it is 2026-04-03" \
            in info.value.reason, info.value.reason
        assert "list '%d/%m/%Y' instead of '%m/%d/%Y'" in info.value.reason
        assert again.map(rows[2]).deal["expected_close_date"] == "2026-03-04"


SEPARATORS = ("/", ".", "-")


def _pattern(sep: str, day_first: bool, year: str) -> str:
    return sep.join(["%d", "%m", year] if day_first else ["%m", "%d", year])


@st.composite
def _columns(draw: Any) -> tuple[list[str], list[tuple[str, str, date]]]:
    """Date formats (each separator in one listed order, one or both year lengths) and a
    column whose cells each separator writes in one true order: (text, separator, date)."""
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3, unique=True))
    listed = {s: draw(st.booleans()) for s in seps}
    true = {s: draw(st.booleans()) for s in seps}
    years = {s: draw(st.lists(st.sampled_from(["%Y", "%y"]), min_size=1, max_size=2,
                              unique=True)) for s in seps}
    formats = draw(st.permutations([_pattern(s, listed[s], y) for s in seps for y in years[s]]))
    cells = []
    for _ in range(draw(st.integers(1, 10))):
        sep = draw(st.sampled_from(seps))
        year = draw(st.sampled_from(years[sep]))
        day = date(2000, 1, 1) + timedelta(days=draw(st.integers(0, 365 * 60)))
        cells.append((day.strftime(_pattern(sep, true[sep], year)), sep, day))
    return list(formats), cells


def _learn(formats: list[str], cells: list[tuple[str, str, date]]) -> DateOrder:
    order = DateOrder(formats)
    order.start()
    for n, (text, _, _) in enumerate(cells, 2):
        order.at = n
        order.see(text)
    order.decide()
    return order


def _read(text: str, formats: list[str]) -> date | None:
    try:
        found = parse_date(text, formats)
    except InputError:
        return None
    return date.fromisoformat(found) if found else None


def _other_readings(cell: str, formats: list[str]) -> int:
    """How many other field orders of ``formats``' patterns read ``cell``."""
    others = {o for f in formats for o in (swapped_pattern(f), *year_twins(f)) if o}
    return sum(_read(cell, [o]) is not None for o in others)


@given(_columns())
def test_advice_read_every_cell_and_its_evidence_and_nothing_reads_silently_wrong(
        column: tuple[list[str], list[tuple[str, str, date]]]) -> None:
    """Hypothesis: every ambiguous date's advice reads it (as the date it names) and the
    cell it cites, by the pattern it names; a cell accepted is its true date unless its
    family shows no order at all (every day up to 12); applying every advice, the column
    reads whole and no cell is ambiguous; the stored evidence judges the same."""
    formats, cells = column
    Mapping.loads('[import]\nkey_column = "id"\n[defaults]\n'
                  f"date_formats = {formats!r}\n[deal]\ntitle = \"t\"\n".replace("'", '"'))
    order = _learn(formats, cells)
    shown = {sep for _, sep, day in cells if day.day > 12}  # families with evidence
    again = DateOrder(formats)
    again.restore(order.evidence())
    fixes = set()
    for text, sep, day in cells:
        conflict = order.conflict(text)
        assert again.conflict(text) == conflict
        if conflict is not None:
            advice = list(conflict.advice)
            assert _read(text, advice) == conflict.theirs
            # the date the evidence shows, unless its cell reads in two other field
            # orders (13/02/01 day first or year first: x51r2 F1, both contradict)
            assert conflict.theirs == day or _other_readings(conflict.cell, formats) > 1
            assert conflict.reader in advice and _read(conflict.cell, [conflict.reader])
            assert _read(conflict.cell, advice) is not None
            fixes.add(order_family(conflict.pattern))
            continue
        got = _read(text, formats)
        if got is None:  # read only the other way: its hint names the whole family
            with pytest.raises(InputError) as info:
                parse_date(text, formats)
            family = next(order_family(f) for f in formats
                          if _read(text, [swapped_pattern(f) or f]) is not None)
            assert replacements(formats, family) in info.value.reason, info.value.reason
            fixes.add(family)
        elif got != day:
            assert sep not in shown, (text, got, day)
    for family in fixes:
        formats = reordered(formats, family)
    fixed = _learn(formats, cells)
    for text, sep, day in cells:
        assert fixed.conflict(text) is None
        got = _read(text, formats)
        assert got is not None
        assert got == day or sep not in shown


def test_a_cell_read_year_first_only_makes_day_first_readings_ambiguous(
        catalog: Catalog) -> None:  # noqa: F811
    """x50r8 F2 (y3): ``["%d/%m/%y"]`` kept for a yy/mm/dd column: ``30/02/06`` (no 30
    February) failed alone while ``25/10/18`` was written 2018-10-25 (284 of 300 wrong).
    The column shows year first: every cell read both ways is refused, naming the cell
    and ``'%y/%m/%d' instead of '%d/%m/%y'``; a resume judges the same; the advice reads
    all."""
    rows = _rows(["25/10/18", "30/02/06", "27/11/19", "13/02/30"])
    m = mapper(catalog, 'expected_close_date = "Close"', 'date_formats = ["%d/%m/%y"]')
    m.learn_marks(rows)
    for row in rows[:3]:
        with pytest.raises(InputError) as info:
            m.map(row)
    with pytest.raises(InputError) as info:
        m.map(rows[0])
    assert "'30/02/06'" in info.value.reason and "only '%y/%m/%d' reads" in info.value.reason
    assert "list '%y/%m/%d' instead of '%d/%m/%y'" in info.value.reason, info.value.reason
    assert m.map(rows[3]).deal["expected_close_date"] == "2030-02-13"  # one reading only
    fixed = mapper(catalog, 'expected_close_date = "Close"', 'date_formats = ["%y/%m/%d"]')
    fixed.learn_marks(rows[:3])
    assert [fixed.map(r).deal["expected_close_date"] for r in rows[:3]] == [
        "2025-10-18", "2030-02-06", "2027-11-19"]
