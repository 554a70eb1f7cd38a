"""A row that fails for its source key alone (empty, unreadable) takes no part in the
whole-file checks (the currency mix, the decimal marks): a deals export's ``Total`` row
no longer refuses the whole file (x43r1 F3: "none in 1 row (row 1503) … set
defaults.currency", row 1503 failing anyway: "the source key is empty")."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.mapping.mixed_currency import MixedCurrency
from jobs.mapping.rowmapper import RowMapper
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_mapping import RAW_FIELDS
from tests.test_mixed_currency import ENV, MAPPING, TOKEN

HEADER = ["Record ID", "Deal Name", "Betrag"]


def _mapper() -> RowMapper:
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], stages=[],
                               deal_fields=RAW_FIELDS)
    mapping = Mapping.loads(MAPPING.format(defaults='decimal = "auto"').replace(
        'key_field = "Import source key"\n', ""))
    return compile_mapping(mapping, catalog, header=HEADER)


def _row(n: int, *cells: str) -> SourceRow:
    return SourceRow(n, n, dict(zip(HEADER, cells, strict=True)))


def test_a_keyless_total_row_is_no_evidence_of_a_currency_mix_or_a_decimal_mark() -> None:
    """Rows 2-4 name EUR with a decimal comma; row 5, the export's Total (no key), names
    no currency and a decimal point: learned as EUR with ','. A keyed row like it is
    still evidence: the mix is refused, naming it."""
    mapper = _mapper()
    rows = [_row(2, "k2", "a", "1.234,56 \u20ac"), _row(3, "k3", "b", "EUR 99,50"),
            _row(4, "k4", "c", "7,25 \u20ac"), _row(5, "", "Total", "1,341.31")]
    marks = mapper.learn_marks(rows)
    assert marks == {"value": {",": "1.234,56 \u20ac"}}, marks
    keyed = [*rows[:-1], _row(5, "k5", "Total", "1.341,31")]
    with pytest.raises(MixedCurrency, match=r"none in 1 row \(row 5\)"):
        _mapper().learn_marks(keyed)


def test_plan_import_of_an_export_with_a_total_row_fails_that_row_only(
        tmp_path: Path) -> None:
    """The CSV's last line is its Total (empty key, an amount naming no currency): the
    plan exits 3 (rows with errors), the Total row failed for its empty key (was: exit 1,
    the whole file refused for defaults.currency)."""
    manifest = tmp_path / "export.csv"
    manifest.write_bytes("Record ID;Deal Name;Betrag\r\nE1;Mit Euro;1.234,56 \u20ac\r\n"
                         "E2;Mit EUR;EUR 99,00\r\n;Total;1.333,56\r\n".encode())
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(defaults='decimal = ","'))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping",
                                       str(mapping), "--create-key-field", "--failed-csv",
                                       str(tmp_path / "f.csv"), "--url", sb.url, "--plan",
                                       "ultimate", "--oauth"], env=ENV)
    assert res.exit_code == 3, res.output
    assert "rows: 3 (2 valid, 1 with errors" in res.output, res.output
    said = (tmp_path / "f.csv").read_text()
    # the row's own reason: a report's totals line (CSV and XLSX alike since x44r1 L3; it
    # said "the source key is empty" before)
    assert "row 4 is a report's totals line" in said, said
    assert "defaults.currency" not in res.output, res.output
