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
