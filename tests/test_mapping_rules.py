"""Field rules in the mapping: required, min/max, allowed, empty_values, date tokens and
window, title and key checks (issue 10 sections 3-5, issue 9 sections 6 and 11)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, MappingError, compile_mapping
from tests.test_mapping import catalog  # noqa: F401  (fixture)

BASE = """
[import]
key_column = "id"
[defaults]
currency = "EUR"
{defaults}
[deal]
title = "t"
{deal}
"""


def mapper(catalog: Catalog, deal: str = "", defaults: str = "") -> Any:  # noqa: F811
    return compile_mapping(Mapping.loads(BASE.format(deal=deal, defaults=defaults)), catalog)


def mapped(m: Any, **cells: Any) -> dict[str, Any]:
    result: dict[str, Any] = m.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", **cells})).deal
    return result


def fails(m: Any, reason: str, **cells: Any) -> InputError:
    with pytest.raises(InputError, match=reason) as info:
        m.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", **cells}))
    assert info.value.row == 5
    return info.value


@pytest.mark.parametrize("cell", ["-15.400,00 \u20ac", "(9,500.00)", "-1", "\u22125"])
def test_min_refuses_negative_amounts(catalog: Catalog, cell: str) -> None:  # noqa: F811
    m = mapper(catalog, 'value = { column = "Amount", min = 0 }')
    assert fails(m, "below the minimum 0", Amount=cell).column == "Amount"
    assert mapped(m, Amount="0")["value"] == 0
    assert mapped(m, Amount="1.234,50 \u20ac")["value"] == 1234.5


def test_max_and_probability_bounds(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'value = { column = "Amount", max = 1000 }\n'
                        'probability = { column = "P", min = 10 }')
    fails(m, "above the maximum 1000", Amount="1000.01", P="50")
    big = mapper(catalog, 'value = { column = "Amount", max = 1000000, min = 0.000001 }')
    fails(big, "above the maximum 1000000", Amount="2000000")  # v10r12: was 1e+06
    fails(big, "below the minimum 0.000001", Amount="0.0000001")
    fails(m, "below the minimum 10", Amount="5", P="5")
    assert mapped(m, Amount="1000", P="10")["value"] == 1000


@pytest.mark.parametrize("cell", ["NaN", "n/a", "--", "TBD", "-"])
def test_non_number_is_a_row_error_quoting_the_cell(catalog: Catalog, cell: str) -> None:  # noqa: F811
    m = mapper(catalog, 'value = "Amount"')
    assert repr(cell) in fails(m, "not", Amount=cell).reason


def test_empty_values_are_explicit(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'value = "Amount"', 'empty_values = ["n/a", "-", "TBD"]')
    for cell in ("n/a", "N/A", "-", "tbd", "  "):
        assert "value" not in mapped(m, Amount=cell)
    fails(m, "not an amount", Amount="--")


def test_required_blank_is_an_error_not_the_default(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'value = { column = "Amount", required = true }')
    fails(m, "a value is required", Amount=" ")
    fails(m, "a value is required", Amount=None)
    with pytest.raises(MappingError, match="exclude each other"):
        mapper(catalog, 'value = { column = "Amount", required = true, default = 5 }')


def test_required_with_empty_marker(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'value = { column = "Amount", required = true }',
               'empty_values = ["n/a"]')
    fails(m, "a value is required", Amount="n/a")


def test_stage_required_and_default(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'stage = { column = "S", required = true }\n'
                        'pipeline = { default = "Sales" }')
    assert fails(m, "a value is required", S="").column == "S"
    m = mapper(catalog, 'stage = { column = "S", default = "Proposal Made" }\n'
                        'pipeline = { default = "Sales" }')
    assert mapped(m, S="")["stage_id"] == 12
    m = mapper(catalog, 'stage = "S"\npipeline = { default = "Sales" }')
    fails(m, "the stage is empty", S="")


def test_allowed_raw_values(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'status = { column = "St", allowed = ["open", "won"] }')
    assert mapped(m, St=" Won ")["status"] == "won"
    assert "'lost' is not an allowed value" in fails(m, "allowed", St="lost").reason


@pytest.mark.parametrize(("deal", "key"), [
    ('value = { column = "A", minimum = 0 }', "deal.value.minimum"),
    ('title = { column = "t", min = 0 }', "deal.title.min"),
    ('value = { column = "A", min = 5, max = 1 }', "deal.value"),
    # v10r9 S6: nan/inf made every comparison fail mid-run, true read as 1
    ('value = { column = "A", max = nan }', "deal.value.max"),
    ('value = { column = "A", min = nan }', "deal.value.min"),
    ('value = { column = "A", max = inf }', "deal.value.max"),
    ('value = { column = "A", min = -inf }', "deal.value.min"),
    ('value = { column = "A", min = true }', "deal.value.min"),
    ('probability = { column = "P", max = false }', "deal.probability.max"),
    ('probability = { column = "P", scale = nan }', "deal.probability.scale"),
    ('expected_close_date = { column = "D", formats = ["epoch"] }',
     "deal.expected_close_date.formats"),
])
def test_unknown_or_misused_rule_is_a_mapping_error(catalog: Catalog, deal: str,  # noqa: F811
                                                    key: str) -> None:
    text = BASE.format(deal=deal, defaults="").replace('title = "t"\n', "", 1) \
        if deal.startswith("title") else BASE.format(deal=deal, defaults="")
    with pytest.raises(MappingError) as info:
        Mapping.loads(text)
    assert any(k == key for k, _ in info.value.problems), info.value.problems


def test_date_tokens_and_window(catalog: Catalog) -> None:  # noqa: F811
    m = mapper(catalog, 'expected_close_date = "D"', 'date_formats = ["unix_ms"]')
    assert mapped(m, D="1766538000000")["expected_close_date"] == "2025-12-24"
    assert mapped(m, D=1766538000000)["expected_close_date"] == "2025-12-24"
    m = mapper(catalog, 'expected_close_date = "D"')
    assert fails(m, "only digits", D="1766538000000").column == "D"
    fails(m, "outside 1900-2100", D="1785-03-01")
    m = mapper(catalog, 'expected_close_date = "D"', "date_window = [2000, 2030]")
    fails(m, "outside 2000-2030", D="1999-03-01")
    with pytest.raises(MappingError, match="date_window"):
        mapper(catalog, 'expected_close_date = "D"', "date_window = [2100, 1900]")


@pytest.mark.parametrize(("cells", "reason"), [
    ({"t": "a\x00b"}, "control character U\\+0000"),
    ({"t": "x" * 300}, "300 characters long"),
    ({"id": "k\x00"}, "the source key: control character"),
    ({"Amount": "1e20"}, "too large"),
    ({"Amount": 2 ** 64}, "too large"),
    ({"Amount": "100000000000000000000"}, "too large"),
    ({"Amount": float("nan")}, "not a finite number"),
])
def test_values_the_api_cannot_hold(catalog: Catalog, cells: dict[str, Any],  # noqa: F811
                                    reason: str) -> None:
    m = mapper(catalog, 'value = "Amount"')
    fails(m, reason, **cells)


@pytest.mark.parametrize(("cell", "shown"), [(-200, "'-200'"), (-0.5, "'-0.5'"),
                                             ("-1", "'-1'")])
def test_bound_reasons_quote_the_cell_as_text(catalog: Catalog, cell: object,  # noqa: F811
                                              shown: str) -> None:
    """A JSON/XLSX number is quoted like a text cell in the reason, which so never starts
    with a minus (failed.csv would put a ' before it)."""
    m = mapper(catalog, 'value = { column = "Amount", min = 0 }')
    assert fails(m, "below the minimum", Amount=cell).reason.startswith(f"{shown} is below")


def test_probability_scale_reads_fractions_as_percent(catalog: Catalog) -> None:  # noqa: F811
    """scale = 100 reads HubSpot's 0.4 as 40 (bounds apply to the scaled number); 1.5 times
    100 is out of range; scale is refused on other targets and when not positive."""
    m = mapper(catalog, 'probability = { column = "P", scale = 100, max = 90 }')
    assert mapped(m, P="0.4")["probability"] == 40
    assert mapped(m, P=0.075)["probability"] == 7.5
    fails(m, "between 0 and 100", P="1.5")
    fails(m, "above the maximum 90", P="0.95")
    with pytest.raises(MappingError, match="scale"):
        mapper(catalog, 'value = { column = "A", scale = 100 }')
    with pytest.raises(MappingError, match="greater than 0"):
        mapper(catalog, 'probability = { column = "P", scale = 0 }')


def test_default_currency_applies_to_every_row_that_names_none(catalog: Catalog) -> None:  # noqa: F811
    """A blank amount got no currency from the mapping, so Pipedrive gave the deal the
    company's USD although defaults.currency = "EUR" (issue 10 finding): the mapping's
    default is sent for every row naming no currency, a blank or marker amount too."""
    m = mapper(catalog, 'value = "Amount"\ncurrency = "Cur"', 'empty_values = ["n/a"]')
    for amount in ("", "n/a", "  "):
        deal = mapped(m, Amount=amount, Cur="")
        assert "value" not in deal and deal["currency"] == "EUR", (amount, deal)
    assert mapped(m, Amount="", Cur="n/a")["currency"] == "EUR"
    assert mapped(m, Amount="", Cur="CHF")["currency"] == "CHF"
    assert mapped(m, Amount="$5", Cur="")["currency"] == "USD"
    assert mapped(m, Amount="5", Cur="")["currency"] == "EUR"
    none = compile_mapping(Mapping.loads(BASE.format(deal='value = "Amount"', defaults="")
                                         .replace('currency = "EUR"\n', "")), catalog)
    assert "currency" not in mapped(none, Amount="")  # no currency anywhere: none invented


def test_an_update_without_an_amount_keeps_the_stored_currency() -> None:
    """The default currency a blank-amount row carries is for a new deal only: an upsert
    never re-denominates a stored amount (USD 5,000 staying USD, not becoming EUR 5,000)."""
    from jobs.deals import deal_changes

    stored = {"title": "Deal", "value": 5000, "currency": "USD"}
    assert deal_changes(stored, {"title": "Deal", "currency": "EUR"}) == {}
    assert deal_changes(stored, {"title": "Deal", "value": 5000, "currency": "EUR"}) == {
        "currency": "EUR"}


def test_a_date_in_the_wrong_unit_fails_its_row_naming_the_unit(catalog: Catalog) -> None:  # noqa: F811
    """Seconds under unix_ms were imported as 1970-01-21 (issue 10 finding)."""
    m = mapper(catalog, 'expected_close_date = "D"', 'date_formats = ["unix_ms"]')
    error = fails(m, r'"unix": 2025-12-24', D="1766538000")
    assert error.column == "D" and str(error).startswith("row 5, column 'D': ")
    m = mapper(catalog, 'expected_close_date = { column = "D", formats = ["excel"] }')
    fails(m, r'"unix_ms": 2025-12-24', D="1766538000000")


def test_a_bare_dollar_defers_to_the_currency_column(catalog: Catalog) -> None:  # noqa: F811
    """Issue 10 F6: "$100.00" with the currency column "USD" and the default CAD was refused
    ("the amount says CAD but the currency is USD"): a bare "$" is any dollar, so the
    column decides; an unambiguous symbol against the column is still refused."""
    m = compile_mapping(Mapping.loads(
        '[import]\nkey_column = "id"\n[defaults]\ncurrency = "CAD"\n[deal]\n'
        'title = "t"\nvalue = "Amount"\ncurrency = "Cur"\n[custom_fields]\n'
        '"Contract value" = { column = "CV", currency_column = "CC" }\n'), catalog)
    deal = mapped(m, Amount="$100.00", Cur="USD", CV="$5", CC="AUD")
    assert deal["value"] == 100 and deal["currency"] == "USD"
    assert [v for v in deal["custom_fields"].values() if isinstance(v, dict)] == [
        {"value": 5, "currency": "AUD"}]
    assert mapped(m, Amount="$100.00", Cur="", CV="", CC="")["currency"] == "CAD"
    fails(m, "the amount says EUR but the currency is USD", Amount="€100", Cur="USD",
          CV="", CC="")
    fails(m, "the amount says USD but the currency is EUR", Amount="US$100", Cur="EUR",
          CV="", CC="")


def test_every_bad_cell_of_a_row_is_reported_at_once(catalog: Catalog) -> None:  # noqa: F811
    """A row with three bad cells names all three (the first leads: its column is the
    row's), so the person fixes them in one round, not three (fresh tester v10r4 F5)."""
    m = mapper(catalog, 'value = "Amount"\nprobability = "P"\nexpected_close_date = "Close"')
    err = fails(m, "not", Amount="NaN", P="n/a", Close="someday")
    others = {"Amount", "P", "Close"} - {err.column}
    assert len(others) == 2 and "(also: " in err.reason
    assert all(f"column {c!r}: " in err.reason for c in others)
    assert all(cell in err.reason for cell in ("'NaN'", "'n/a'", "'someday'"))
    one = fails(m, "not", Amount="NaN", P="50")
    assert "also" not in one.reason and one.column == "Amount"


def test_date_hints_name_only_the_tokens_not_listed_yet() -> None:
    """A digits-only cell under date_formats = ["excel"] is refused with a hint that adds
    only the epoch tokens; Excel's phantom day 60 says what it is (fresh tester v10r4 F6:
    both hints asked to add "excel", which was listed)."""
    from jobs.transforms import parse_date

    with pytest.raises(InputError) as info:
        parse_date("1766538000", ["excel"])
    assert '"unix"' in info.value.reason and '"excel" to' not in info.value.reason
    with pytest.raises(InputError, match="1900-02-29"):
        parse_date(60, ["excel"])
    with pytest.raises(InputError) as info:
        parse_date(1766538000.0, [])
    assert '"unix", "unix_ms", "unix_us" or "excel"' in info.value.reason


def _currency_mapper(catalog: Catalog, default: str | None) -> Any:  # noqa: F811
    defaults = f'[defaults]\ncurrency = "{default}"\n' if default else ""
    return compile_mapping(Mapping.loads(
        f'[import]\nkey_column = "id"\n{defaults}[deal]\ntitle = "t"\n'
        'value = "Amount"\ncurrency = "Cur"\n[custom_fields]\n'
        '"Contract value" = { column = "CV", currency_column = "CC" }\n'), catalog)


# (cell, default currency, the row's currency column, the currency or a row error's words)
SHARED_SYMBOLS = [
    # v10r9 S2: the default currency is one of the symbol's currencies: it decides
    ("$ 100", "CLP", "", "CLP"), ("$ 100", "ARS", "", "ARS"), ("$ 100", "COP", "", "COP"),
    ("Rs 100", "PKR", "", "PKR"), ("Rs 100", "LKR", "", "LKR"), ("Rs 100", "NPR", "", "NPR"),
    ("Rs 100", "MUR", "", "MUR"), ("£ 100", "EGP", "", "EGP"), ("£ 100", "LBP", "", "LBP"),
    ("元 100", "TWD", "", "TWD"), ("元 100", "HKD", "", "HKD"), ("C$ 100", "NIO", "", "NIO"),
    ("lei 100", "MDL", "", "MDL"), ("₱ 100", "CUP", "", "CUP"), ("Fr 100", "XOF", "", "XOF"),
    ("Fr. 100", "XAF", "", "XAF"), ("₩ 100", "KPW", "", "KPW"),
    # v10r9 M3: the row's currency column decides among the symbol's currencies
    ("kr 100.00", "EUR", "SEK", "SEK"), ("100.00 kr", "EUR", "DKK", "DKK"),
    ("R 100.00", "EUR", "ZAR", "ZAR"), ("$100", "EUR", "ARS", "ARS"),
    ("₨ 100", "EUR", "PKR", "PKR"), ("Rs 100", "EUR", "PKR", "PKR"),
    ("$100.00", "CAD", "USD", "USD"), ("kr 100", None, "NOK", "NOK"),
    # neither decides: the usual reading of a symbol that has one, else a row error
    ("$ 100", "EUR", "", "USD"), ("£ 100", None, "", "GBP"), ("R 100", None, "", "ZAR"),
    ("kr 100", "EUR", "", "ambiguous currency 'kr'.*SEK, NOK, DKK, ISK"),
    ("₨ 100", "EUR", "", "ambiguous currency '₨'.*INR, PKR, LKR"),
    ("Rs 100", None, "", "ambiguous currency 'Rs'.*INR, PKR, LKR, NPR, MUR"),
    ("kr 100", "EUR", "EUR", "'kr' means one of SEK, NOK, DKK, ISK, not EUR"),
    ("$100.00", "EUR", "EUR", "the amount says USD but the currency is EUR"),
]


@pytest.mark.parametrize(("cell", "default", "column", "expected"), SHARED_SYMBOLS)
def test_a_shared_symbol_is_the_default_s_or_the_column_s_currency(
        catalog: Catalog, cell: str, default: str | None, column: str,  # noqa: F811
        expected: str) -> None:
    """A symbol several currencies write ($, Rs, £, 元, C$, lei, ₱, Fr, ₩, kr, R, ₨) is read
    as the default currency when it is one of them, else as the row's currency column's,
    else as its usual reading only when it has one; otherwise the row leaves it to the
    deal it updates, and a new deal's row fails naming the candidates (v10r9 S2:
    "$ 1.500.000" under CLP was 1,500,000 USD; M3: "kr 100.00" with the column SEK
    failed). The same for a monetary custom field and its currency column."""
    m = _currency_mapper(catalog, default)
    if expected.isupper() and len(expected) == 3:
        deal = mapped(m, Amount=cell, Cur=column, CV=cell, CC=column)
        assert deal["currency"] == expected
        assert [v for v in deal["custom_fields"].values() if isinstance(v, dict)] == [
            {"value": 100, "currency": expected}]
    elif expected.startswith("ambiguous currency"):  # the deal decides, or a new one fails
        for cells in ({"Amount": cell, "Cur": column, "CV": "", "CC": ""},
                      {"Amount": "", "Cur": "", "CV": cell, "CC": column}):
            row = m.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", **cells}))
            assert len(row.undecided) == 1 and re.match(expected, row.undecided[0].reason)
            assert row.undecided[0].row == 5, row.undecided
    else:
        fails(m, expected, Amount=cell, Cur=column, CV="", CC="")
        fails(m, expected.replace("the amount says USD but the currency is EUR",
                                  "USD in the amount but EUR"),
              Amount="", Cur="", CV=cell, CC=column)


@pytest.mark.parametrize("key", ["", 1.5, ["k1"]])
def test_a_bad_key_does_not_hide_the_rows_other_bad_cells(catalog: Catalog, key: Any  # noqa: F811
                                                          ) -> None:
    """v10r17 E: a row with a bad key (empty, 1.5, an array) and a bad date named only the
    key; fixed, it failed again on the date. The key leads, the others follow."""
    m = mapper(catalog, 'expected_close_date = "Close"')
    err = fails(m, "source key", id=key, Close="someday")
    assert err.column == "id" and "(also: column 'Close'" in err.reason, err.reason


def test_an_excel_error_cell_does_not_hide_the_rows_other_bad_cells(
        catalog: Catalog) -> None:  # noqa: F811
    """v10r18 F2: a row with an Excel error (or a formula without a stored value) in one
    column reported only that cell; its bad date showed up in the next round. The
    reader's reason leads, the row's other bad cells follow; a record-level error (too
    many cells) still stands alone."""
    from bulk.manifest_xlsx import ExcelError

    m = mapper(catalog, 'value = "Amount"\nexpected_close_date = "Close"')
    broken = InputError("line 6: the Excel error '#N/A' in column 'Amount'", row=5,
                        column="Amount")
    row = SourceRow(5, 6, {"id": "k1", "t": "Deal", "Amount": ExcelError("#N/A"),
                           "Close": "someday"}, broken)
    with pytest.raises(InputError) as info:
        m.map(row)
    assert info.value.reason.startswith("line 6: the Excel error '#N/A'")
    assert "(also: column 'Close'" in info.value.reason, info.value.reason
    assert "Amount': " not in info.value.reason.split("(also:")[1]  # named once
    wide = InputError("line 6: 5 cells but the header has 4 columns", row=5)
    with pytest.raises(InputError) as info:
        m.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", "Close": "someday"}, wide))
    assert "also" not in info.value.reason


def test_a_date_column_written_the_other_way_round_refuses_its_ambiguous_cells(
        catalog: Catalog) -> None:  # noqa: F811
    """v10r18 F3: a month-first column read with "%d/%m/%Y": 04/13/2026 failed with a bare
    reason and 03/04/2026 imported as 3 April (4 March in the file). The column is read
    once before any row: one cell only the other order reads makes every cell that reads
    both ways an error naming it; cells that read one way only are read as before; a
    column that never shows the other order reads as always."""
    m = mapper(catalog, 'expected_close_date = "Close"', 'date_formats = ["%d/%m/%Y"]')
    rows = [SourceRow(n, n + 1, {"id": f"k{n}", "t": "Deal", "Close": close})
            for n, close in enumerate(["04/13/2026", "03/04/2026", "25/12/2026"], 2)]
    m.learn_marks(rows)
    with pytest.raises(InputError, match=r"reads as '%m/%d/%Y'"):
        m.map(rows[0])
    with pytest.raises(InputError, match=r"ambiguous date '03/04/2026'.*'04/13/2026' \(row 2\)"):
        m.map(rows[1])
    assert m.map(rows[2]).deal["expected_close_date"] == "2026-12-25"
    stored = m.decimal_marks()  # a resume reads the same way
    again = mapper(catalog, 'expected_close_date = "Close"', 'date_formats = ["%d/%m/%Y"]')
    again.use_decimal_marks(stored)
    with pytest.raises(InputError, match="ambiguous date"):
        again.map(rows[1])
    plain = mapper(catalog, 'expected_close_date = "Close"', 'date_formats = ["%d/%m/%Y"]')
    plain.learn_marks(rows[1:])
    assert plain.map(rows[1]).deal["expected_close_date"] == "2026-04-03"


def test_an_empty_values_marker_in_the_key_column_is_no_key(catalog: Catalog) -> None:  # noqa: F811
    """v10r24 S1 (3 of 3): with ``empty_values = ["n/a"]``, a row keyed ``n/a`` was imported
    under the key "n/a"; a later file's ``n/a`` row then updated that deal (upsert), two
    unrelated records made one. A marker in the key column is a blank key: the row fails."""
    from jobs.import_rows import RowPlanner

    m = mapper(catalog, "", 'empty_values = ["n/a"]')
    fails(m, "the source key is empty", id="N/A")
    assert m.map(SourceRow(5, 6, {"id": "k1", "t": "Deal"})).key == "k1"
    planner = RowPlanner.__new__(RowPlanner)
    planner.mapper, planner.key_column = m, "id"
    assert planner._raw_key({"id": "n/a"}) is None and planner._raw_key({"id": "k9"}) == "k9"


def test_an_option_cut_at_its_own_separator_is_named() -> None:
    """x12r1 F4: the cell "Support; Premium" (one option) failed "has no option 'Premium'
    (options: CRM, Analytics, Support; Premium)": the list could not be read and nothing said
    why. Since x24r1 F5 the cell reads as that option (it reads no other way); the options
    are quoted when one has a separator in it; with separator = "|" it is read too."""
    import re

    from tests.test_mapping import RAW_FIELDS, code

    fields = [*RAW_FIELDS, {"field_code": code("m"), "field_name": "Modules",
                            "field_type": "set", "is_custom_field": True,
                            "options": [{"id": 1, "label": "CRM"},
                                        {"id": 2, "label": "Support; Premium"}]}]
    cat = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], deal_fields=fields)
    mods = compile_mapping(Mapping.loads(BASE.format(deal="", defaults="")
                                         + '[custom_fields]\n"Modules" = "mod"\n'), cat)
    row = mods.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", "mod": "Support; Premium"}))
    assert row.deal["custom_fields"][code("m")] == [2]
    error = fails(mods, "no option 'Fax'", mod="Support; Premium; Fax")
    assert "(options: 'CRM', 'Support; Premium')" in error.reason and error.column == "mod"
    fixed = compile_mapping(Mapping.loads(BASE.format(deal="", defaults="")
                                          + '[custom_fields]\n"Modules" = '
                                          '{ column = "mod", separator = "|" }\n'), cat)
    row = fixed.map(SourceRow(5, 6, {"id": "k1", "t": "Deal", "mod": "Support; Premium|CRM"}))
    assert row.deal["custom_fields"][code("m")] == [2, 1]
    assert not re.search(r"cut at", str(fails(mods, "no option 'Fax'", mod="CRM; Fax").reason))


