"""A plan whose bad rows are dates no pattern read, all written in patterns they show
without doubt (``17.07.2027``: the day first), says once, in that reason's line, to add
that pattern to ``[defaults] date_formats`` (x26r2 2: 276 rows "not a date" and no hint),
for update manifests and import files alike; dates that cannot tell day from month, or
that are no date at all, get no hint."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from jobs.plan_reasons import ReasonTally, reason_line
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import cli_args

HINT = 'add date_formats = ["%d.%m.%Y"] under [defaults] in the mapping'


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=6, seed=5)) as box:
        yield box


def plan(sb: Sandbox, tmp_path: Path, *argv: str) -> str:
    res = CliRunner().invoke(app, [*argv, *cli_args(sb, tmp_path / "jobs")],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert "Traceback" not in res.output, res.output
    assert res.exit_code == 3, res.output  # bad rows
    return " ".join(res.output.split())  # as one line: the console wraps long ones


def test_plan_update_hints_the_date_format_of_its_unread_dates(
        sb: Sandbox, tmp_path: Path) -> None:
    """Three rows of an update with close dates written day.month.year: the reason's line
    ends with the date_formats to add, said once."""
    ids = sorted(sb.state.deals.rows)[:4]
    mapping = tmp_path / "u.toml"
    mapping.write_text('[update]\nid_column = "id"\n[deal]\nexpected_close_date = "close"\n')
    manifest = tmp_path / "u.csv"
    manifest.write_text("id,close\n" + "".join(
        f"{d},{c}\n" for d, c in zip(ids, ("17.07.2027", "01.02.2027", "31.12.2026",
                                           "2027-01-05"), strict=True)))
    out = plan(sb, tmp_path, "plan", "update", str(manifest), "--mapping", str(mapping))
    assert out.count("date_formats") == 1, out
    assert ("3 close: not a date: '17.07.2027' (tried ISO (YYYY-MM-DD)) (row 2; and 2 more "
            "rows of the same kind, with their own values: rows 3 ('01.02.2027'), 4 "
            f"('31.12.2026')); {HINT}") in out, out  # each row's own date (x41r1 L1)


def test_plan_import_hints_the_date_format_of_its_unread_dates(
        sb: Sandbox, tmp_path: Path) -> None:
    """The same for an import file (two rows, the 13th day tells the order)."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[defaults]\ncurrency = "USD"\n'
                       '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')
    manifest = tmp_path / "i.csv"
    manifest.write_text("key,title,close\nk1,A,13.07.2027\nk2,B,01.02.2027\nk3,C,2027-01-05\n")
    out = plan(sb, tmp_path, "plan", "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field")
    assert out.count("date_formats") == 1, out
    assert ("2 close: not a date: '13.07.2027' (tried ISO (YYYY-MM-DD)) (row 2; and 1 more "
            "row of the same kind, with their own values: row 3 ('01.02.2027')); "
            f"{HINT}") in out, out


@pytest.mark.parametrize("values", [
    ("01.02.2027", "03.04.2027"),  # day or month first? cannot tell
    ("13.07.2027", "07.13.2027"),  # day first and month first
    ("13.07.2027", "soon"),  # one is no date at all
])
def test_no_hint_when_the_values_do_not_all_read_one_way(values: tuple[str, ...]) -> None:
    """No pattern is proposed that would read the dates wrong, or leave one unread."""
    tally = ReasonTally()
    for row, value in enumerate(values, start=2):
        tally.add(f"not a date: {value!r} (tried ISO (YYYY-MM-DD))", "close", None, row,
                  value=value)
    (cls, n), = tally.reasons().items()
    assert "date_formats" not in reason_line(cls, n, tally.examples)


def test_a_hint_lists_each_way_the_dates_are_written() -> None:
    """Day first with dots, month first with slashes (each told by a day above 12):
    both patterns, in one hint."""
    tally = ReasonTally()
    for row, value in enumerate(("13.07.2027", "07/13/2027", "01.02.2027"), start=2):
        tally.add(f"not a date: {value!r} (tried ISO (YYYY-MM-DD))", "close", None, row,
                  value=value)
    (cls, n), = tally.reasons().items()
    assert reason_line(cls, n, tally.examples).endswith(
        'add date_formats = ["%d.%m.%Y", "%m/%d/%Y"] under [defaults] in the mapping')


