"""A plan's date hint reads every unread cell of its column, whichever reason names it
(x51r2 F1d, F5): a class of one cell ``06/06/08`` was hinted ``"%m/%d/%y"`` while the
column's cells in other rows' ``(also: …)`` parts (``35/09/04``, ``42/11/12``) read only
year first — followed, ``07/07/20`` was written 2020-07-07 (truth 2007-07-20); and two
classes of one column got two contradictory hints."""

from __future__ import annotations

from bulk.errors import InputError
from jobs.plan_reasons import ReasonTally, reason_line
from jobs.transforms import parse_date

_TRIED = "%m/%d/%Y, ISO (YYYY-MM-DD)"


def _tally(alone: list[str], beside: list[str]) -> ReasonTally:
    tally = ReasonTally()
    row = 2
    for value in beside:  # rows whose first failure is another column, C2 in "(also: …)"
        tally.add(f"not a date: '99/99' (tried {_TRIED}) (also: column 'C2': not a date: "
                  f"{value!r} (tried {_TRIED}))", "C1", None, row, value="99/99")
        row += 1
    for value in alone:  # rows where C2 fails first
        tally.add(f"not a date: {value!r} (tried {_TRIED})", "C2", None, row, value=value)
        row += 1
    return tally


def test_a_hint_never_proposes_an_order_the_column_s_other_cells_contradict() -> None:
    tally = _tally(["06/06/08"], ["35/09/04", "42/11/12", "38/03/06", "07/07/20"])
    lines = [reason_line(c, n, tally.examples) for c, n in tally.reasons().items()]
    (line,) = [x for x in lines if x.startswith("C2")]
    assert "%m/%d/%y" not in line and "%d/%m/%y" not in line, line


def _reason(value: str, formats: list[str]) -> str:
    try:
        parse_date(value, formats)
    except InputError as exc:
        return exc.reason
    raise AssertionError(value)


def test_one_column_gets_one_hint_whatever_its_classes() -> None:
    """F5 (f5b): under ``["%m/%d/%Y"]`` a d/m/yy column's cells with a day above 12 were
    hinted ``["%d/%m/%y"]`` and its cells up to the 12th ``["%m/%d/%Y", "%m/%d/%y"]``:
    two hints for one column, the second against its own cells. Now one, day first."""
    tally = ReasonTally()
    cells = ["13/9/28", "25/2/30", "27/8/29", "5/4/25", "3/5/26", "9/9/29", "4/4/27"]
    for row, value in enumerate(cells, start=2):
        tally.add(_reason(value, ["%m/%d/%Y"]), "Close", None, row, value=value)
    hints = {e.get("hint") for c, e in tally.examples.items()}
    assert len(tally.examples) == 3 and len(hints) == 1, tally.examples
    assert '"%d/%m/%y"' in str(hints) and "%m/%d/%y" not in str(hints), hints


def test_xlsx_serial_number_cells_are_hinted_their_token() -> None:
    """x51r2 F3: an XLSX column's number cells (Excel serials) failed "not a date: the
    number 46640 (...)" with no hint; CSV serials were hinted "excel"."""
    tally = ReasonTally()
    for row, value in enumerate([46640.0, 47339.0, 46540.0], start=2):
        tally.add(_reason(value, ["%m/%d/%y"]), "Go-live", None, row,  # type: ignore[arg-type]
                  value=value)
    ((cls, n),) = tally.reasons().items()
    line = reason_line(cls, n, tally.examples)
    assert "add \"excel\" to the date formats that read 'Go-live'" in line, line


def test_one_typo_never_hints_an_order_the_column_s_read_cells_contradict() -> None:
    """x52r6 F4: ``yy/mm/dd`` cells (2032-45) read by ``["%y/%m/%d"]`` and one typo
    ``27/05/38``: the hint was ``["%d/%m/%y"]`` from the typo alone; followed, 99 rows
    failed and the hint flipped back, 5 rounds. The column's cells its formats read only
    so (``33/08/25``) contradict that order: no order is hinted, the typo is named."""
    from jobs.transforms.date_order import DateOrder

    cells = ["33/08/25", "41/02/12", "38/11/30", "27/05/38", "44/07/09"]
    order = DateOrder(["%y/%m/%d"])
    order.start()
    for n, cell in enumerate(cells, start=2):
        order.at = n
        order.see(cell)
    order.decide()
    # '41/02/12' reads "%y/%d/%m" too, '27/05/38' "%d/%m/%y" only: neither is kept
    assert order.listed_only == [("33/08/25", 2), ("38/11/30", 4)], order.listed_only
    tally = ReasonTally()
    tally.add(_reason("27/05/38", ["%y/%m/%d"]), "Go-live", None, 5, value="27/05/38")
    tally.read_only({"Go-live": [c for c, _ in order.listed_only]})
    (example,) = tally.examples.values()
    assert "%d/%m/%y" not in example.get("hint", ""), example
    assert "27/05/38" in example.get("hint", "") and "33/08/25" in example["hint"], example


def test_a_hint_the_read_cells_agree_with_is_kept() -> None:
    """Kept: day-first cells under ``["%m/%d/%Y"]`` whose read cells also read day first
    (``03/04/2026``) are hinted ``"%d/%m/%Y"`` as before."""
    tally = ReasonTally()
    for row, value in enumerate(["13/04/2026", "25/12/2026", "31/01/2027"], start=2):
        tally.add(_reason(value, ["%m/%d/%Y"]), "Close", None, row, value=value)
    tally.read_only({"Close": ["03/04/2026"]})
    hints = {e.get("hint") for e in tally.examples.values()}
    assert any('"%d/%m/%Y"' in str(h) for h in hints), hints


def test_two_classes_of_one_column_get_one_hint_in_one_order() -> None:
    """x52r6 Low: yy/mm/dd cells, half with a time, under ``["%d/%m/%y %H:%M"]`` fell in
    two classes hinted ``["%y/%m/%d %H:%M", "%y/%m/%d"]`` and ``["%y/%m/%d", "%y/%m/%d
    %H:%M"]``: one column, two hints. The column's cells are read in one order."""
    tally = ReasonTally()
    cells = ["33/08/25 14:30", "39/01/27", "43/04/19 03:57", "35/02/11", "41/06/12 10:00"]
    for row, value in enumerate(cells, start=2):
        tally.add(_reason(value, ["%d/%m/%y %H:%M"]), "Go-live", None, row, value=value)
    hints = {e.get("hint") for e in tally.examples.values()}
    assert len(tally.examples) == 2 and len(hints) == 1, hints


def test_one_cell_read_only_year_first_beside_year_first_four_digit_cells_is_no_typo(
        ) -> None:
    """x52r6 Low: yyyy/mm/dd and yy/mm/dd cells of 2013-31 under ``["%d/%m/%Y"]``: no hint,
    as ``31/09/02`` (2031-09-02, read only year first) was called a typo although the
    column's 4-digit cells are written year first. Now they are hinted year first."""
    from jobs.mapping.starter import date_formats_for

    cells = ["2025/12/18", "27/02/18", "2022/11/01", "26/01/11", "2020/08/05", "27/11/18",
             "31/09/02", "2027/12/07"]
    assert date_formats_for(cells, ["%d/%m/%Y"]) == ["%y/%m/%d", "%Y/%m/%d"]
