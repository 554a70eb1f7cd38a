"""Cells of real exports that imported wrong or were refused for no reason (issue 10,
tester round v10r7): Swiss "no cents" amounts, locale strptime directives, the
national (0) in international phones, zero-padded XLSX ids, locale-tagged dollar
formats, whole-number YYYYMMDD dates, a "$" next to its dollar code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_mapping_rules import mapper
from tests.test_silent_wrong_data import _column

# ---------------------------------------------------------------- S1: Swiss "no cents"


@pytest.mark.parametrize(("cell", "amount", "currency"), [
    ("1.000.-", Decimal(1000), "CHF"),
    ("Fr. 12.500.-", Decimal(12500), "CHF"),
    ("10.000.-", Decimal(10000), "CHF"),
    ("1.000.- \u20ac", Decimal(1000), "EUR"),
    ("1.000.--", Decimal(1000), "CHF"),
    ("1.000,-", Decimal(1000), "CHF"),
    ("1.000,\u2013", Decimal(1000), "CHF"),  # an en dash
    ("1'000.-", Decimal(1000), "CHF"),
    ("1.000.000.-", Decimal(1000000), "CHF"),
    ("100.-", Decimal(100), "CHF"),
])
@pytest.mark.parametrize("decimal", ["auto", ",", "."])
def test_a_no_cents_amount_is_a_whole_number_whatever_the_decimal_mark(
        cell: str, amount: Decimal, currency: str, decimal: Any) -> None:
    """The `.-` ending means "no cents": every mark before it groups thousands."""
    from jobs.transforms import parse_money
    assert parse_money(cell, default_currency="CHF", decimal=decimal) == (amount, currency)


def test_a_no_cents_amount_with_bad_grouping_is_refused() -> None:
    from jobs.transforms import parse_money
    with pytest.raises(InputError, match="bad digit grouping"):
        parse_money("12.5.-", decimal=",")


def test_a_no_cents_cell_repeating_its_mark_votes_the_other_mark(
        catalog: Catalog) -> None:  # noqa: F811
    """'1.000.-' shows '.' as a thousands mark: the column's '1.500' is 1500, not 1.5."""
    assert _column(catalog, ["1.000.-", "1.500"]) == [1000, 1500]
    # 1.5 or 1500 dollars: more decimals than a dollar has, the row fails (x21r3 F1)
    assert _column(catalog, ["1'000.-", "1.500"]) == [1000, "error"]
    assert _column(catalog, ["1.000,-", "1.500"]) == [1000, 1500]


# ---------------------------------------------------------------- S2: strptime directives

def _load_formats(formats: str) -> None:
    from jobs.mapping import Mapping
    Mapping.loads('[import]\nkey_column = "id"\n[defaults]\n'
                  f'date_formats = [{formats}]\n[deal]\ntitle = "t"\n')


@pytest.mark.parametrize(("formats", "reason"), [
    ('"%d/%m/%Y", "%x"', r"%x depends on the locale.*'%m/%d/%y'"),
    ('"%d/%m/%Y %X"', "%X depends on the locale"),
    ('"%c"', "%c depends on the locale"),
    ('"%e.%m.%Y"', "%e is not a directive strptime reads"),
    ('"%D"', "%D is not a directive"),
    ('"%Y-%m-%d %"', "a lone '%'"),
])
def test_locale_and_unknown_strptime_directives_are_refused(formats: str, reason: str) -> None:
    """%x hides its day/month order from the order check; %e never matches a cell."""
    from jobs.mapping import MappingError
    with pytest.raises(MappingError, match=reason):
        _load_formats(formats)


def test_english_month_names_and_literal_percent_stay_allowed() -> None:
    _load_formats('"%d %b %Y", "%B %d, %Y", "%Y-%m-%d %H:%M %p", "%d%%%m", "%Y-%m-%dT%H:%M%:z"')


# ---------------------------------------------------------------- S3: phones


@pytest.mark.parametrize(("cell", "expected"), [
    ("+49 (0)30 1234567", "+49301234567"),
    ("+44 (0) 20 7946 0018", "+442079460018"),
    ("+33 (0)1 23 45 67 89", "+33123456789"),
    ("0049(0)30 1234567", "+49301234567"),
    ("+41-(0)44-123 45 67", "+41441234567"),
    ("(0)30 1234567", "0301234567"),  # national: the 0 is dialled
    ("+1 (212) 555-0100", "+12125550100"),
])
def test_the_trunk_zero_after_a_country_code_is_dropped(cell: str, expected: str) -> None:
    """In the normal form two spellings are compared by (the cell is sent as written)."""
    from jobs.transforms import normal_phone
    assert normal_phone(cell) == expected


# ---------------------------------------------------------------- S4, S5: XLSX formats

def _sheet(tmp_path: Any, cells: list[tuple[object, str]]) -> list[Any]:
    import openpyxl

    from bulk.manifest import read_manifest
    book = openpyxl.Workbook()
    book.active.append(["id", "t", "Value"])
    for n, (value, fmt) in enumerate(cells, 1):
        book.active.append([f"k{n}", "Deal", value])
        book.active.cell(row=n + 1, column=3).number_format = fmt
    book.save(tmp_path / "m.xlsx")
    return list(read_manifest(tmp_path / "m.xlsx"))