def test_cells_a_listed_format_failed_are_hinted_to_the_fields_own_formats() -> None:
    """x41r3 L5: under ``[defaults] date_formats = ["%d/%m/%Y"]`` a column written month
    first was told to add ``"%m/%d/%Y"`` under [defaults], which then holds both orders
    and is refused: the hint names the field's own ``formats``."""
    tally = ReasonTally()
    for row, value in enumerate(("04/13/2026", "05/14/2026"), start=2):
        tally.add(f"not a date: {value!r} (tried %d/%m/%Y)", "Go-live", None, row, value=value)
    (cls, n), = tally.reasons().items()
    line = reason_line(cls, n, tally.examples)
    assert line.endswith(
        "give the field that reads 'Go-live' its own formats = [\"%m/%d/%Y\"] in the mapping "
        '({ column = "Go-live", formats = ["%m/%d/%Y"] }), not [defaults] date_formats, '
        "which any other date column would read too"), line


@pytest.mark.parametrize(("tried", "kept"), [
    ("excel, ISO (YYYY-MM-DD)", '"excel", "%d/%m/%Y"'),
    ("unix_ms, %B %d, %Y, ISO (YYYY-MM-DD)", '"unix_ms", "%B %d, %Y", "%d/%m/%Y"'),
])
def test_the_fields_own_formats_hint_keeps_the_formats_it_has(tried: str, kept: str) -> None:
    """x49r3 F6: a field of ``formats = ["excel"]`` with 10 dd/mm cells was told
    ``formats = ["%d/%m/%Y"]``; followed, 10 failures became 390 (the serials unread). The
    hint lists the field's formats first, then the pattern its unread cells show."""
    tally = ReasonTally()
    for row, value in enumerate(("17/09/2026", "24/06/2027", "03/05/2027"), start=2):
        tally.add(f"not a date: {value!r} (tried {tried})", "Close Date", None, row,
                  value=value)
    (cls, n), = tally.reasons().items()
    line = reason_line(cls, n, tally.examples)
    assert f"its own formats = [{kept}]" in line and "[defaults] date_formats," in line, line
    assert f'formats = [{kept}] }}' in line, line


def test_no_order_under_defaults_while_another_column_reading_them_cannot_tell_its_own() -> None:
    """x49r12 F2: ``Close Date`` dd/mm cells were told "add date_formats = ["%d/%m/%Y"]
    under [defaults]" while ``Renewal date``, read by [defaults] too, has every day ≤ 12:
    followed, 276 of 300 renewal dates were written swapped. The hint names the field's own
    formats and the column that cannot tell."""
    tally = ReasonTally()
    for row, value in enumerate(("17/09/2026", "24/06/2027", "03/05/2027"), start=2):
        tally.add(f"not a date: {value!r} (tried ISO (YYYY-MM-DD))", "Close Date", None, row,
                  value=value)
    for row, value in enumerate(("3/7/2027", "11/2/2027", "5/5/2027"), start=2):
        tally.add(f"not a date: {value!r} (tried ISO (YYYY-MM-DD))", "Renewal date", None, row,
                  value=value)
    cls = next(c for c in tally.reasons() if c.startswith("Close Date"))
    line = reason_line(cls, tally.counts[cls], tally.examples)
    assert "under [defaults]" not in line, line
    assert ("its own formats = [\"%d/%m/%Y\"]" in line and '{ column = "Close Date"' in line
            and "'Renewal date' reads too" in line), line