@pytest.mark.parametrize("deal", ['value = "Amount"\ncurrency = "Cur"', 'value = "Amount"'])
def test_kr_under_a_default_of_none_of_its_currencies_says_what_decides(
        catalog: Catalog, deal: str) -> None:  # noqa: F811
    """x21r3 F8c: `kr 100` under `currency = "EUR"` (a currency column blank, or none) is
    undecided for a new deal, as docs/mapping.md's Money order says; its reason named
    "set a default currency" while one was set. It now says the default is none of
    SEK, NOK, DKK, ISK and that the row's currency column or a code decides."""
    from jobs.transforms import parse_money

    mapped = mapper(catalog, deal).map(SourceRow(5, 6, {"id": "k1", "t": "Deal",
                                                        "Amount": "kr 100", "Cur": ""}))
    (why,) = mapped.undecided
    assert "set a default currency" not in why.reason, why.reason
    assert why.reason.startswith("ambiguous currency 'kr': it may mean SEK, NOK, DKK, ISK, "
                                 "and the default currency EUR is none of them"), why.reason
    assert "currency column" in why.reason and why.column == "Amount"
    with pytest.raises(InputError, match="the default currency EUR is none of them"):
        parse_money("100 kr", default_currency="EUR", prefer="EUR")


def _channels(separator: str, labels: list[str], cell: str) -> Any:
    from tests.test_mapping import RAW_FIELDS, code

    fields = [*RAW_FIELDS, {"field_code": code("c"), "field_name": "Channels",
                            "field_type": "set", "is_custom_field": True,
                            "options": [{"id": n, "label": label}
                                        for n, label in enumerate(labels, 1)]}]
    cat = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], deal_fields=fields)
    mapping = compile_mapping(Mapping.loads(BASE.format(deal="", defaults="")
                                            + '[custom_fields]\n"Channels" = '
                                            f'{{ column = "ch", separator = "{separator}" }}\n'),
                              cat)
    row = SourceRow(5, 6, {"id": "k1", "t": "Deal", "ch": cell})
    return mapping, row, code("c")