def test_a_zero_padded_number_reads_as_excel_shows_it(tmp_path: Any,
                                                      catalog: Catalog) -> None:  # noqa: F811
    rows = _sheet(tmp_path, [(7770, "000000"), (1234, "00000"), (7770, "0"),
                             (7770, "General"), (-5, "000"), (12.5, "0000"), (1234567, "000")])
    assert [r.values["Value"] for r in rows] == ["007770", "01234", 7770, 7770, "-005",
                                                 12.5, "1234567"]
    m = mapper(catalog, 'value = "Value"')  # a number target still reads the number
    assert m.map(rows[0]).deal["value"] == 7770


def test_a_dollar_format_tagged_with_a_locale_is_that_locales_dollar(
        tmp_path: Any, catalog: Catalog) -> None:  # noqa: F811
    rows = _sheet(tmp_path, [(1234.5, f"[$$-{tag}]#,##0.00")
                             for tag in ("C09", "1009", "1409", "409", "2409")])
    m = mapper(catalog, 'value = "Value"')  # default currency EUR
    got = [(r.deal.get("value"), r.deal.get("currency")) for r in map(m.map, rows[:4])]
    assert got == [(1234.5, "AUD"), (1234.5, "CAD"), (1234.5, "NZD"), (1234.5, "USD")]
    with pytest.raises(InputError, match=r"the locale 2409, not a US one.*ambiguous"):
        m.map(rows[4])  # no currency column, and the default (EUR) is no dollar anyway
    # v10r29 F1: a currency column decides which dollar, as for the text "$5.25" (the
    # refusal offered that fix and refused it all the same); a default never does
    priced = _sheet(tmp_path, [(5.25, "[$$-41D]#,##0.00")])
    with_column = mapper(catalog, 'value = "Value"\ncurrency = "Cur"')
    for code in ("CAD", "USD"):
        row = priced[0]._replace(values={**priced[0].values, "Cur": code})
        assert with_column.map(row).deal == {**with_column.map(row).deal, "value": 5.25,
                                             "currency": code}
    blank = priced[0]._replace(values={**priced[0].values, "Cur": ""})
    with pytest.raises(InputError, match=r"\$ of the locale 41D, not a US one"):
        with_column.map(blank)
    import jobs.transforms as tf

    money = tf.parse_money(priced[0].values["Value"], default_currency="USD", undecided=True)
    assert money is not None and money.currency is None  # a USD default does not decide
    with pytest.raises(InputError, match="not a US one"):
        tf.settle_currency(money, None)


def test_a_yen_krona_rand_or_rupee_format_tagged_with_a_locale_is_that_locales_currency(
        tmp_path: Any, catalog: Catalog) -> None:  # noqa: F811
    """v10r8: [$¥-804] (zh-CN) was read as yen; [$kr-41D] and [$R-1C09] were refused though
    their tags say which currency; [$Rs.-420] (ur-PK) was read as rupees of India."""
    tags = [("¥", "804"), ("¥", "411"), ("kr", "41D"), ("kr", "414"), ("kr.", "406"),
            ("R", "1C09"), ("Rs.", "420"), ("£", "C01"), ("£", "809"), ("元", "404")]
    rows = _sheet(tmp_path, [(5000, f"[${sym}-{tag}]#,##0.00") for sym, tag in tags])
    m = mapper(catalog, 'value = "Value"')  # default currency EUR
    got = [r.deal.get("currency") for r in map(m.map, rows)]
    # v10r10 M6: [$£-C01] (ar-EG) was read as GBP
    assert got == ["CNY", "JPY", "SEK", "NOK", "DKK", "ZAR", "PKR", "EGP", "GBP", "TWD"]


@pytest.mark.parametrize(("shown", "expected"), [
    ("#,##0.00\\ [$лв.-402]", "BGN"), ("[$RM-43E]#,##0.00", "MYR"),
    ("[$S/-280A]\\ #,##0.00", "PEN"), ("[$Lek-41C]#,##0", "ALL"),
    # a symbol known as a currency keeps its own reading, whatever the locale
    ("[$€-409]#,##0.00", "EUR"), ("[$CHF-407]#,##0.00", "CHF"),
])
def test_an_unknown_symbol_tagged_with_a_locale_is_that_locales_currency(
        tmp_path: Any, catalog: Catalog, shown: str, expected: str) -> None:  # noqa: F811
    """v10r9 M4: [$лв.-402], [$RM-43E] and [$S/-280A] failed as "unknown currency" though
    their locale tags (bg-BG, ms-MY, es-PE) say which currency."""
    rows = _sheet(tmp_path, [(5000, shown)])
    m = mapper(catalog, 'value = "Value"')  # default currency EUR
    assert [(r.deal.get("value"), r.deal.get("currency")) for r in map(m.map, rows)] == [
        (5000, expected)]