def test_a_column_beside_whose_dates_tell_their_order_keeps_the_defaults_hint() -> None:
    """The other column's cells tell the same order (a day above 12): [defaults] is safe."""
    tally = ReasonTally()
    for column, values in (("Close Date", ("17/09/2026", "03/05/2027")),
                           ("Renewal date", ("13/07/2027", "5/5/2027"))):
        for row, value in enumerate(values, start=2):
            tally.add(f"not a date: {value!r} (tried ISO (YYYY-MM-DD))", column, None, row,
                      value=value)
    cls = next(c for c in tally.reasons() if c.startswith("Close Date"))
    assert reason_line(cls, tally.counts[cls], tally.examples).endswith(
        'add date_formats = ["%d/%m/%Y"] under [defaults] in the mapping')


def test_the_own_formats_hint_keeps_a_token_beside_a_pattern_of_the_other_order() -> None:
    """x49r12 F4: own ``formats = ["excel", "%m/%d/%Y"]`` on serials and day-first text was
    told ``["%d/%m/%Y"]``, dropping ``excel`` (followed: 150 serial rows failed)."""
    tally = ReasonTally()
    for row, value in enumerate(("17/09/2026", "24/06/2027"), start=2):
        tally.add(f"not a date: {value!r} (tried excel, %m/%d/%Y, ISO (YYYY-MM-DD))",
                  "Close Date", None, row, value=value)
    (cls, n), = tally.reasons().items()
    line = reason_line(cls, n, tally.examples)
    assert 'its own formats = ["excel", "%d/%m/%Y"]' in line, line


@pytest.mark.parametrize("tried", ["%m/%d/%Y", "%d/%m/%Y"])
def test_untold_cells_with_a_time_are_hinted_the_form_with_the_time(tried: str) -> None:
    """x49r12 F2: a field told ``formats = ["%m/%d/%Y"]`` whose cells are written with a
    time (``02/06/2027 09:30``, every day ≤ 12) failed all 400 rows with no hint. The
    order the field was given decides the cells' order; the hint names its form with
    the time, the field's list kept."""
    tally = ReasonTally()
    for row, value in enumerate(("02/06/2027 09:30", "11/05/2027 09:30", "04/10/2027 09:30"),
                                start=2):
        tally.add(f"not a date: {value!r} (tried {tried}, ISO (YYYY-MM-DD))", "Signed on",
                  None, row, value=value)
    (cls, n), = tally.reasons().items()
    line = reason_line(cls, n, tally.examples)
    kept = f'"{tried}", "{tried} %H:%M"'
    assert f"its own formats = [{kept}]" in line, line
    assert f'{{ column = "Signed on", formats = [{kept}] }}' in line, line


def test_untold_cells_read_by_no_order_listed_get_no_hint() -> None:
    """Cells that cannot tell their order, under formats of another family only: no order
    is guessed for them."""
    tally = ReasonTally()
    for row, value in enumerate(("02/06/2027 09:30", "11/05/2027 09:30"), start=2):
        tally.add(f"not a date: {value!r} (tried %d.%m.%Y, ISO (YYYY-MM-DD))", "Signed on",
                  None, row, value=value)
    (cls, n), = tally.reasons().items()
    assert "formats" not in reason_line(cls, n, tally.examples).split("tried")[-1]


def _both_columns(tally: ReasonTally, closes: tuple[str, ...], renewals: tuple[str, ...],
                  first: str = "Close Date") -> None:
    """Each row's reason as a plan gives it: the first column's failure, the other's in its
    ``(also: column '…': …)`` part (``rowmapper._all_of``)."""
    for row, (close, renewal) in enumerate(zip(closes, renewals, strict=True), start=2):
        cells = {"Close Date": close, "Renewal date": renewal}
        other = "Renewal date" if first == "Close Date" else "Close Date"
        tally.add(f"not a date: {cells[first]!r} (tried ISO (YYYY-MM-DD)) (also: column "
                  f"{other!r}: not a date: {cells[other]!r} (tried ISO (YYYY-MM-DD)))",
                  first, None, row, value=cells[first])


