"""Parsers accept exactly their grammar (issue 9 sections 6 and 11, issue 10 sections 3, 5, 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.errors import InputError
from jobs import transforms as tf

IN_WINDOW = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize(("cell", "formats", "expected"), [
    ("1766538000000", ["unix_ms"], "2025-12-24"),
    (1766538000000, ["unix_ms"], "2025-12-24"),
    ("1766538000", ["unix"], "2025-12-24"),
    ("45292", ["excel"], "2024-01-01"),
    (45292.75, ["excel"], "2024-01-01"),
    ("59", ["excel"], "1900-02-28"),
    ("61", ["excel"], "1900-03-01"),
    ("1766538000000", ["unix", "unix_ms"], "2025-12-24"),  # unix would be year 57950
    ("2024-03-01T23:30:00+05:00", [], "2024-03-01"),
    (datetime(2024, 5, 6, 12, 0), [], "2024-05-06"),
    (date(2024, 5, 6), [], "2024-05-06"),
])
def test_date_grammars(cell: object, formats: list[str], expected: str) -> None:
    assert tf.parse_date(cell, formats) == expected


@pytest.mark.parametrize("cell", ["45.292", "45292.75", "-45"])
def test_a_number_with_a_point_or_sign_is_not_called_only_digits(cell: str) -> None:
    """x21r3 F8a: a date cell ``45.292`` failed with "is only digits"; it is a number."""
    with pytest.raises(InputError) as info:
        tf.parse_date(cell, ["%m/%d/%Y"])
    assert f"{cell!r} is a number (tried" in info.value.reason
    assert "only digits" not in info.value.reason


@pytest.mark.parametrize(("cell", "formats", "reason"), [
    ("1766538000000", [], "only digits"),          # was read as 1785 (issue 9 section 6)
    ("20240301", [], "only digits"),
    ("1766538000000", ["%m/%d/%Y"], "only digits"),
    (1766538000000, [], "the number"),
    (45292, [], "the number"),
    ("1785-01-01", [], "outside 1900-2100"),
    ("1766538000000", ["unix"], "not a date"),       # seconds: beyond any calendar
    ("4133980800", ["unix"], "outside 1900-2100"),
    ("60", ["excel"], "a day that never was"),      # Excel's 1900-02-29 does not exist
    ("2024-02-30", [], "no such day"),
    ("2024-03-01 junk", [], "not a date"),
    ("12.5", ["unix"], "not a date"),
])
def test_date_rejects(cell: object, formats: list[str], reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        tf.parse_date(cell, formats)


@pytest.mark.parametrize(("cell", "formats", "names"), [
    # seconds read as milliseconds was 1970-01-21, imported (issue 10 finding)
    ("1766538000", ["unix_ms"], r'range of "unix_ms".*seconds since 1970 \("unix": 2025-12-24\)'),
    (1766538000, ["unix_ms"], r'seconds since 1970 \("unix": 2025-12-24\)'),
    ("1766538000000", ["unix"], r'milliseconds since 1970 \("unix_ms": 2025-12-24\)'),
    ("1766538000000000", ["unix_ms"], r'microseconds since 1970 \("unix_us": 2025-12-24\)'),
    ("1766538000000000000", ["unix_us"], "nanoseconds"),
    ("45292", ["unix"], r'Excel serial day number \("excel": 2024-01-01; "excel_1904" in a '
                        r'Mac 1904 workbook: 2028-01-02\)'),
    ("45292", ["unix_ms"], r'"excel": 2024-01-01'),
    ("1766538000", ["excel"], r'"unix": 2025-12-24'),
    ("20240301", ["unix"], r'YYYYMMDD date \("%Y%m%d": 2024-03-01\)'),
    ("20240301", ["excel"], r'YYYYMMDD'),
    ("0", ["unix"], "fits no date unit"),            # a "no date" placeholder
    ("94737600", ["unix"], "1966-10-31 to 1973-03-03"),
    ("1766538000", [], r'"unix": 2025-12-24'),        # no token: still names the unit
    (1766538000000, [], r'"unix_ms": 2025-12-24'),
    ("13/03/24", ["%d/%m/%Y"], "2-digit year: .%d/%m/%y. would read it"),
    # a cell that cannot tell day from month: both orders, none as the answer (x50r3 F2)
    ("01/03/24", ["%m/%d/%Y"], "2-digit year, day and month both 12 or less: '%m/%d/%y' and "
                               "'%d/%m/%y' read it as two different dates"),
])
def test_number_in_the_wrong_unit_is_refused_naming_the_unit(
        cell: object, formats: list[str], names: str) -> None:
    with pytest.raises(InputError, match=names):
        tf.parse_date(cell, formats)


def _digit_date_time(text: str) -> bool:
    from jobs.transforms.dates import _digit_date_time as reads

    return reads(Decimal(text)) is not None


@pytest.mark.parametrize(("cell", "token", "name"), [
    ("202603041530", "unix_ms", "YYYYMMDDHHMM"), ("2026030415", "unix", "YYYYMMDDHH"),
    (202512312359, "unix_ms", "YYYYMMDDHHMM"), ("20260304153000", "unix_ms", "YYYYMMDDHHMMSS"),
])
def test_a_date_time_written_in_digits_is_never_read_as_an_epoch(
        cell: object, token: str, name: str) -> None:
    """v10r18 F1: 202603041530 (2026-03-04 15:30) under "unix_ms" imported as 1976-06-02,
    2026030415 under "unix" as 2034-03-15. Both readings are named and the cell refused;
    the pattern reads it; init-mapping proposes no token for such a column."""
    from jobs.mapping.starter import _date_token

    with pytest.raises(InputError, match=f"and as a {name} date-time"):
        tf.parse_date(cell, [token])
    pattern = {"YYYYMMDDHH": "%Y%m%d%H", "YYYYMMDDHHMM": "%Y%m%d%H%M",
               "YYYYMMDDHHMMSS": "%Y%m%d%H%M%S"}[name]
    assert tf.parse_date(str(cell), [token, pattern])[:4] in ("2025", "2026")
    assert tf.epoch_unit(cell) is None
    assert _date_token({"c": [str(cell)] * 3}, "c") is None
    assert _date_token({"c": ["1766538000000"] * 3}, "c") == "unix_ms"  # a real epoch


def test_several_epoch_tokens_pick_by_magnitude() -> None:
    for cell in ("1766538000", "1766538000000", "1766538000000000"):
        assert tf.parse_date(cell, ["unix", "unix_ms", "unix_us"]) == "2025-12-24"


def test_date_window_is_configurable() -> None:
    assert tf.parse_date("1850-06-01", window=(1800, 2100)) == "1850-06-01"
    with pytest.raises(InputError, match="outside 2000-2030"):
        tf.parse_date("1999-12-31", window=(2000, 2030))


@given(IN_WINDOW)
def test_epoch_tokens_round_trip(day: date) -> None:
    """A date rendered as epoch seconds, epoch ms or an Excel serial reads back the same."""
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    seconds, ms = str(int(moment.timestamp())), str(int(moment.timestamp()) * 1000)
    # nearer 1970 no unit can be told from another; and a number that is also a date-time
    # in digits (2026051200: YYYYMMDDHH) is refused, never guessed (v10r18 F1)
    if abs(moment.timestamp()) >= 10**8 and not _digit_date_time(seconds):
        assert tf.parse_date(seconds, ["unix"]) == day.isoformat()
    if abs(moment.timestamp()) >= 10**8 and not _digit_date_time(ms):
        assert tf.parse_date(ms, ["unix_ms"]) == day.isoformat()
    if abs(moment.timestamp()) >= 10**8:
        assert tf.parse_date(str(int(moment.timestamp()) * 10**6), ["unix_us"]) \
            == day.isoformat()
    serial = (day - date(1899, 12, 30)).days
    if 1000 <= serial <= 2999:  # a number that reads as a year (y54r2 F1): refused, never
        # a day of 1902-1908 (a round trip for these days was the fault: '1899' -> 1905)
        with pytest.raises(InputError, match=f"the year {serial} alone"):
            tf.parse_date(str(serial), ["excel"])
    elif day >= date(1900, 3, 1):
        assert tf.parse_date(str(serial), ["excel"]) == day.isoformat()


@given(st.text(max_size=20), st.sampled_from([[], ["unix"], ["unix_ms"], ["excel"],
                                               ["%d.%m.%Y"], ["%m/%d/%Y", "unix_ms"]]))
def test_accepted_date_re_renders(text: str, formats: list[str]) -> None:
    """Whatever the date parser accepts lies in the window and re-renders to itself."""
    try:
        got = tf.parse_date(text, formats)
    except InputError:
        return
    if got is None:
        assert not text.strip()
        return
    day = date.fromisoformat(got)
    assert 1900 <= day.year <= 2100
    assert tf.parse_date(got) == got
    for fmt in formats:
        if "%" in fmt:
            assert tf.parse_date(day.strftime(fmt), [fmt]) == got


@given(st.integers(min_value=0, max_value=99_999_999_999_999))
def test_digits_never_a_date_without_token(number: int) -> None:
    with pytest.raises(InputError):
        tf.parse_date(str(number))


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("cell", [
    "1e20", "100000000000000000000", 2 ** 63, 2 ** 64, float("1e20"), "9007199254740992",
    "NaN", "Infinity", float("nan"), float("-inf"), "0.12345678901234567", Decimal("NaN"),
])
def test_numbers_the_api_cannot_hold(cell: object) -> None:
    with pytest.raises(InputError):
        tf.parse_money(cell)


@pytest.mark.parametrize(("cell", "amount"), [
    ("-15.400,00 €", Decimal("-15400.00")), ("(9,500.00)", Decimal("-9500.00")),
    ("9007199254740991", Decimal("9007199254740991")),
])
def test_negative_and_limit_amounts(cell: str, amount: Decimal) -> None:
    money = tf.parse_money(cell)
    assert money is not None and money.amount == amount


@given(st.text(max_size=20))
def test_accepted_number_re_renders(text: str) -> None:
    """Whatever the number parser accepts is finite, holdable, and re-renders to itself."""
    try:
        got = tf.parse_number(text)
    except InputError:
        return
    if got is None:
        assert not text.strip()
        return
    assert got.is_finite() and abs(got) < 2 ** 53
    assert tf.parse_number(str(got)) == got
    assert tf.parse_number(f"{got:,}") == got if got == got.to_integral_value() else True


# ---------------------------------------------------------------- text, e-mail

@pytest.mark.parametrize("cell", ["Deal\x00one", "a\x1bb", "x\x7f", "\x08"])
def test_control_characters_are_errors(cell: str) -> None:
    with pytest.raises(InputError, match="control character"):
        tf.clean_text(cell)
    with pytest.raises(InputError, match="control character"):
        tf.clean_multiline(cell)


def test_title_length() -> None:
    assert tf.clean_title("x" * 255) == "x" * 255
    with pytest.raises(InputError, match="100000 characters"):
        tf.clean_title("y" * 100_000)


@pytest.mark.parametrize(("cell", "email"), [
    ("grace.müller@example.com", "grace.müller@example.com"),
    ("Grace <GRACE@Example.COM>", "GRACE@example.com"),  # as written, its domain lowered
    ("δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@παράδειγμα.δοκιμή"),
])
def test_international_email(cell: str, email: str) -> None:
    assert tf.normalize_email(cell) == email


@pytest.mark.parametrize("cell", ["a..b@x.com", "x@localhost", "nope", "a@b@c.com", "@x.com"])
def test_bad_email(cell: str) -> None:
    with pytest.raises(InputError, match="not an e-mail address"):
        tf.normalize_email(cell)


def test_excel_epoch_constant() -> None:
    assert date(1899, 12, 30) + timedelta(days=45292) == date(2024, 1, 1)


def test_typed_xlsx_cells() -> None:
    """The XLSX reader yields typed values: numbers, dates and date-times are accepted."""
    from datetime import datetime as dt

    assert tf.clean_phone(4915112345678.0) == "4915112345678"
    assert tf.parse_money(1234.5) == tf.Money(Decimal("1234.5"), None)
    assert tf.parse_int(12.0) == 12
    assert tf.parse_date(dt(2024, 1, 2, 13, 5)) == "2024-01-02"
    assert tf.parse_date(45292, ["excel"]) == "2024-01-01"
    with pytest.raises(InputError, match="outside"):
        tf.parse_date(date(1785, 1, 1))


@pytest.mark.parametrize("cell", ["030426", "040126", "0612", "-0123456789"])
def test_a_digit_cell_with_a_leading_zero_is_no_serial_and_no_epoch(cell: str) -> None:
    """v10r19 S2 (6 of 6): init-mapping proposed "excel" for MMDDYY cells (030426) and the
    import wrote 1983-04-20, 2009-11-09...: no program writes a serial or an epoch with a
    leading zero. Refused under every token, naming the way (a pattern); init-mapping
    proposes no token for such a column; the pattern reads it."""
    from jobs.mapping.starter import _date_token

    for token in ("excel", "unix", "unix_ms"):
        with pytest.raises(InputError, match="leading zero"):
            tf.parse_date(cell, [token])
    assert _date_token({"c": [cell, "45292"]}, "c") is None
    assert tf.parse_date("030426", ["excel", "%m%d%y"]) == "2026-03-04"


def test_excel_60_as_text_names_the_day_that_never_was() -> None:
    """v10r24: the text cell ``60`` under "excel" got the epoch hint ("fits no date unit");
    as a number it said what it is: Excel's non-existent 1900-02-29."""
    with pytest.raises(InputError, match="1900-02-29, a day that never was"):
        tf.parse_date("60", ["excel"])
