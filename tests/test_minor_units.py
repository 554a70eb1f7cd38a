"""An amount read with its column's (or the mapping's) decimal mark that gets more decimals
than its currency has (ISO 4217 minor units: USD 2, JPY 0, BHD 3) while the mark read as a
thousands mark also gives an amount is ambiguous: its row fails naming both readings and
the column, for the deal's value and monetary custom fields, in an import and an upsert
(x21r3 F1: ``$5,000`` in a decimal-comma column created a 5 USD deal, exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from tests.import_support import import_once, read_csv
from tests.test_currency_changes import FAST
from tests.test_mapping import catalog  # noqa: F401  (fixture)

C25 = ("Key;Deal;Amount\nau1;A;1.234,50 \u20ac\nau2;B;2.000,00 \u20ac\nau3;C;99,95 \u20ac\n"
       "au4;D;$5,000\nau5;E;5.000 \u20ac\n")
SPEC = """\
version = 1
[import]
key_column = "Key"
mode = "upsert"
[defaults]
currency = "EUR"
separator = ";"
{decimal}
[deal]
title = "Deal"
value = "Amount"
"""


def test_minor_units_come_from_one_table() -> None:
    """ISO 4217: 2 unless listed (JPY, KRW 0; BHD, KWD 3)."""
    assert [tf.minor_units(c) for c in ("USD", "EUR", "JPY", "KRW", "BHD", "kwd")] == \
        [2, 2, 0, 0, 3, 3]


@pytest.mark.anyio
@pytest.mark.parametrize("decimal", ['decimal = "auto"', 'decimal = ","'])
async def test_a_dollar_amount_in_a_decimal_comma_column_fails_naming_both_readings(
        tmp_path: Path, decimal: str) -> None:
    """c25.csv: '$5,000' (5 or 5000 dollars) fails its row; '5.000 €' is 5000 euros."""
    manifest, mapping = tmp_path / "c25.csv", tmp_path / "c25.toml"
    manifest.write_text(C25, encoding="utf-8")
    mapping.write_text(SPEC.format(decimal=decimal))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        try:
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
        deals = {d["title"]: (d["value"], d["currency"])
                 for d in sb.state.deals.rows.values()}
    assert deals == {"A": (1234.5, "EUR"), "B": (2000, "EUR"), "C": (99.95, "EUR"),
                     "E": (5000, "EUR")}, deals  # before: "D": (5, "USD")
    assert [r["key"] for r in failed] == ["au4"]
    assert "'$5,000': 5 with ',' as the decimal mark (3 decimals, more than USD has: 2), " \
        "or 5000 with ',' grouping thousands" in failed[0]["reason"], failed[0]


@pytest.mark.anyio
async def test_an_upsert_leaves_a_5000_dollar_deal_alone(tmp_path: Path) -> None:
    """c24_de.csv: under decimal = "," an upsert patched an existing 5000 USD deal to 5."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(SPEC.format(decimal='decimal = ","'))
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("Key;Deal;Amount\nopp8;Theta;5000 USD\n")
    second.write_text("Key;Deal;Amount\nopp8;Theta;$5,000\n")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        for job, manifest in (("one", first), ("two", second)):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=job)
            store.close()
        (deal,) = sb.state.deals.rows.values()
    assert (deal["value"], deal["currency"]) == (5000, "USD")  # before: 5


@pytest.mark.parametrize(("cell", "expected"), [
    ("1,500 \u20ac", None), ("\u00a51,500", None), ("1,500 JPY", None),
    ("1,500 BHD", (1.5, "BHD")), ("0,125 \u20ac", (0.125, "EUR")),
    ("1.234,567 \u20ac", (1234.567, "EUR")), ("5.000 \u20ac", (5000, "EUR")),
    ("12,50 \u20ac", (12.5, "EUR")), ("1.000,- \u20ac", (1000, "EUR")),
])
def test_a_monetary_custom_field_follows_the_same_rule(
        catalog: Catalog, cell: str, expected: tuple[float, str] | None) -> None:  # noqa: F811
    """A monetary field and the deal's value, under decimal = ",": None = the row fails."""
    m = compile_mapping(Mapping.loads(
        '[import]\nkey_column = "id"\n[defaults]\ncurrency = "EUR"\n'
        'decimal = ","\n[deal]\ntitle = "t"\nvalue = "v"\n[custom_fields]\n'
        '"Contract value" = "b"\n'), catalog)
    for column in ("v", "b"):
        values = {"id": "k", "t": "T", "v": "1", "b": "1", column: cell}
        if expected is None:
            with pytest.raises(InputError, match=rf"column '{column}': ambiguous amount"):
                m.map(SourceRow(1, 2, values))
            continue
        row = m.map(SourceRow(1, 2, values))
        got = row.deal if column == "v" else next(
            v for v in row.deal["custom_fields"].values() if isinstance(v, dict))
        assert (got["value"], got["currency"]) == expected, (column, cell)