def test_the_guard_reads_the_columns_a_reason_names_after_also() -> None:
    """x50r3 F1: in a real plan every row fails both dates, so 'Renewal date' (every day
    ≤ 12, read by [defaults]) is only in the "(also: column 'Renewal date': …)" part of the
    Close Date reason; the guard looked at separate reasons only, and the plan still said
    "add date_formats = ["%d/%m/%Y"] under [defaults]" (followed: 248-277 of 300 renewal
    dates written swapped). The guard reads every column a reason names."""
    tally = ReasonTally()
    _both_columns(tally, ("17/09/2026", "24/06/2027", "03/05/2027"),
                  ("3/7/2027", "11/2/2027", "5/5/2027"))
    (cls, n), = tally.reasons().items()
    line = reason_line(cls, n, tally.examples)
    assert "under [defaults]" not in line, line
    assert ('{ column = "Close Date", formats = ["%d/%m/%Y"] }' in line
            and "'Renewal date' reads too" in line), line


def test_the_guard_reads_its_own_columns_cells_in_another_columns_reason() -> None:
    """The other grouping: 'Renewal date' first in the mapping, so the rows failing both are
    the Renewal date class; a Close Date class of its own holds the rows whose renewal read.
    Its cells tell their order (day 17), the renewal dates never: no order under
    [defaults]."""
    tally = ReasonTally()
    _both_columns(tally, ("17/09/2026", "24/06/2027"), ("3/7/2027", "11/2/2027"),
                  first="Renewal date")
    for row, value in enumerate(("13/09/2026", "03/05/2027"), start=4):
        tally.add(f"not a date: {value!r} (tried ISO (YYYY-MM-DD))", "Close Date", None, row,
                  value=value)
    cls = next(c for c in tally.reasons() if c.startswith("Close Date"))
    line = reason_line(cls, tally.counts[cls], tally.examples)
    assert "under [defaults]" not in line and "'Renewal date' reads too" in line, line


def test_a_column_named_after_also_whose_cells_tell_keeps_the_defaults_hint() -> None:
    """The renewal dates in the also part tell day first (day 13): [defaults] is safe."""
    tally = ReasonTally()
    _both_columns(tally, ("17/09/2026", "03/05/2027"), ("13/07/2027", "5/5/2027"))
    (cls, n), = tally.reasons().items()
    assert reason_line(cls, n, tally.examples).endswith(
        'add date_formats = ["%d/%m/%Y"] under [defaults] in the mapping')


def test_plan_import_gives_no_defaults_order_beside_an_untold_column(
        sb: Sandbox, tmp_path: Path) -> None:
    """x50r3 F1 end to end: every row fails both dates, the renewal dates (every day ≤ 12)
    only in the Close Date reason's "(also: …)" part: the plan names the field's own
    formats and 'Renewal date', never an order under [defaults]."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[defaults]\ncurrency = "USD"\n'
                       '[deal]\ntitle = "title"\nexpected_close_date = "close"\n'
                       '[custom_fields]\n"Renewal date" = "renewal"\n')
    manifest = tmp_path / "i.csv"
    manifest.write_text("key,title,close,renewal\nk1,A,17/09/2026,3/7/2027\n"
                        "k2,B,24/06/2027,11/2/2027\nk3,C,03/05/2027,5/9/2027\n")
    out = plan(sb, tmp_path, "plan", "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field")
    assert "under [defaults]" not in out, out
    assert ('{ column = "close", formats = ["%d/%m/%Y"] }' in out
            and "'renewal' reads too" in out), out


def _reason(value: str, formats: list[str]) -> str:
    from bulk.errors import InputError
    from jobs.transforms.dates import parse_date
    with pytest.raises(InputError) as refused:
        parse_date(value, formats)
    return str(refused.value.reason if hasattr(refused.value, "reason") else refused.value)


@pytest.mark.parametrize("tried", [["%d/%m/%Y", "%d/%m/%y"], ["%m/%d/%Y"]])
def test_a_fields_own_formats_hint_adds_the_token_its_failing_serials_read(
        tried: list[str]) -> None:
    """x50r3 F7: Go-live's month-first text failed beside 243 failing Excel serials; the
    hint gave ``formats = ["%m/%d/%Y"]`` without ``excel``, and the serials' reason then
    said "add ... "excel" to date_formats", which under [defaults] changes nothing for a
    field of its own formats. Every hint of the field names one list, its token in it."""
    tally = ReasonTally()
    texts = ("09/13/2026", "04/27/2026") if "%m/%d/%Y" not in tried else ()
    for row, value in enumerate((*texts, "46097", "45647", "46574"), start=2):
        tally.add(_reason(value, tried), "Go-live", None, row, value=value)
    hints = {e.get("hint") for e in tally.examples.values()}
    own = '"%m/%d/%Y", "excel"'
    assert hints == {f"give the field that reads 'Go-live' its own formats = [{own}] in the "
                     f'mapping ({{ column = "Go-live", formats = [{own}] }}), not [defaults] '
                     "date_formats, which any other date column would read too"}, hints


def test_the_text_dates_own_formats_hint_adds_the_token_of_serials_read_by_nothing() -> None:
    """x50r3 F7, the round before: [defaults] lists nothing, Go-live's serials fail "add
    "excel" to date_formats" and its month-first text is told its own formats: with
    ``excel`` (else followed, the serials fail again under a list that ignores
    [defaults]); the serials' class names the same list."""
    tally = ReasonTally()
    for row, value in enumerate(("09/13/2026", "04/27/2026"), start=2):
        tally.add(_reason(value, ["%d/%m/%Y"]), "Go-live", None, row, value=value)
    for row, value in enumerate(("46097", "45647"), start=4):
        tally.add(_reason(value, []), "Go-live", None, row, value=value)
    hints = {e.get("hint") for e in tally.examples.values()}
    assert len(hints) == 1 and 'its own formats = ["%m/%d/%Y", "excel"]' in str(hints), hints


