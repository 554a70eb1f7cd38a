"""Inputs that used to import as wrong data without any error (issue 10, a tester's
findings F2-F7, L2): each now fails its row naming the problem, or reads right."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.manifest_json import flatten
from bulk.manifest_xlsx import CurrencyNumber
from jobs.catalog import Catalog
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_mapping_rules import fails, mapped, mapper


def _row(m: Any, record: dict[str, Any]) -> SourceRow:
    return SourceRow(5, 6, {"id": "k1", "t": "Deal", **flatten(record)})


# ---------------------------------------------------------------- F4: JSON types

@pytest.mark.parametrize("amount", [{"value": 5, "currency": "EUR"}, {}])
def test_an_object_where_an_amount_is_expected_fails_its_row(
        catalog: Catalog, amount: object) -> None:  # noqa: F811
    m = mapper(catalog, 'value = "amount"')
    with pytest.raises(Exception, match="expected an amount, got an object") as info:
        m.map(_row(m, {"amount": amount}))
    assert getattr(info.value, "row", None) == 5


def test_an_object_title_is_not_an_empty_title(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog)
    with pytest.raises(Exception, match="expected text, got an object"):
        m.map(SourceRow(5, 6, {"id": "k1", **flatten({"t": {"en": "Deal"}})}))


@pytest.mark.parametrize(("deal", "cells", "reason"), [
    ('value = "Amount"', {"Amount": True}, "expected an amount, got a boolean"),
    ('value = "Amount"', {"Amount": [{"v": 1}]}, "expected an amount, got an object"),
    ('probability = "P"', {"P": False}, "got a boolean"),
    ('expected_close_date = "D"', {"D": True}, "expected a date, got a boolean"),
])
def test_a_cell_of_the_wrong_json_type_fails(catalog: Catalog, deal: str,  # noqa: F811
                                             cells: dict[str, Any], reason: str) -> None:
    fails(mapper(catalog, deal), reason, **cells)


# ---------------------------------------------------------------- F6: source keys

@pytest.mark.parametrize(("cell", "key"), [(9001.0, "9001"), (1000.0, "1000"), (9001, "9001"),
                                           ("A-7", "A-7"), (2 ** 70, str(2 ** 70)),
                                           (999999999999999.0, "999999999999999"),
                                           ("1E5", "1E5"), ("1.2E+15-A", "1.2E+15-A"),
                                           ("1.5e+15", "1.5e+15"), ("1001.0", "1001"),
                                           (" 1001.00 ", "1001"), ("-7.0", "-7"),
                                           ("1001.5", "1001.5"), ("1.0.0", "1.0.0"),
                                           ("v1.0", "v1.0"), (".0", ".0"),
                                           (CurrencyNumber("123 $"), "123"),
                                           (CurrencyNumber("456.0 €"), "456"),
                                           ("1,00", "1,00"), ("A,001", "A,001"),
                                           ("10.5", "10.5"), ("1.0001", "1.0001"),
                                           ("1,2E5", "1,2E5"), ("1.00.000", "1.00.000"),
                                           ("0.001", "0.001"), ("0 001", "0 001"),
                                           ("#NA", "#NA")])
def test_a_source_key_is_exact_text(catalog: Catalog, cell: object,  # noqa: F811
                                    key: str) -> None:
    m = mapper(catalog)
    assert m.map(SourceRow(5, 6, {"id": cell, "t": "Deal"})).key == key


@pytest.mark.parametrize(("cell", "reason"), [
    (4.876876000000413e+18, "too large to be an exact key"),
    # Excel keeps 15 digits: a 16-digit id typed in a number cell lost its last digit
    (1234567890123450.0, "too large to be an exact key"),
    # a CSV saved from Excel keeps a long id as shown: six digits
    ("1.23457E+15", "Excel shows it in scientific notation"),
    (" 4.1E+12 ", "Excel shows it in scientific notation"),
    ("-1E+15", "Excel shows it in scientific notation"),
    # x9r1: as a decimal-comma locale's Excel shows it (a second record overwrote a deal)
    ("1,23457E+11", "Excel shows it in scientific notation"),
    ("9,87654E+09", "Excel shows it in scientific notation"),
    # v10r25 F1: another export's header line joined below (its other columns renamed)
    ("ID", "the key column's own name"),
    # v10r26 S1/S2: an id column in a currency format; ids Excel took for dates / times
    (CurrencyNumber("1234.5 $"), "not a whole number"),
    (date(2026, 1, 2), "cannot be an id"),
    (datetime(2026, 1, 2, 10, 30), "cannot be an id"),
    (time(10, 30), "cannot be an id"),
    # v10r27 F1, F5: a CSV save of "Comma Style" ids; of an error cell
    ("1,001", "thousands separators"), ("-12,345,678", "thousands separators"),
    # ... and as other locales group them (x9r1's class)
    ("1.001", "thousands separators"), ("12.345.678", "thousands separators"),
    ("1 001", "thousands separators"), ("1\u00a0001", "thousands separators"),
    ("1\u202f234\u202f567", "thousands separators"), ("1'001", "thousands separators"),
    ("#N/A", "formula that failed"), ("#ref!", "formula that failed"),
    (12.5, "not a whole number"),
    (True, "got a boolean"),
])
def test_a_key_that_is_not_exact_fails_its_row(catalog: Catalog, cell: object,  # noqa: F811
                                               reason: str) -> None:
    m = mapper(catalog)
    with pytest.raises(Exception, match=reason) as info:
        m.map(SourceRow(5, 6, {"id": cell, "t": "Deal"}))
    assert getattr(info.value, "row", None) == 5


def test_json_float_keys_normalize(catalog: Catalog) -> None:  # noqa: F811
    from bulk.manifest_json import loads_exact
    m = mapper(catalog)
    for raw, key in ((b'{"id": 9001.0, "t": "x"}', "9001"), (b'{"id": 1e3, "t": "x"}', "1000")):
        assert m.map(SourceRow(1, 1, flatten(loads_exact(raw)))).key == key


def test_mapped_smoke(catalog: Catalog) -> None:  # noqa: F811
    assert mapped(mapper(catalog, 'value = "Amount"'), Amount="12")["value"] == 12


# ---------------------------------------------------------------- L2: stored doubles

@pytest.mark.parametrize(("cell", "value"), [(0.30000000000000004, 0.3),
                                             (59.97000000000001, 59.97), (12.5, 12.5)])
def test_a_stored_double_is_read_as_excel_shows_it(catalog: Catalog, cell: float,  # noqa: F811
                                                   value: float) -> None:
    assert mapped(mapper(catalog, 'value = "Amount"'), Amount=cell)["value"] == value
    m = mapper(catalog, 'probability = "P"')
    assert mapped(m, P=cell)["probability"] == value


# ---------------------------------------------------------------- F5: 1904 workbooks

def test_a_1904_workbook_refuses_the_1900_excel_token(tmp_path: Any) -> None:
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from bulk.errors import InputError
    from bulk.manifest import date_system
    from jobs.mapping import Mapping
    from jobs.transforms import parse_date

    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append(["id", "t", "close"])
    book.active.append(["k1", "Deal", 45292 - 1462])  # 2024-01-01 as Mac Excel stores it
    book.save(tmp_path / "mac.xlsx")
    plain = openpyxl.Workbook()
    plain.active.append(["id", "t"])
    plain.save(tmp_path / "win.xlsx")
    assert date_system(tmp_path / "mac.xlsx") == 1904
    assert date_system(tmp_path / "win.xlsx") == 1900
    assert date_system(tmp_path / "m.csv") is None
    text = ('[import]\nkey_column = "id"\n[deal]\ntitle = "t"\n'
            'expected_close_date = {{ column = "close", formats = ["{}"] }}\n')
    with pytest.raises(InputError, match=r"1904 date system.*4 years and 1 day early"):
        Mapping.loads(text.format("excel")).check_date_system(1904)
    with pytest.raises(InputError, match='use "excel"'):
        Mapping.loads(text.format("excel_1904")).check_date_system(1900)
    Mapping.loads(text.format("excel_1904")).check_date_system(1904)
    Mapping.loads(text.format("excel")).check_date_system(None)
    assert parse_date(45292 - 1462, ["excel_1904"]) == "2024-01-01"
    assert parse_date("0", ["excel_1904"]) == "1904-01-01"


# ---------------------------------------------------------------- F2: one column, one mark

def _column(catalog: Catalog, cells: list[str], deal: str = 'value = "Amount"') -> list[Any]:  # noqa: F811
    """The values the cells map to, as a load maps them: the column's decimal mark learned
    from every cell first (``RowMapper.learn_marks``), then each row mapped."""
    m = mapper(catalog, deal)
    rows = [SourceRow(n, n + 1, {"id": f"k{n}", "t": "D", "Amount": cell})
            for n, cell in enumerate(cells, 1)]
    m.learn_marks(rows)
    out: list[Any] = []
    for row in rows:
        try:
            out.append(m.map(row).deal.get("value"))
        except Exception as exc:
            assert "decimal" in str(exc) and getattr(exc, "row", None) == row.row
            out.append("error")
    return out


def test_an_ambiguous_cell_reads_with_the_mark_the_whole_column_shows(
        catalog: Catalog) -> None:  # noqa: F811
    """... unless that reading has more decimals than the currency has (x21r3 F1: '1,234'
    is 1.234 dollars or 1234 dollars: the row fails naming both)."""
    cells = ["1.234,56 \u20ac", "(9.500,00)", "12,5", "0,125", "1.234", "1,234"]
    assert _column(catalog, cells) == [1234.56, -9500, 12.5, 0.125, 1234, "error"]


def test_an_ambiguous_cell_before_the_columns_evidence_reads_by_it(
        catalog: Catalog) -> None:  # noqa: F811
    """The mark is a whole-file decision: '1.500' before '1.234,56' is 1500, not 1.5."""
    # the cell the mark reads with three decimals fails (x21r3 F1: 1.5 dollars or 1500)
    assert _column(catalog, ["1.500", "1,500", "1.234,56"]) == [1500, "error", 1234.56]
    assert _column(catalog, ["1,500", "1.500", "1,234.56"]) == [1500, "error", 1234.56]


def test_an_ambiguous_cell_in_a_column_without_evidence_is_a_row_error(
        catalog: Catalog) -> None:  # noqa: F811
    """No cell shows the mark (or cells show both): '1,500' is refused, never guessed."""
    assert _column(catalog, ["1,500", "2.500", "7"]) == ["error", "error", 7]
    assert _column(catalog, ["12.5", "12,5", "1.500"]) == [12.5, 12.5, "error"]
    m = mapper(catalog, 'value = "Amount"')
    with pytest.raises(Exception, match=r"ambiguous number '1,500': set decimal = \",\" or "
                       r"\"\.\".*1500 or 1\.5;.*no cell of this column shows"):
        m.map(SourceRow(1, 2, {"id": "k", "t": "D", "Amount": "1,500"}))  # never learned


def test_us_exports_keep_working(catalog: Catalog) -> None:  # noqa: F811
    assert _column(catalog, ["1,234", "$1,234.50", "1,234", "12.5", "1.234", "1,000,000"]) \
        == [1234, 1234.5, 1234, 12.5, "error", 1000000]  # 1.234 dollars or 1234 (x21r3 F1)


def test_a_fixed_decimal_mark_reads_every_cell_one_way(catalog: Catalog) -> None:  # noqa: F811
    assert _column(catalog, ["1.234,56", "1.234", "12,5"],
                   'value = { column = "Amount", decimal = "," }') == [1234.56, 1234, 12.5]


# v10r9 S4: (cells, contested?) — contested when the column's mark would read more of its
# ambiguous cells with three decimals than there are cells agreeing with the mark
CONTESTS = [
    ([f"{n},000" for n in range(1, 21)] + ["0,5"], True),  # the tester's us.csv
    (["0,5", "1,000", "2,000"], True), (["12.5", "1.500", "2.000"], True),
    (["1,000", "2,000", "0,5", "1.234,56", "7,25"], False),  # three agree: two are outnumbered
    (["1,500", "12,5"], False), (["1'000.-", "1.500"], False),
    (["1.500", "1,500", "1.234,56"], False), (["1.234,56", "1.500", "2.000", "12,5"], False),
    (["1,234", "$1,234.50", "1,234", "12.5", "1.234", "1,000,000"], False),
]


@pytest.mark.parametrize(("cells", "contested"), CONTESTS)
def test_a_column_whose_mark_would_read_thousands_as_fractions_is_contested(
        catalog: Catalog, cells: list[str], contested: bool) -> None:  # noqa: F811
    """One '0,5' among twenty '1,000' … '20,000' made ',' the column's decimal mark and the
    twenty 1 … 20 (v10r9 S4): learning the marks refuses such a column, naming it, a cell
    of each reading with its row, and the fix; clean EU and US columns read as before."""
    from jobs.mapping.rowmapper import DecimalContested

    m = mapper(catalog, 'value = "Amount"')
    rows = [SourceRow(n, n + 1, {"id": f"k{n}", "t": "D", "Amount": cell})
            for n, cell in enumerate(cells, 1)]
    if not contested:
        m.learn_marks(rows)
        return
    with pytest.raises(DecimalContested) as info:
        m.learn_marks(rows)
    reason = str(info.value)
    assert reason.startswith("the decimal mark of column 'Amount' is contested: ")
    decisive = next(c for c in cells if c in ("0,5", "12.5"))
    assert f"{decisive!r} (row {cells.index(decisive) + 1}) shows" in reason
    assert f"such as {cells[1] if decisive == cells[0] else cells[0]!r} (row" in reason
    assert "say which on this field: decimal = " in reason


# ---------------------------------------------------------------- F2/F3: init-mapping

def _defaults(catalog: Catalog, samples: dict[str, list[str]]) -> str:  # noqa: F811
    from jobs.mapping import init_mapping
    text = init_mapping(["id", "Deal Name", "Amount", "Close Date"], catalog, samples=samples)
    return text.split("[defaults]")[1].split("[deal]")[0]


@pytest.mark.parametrize(("amounts", "line"), [
    (["1.234,56 \u20ac", "(9.500,00)", "12,5", "0,125", "1.234"], 'decimal = ","'),
    (["$1,234.50", "1,234", "12.5"], 'decimal = "."'),
    (["1,234", "5,000"], "# TODO: is '1,234' a whole number (a US file)"),
    (["7", "12"], 'decimal = "auto"'),
    (["$1,234.50", "1.234,50 \u20ac"], 'decimal = "auto"'),
    (["$1,234.50", "1.234,50 \u20ac", "1.234"], "# TODO: the sampled amounts write both"),
    (["1.234", "5.000"], "# TODO: is '1.234' a whole number"),
    # v10r9 S4: the proposal a lone '0,5' would make is a TODO, not a decision
    (["1,000", "2,000", "3,000", "0,5"], "# TODO: the decimal mark of column 'Amount' is "
                                         "contested: '0,5' shows ','"),
    (["1,000", "2,000", "3,000", "0,5"], '\n# decimal = ","'),
])
def test_init_mapping_proposes_the_decimal_mark_the_samples_show(
        catalog: Catalog, amounts: list[str], line: str) -> None:  # noqa: F811
    assert line in _defaults(catalog, {"Amount": amounts})


@pytest.mark.parametrize(("dates", "line"), [
    (["31/12/2025", "01/02/2026", "05/03/2026"], 'date_formats = ["%d/%m/%Y"]'),
    (["12/31/2025", "01/02/2026"], 'date_formats = ["%m/%d/%Y"]'),
    # 95 is no day: day first (31.12.25 may be 2031-12-25 too, x50r3 F3: both listed)
    (["31.12.95", "2026-01-02"], 'date_formats = ["%d.%m.%y"]'),
    (["01/02/2026", "05/03/2026"], "# TODO: the sampled dates (like '01/02/2026') cannot tell"),
    # the example is the file's own (v10r12: '01.02.2026' quoted for 05.03.2026-07.03.2026)
    (["05.03.2026", "07.03.2026"], "# TODO: the sampled dates (like '05.03.2026') cannot tell"),
    (["31/12/2025", "12/31/2025"],
     "# TODO: the sampled dates of column 'Close Date' show both orders"),
    # v10r13 M3: a date with a time the proposed pattern did not read; x10r1 M1: dates
    # that all have a time (Excel re-saving a HubSpot close date) got no pattern at all
    (["2026-03-31 14:00", "04/30/2026 09:00", "12/31/2026"],
     'date_formats = ["%m/%d/%Y %H:%M", "%m/%d/%Y"]'),
    (["15.03.2026 00:00", "01.02.2026 00:00"], 'date_formats = ["%d.%m.%Y %H:%M"]'),
    (["04/30/2026 9:05 PM"], 'date_formats = ["%m/%d/%Y %I:%M %p"]'),
    (["01.02.2026 00:00", "03.04.2026 00:00"],
     "cannot tell day first from month first: list '%d.%m.%Y %H:%M' or '%m.%d.%Y %H:%M'"),
])
def test_init_mapping_proposes_only_the_date_order_every_sample_allows(
        catalog: Catalog, dates: list[str], line: str) -> None:  # noqa: F811
    defaults = _defaults(catalog, {"Close Date": dates})
    assert line in defaults
    listed = next(li for li in defaults.splitlines() if li.startswith("date_formats"))
    assert "%m/%d/%Y" not in listed or "%d/%m/%Y" not in listed


def test_two_date_columns_each_in_its_own_order_get_a_todo_naming_each() -> None:
    """x15r2 5: Close Date month first, Renewal Date day first: the TODO said "the sampled
    dates show both orders ... list the right one", and either one failed every row of the
    other column. It names each column with its order and says to give one its own
    formats."""
    from jobs.mapping.starter import _date_format_lines

    lines = _date_format_lines({"Close Date": ["03/18/2027", "04/01/2027"],
                                "Renewal Date": ["19/02/2027"]},
                               ["Close Date", "Renewal Date"])
    (todo,) = [li for li in lines if li.startswith("# TODO")]
    assert "column 'Renewal Date' has its dates day first ('19/02/2027'), column " \
           "'Close Date' month first ('03/18/2027')" in todo, todo
    assert "formats = [\"%d/%m/%Y\"] on 'Renewal Date'" in todo, todo


def test_a_mapping_listing_both_date_orders_is_refused() -> None:
    from jobs.mapping import Mapping, MappingError
    with pytest.raises(MappingError, match="both listed"):
        Mapping.loads('[import]\nkey_column = "id"\n[defaults]\n'
                      'date_formats = ["%m/%d/%Y", "%d/%m/%Y"]\n[deal]\ntitle = "t"\n')
    Mapping.loads('[import]\nkey_column = "id"\n[defaults]\n'
                  'date_formats = ["%m/%d/%Y", "%d.%m.%Y"]\n[deal]\ntitle = "t"\n')
    Mapping.loads('[import]\nkey_column = "id"\n[defaults]\n'
                  'date_formats = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]\n[deal]\ntitle = "t"\n')


@pytest.mark.parametrize(("cell", "fmt", "expected"), [
    ("20240304", "%Y%m%d", "2024-03-04"),
    ("2024111", "%Y%m%d", "needs 8 digits where '2024111' has 7"),  # was 2024-11-01
    ("202411", "%Y%m%d", "needs 8 digits where '202411' has 6"),  # was 2024-01-01
    ("04.03.2024 930", "%d.%m.%Y %H%M", "needs 4 digits"),
    ("04.03.2024 0930", "%d.%m.%Y %H%M", "2024-03-04"),
    ("3/4/2024", "%m/%d/%Y", "2024-03-04"),  # separated fields may drop their zero
])
def test_run_together_date_digits_must_be_exactly_as_many_as_the_pattern_needs(
        cell: str, fmt: str, expected: str) -> None:
    """strptime splits ``202411`` by ``%Y%m%d`` as 2024-1-1 (v10r6 s13): a run of
    directives with nothing between them needs all its digits."""
    from bulk.errors import InputError
    from jobs.transforms import parse_date
    if expected[0].isdigit():
        assert parse_date(cell, formats=[fmt]) == expected
    else:
        with pytest.raises(InputError, match=expected):
            parse_date(cell, formats=[fmt])


@pytest.mark.parametrize("formats", ['"%y/%m/%d", "%d/%m/%y"', '"%Y%m%d", "%Y%d%m"',
                                     '"%d-%m-%Y", "%m-%d-%Y"',
                                     '"%d/%m/%y", "%m/%d/%Y"',  # orders across year lengths
                                     # whatever time part either has (v10r6 s3)
                                     '"%d/%m/%Y %H:%M", "%m/%d/%Y"',
                                     '"%m/%d/%Y", "%d/%m/%YT%H:%M:%S"',
                                     '"%d-%m-%y %I:%M %p", "%m-%d-%Y"',
                                     # a year written first beside a time (x51r2 F2)
                                     '"%d/%m/%y %H:%M", "%y/%m/%d"',
                                     '"%y/%m/%d", "%m/%d/%y %I:%M %p"',
                                     '"%d.%m.%y %H:%M", "%y.%m.%d"'])
def test_any_two_patterns_reading_one_text_as_two_dates_are_refused(formats: str) -> None:
    """Not only the exact day/month swap: any two listed patterns that read one text
    ('25/03/04') as two dates — the first that fits would decide, cell by cell."""
    from jobs.mapping import Mapping, MappingError
    # a text read both ways is named; one no pattern of the pair reads is not (x49r12 F5)
    with pytest.raises(MappingError, match=r"both listed: ('[0-9/-]+' reads as|they read no "
                       r"text alike, but (day and month in opposite orders|the year first in one))"):
        Mapping.loads('[import]\nkey_column = "id"\n[deal]\ntitle = "t"\n'
                      f'expected_close_date = {{ column = "c", formats = [{formats}] }}\n')


# ---------------------------------------------------------------- F7: currency formats

def test_xlsx_currency_formats_carry_the_currency(tmp_path: Any, catalog: Catalog) -> None:  # noqa: F811
    import openpyxl

    from bulk.manifest import read_manifest
    from jobs.transforms import cell_types, typed_values

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["id", "t", "Amount"])
    for n, fmt in enumerate(['[$\u20ac-407]#,##0.00', '[$\u00a3-809]#,##0.00', '\u20ac#,##0',
                             '"$"#,##0', '#,##0.00', '0%'], 1):
        ws.append([f"k{n}", "Deal", 1234.5 if fmt != "0%" else 0.25])
        ws.cell(row=n + 1, column=3).number_format = fmt
    book.save(tmp_path / "m.xlsx")
    m = mapper(catalog, 'value = "Amount"')  # default currency EUR (BASE)
    rows = list(read_manifest(tmp_path / "m.xlsx"))
    got = [(r.deal.get("value"), r.deal.get("currency")) for r in map(m.map, rows[:5])]
    assert got == [(1234.5, "EUR"), (1234.5, "GBP"), (1234.5, "EUR"), (1234.5, "USD"),
                   (1234.5, "EUR")]
    # a percentage is no amount (x21r3 F6: 0.25 under 0% was the value 25 EUR)
    with pytest.raises(InputError, match=r"column 'Amount'.*'25%' is a percentage"):
        m.map(rows[5])
    # a stored row (job store, retry) reads back the same
    values = rows[1].values
    again = typed_values({k: str(v) if k == "Amount" else v for k, v in values.items()},
                         cell_types(values))
    assert m.map(SourceRow(1, 2, again)).deal["currency"] == "GBP"
    # a number target takes the amount alone
    from jobs.transforms import parse_number
    assert parse_number(values["Amount"]) == 1234.5


def test_plan_reason_classes_keep_the_wording_numbers() -> None:
    from jobs.planning import reason_class
    assert reason_class("'31.12.25': it has a 2-digit year", "d") == "d: …: it has a 2-digit year"
    assert reason_class("too precise: 0.123 (more than 15 significant digits)", None) \
        == "too precise: … (more than 15 significant digits)"
    assert reason_class("too large: 1e20 (below 2^53 = 9,007,199,254,740,992)", None) \
        == "too large: 1e20 (below 2^53 = …)"


def test_fr_prefix_and_invalid_times() -> None:
    from bulk.errors import InputError
    from jobs.transforms import parse_date, parse_money
    assert parse_money("Fr. 1'234.50") == (1234.5, "CHF")
    # "Rs" is written by several rupees (v10r9 S2): the default currency decides, else the
    # row fails naming them, never a silent INR
    assert parse_money("Rs. 1,234", default_currency="INR") == (1234, "INR")
    assert parse_money("Rs. 1,234", default_currency="PKR") == (1234, "PKR")
    with pytest.raises(InputError, match="INR, PKR, LKR"):
        parse_money("Rs. 1,234")
    for cell in ("2024-03-01T25:00:00", "2024-03-01T10:00:00+25:00", "2024-03-01T10:61"):
        with pytest.raises(InputError, match="no such time of day"):
            parse_date(cell)
    assert parse_date("2024-03-01T23:59:60Z") == "2024-03-01"


@pytest.mark.parametrize(("samples", "line"), [
    # another column's mark never decides this one's "1.500" (issue 10 F2)
    ({"Probability": ["12.5", "40"], "Amount": ["1.500", "2.000"]},
     "# TODO: is '1.500' a whole number (a decimal-comma file) or a fraction "
     "(column 'Amount')"),
    # each column shows its own mark: "auto" decides per column
    ({"Probability": ["12,5"], "Amount": ["1.500", "2.50"]}, 'decimal = "auto"'),
    ({"Probability": ["12.5"], "Amount": ["1,500.25", "3.000"]}, 'decimal = "."'),
])
def test_init_mapping_reads_each_columns_decimal_evidence_alone(
        catalog: Catalog, samples: dict[str, list[str]], line: str) -> None:  # noqa: F811
    from jobs.mapping import init_mapping
    from jobs.mapping.starter import TypedSample

    text = init_mapping(["id", "Deal Name", "Amount", "Probability"], catalog, samples=samples)
    assert line in text.split("[defaults]")[1].split("[deal]")[0]
    typed = {"Amount": [TypedSample(12.5), "1.500"]}
    text = init_mapping(["id", "Deal Name", "Amount"], catalog, samples=typed)
    assert "# TODO: is '1.500'" in text and '\ndecimal = "."' not in text
    text = init_mapping(["id", "Deal Name", "Amount"], catalog,
                        samples={"Amount": [TypedSample(12.5), TypedSample(1.5)]})
    assert 'decimal = "auto"  # or' in text


def test_init_mapping_samples_typed_xlsx_numbers_as_no_evidence(
        tmp_path: Any, catalog: Catalog) -> None:  # noqa: F811
    """Issue 10 F2, as `pdbulk init-mapping` samples an XLSX: the typed 12.5 (Probability)
    and 2.25 (Amount) carry no mark, so the text "1.500" in Amount gets a TODO, never
    decimal = "."."""
    import openpyxl

    from jobs.mapping import init_mapping
    from pdbulk.cli_import import _samples

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["id", "Deal Name", "Amount", "Probability"])
    ws.append(["k1", "A", "1.500", 12.5])
    ws.append(["k2", "B", 2.25, 40])
    book.save(tmp_path / "s.xlsx")
    samples = _samples(tmp_path / "s.xlsx")
    text = init_mapping(["id", "Deal Name", "Amount", "Probability"], catalog, samples=samples)
    assert "# TODO: is '1.500' a whole number" in text and '\ndecimal = "."' not in text


@pytest.mark.parametrize("values", [
    ["TYPED:5000 $", "TYPED:7000 \u20ac"],  # XLSX cells formatted as currency
    ["$5,000.00", "7.000,00 EUR", "(9,500)"],  # amounts written as text
    ["15 %", "20%"],
])
def test_init_mapping_never_names_persons_after_amounts(
        catalog: Catalog, values: list[str]) -> None:  # noqa: F811
    """A column 'Contact' of amounts is not a person's name: it is left out, like a column
    of bare numbers (fresh tester v10r4 F3: currency-formatted XLSX cells were proposed,
    and the import made persons named '5000 $')."""
    from jobs.mapping import init_mapping
    from jobs.mapping.starter import TypedSample

    sampled = [TypedSample(v[6:]) if v.startswith("TYPED:") else v for v in values]
    text = init_mapping(["id", "Deal Name", "Contact"], catalog,
                        samples={"Contact": sampled, "Deal Name": ["Big deal"]})
    assert 'name = "Contact"' not in text, text
    assert "Contact" in next(li for li in text.splitlines() if li.startswith("# Left out"))
    names = init_mapping(["id", "Deal Name", "Contact"], catalog,
                         samples={"Contact": ["Ann Lee", "R2 Partners"]})
    assert 'name = "Contact"' in names


@pytest.mark.parametrize(("name", "lines"), [
    ("b.jsonl", ['{"id": "0", "d": "D0", "associations": {"companies": [9000]}}',
                 '{"id": "1", "d": "D1", "associations": {"companies": [9001, 9002]}}']),
    ("c.jsonl", ['{"id": "0", "d": "D0", "associations": {"companies": ["9000", "8000"]}}']),
    ("ids.csv", ["id,d,Associated Company,Associated Contact",
                 '1,A,"9000;9001","5001;5002"', "2,B,9002,5003", '3,C,"9003, 9004",[5004]']),
])
def test_init_mapping_never_names_after_lists_of_ids(
        catalog: Catalog, tmp_path: Any, name: str, lines: list[str]) -> None:  # noqa: F811
    """HubSpot association ids as JSON lists ([9000], ["9000", "8000"]) or separated in
    one cell (9000;9001) are not organization / person names (v10r6 s6: proposed, the
    import made organizations named '9000')."""
    from jobs.mapping import init_mapping
    from pdbulk.cli_import import _samples

    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    samples = _samples(path)
    header = list(samples)
    text = init_mapping(header, catalog, samples=samples)
    for column in header[2:]:
        assert f'name = "{column}"' not in text, text
        assert f'name = {{ column = "{column}"' not in text, text
    names = init_mapping(["id", "d", "Associated Company"], catalog,
                         samples={"Associated Company": ["Acme; Beta", "[\"R2\"]"]})
    assert 'name = "Associated Company"' in names


def test_init_mapping_never_names_persons_after_their_addresses(catalog: Catalog) -> None:  # noqa: F811
    """HubSpot's 'Associated Contact' holds 'Ann Lee (ann@initech.example)': proposed as the
    person's name it made persons named with their address and no e-mail (fresh tester
    v10r5 finding 9). With no name or e-mail column of its own, it is now proposed as
    both (x35r1 4): one column read as both is the name beside the address and the address
    (x34r1, tests/test_associated_contact_cells.py); beside an e-mail column of its own it
    is left out, with a note."""
    from jobs.mapping import init_mapping

    samples = {"Contact": ["Ann Lee (ann@initech.example)", "Bo Chen (bo@umbrella.example)"]}
    text = init_mapping(["id", "Deal Name", "Contact"], catalog, samples=samples)
    assert 'name = "Contact"' in text and 'email = "Contact"' in text, text
    text = init_mapping(["id", "Deal Name", "Contact", "Email"], catalog, samples={
        **samples, "Email": ["ann@initech.example", "bo@umbrella.example"]})
    assert 'name = "Contact"' not in text, text
    assert "hold e-mail addresses" in text and "Contact" in text.split("hold e-mail")[1]


def test_a_decimal_mark_a_tie_decided_is_said(catalog: Catalog) -> None:  # noqa: F811
    """x14r1 F5: "$1,200" beside "1 234,50" updated a deal to 1.2 dollars, with no note: as
    many cells agree with the column's ',' as it reads with three decimals, so the mark
    stands (as designed: ``contest``), but the plan now says which reading it took and how
    to take the other. A column that is not tied says nothing."""
    m = mapper(catalog, 'value = "Amount"')
    rows = [SourceRow(n, n + 1, {"id": f"k{n}", "t": "D", "Amount": cell})
            for n, cell in enumerate(["$1,200", "1 234,50"], 1)]
    m.learn_marks(rows)
    # x21r3 F1: the reading taken has 3 decimals, more than a dollar has: the row fails
    with pytest.raises(InputError, match=r"'\$1,200': 1.2 with ',' as the decimal mark.*"
                       r"or 1200 with ',' grouping"):
        m.map(rows[0])
    # x22r2 / f21e: the note says what the row gets (it fails), not a reading of 1.2
    (note,) = m.mark_notes()
    assert "is read as" not in note, note
    assert note.startswith("column 'Amount': '$1,200' (row 1) reads 1.2 with the column's "
                           "decimal mark ','") and "fails as ambiguous (1.2 or 1200)" in note \
        and 'set decimal = "." on this field' in note, note
    plain = mapper(catalog, 'value = "Amount"')
    plain.learn_marks([SourceRow(n, n + 1, {"id": f"k{n}", "t": "D", "Amount": c})
                       for n, c in enumerate(["1,200", "1,500.50", "7"], 1)])
    assert plain.mark_notes() == []