def test_a_number_short_of_a_pattern_s_digits_names_the_pattern() -> None:
    """v10r8 medium 6: a 7-digit number under "%Y%m%d" got a hint about epoch units, not
    the pattern it missed."""
    from jobs.transforms import parse_date
    with pytest.raises(InputError, match=r"'%Y%m%d' needs 8 digits where '4032025' has 7"):
        parse_date(4032025, ["%Y%m%d"])


# ---------------------------------------------------------------- M7, M8


@pytest.mark.parametrize(("cell", "formats", "expected"), [
    (20260305, ["%Y%m%d"], "2026-03-05"),
    (20260305.0, ["%d/%m/%Y", "%Y%m%d"], "2026-03-05"),
    (250305, ["%y%m%d"], "2025-03-05"),
])
def test_a_whole_number_reads_by_a_run_together_pattern(cell: object, formats: list[str],
                                                         expected: str) -> None:
    from jobs.transforms import parse_date
    assert parse_date(cell, formats) == expected


@pytest.mark.parametrize(("cell", "formats"), [
    (4032025, ["%d%m%Y"]),  # 04032025 lost its leading zero: refused, not 2025-03-40...
    (20260305.5, ["%Y%m%d"]),
    (20261305, ["%Y%m%d"]),
])
def test_a_number_a_pattern_cannot_read_whole_is_refused(cell: object,
                                                         formats: list[str]) -> None:
    from jobs.transforms import parse_date
    with pytest.raises(InputError, match="not a date"):
        parse_date(cell, formats)


@pytest.mark.parametrize(("cell", "default", "currency"), [
    ("$1,000.00 CAD", "EUR", "CAD"),
    ("1,000.00 $ AUD", "EUR", "AUD"),
    ("CAD $1,000.00", "USD", "CAD"),
    ("$1,000.00 USD", "CAD", "USD"),
    ("\u00a51,000 CNY", "EUR", "CNY"),
])
def test_a_dollar_sign_next_to_its_code_is_that_dollar(cell: str, default: str,
                                                       currency: str) -> None:
    from jobs.transforms import currency_choices, parse_money
    money = parse_money(cell, default_currency=default)
    assert money == (Decimal(1000), currency)
    assert currency_choices(money) == ()  # the code decided: no column may re-decide it


@pytest.mark.parametrize("cell", ["US$ 5 CAD", "\u20ac 5 USD", "CA$5 AUD"])
def test_two_different_currencies_are_still_refused(cell: str) -> None:
    from jobs.transforms import parse_money
    with pytest.raises(InputError, match="two currencies"):
        parse_money(cell)


def test_mapped_rows_read_the_same(catalog: Catalog) -> None:  # noqa: F811
    """The parsers' readings reach the deal through a mapping."""
    m = mapper(catalog, 'value = "Amount"')
    deal = m.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", "Amount": "$1,000.00 CAD"})).deal
    assert (deal["value"], deal["currency"]) == (1000, "CAD")


# ---------------------------------------------------------------- M5: JSON numbers


@pytest.mark.parametrize(("text", "reason"), [
    ("0.1234567890123456", "too precise"),
    ("0.30000000000000004", "too precise"),
    ("123456789012345.6", "too precise"),
    ("1e-400", "number too small"),
])
def test_a_json_number_fails_as_the_same_csv_text_does(catalog: Catalog, text: str,  # noqa: F811
                                                       reason: str) -> None:
    """A JSON number a double cannot hold is refused, never rounded (or sent as 0)."""
    from bulk.manifest_json import loads_exact
    m = mapper(catalog, 'value = "A"')
    for cell in (text, loads_exact(f'{{"A": {text}}}'.encode())["A"]):
        with pytest.raises(InputError, match=reason):
            m.map(SourceRow(1, 2, {"id": "k", "t": "D", "A": cell}))


def test_json_numbers_a_double_holds_stay_floats() -> None:
    from bulk.manifest_json import exact_float
    assert [type(exact_float(t)) for t in ("0.5", "1.5e-05", "12345678901234.5",
                                           "0.000123456789012345")] == [float] * 4


# ---------------------------------------------------------------- M6: serials


@pytest.mark.parametrize("cell", ["45.292", "1.000", "999.999"])
def test_a_serial_with_a_possible_thousands_mark_is_refused(cell: str) -> None:
    """'45.292' may be 45292 (2024-01-01) written with a thousands dot: never 1900-02-14."""
    from jobs.transforms import parse_date
    with pytest.raises(InputError, match="ambiguous Excel serial"):
        parse_date(cell, ["excel"])


@pytest.mark.parametrize(("cell", "expected"), [
    ("45292", "2024-01-01"), ("45292.125", "2024-01-01"), ("45.5", "1900-02-14"),
    (45.292, "1900-02-14"),  # a number carries no thousands mark
])
def test_unambiguous_serials_still_read(cell: object, expected: str) -> None:
    from jobs.transforms import parse_date
    assert parse_date(cell, ["excel"]) == expected
