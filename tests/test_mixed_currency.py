"""An amount column that names a currency in some rows and none in others (x25r2 F1) is
never read as the company's default currency: with no ``defaults.currency`` plan and
import refuse it, naming the rows and the fix, before anything is sent; init-mapping
proposes the one currency the named cells agree on; with a default set, every row
imports in it. CSV and XLSX alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.manifest import SourceRow
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.mapping.mixed_currency import MixedCurrency
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_mapping import RAW_FIELDS

TOKEN = "mixed-currency-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
[import]
key_column = "Record ID"
key_field = "Import source key"
[defaults]
{defaults}
[deal]
title = "Deal Name"
value = "Betrag"
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def _run(sb: Sandbox, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--url", sb.url, "--plan", "ultimate", "--oauth"],
                              env=ENV)


def _csv(tmp: Path) -> Path:
    path = tmp / "cur.csv"
    path.write_bytes("Record ID;Deal Name;Betrag\r\nE1;Mit Euro;1.234,56 \u20ac\r\n"
                     "E2;Ohne;500,00\r\nE3;Mit EUR;EUR 99,00\r\n".encode())
    return path


def _xlsx(tmp: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Record ID", "Deal Name", "Betrag"])
    ws.append(["E1", "Mit Euro", 1234.56])
    ws.append(["E2", "Ohne", 500])
    ws.append(["E3", "Mit EUR", 99])
    ws["C2"].number_format = "[$\u20ac-407]#,##0.00"
    ws["C4"].number_format = "[$EUR] #,##0.00"
    path = tmp / "cur.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_a_column_mixing_named_and_unnamed_currencies_is_refused_until_a_default_is_set(
        sandbox: Sandbox, tmp_path: Path, make: Any) -> None:
    """E1 '1.234,56 €', E2 '500,00', E3 'EUR 99,00' (XLSX: [$€-407], a plain 500,
    [$EUR]): plan and import exit 1 naming row 3 and defaults.currency = "EUR", creating
    no field and no deal (was: 3 valid, E2 imported as USD 500); init-mapping proposes
    currency = "EUR", and with it all three import in EUR."""
    manifest = make(tmp_path)
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults='decimal = ","'))
    fields = len(sandbox.state.fields)
    common = [str(manifest), "--mapping", str(mapping), "--create-key-field"]
    for command in (["plan", "import", *common, "--failed-csv", str(tmp_path / "p.csv")],
                    ["import", *common, "--job-dir", str(tmp_path / "jobs")]):
        res = _run(sandbox, *command)
        assert res.exit_code == 1, res.output
        said = " ".join(res.output.split())
        assert ("the deal amount (column 'Betrag') names a currency in some rows, EUR (2 rows, "
                "the first row 2)") in said, said
        assert "but none in 1 row (row 3)" in said
        assert 'set defaults.currency = "EUR" in the mapping' in said
        assert "Traceback" not in res.output
    assert len(sandbox.state.fields) == fields and sandbox_deals(sandbox) == []
    # x27r1: the currency named by a currency column, the amounts bare: said so
    paired = tmp_path / "paired.csv"
    paired.write_text("Key,Title,Amount,Deal currency code\nQ1,A,100,USD\nQ2,B,200,\n")
    paired_map = tmp_path / "paired.toml"
    paired_map.write_text('version = 1\n[import]\nkey_column = "Key"\n[deal]\n'
                          'title = "Title"\nvalue = "Amount"\ncurrency = "Deal currency code"\n')
    res = _run(sandbox, "plan", "import", str(paired), "--mapping", str(paired_map),
               "--create-key-field")
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and ("(column 'Amount', currency column 'Deal currency code') "
                                   "names a currency in some rows, USD") in said, said
    assert "write the currency in their 'Deal currency code' cells" in said, said

    drafted = tmp_path / "drafted.toml"
    res = _run(sandbox, "init-mapping", str(manifest), "-o", str(drafted))
    assert res.exit_code == 0, res.output
    lines = drafted.read_text().splitlines()
    assert any(line.startswith('currency = "EUR"  # some amounts of \'Betrag\' name EUR')
               for line in lines), drafted.read_text()

    mapping.write_text(MAPPING.format(defaults='decimal = ","\ncurrency = "EUR"'))
    res = _run(sandbox, "import", *common, "--job-dir", str(tmp_path / "jobs2"))
    assert res.exit_code == 0, res.output
    assert {d["title"]: (d["value"], d["currency"]) for d in sandbox_deals(sandbox)} == {
        "Mit Euro": (1234.56, "EUR"), "Ohne": (500, "EUR"), "Mit EUR": (99, "EUR")}


def test_a_column_naming_no_currency_anywhere_still_takes_the_company_default(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Only a mix is refused: amounts that all name none are sent without a currency (the
    documented company default), and init-mapping leaves currency commented."""
    manifest = tmp_path / "plain.csv"
    manifest.write_text("Record ID;Deal Name;Betrag\nE1;A;500,00\nE2;B;12,50\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults='decimal = ","'))
    res = _run(sandbox, "import", str(manifest), "--mapping", str(mapping),
               "--create-key-field", "--job-dir", str(tmp_path / "jobs"))
    assert res.exit_code == 0, res.output
    assert sorted(d["value"] for d in sandbox_deals(sandbox)) == [12.5, 500]
    drafted = tmp_path / "drafted.toml"
    res = _run(sandbox, "init-mapping", str(manifest), "-o", str(drafted))
    assert res.exit_code == 0, res.output
    assert '# currency = "USD"  # when a cell has no currency' in drafted.read_text()


def test_the_rows_are_read_to_the_end_whatever_their_order() -> None:
    """38 rows naming no currency, then one 'EUR 5,00' on row 40: the last row decides it
    (the refusal counts them all and names the first five)."""
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], stages=[],
                               deal_fields=RAW_FIELDS)
    mapping = Mapping.loads(MAPPING.format(defaults='decimal = ","').replace(
        'key_field = "Import source key"\n', ""))
    header = ["Record ID", "Deal Name", "Betrag"]
    mapper = compile_mapping(mapping, catalog, header=header)
    rows = [SourceRow(n, n, dict(zip(header, (f"k{n}", "x", "500,00"), strict=True)))
            for n in range(2, 40)]
    rows.append(SourceRow(40, 40, dict(zip(header, ("k40", "y", "EUR 5,00"), strict=True))))
    with pytest.raises(MixedCurrency, match=r"EUR \(1 row, the first row 40\), but none in "
                                            r"38 rows \(rows 2, 3, 4, 5, 6 and 33 more\)"):
        mapper.learn_marks(rows)
    assert mapper.learn_marks(rows[:-1]) == {}  # none names one: nothing to refuse