@pytest.mark.parametrize(("separator", "labels", "cell", "expected"), [
    (",", ["Fax, legacy", "Email", "Phone"], "Fax, legacy", [1]),
    (",", ["Fax, legacy", "Email", "Phone"], "Email, Fax, legacy, Phone", [2, 1, 3]),
    (",", ["Fax, legacy", "Email", "Phone"], "Phone,,Fax,legacy", [3, 1]),
    (";", ["Chat", "Phone", "Chat; Phone", "Email"], "Chat ;Phone ;Email", None),
    (";", ["Chat", "Phone", "Chat; Phone"], "Chat", [1]),
    (";", ["Chat", "Phone", "Chat; Phone"], "Phone; Chat", [2, 1]),
    (";", ["Chat", "Phone", "Support; Premium", "Premium Plus"],
     "Support; Premium; Chat", [3, 1]),
])
def test_an_option_holding_the_separator_is_read_whole(separator: str, labels: list[str],
                                                       cell: str,
                                                       expected: list[int] | None) -> None:
    """x24r1 F5: with separator "," the option ``Fax, legacy`` could never be imported
    (cut into "Fax" and "legacy"): a cell reads as the options its pieces join into, when
    it reads only one way."""
    mapping, row, code = _channels(separator, labels, cell)
    if expected is None:
        with pytest.raises(InputError, match="reads two ways"):
            mapping.map(row)
        return
    assert mapping.map(row).deal["custom_fields"][code] == expected


@pytest.mark.parametrize("cell", ["Chat; Phone", "Email; Chat; Phone", "chat ;phone"])
def test_a_cell_that_reads_two_ways_as_options_fails(cell: str) -> None:
    """x24r1 F5: options ``Chat``, ``Phone`` and ``Chat; Phone``: the cell "Chat; Phone"
    was imported as [Chat, Phone] with no word of the other read. Both reads are possible:
    the row fails naming them and the fix (another separator)."""
    mapping, row, _ = _channels(";", ["Chat", "Phone", "Chat; Phone", "Email"], cell)
    with pytest.raises(InputError, match="reads two ways") as info:
        mapping.map(row)
    assert 'separator = "|"' in info.value.reason and info.value.column == "ch"
