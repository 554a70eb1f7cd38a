"""init-mapping decides a date's day / month order per column (x49r3 F1: ``Renewal date``
written m/d/yyyy, every day 12 or less, took ``Close Date``'s dd/mm/yyyy through the
file-wide ``date_formats`` with no TODO; the plan said "300 valid" and the import wrote 150
of 300 renewal dates day / month swapped)."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulk.errors import InputError
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping, init_mapping
from jobs.mapping.starter import date_formats_for
from pdbulk.cli_import import _samples
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

HEADER = ["Key", "Title", "Close Date", "Renewal date"]


@contextmanager
def _writing(path: Path) -> Iterator[Any]:
    """A CSV writer at ``path``, its header row (``HEADER``) written."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        yield writer


def _file(path: Path, swap: bool = False
          ) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    with _writing(path) as writer:
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
    with _writing(path) as writer:
        for i in range(100):
            d = date(2026, 1, 1) + timedelta(days=i * 3)
            writer.writerow([f"k-{i}", f"Deal {i}", f"{d:%d/%m/%Y}", f"{d:%d/%m/%Y}"])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    assert not _todos(text), _todos(text)
    assert 'date_formats = ["%d/%m/%Y"]' in text
    Mapping.loads(text)


def _one_column(path: Path, cells: list[str]
                ) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Key", "Title", "Close Date"])
        for i, cell in enumerate(cells):
            writer.writerow([f"k-{i}", f"Deal {i}", cell])
    rows: list[dict[str, object]] = []
    return _samples(path, rows=rows), rows


def _days(n: int) -> list[date]:
    return [date(2026, 1, 1) + timedelta(days=(i * 37) % 600) for i in range(n)]


def test_bare_numbers_among_text_dates_are_counted_in_the_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r3 F2: 20 cells ``3`` / ``12`` among 380 dd/mm dates had no TODO; the plan failed
    the 20 rows "is only digits"."""
    cells = [("3" if i % 40 == 0 else "12") if i % 20 == 0 else f"{d:%d/%m/%Y}"
             for i, d in enumerate(_days(400))]
    samples, rows = _one_column(tmp_path / "n.csv", cells)
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    todo = [t for t in _todos(text) if "'12'" in t]
    assert len(todo) == 1, _todos(text)
    assert "'3'" in todo[0] and "20 of the 400 sampled rows" in todo[0], todo
    assert 'date_formats = ["%d/%m/%Y"]' in text


def _serial(d: date) -> str:
    return str((d - date(1899, 12, 30)).days)


def test_untold_text_dates_among_serials_are_told_to_choose_an_order(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r3 F5: 360 serials and 40 dd/mm dates whose days are all 12 or less: the TODO
    said "no pattern can read them … fix them in the file"; a pattern can, once the order
    is chosen."""
    cells = [f"{d.replace(day=d.day % 12 + 1):%d/%m/%Y}" if i % 10 == 0 else _serial(d)
             for i, d in enumerate(_days(400))]
    samples, rows = _one_column(tmp_path / "a.csv", cells)
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    assert 'formats = ["excel"]' in text, text
    todo = [t for t in _todos(text) if "Close Date" in t]
    assert len(todo) == 1, _todos(text)
    assert "cannot tell day first from month first" in todo[0], todo
    assert '"%d/%m/%Y"' in todo[0] and '"%m/%d/%Y"' in todo[0], todo
    assert "fix them in the file" not in todo[0], todo
    assert "40 of the 400 sampled rows with a value" in todo[0], todo