def test_serials_of_a_field_read_by_nothing_keep_their_reasons_own_advice() -> None:
    """Only ISO 8601 tried ([defaults] lists nothing) and no text dates: the reason's "add
    "excel" to date_formats" is right where it is; no own-formats hint."""
    tally = ReasonTally()
    for row, value in enumerate(("46097", "45647"), start=2):
        tally.add(_reason(value, []), "Go-live", None, row, value=value)
    assert not any(e.get("hint") for e in tally.examples.values())


_TOLD_DAY_FIRST = ('[defaults]\ncurrency = "USD"\ndate_formats = ["%d/%m/%Y"]\n'
                   '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')


def test_plan_import_of_cells_a_defaults_order_decides_does_not_crash(
        sb: Sandbox, tmp_path: Path) -> None:
    """x50r8 F1: ``04/26/27`` and ``03/05/27`` under ``[defaults] date_formats =
    ["%d/%m/%Y"]``: the hint of ``03/05/27`` took its order from the listed pattern, no
    cell showing it, and the plan stopped on ``unexpected error (KeyError): ('/', 2,
    'dm')``. Now each reason is said, and no hint guesses day vs year first."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n' + _TOLD_DAY_FIRST)
    manifest = tmp_path / "i.csv"
    manifest.write_text("key,title,close\nk1,A,04/26/27\nk2,B,03/05/27\n")
    out = plan(sb, tmp_path, "plan", "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field")
    assert "unexpected error" not in out and "'03/05/27'" in out, out
    assert '"%d/%m/%y"' not in out, out  # 03/05/27 may be 2003-05-27: no order guessed


def test_plan_update_of_cells_a_defaults_order_decides_does_not_crash(
        sb: Sandbox, tmp_path: Path) -> None:
    """The same through ``plan update`` (x50r8 F1)."""
    ids = sorted(sb.state.deals.rows)[:2]
    mapping = tmp_path / "u.toml"
    mapping.write_text('[update]\nid_column = "id"\n' + _TOLD_DAY_FIRST.replace(
        'title = "title"\n', ""))
    manifest = tmp_path / "u.csv"
    manifest.write_text(f"id,close\n{ids[0]},04/26/27\n{ids[1]},03/05/27\n")
    out = plan(sb, tmp_path, "plan", "update", str(manifest), "--mapping", str(mapping))
    assert "unexpected error" not in out and "'03/05/27'" in out, out
    assert '"%d/%m/%y"' not in out, out


def test_plan_hints_year_first_for_two_digit_years_only_it_reads(
        sb: Sandbox, tmp_path: Path) -> None:
    """x50r8 F3: ``37-04-23``, ``44-07-23`` (no day or month 37, 44) failed every row with
    no hint; they read year first only: that pattern is hinted."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[defaults]\ncurrency = "USD"\n'
                       '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')
    manifest = tmp_path / "i.csv"
    manifest.write_text("key,title,close\nk1,A,37-04-23\nk2,B,44-07-23\n")
    out = plan(sb, tmp_path, "plan", "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field")
    assert 'add date_formats = ["%y-%m-%d"] under [defaults]' in out, out