def test_serials_beside_text_dates_of_both_orders_keep_their_token(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r3 F4: 200 serials, 100 dd/mm and 100 m/d dates (days above 12 in both): no
    formats at all, ``excel`` lost and the plan failed all 400 rows. The token stays; the
    TODO counts each text order."""
    def tell(d: date) -> date:
        return d if d.day > 12 else d.replace(day=d.day + 13)
    cells = [_serial(d) if i % 2 == 0 else (f"{tell(d):%d/%m/%Y}" if i % 4 == 1
                                            else f"{tell(d).month}/{tell(d).day}/{d.year}")
             for i, d in enumerate(_days(400))]
    samples, rows = _one_column(tmp_path / "b.csv", cells)
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    assert 'formats = ["excel"]' in text, text
    todo = [t for t in _todos(text) if "Close Date" in t or "orders" in t]
    assert len(todo) == 1, _todos(text)
    assert "100 day first" in todo[0] and "100 month first" in todo[0], todo


def test_month_names_of_another_language_get_one_todo_counting_every_row(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r3 F3: 40 ``3 mars 2026`` among 360 ``March 3, 2026``: two TODOs, one telling to
    "add a pattern" (``%B`` reads English only), one counting only the 6 accented months."""
    french = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    cells = [f"{d.day} {french[d.month - 1]} {d.year}" if i % 10 == 0
             else f"{d:%B} {d.day}, {d.year}" for i, d in enumerate(_days(400))]
    samples, rows = _one_column(tmp_path / "f.csv", cells)
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    todo = _todos(text)
    assert len(todo) == 1, todo
    assert "in 40 of the 400 sampled rows" in todo[0] and "English" in todo[0], todo
    assert "add a pattern" not in todo[0], todo


def test_an_impossible_date_beside_words_is_counted_in_the_same_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r3 F7: ``31/02/2026`` among dd/mm dates and ``TBD`` cells got a TODO of its own
    beside the words' one: one TODO counts both, of the sampled rows with a value."""
    cells = [f"{d:%d/%m/%Y}" for d in _days(200)]
    for i in range(5):
        cells[10 + i * 20] = "TBD"
    for i in range(3):
        cells[15 + i * 20] = "31/02/2026"
    cells[199] = ""
    samples, rows = _one_column(tmp_path / "i.csv", cells)
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    todo = _todos(text)
    assert len(todo) == 1, todo
    assert "'TBD'" in todo[0] and "'31/02/2026'" in todo[0], todo
    assert "in 8 of the 199 sampled rows with a value" in todo[0], todo


def test_a_file_longer_than_its_sample_says_the_rest_was_not_checked(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r3 F8: "20 of the 400 sampled rows" of a longer file read as the whole file; the
    TODO says rows past the sample were not checked (the CLI samples the first 2,000)."""
    cells = [("TBD" if i % 20 == 0 else f"{d:%d/%m/%Y}") for i, d in enumerate(_days(60))]
    path = tmp_path / "long.csv"
    _one_column(path, cells)
    rows: list[dict[str, object]] = []
    more: list[bool] = []
    samples = _samples(path, limit_rows=40, rows=rows, more=more)
    assert more == [True] and len(rows) == 40
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows,
                        more_rows=bool(more))
    (todo,) = _todos(text)
    assert "2 of the 40 sampled rows with a value" in todo, todo
    assert "rows past the sampled 40 were not checked" in todo, todo
    alone = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    assert "not checked" not in alone


def test_an_untold_column_between_tellers_of_opposite_orders_gets_its_own_both_orders(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r12 F1: ``Close Date`` dd/mm (telling), ``Won time`` mm/dd (telling; ``Go-live``
    in the report), ``Renewal date`` all days ≤ 12: only the [defaults] "give one its own
    patterns" TODO was written and Renewal left plain, so whichever order [defaults] then
    listed read it unchecked (279 of 300 written swapped). It gets its own
    both-orders formats and a TODO naming both tellers."""
    header = ["Key", "Title", "Close Date", "Renewal date", "Won time"]
    path = tmp_path / "opposite.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(300):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2027, 1 + i % 12, 1 + (i * 7) % 12)
            g = date(2026, 1, 1) + timedelta(days=(i * 11) % 360)
            writer.writerow([f"o-{i}", f"Deal {i}", f"{a:%d/%m/%Y}", f"{r.month}/{r.day}/{r.year}",
                             f"{g:%m/%d/%Y}"])
    rows: list[dict[str, object]] = []
    text = init_mapping(header, catalog, samples=_samples(path, rows=rows), rows=rows)
    todo = [t for t in _todos(text) if "cannot tell day first from month first" in t
            and "'Renewal date'" in t]
    assert len(todo) == 1, _todos(text)
    assert "'Close Date'" in todo[0] and "'Won time'" in todo[0], todo
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    data = tomllib.loads(bare)
    entry = data["custom_fields"]["Renewal date"]
    assert isinstance(entry, dict) and set(entry["formats"]) >= {"%d/%m/%Y", "%m/%d/%Y"}, entry
    for order in ("%d/%m/%Y", "%m/%d/%Y"):  # whichever order [defaults] is given
        chosen = bare.replace("date_formats = []", f'date_formats = ["{order}"]')
        with pytest.raises((InputError, ValueError)):
            Mapping.loads(chosen)


def test_an_untold_two_digit_year_column_is_not_told_to_list_the_other_order_beside(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r12 F5: ``Close Date`` dd/mm/yyyy (telling) and ``Renewal date`` mm/dd/yy, every
    day ≤ 12: the TODO said "list '%d/%m/%y' or '%m/%d/%y'" beside ``["%d/%m/%Y"]``, and
    the second was then refused with a false example ('04/03/2025' "read by %m/%d/%y").
    Since x50r3 F2 the column has its own both-orders formats (no [defaults] TODO): the
    TODO says which to keep, and [defaults] keeps its one order."""
    path = tmp_path / "yy.csv"
    with _writing(path) as writer:
        for i in range(120):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2027, 1 + i % 12, 1 + (i * 7) % 12)
            writer.writerow([f"y-{i}", f"Deal {i}", f"{a:%d/%m/%Y}", f"{r:%m/%d/%y}"])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    todo = [t for t in _todos(text) if "'%m/%d/%y'" in t or '"%m/%d/%y"' in t]
    assert len(todo) == 1 and 'keep formats = ["%d/%m/%y"]' in todo[0], _todos(text)
    assert "or '%m/%d/%y'" not in todo[0] and 'formats = ["%m/%d/%y"]' in todo[0], todo
    assert 'date_formats = ["%d/%m/%Y"]' in text, text
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    plain = re.sub(r'(?m)^"Renewal date" = .*$', '"Renewal date" = "Renewal date"', bare)
    Mapping.loads(plain.replace('date_formats = ["%d/%m/%Y"]',
                                'date_formats = ["%d/%m/%Y", "%d/%m/%y"]'))
    with pytest.raises((InputError, ValueError), match="read no text alike") as refused:
        Mapping.loads(plain.replace('date_formats = ["%d/%m/%Y"]',
                                    'date_formats = ["%d/%m/%Y", "%m/%d/%y"]'))
    assert "04/03/2025" not in str(refused.value)

@pytest.mark.parametrize(("told", "untold"), [("%m/%d/%Y", "%d/%m/%y"),
                                             ("%d/%m/%Y", "%m/%d/%y"),
                                             ("%m/%d/%y", "%d/%m/%Y")])
def test_an_untold_column_gets_its_own_both_orders_whatever_its_year_width(
        catalog: Catalog, tmp_path: Path, told: str, untold: str) -> None:  # noqa: F811
    """x50r3 F2: ``Kickoff`` dd/mm/yy, every day ≤ 12, beside ``Close Date`` mm/dd/yyyy
    (telling): Kickoff was left plain under a [defaults] TODO, so the TODO deleted unread
    was not refused, and the plan then named one order for it (followed: 365 of 400
    swapped). It gets its own both-orders formats, whatever its year width, and the TODO
    names the column that told."""
    path = tmp_path / "w.csv"
    with _writing(path) as writer:
        for i in range(120):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2027, 1 + i % 12, 1 + (i * 7) % 12)
            writer.writerow([f"w-{i}", f"Deal {i}", a.strftime(told), r.strftime(untold)])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    todo = [t for t in _todos(text) if "cannot tell day first from month first" in t]
    assert len(todo) == 1 and "'Renewal date'" in todo[0] and "'Close Date'" in todo[0], \
        _todos(text)
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    entry = tomllib.loads(bare)["custom_fields"]["Renewal date"]
    twin = untold.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m")
    assert isinstance(entry, dict) and set(entry["formats"]) >= {untold, twin}, entry
    with pytest.raises((InputError, ValueError)):  # the TODO deleted unread: refused
        Mapping.loads(bare)
    kept = bare.replace(str(entry["formats"]).replace("'", '"'), f'["{untold}"]')
    assert Mapping.loads(kept) is not None  # one order kept: read


def _lists(todo: str) -> list[list[str]]:
    """The ``formats = [...]`` lists a TODO tells to write, in its order."""
    return [json.loads(found) for found in re.findall(r"formats = (\[[^\]]*\])", todo)]


def _reads_all(formats: list[str], cells: list[str]) -> list[str]:
    """The cells ``formats`` does not read (a row the plan would fail)."""
    unread = []
    for cell in cells:
        try:
            tf.parse_date(cell, formats)
        except InputError:
            unread.append(cell)
    return unread


@pytest.mark.parametrize("timed", ["every", "half"])
def test_an_untold_column_with_a_time_is_told_lists_that_keep_the_time(
        catalog: Catalog, tmp_path: Path, timed: str) -> None:  # noqa: F811
    """x49r12 F2: ``Signed on`` (here ``Renewal date``) written ``03/12/2027 09:30``, every
    day ≤ 12, beside a day-first ``Close Date``: the TODO said keep ``["%d/%m/%Y"]`` or give
    ``["%m/%d/%Y"]``; followed as written, every row with a time failed (400 of 400). Each
    list the TODO names is the proposal minus the other order: the time forms kept."""
    path = tmp_path / "timed.csv"
    truth: dict[str, date] = {}
    with _writing(path) as writer:
        for i in range(200):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            s = date(2027, 1 + i % 12, 1 + (i * 7) % 12)
            cell = f"{s:%m/%d/%Y}" + (" 09:30" if timed == "every" or i % 2 else "")
            truth[cell] = s
            writer.writerow([f"t-{i}", f"Deal {i}", f"{a:%d/%m/%Y}", cell])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    (todo,) = [t for t in _todos(text) if "'Renewal date'" in t]
    same, other = _lists(todo)
    assert same == ["%d/%m/%Y", "%d/%m/%Y %H:%M"], todo
    assert other == ["%m/%d/%Y", "%m/%d/%Y %H:%M"], todo
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    for chosen in (same, other):  # followed as written: a list the mapping takes
        listed = ", ".join(json.dumps(f) for f in chosen)
        followed = re.sub(r'(?m)^"Renewal date" = .*$',
                          f'"Renewal date" = {{ column = "Renewal date", formats = [{listed}] }}', bare)
        Mapping.loads(followed)
        assert _reads_all(chosen, list(truth)) == [], chosen
    assert all(tf.parse_date(c, other) == d.isoformat() for c, d in truth.items())


def test_an_untold_defaults_group_with_and_without_times_names_both_forms(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """The [defaults] TODO of a 2-digit-year column beside a 4-digit teller (x49r12 F5's
    case), half its cells with a time: "list '%d/%m/%y' here" or own ``["%m/%d/%y"]``
    left every timed row unread. Both choices name the time form too (the column's own
    both-orders formats since x50r3 F2)."""
    path = tmp_path / "yyt.csv"
    truth: dict[str, date] = {}
    with _writing(path) as writer:
        for i in range(120):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2027, 1 + i % 12, 1 + (i * 7) % 12)
            cell = f"{r:%m/%d/%y}" + (" 10:15" if i % 2 else "")
            truth[cell] = r
            writer.writerow([f"y-{i}", f"Deal {i}", f"{a:%d/%m/%Y}", cell])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    (todo,) = [t for t in _todos(text) if "%m/%d/%y" in t]
    # its own both-orders formats since x50r3 F2 (whatever its year width), each choice
    # with its time form
    same, own, *year = _lists(todo)
    assert same == ["%d/%m/%y", "%d/%m/%y %H:%M"], todo
    assert own == ["%m/%d/%y", "%m/%d/%y %H:%M"], todo
    # 01/01/27 reads year first too: that order offered as well (x51r2 F7)
    assert year == [["%y/%m/%d", "%y/%m/%d %H:%M"]], todo
    assert _reads_all(own, list(truth)) == [], own
    assert all(tf.parse_date(c, own) == d.isoformat() for c, d in truth.items())
    assert _reads_all(["%d/%m/%Y", "%d/%m/%y", "%d/%m/%y %H:%M"], list(truth)) == []


def test_the_no_date_todo_counts_rows_of_its_column(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x49r12 F3: 200 ``3. März 2026``-like cells (5 distinct) in ``Signed on`` (here
    ``Renewal date``), blank every
    3rd row, beside a ``Close Date`` in every row: the TODO said "in 200 of the 300 sampled
    rows with a value: 5 of them name the month in another language" — distinct values
    counted, the denominator any date column's. Rows of that column are counted."""
    path = tmp_path / "de.csv"
    # y54r2 F6: real German names now get date_locale = "de" (tests/test_starter_date_
    # locale.py); month words no CLDR locale has keep this TODO and its count
    german = ["3. Märx 2026", "4. Maix 2026", "5. Junx 2026", "6. Julx 2026", "7. Oktx 2026"]
    with _writing(path) as writer:
        for i in range(1, 301):
            writer.writerow([f"d-{i}", f"Deal {i}", f"{(i % 28) + 1:02d}/03/2026",
                             "" if i % 3 == 0 else german[i % 5]])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    (todo,) = [t for t in _todos(text) if "Märx" in t]
    assert "in 200 of the 200 sampled rows with a value in 'Renewal date'" in todo, todo
    assert "all 200 name the month in another language" in todo, todo


def _year_first_file(path: Path, pattern: str, years: range
                     ) -> tuple[dict[str, list[str]], list[dict[str, object]]]:
    with _writing(path) as writer:
        for i in range(300):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            g = date(years[i % len(years)], 1 + (i * 5) % 12, 1 + (i * 7) % 28)
            writer.writerow([f"f-{i}", f"Deal {i}", a.isoformat(), g.strftime(pattern)])
    rows: list[dict[str, object]] = []
    return _samples(path, rows=rows), rows


@pytest.mark.parametrize("sep", ["/", "-"])
def test_a_two_digit_year_written_first_is_not_taken_for_a_day(
        catalog: Catalog, tmp_path: Path, sep: str) -> None:  # noqa: F811
    """x50r3 F3: ``Renewal date`` written yy/mm/dd (``24/08/25`` = 2024-08-25; yy-mm-dd
    too) was proposed ``date_formats = ["%d/%m/%y"]``, no TODO: 283 of 300 written wrong.
    A first number above 12 may be a year: both readings listed under a TODO, refused
    until one is kept, and the plan's hint names neither."""
    year_first, day_first = f"%y{sep}%m{sep}%d", f"%d{sep}%m{sep}%y"
    samples, rows = _year_first_file(tmp_path / "yf.csv", year_first, range(2024, 2029))
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    todo = [t for t in _todos(text) if "year first" in t]
    assert len(todo) == 1 and "'Renewal date'" in todo[0], _todos(text)
    assert f'"{day_first}"' in todo[0] and f'"{year_first}"' in todo[0], todo
    assert f'date_formats = ["{day_first}"]' not in text, text
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    entry = tomllib.loads(bare)["custom_fields"]["Renewal date"]
    assert isinstance(entry, dict) and entry["formats"] == [day_first, year_first], entry
    with pytest.raises((InputError, ValueError)):  # the TODO deleted unread: refused
        Mapping.loads(bare)
    Mapping.loads(bare.replace(f'"{day_first}", "{year_first}"', f'"{year_first}"'))
    assert date_formats_for([f"{d:{year_first}}" for d in (date(2024, 8, 25),
                                                           date(2026, 11, 3))]) is None


def test_a_two_digit_year_a_day_cannot_be_keeps_day_first(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """dd/mm/yy of the 1990s (``24/08/95``: 95 is no day): day first, no TODO."""
    samples, rows = _year_first_file(tmp_path / "df.csv", "%d/%m/%y", range(1990, 2000))
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert not [t for t in _todos(text) if "year first" in t], _todos(text)
    assert 'date_formats = ["%d/%m/%y"]' in text, text


def test_opposite_orders_of_different_year_widths_get_the_give_one_its_own_todo(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x50r3 F4 (its f5): ``Close Date`` m/d/yy h:mm AM (month first) beside ``Renewal
    date`` dd/mm/yyyy hh:mm:ss (day first): both went to [defaults], no TODO, and the
    starter's own plan refused the list without naming a column to move. As with equal
    widths: the TODO to give one of them its own patterns, naming both."""
    path = tmp_path / "ow.csv"
    with _writing(path) as writer:
        for i in range(100):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2026, 1, 1) + timedelta(days=(i * 11) % 360)
            writer.writerow([f"o-{i}", f"Deal {i}", f"{a.month}/{a.day}/{a:%y} 6:58 PM",
                             f"{r:%d/%m/%Y} 20:37:04"])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    todo = [t for t in _todos(text) if "give one of them its own patterns" in t]
    assert len(todo) == 1, _todos(text)
    assert "'Close Date'" in todo[0] and "'Renewal date'" in todo[0], todo
    listed = next(li for li in text.splitlines() if li.startswith("date_formats"))
    assert not ("%m/%d/%y" in listed and "%d/%m/%Y" in listed), listed


def test_an_untold_column_with_serials_keeps_its_token_beside_both_orders(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x50r3 F5 (its f7): ``Renewal date`` d/m/yyyy, every day ≤ 12, with 15 % Excel
    serials: its both-orders formats dropped ``excel``, and its TODO called the serials
    "no date in any form proposed … fix them in the file" (kept as told: 62 rows failed).
    The token stays; the serials are no unread cells."""
    path = tmp_path / "us.csv"
    with _writing(path) as writer:
        for i in range(200):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2020 + i % 9, 1 + i % 12, 1 + (i * 7) % 12)
            writer.writerow([f"s-{i}", f"Deal {i}", f"{a:%d/%m/%Y}",
                             _serial(r) if i % 7 == 3 else f"{r.day}/{r.month}/{r.year}"])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    assert not [t for t in _todos(text) if "no date in any form" in t], _todos(text)
    assert [t for t in _todos(text) if 'keep formats = ["%d/%m/%Y", "excel"]' in t
            and 'formats = ["%m/%d/%Y", "excel"]' in t], _todos(text)
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    entry = tomllib.loads(bare)["custom_fields"]["Renewal date"]
    assert entry["formats"] == ["%d/%m/%Y", "%m/%d/%Y", "excel"], entry
    Mapping.loads(bare.replace('"%d/%m/%Y", "%m/%d/%Y", "excel"', '"%d/%m/%Y", "excel"'))


def test_the_untold_todo_names_every_column_that_told_own_formats_included(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x50r3 F6: the untold column's TODO named only the tellers read by [defaults] in the
    order [defaults] reads: ``Won time`` (its own ``formats = ["excel", "%m/%d/%Y"]``,
    month first by its ``04/13/2026``) was left out beside ``Close Date`` (day first).
    Every column that told is named, with its order."""
    header = ["Key", "Title", "Close Date", "Renewal date", "Won time"]
    path = tmp_path / "all.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(300):
            a = date(2026, 1, 1) + timedelta(days=(i * 13) % 360)
            r = date(2020 + i % 9, 1 + i % 12, 1 + (i * 7) % 12)
            g = date(2026, 1, 1) + timedelta(days=(i * 11) % 360)
            writer.writerow([f"t-{i}", f"Deal {i}", f"{a:%d/%m/%Y}", f"{r.day}/{r.month}/{r.year}",
                             f"{g:%m/%d/%Y}" if i % 3 == 0 else _serial(g)])
    rows: list[dict[str, object]] = []
    text = init_mapping(header, catalog, samples=_samples(path, rows=rows), rows=rows)
    bare = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("# TODO"))
    assert tomllib.loads(bare)["deal"]["won_time"]["formats"] == ["excel", "%m/%d/%Y"], bare
    todo = [t for t in _todos(text) if "cannot tell day first from month first in" in t]
    assert len(todo) == 1 and "in 'Renewal date'" in todo[0], _todos(text)
    assert "'Close Date' of this file is day first" in todo[0], todo
    assert "'Won time' of this file is month first" in todo[0], todo


def test_a_column_that_may_be_year_first_tells_no_day_month_order(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """A ``Close Date`` of ``24/08/25`` (day first or year first: x50r3 F3) is no teller
    of "day first" to ``Renewal date`` (every day ≤ 12): no TODO says it is."""
    path = tmp_path / "nt.csv"
    with _writing(path) as writer:
        for i in range(200):
            a = date(2024 + i % 5, 1 + (i * 5) % 12, 13 + (i * 7) % 15)
            r = date(2020 + i % 9, 1 + i % 12, 1 + (i * 7) % 12)
            writer.writerow([f"n-{i}", f"Deal {i}", f"{a:%y/%m/%d}", f"{r.day}/{r.month}/{r.year}"])
    rows: list[dict[str, object]] = []
    text = init_mapping(HEADER, catalog, samples=_samples(path, rows=rows), rows=rows)
    assert [t for t in _todos(text) if "year first in 'Close Date'" in t], _todos(text)
    assert not [t for t in _todos(text) if "'Close Date' of this file is day first" in t], \
        _todos(text)
    assert [t for t in _todos(text) if "cannot tell day first from month first" in t], \
        _todos(text)


def test_init_mapping_of_cells_no_order_shows_does_not_crash(
        catalog: Catalog) -> None:  # noqa: F811
    """x50r8 F1's file (``04/26/27``, ``03/05/27``) through init-mapping: month first
    proposed (told by ``26``), no KeyError."""
    samples = {"Key": ["K51", "K52"], "Title": ["D1", "D2"], "Close Date": [],
               "Renewal date": ["04/26/27", "03/05/27"]}
    rows: list[dict[str, object]] = [{"Key": "K51", "Title": "D1", "Renewal date": "04/26/27"},
                                     {"Key": "K52", "Title": "D2", "Renewal date": "03/05/27"}]
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert "%m/%d/%y" in text, text


_CELL = st.builds(lambda a, sep, b, y: f"{a:02d}{sep}{b:02d}{sep}{y}",
                  st.integers(1, 45), st.sampled_from("/-."), st.integers(1, 45),
                  st.sampled_from(["27", "06", "44", "95", "2027", "1999"]))
_TOLD = st.lists(st.sampled_from(["%d/%m/%Y", "%m/%d/%Y", "%d/%m/%y", "%m/%d/%y",
                                  "%y/%m/%d", "%d-%m-%Y", "%m.%d.%y", "%Y-%m-%d", "excel"]),
                 max_size=3)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_CELL, min_size=1, max_size=6), st.lists(_CELL, max_size=4), _TOLD)
def test_date_proposals_never_raise_on_small_date_columns(
        catalog: Catalog, cells: list[str], others: list[str],  # noqa: F811
        told: list[str]) -> None:
    """x50r8 F1, the class: whatever a column's dates and the formats that failed them
    (the plan's hint) or the other column beside (init-mapping), a proposal or a TODO,
    never an exception; and a proposed list reads every cell."""
    formats = date_formats_for(cells, told)
    if formats is not None:
        for cell in cells:
            assert any(_reads_one(cell, f) for f in formats), (cell, formats)
    rows: list[dict[str, object]] = [
        {"Key": f"k{i}", "Title": "T", "Close Date": others[i] if i < len(others) else "",
         "Renewal date": cells[i] if i < len(cells) else ""}
        for i in range(max(len(cells), len(others)))]
    samples = {c: [str(r[c]) for r in rows if r[c]] for c in HEADER}
    init_mapping(HEADER, catalog, samples=samples, rows=rows)


def _reads_one(cell: str, fmt: str) -> bool:
    try:
        datetime.strptime(cell, fmt)
    except ValueError:
        return False
    return True


def _entry(text: str, column: str = "Renewal date") -> object:
    bare = "\n".join(line for line in text.splitlines()
                     if not line.lstrip().startswith("# TODO"))
    return tomllib.loads(bare)["custom_fields"][column]


def test_cells_that_read_only_year_first_decide_year_first(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x50r8 F2 (y3): yy/mm/dd of 2024-2030: ``30/02/06`` (no 30 February) reads only year
    first, yet the TODO said all 300 cells "read both ways", its first choice
    ``["%d/%m/%y"]`` wrote 284 of 300 wrong. Such cells decide year first: no TODO."""
    samples, rows = _year_first_file(tmp_path / "y3.csv", "%y/%m/%d", range(2024, 2031))
    cells = [str(r["Renewal date"]) for r in rows]
    assert any(not _reads_one(c, "%d/%m/%y") for c in cells)  # some read only year first
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert not [t for t in _todos(text) if "Renewal date" in t], _todos(text)
    entry = _entry(text)
    assert isinstance(entry, dict) and entry["formats"] == ["%y/%m/%d"], entry
    assert date_formats_for(cells) == ["%y/%m/%d"]


@pytest.mark.parametrize("sep", ["-", "/"])
def test_a_two_digit_year_above_31_written_first_is_read_year_first(
        catalog: Catalog, tmp_path: Path, sep: str) -> None:  # noqa: F811
    """x50r8 F3: ``37-04-23``, ``44/07/23`` were "impossible dates" (two TODOs "fix it in
    the file") and ``date_formats = []``; the plan then failed 300 of 300, no hint. They
    read one way only: year first, proposed and hinted."""
    pattern = f"%y{sep}%m{sep}%d"
    samples, rows = _year_first_file(tmp_path / "y5.csv", pattern, range(2037, 2045))
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    assert not [t for t in _todos(text) if "Renewal date" in t or "impossible" in t], \
        _todos(text)
    entry = _entry(text)
    assert isinstance(entry, dict) and entry["formats"] == [pattern], entry
    assert date_formats_for([str(r["Renewal date"]) for r in rows]) == [pattern]


def test_a_year_first_todo_counts_only_the_cells_that_read_both_ways(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """The year-first TODO's count is of its cells that read both ways, all of them."""
    samples, rows = _year_first_file(tmp_path / "yf.csv", "%y/%m/%d", range(2024, 2029))
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    (todo,) = [t for t in _todos(text) if "year first" in t]
    assert "its 300 sampled cells" in todo and "all read both ways" in todo, todo


def test_the_refusal_of_day_first_beside_year_first_names_those_orders() -> None:
    """x50r8 F5: ``["%d/%m/%y", "%y/%m/%d"]`` was refused as "(day-first and month-first
    dates)"; the orders it mixes are day first and year first."""
    with pytest.raises((InputError, ValueError), match="day-first and year-first dates"):
        Mapping.loads('[deal]\ntitle = "t"\nexpected_close_date = { column = "c", '
                      'formats = ["%d/%m/%y", "%y/%m/%d"] }\n')
    with pytest.raises((InputError, ValueError), match="day-first and month-first dates"):
        Mapping.loads('[deal]\ntitle = "t"\nexpected_close_date = { column = "c", '
                      'formats = ["%d/%m/%y", "%m/%d/%y"] }\n')


def test_serials_among_untold_text_dates_keep_their_token(
        catalog: Catalog, tmp_path: Path) -> None:  # noqa: F811
    """x50r8 F4 (s1): ``Go-live`` m/d/Y, every day 12 or less, every 10th cell an Excel
    serial: the serials were "no date … fix them in the file", ``excel`` not proposed (as
    it is beside dates that tell their order). The column's own formats list both orders
    and ``excel`` under one TODO; either choice kept reads every cell."""
    days = [d.replace(day=d.day % 12 + 1) for d in _days(300)]
    cells = [_serial(d) if i % 10 == 0 else f"{d.month}/{d.day}/{d.year}"
             for i, d in enumerate(days)]
    samples, rows = _one_column(tmp_path / "s1.csv", cells)
    text = init_mapping(["Key", "Title", "Close Date"], catalog, samples=samples, rows=rows)
    todos = _todos(text)
    assert not [t for t in todos if "no date" in t or "fix them" in t], todos
    (todo,) = [t for t in todos if "Close Date" in t]
    assert '["%d/%m/%Y", "excel"]' in todo and '["%m/%d/%Y", "excel"]' in todo, todo
    assert "270 sampled" in todo, todo
    bare = "\n".join(line for line in text.splitlines()
                     if not line.lstrip().startswith("# TODO"))
    entry = tomllib.loads(bare)["deal"]["expected_close_date"]
    assert isinstance(entry, dict) and entry["formats"] == ["%d/%m/%Y", "%m/%d/%Y", "excel"]
    Mapping.loads(bare.replace('"%d/%m/%Y", "%m/%d/%Y", "excel"', '"%m/%d/%Y", "excel"'))