def test_plan_of_a_year_first_column_listed_day_first_says_so_on_every_row(
        sb: Sandbox, tmp_path: Path) -> None:
    """x50r8 F2 (y3): ``["%d/%m/%y"]`` for yy/mm/dd cells: ``30/02/06`` failed alone (no
    word of year first) and the other rows were "valid", written wrong. Now every row read
    both ways is ambiguous, naming ``'%y/%m/%d' instead of '%d/%m/%y'``, and the cell no
    day-first date says year first reads it."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[defaults]\ncurrency = "USD"\n'
                       'date_formats = ["%d/%m/%y"]\n'
                       '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')
    manifest = tmp_path / "i.csv"
    manifest.write_text("key,title,close\nk1,A,25/10/18\nk2,B,30/02/06\nk3,C,27/11/19\n")
    out = plan(sb, tmp_path, "plan", "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field")
    assert "0 valid" in out, out
    assert "2 close: ambiguous date '25/10/18'" in out, out
    assert "list '%y/%m/%d' instead of '%d/%m/%y'" in out, out
    assert "not a date: '30/02/06' (no such day: February has 28 days, not 30); it reads " \
           "as '%y/%m/%d'" in out, out


def test_plan_import_hints_no_order_from_one_typo_its_column_contradicts(
        sb: Sandbox, tmp_path: Path) -> None:
    """x52r6 F4: yy/mm/dd cells (2032-45) under ``["%y/%m/%d"]`` and one typo
    ``27/05/38``: the hint was ``["%d/%m/%y"]``, followed 99 rows failed and the hint
    flipped back every round. Now the typo is named to fix, no order hinted."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[defaults]\ncurrency = "USD"\n'
                       'date_formats = ["%y/%m/%d"]\n'
                       '[deal]\ntitle = "title"\nexpected_close_date = "close"\n')
    manifest = tmp_path / "i.csv"
    cells = ["33/08/25", "41/02/12", "38/11/30", "27/05/38", "44/07/09", "35/03/21"]
    manifest.write_text("key,title,close\n" + "".join(
        f"k{n},T{n},{c}\n" for n, c in enumerate(cells)))
    out = plan(sb, tmp_path, "plan", "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field")
    assert "27/05/38" in out and "%d/%m/%y\"]" not in out, out
    assert "fix '27/05/38' in the file (a typo?)" in out, out


def test_plan_update_hints_no_order_from_one_typo_its_column_contradicts(
        sb: Sandbox, tmp_path: Path) -> None:
    """x52r6 F4, for an update: the typo is named to fix, no order hinted."""
    ids = sorted(sb.state.deals.rows)[:5]
    mapping = tmp_path / "u.toml"
    mapping.write_text('[update]\nid_column = "id"\n[defaults]\ndate_formats = ["%y/%m/%d"]\n'
                       '[deal]\nexpected_close_date = "close"\n')
    manifest = tmp_path / "u.csv"
    cells = ["33/08/25", "41/02/12", "27/05/38", "38/11/30", "44/07/09"]
    manifest.write_text("id,close\n" + "".join(
        f"{d},{c}\n" for d, c in zip(ids, cells, strict=True)))
    out = plan(sb, tmp_path, "plan", "update", str(manifest), "--mapping", str(mapping))
    assert "%d/%m/%y\"]" not in out and "fix '27/05/38' in the file (a typo?)" in out, out
