"""init-mapping on Pipedrive's own deal export (x20r2 F7): ``Deal - ID`` is the deal's id
(an update by id), money fields paired with their currency columns, the option separator
and the CSV delimiter read from the file, and the update refusing the starter's TODOs."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.manifest import header, read_manifest
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.catalog import Catalog
from jobs.mapping import Mapping, MappingError, init_mapping
from jobs.update_mapping import UpdateMapping
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_mapping import RAW_FIELDS

TOKEN = "pipedrive-export-token"
FAST = ["--plan", "ultimate", "--oauth"]

EXPORT = ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency",
          "Deal - Organization", "Person - Name", "Person - Email", "Deal - Owner",
          "Deal - Stage", "Deal - Label", "Deal - Contract value",
          "Deal - Contract value currency", "Deal - Products", "Deal - Background"]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[{"id": 100, "name": "Ann Lee", "email": "ann@acme.test", "active_flag": True}],
        deal_fields=RAW_FIELDS)


def _decided(text: str) -> str:
    """The starter after a person decided every TODO (kept as proposed)."""
    return "\n".join(re.sub(r"\s*# TODO.*$", "", line) for line in text.splitlines()
                     if not line.startswith("# TODO")) + "\n"


def test_pipedrives_own_export_is_an_update_by_deal_id(catalog: Catalog) -> None:
    """x20r2 F7: `Deal - ID` was proposed as the import's source key (each row a new copy
    in the account it came from, and an upsert finding none); it is the deal's own id: the
    starter updates by it, persons and organizations left commented (an update links none),
    the import's section commented for another account. `pdbulk import` refuses the file in
    one line naming `pdbulk update`; another export's "Deal ID" stays a source key."""
    text = init_mapping(EXPORT, catalog)
    assert '[update]\nid_column = "Deal - ID"' in text
    assert '# key_column = "Deal - ID"' in text and "\n[import]" not in text
    update = UpdateMapping.loads(_decided(text))
    assert update.by == "id" and update.column == "Deal - ID"
    update.compile(catalog, header=EXPORT)
    assert '# name = "Person - Name"' in text and '# name = "Deal - Organization"' in text
    assert "\npipeline = " not in text  # a default pipeline would move every deal
    with pytest.raises(MappingError, match="pdbulk update"):
        Mapping.loads(_decided(text))
    other = init_mapping(["Deal ID", "Deal Name", "Amount"], catalog)
    assert 'key_column = "Deal ID"' in other and "[update]" not in other


def test_money_fields_take_their_currency_columns(catalog: Catalog) -> None:
    """x20r2 F7: a monetary field got no currency_column beside `Deal - Contract value
    currency` (its plain amounts then failed every row: no currency). Its own column is
    paired; with none, the deal's currency column is proposed under a TODO; the deal's
    value takes `Deal - Value currency` when there is no currency column."""
    text = init_mapping(EXPORT, catalog)
    assert ('"Contract value" = { column = "Deal - Contract value", currency_column = '
            '"Deal - Contract value currency" }') in text
    spec = UpdateMapping.loads(_decided(text)).mapping.spec
    assert spec.deal.currency is not None and spec.deal.currency.column == "Deal - Currency"
    assert not any(line.startswith("# Columns not mapped") and "currency" in line
                   for line in text.splitlines())
    without = init_mapping([c for c in EXPORT if c != "Deal - Contract value currency"], catalog)
    assert re.search(r"# TODO: no 'Deal - Contract value currency' column.*\n"
                     r'"Contract value" = \{ column = "Deal - Contract value", '
                     r'currency_column = "Deal - Currency" \}', without)
    with pytest.raises(MappingError, match="unresolved TODO"):
        UpdateMapping.loads(without)
    value_currency = init_mapping(["Record ID", "Deal Name", "Amount", "Amount currency"],
                                  catalog)
    spec = Mapping.loads(value_currency).spec
    assert spec.deal.currency is not None and spec.deal.currency.column == "Amount currency"


def test_the_option_separator_is_the_one_the_samples_write(catalog: Catalog) -> None:
    """x20r2 F7: `separator = ";"` was written for Pipedrive's export, whose multi-option
    cells say `CRM, Email` (every such row failed: no option 'CRM, Email'). The samples of
    the label and set columns decide; two marks give a TODO; none keep `;`."""
    header_ = ["Record ID", "Deal Name", "Tags", "Products"]
    comma = init_mapping(header_, catalog, samples={"Tags": ["Hot", "Hot, Cold"],
                                                    "Products": ["CRM, Email", "Phone"]})
    assert Mapping.loads(comma).spec.defaults.separator == ","
    semi = init_mapping(header_, catalog, samples={"Products": ["CRM;Email"]})
    assert Mapping.loads(semi).spec.defaults.separator == ";"
    both = init_mapping(header_, catalog, samples={"Tags": ["Hot, Cold"],
                                                   "Products": ["CRM;Email"]})
    with pytest.raises(MappingError, match="unresolved TODO"):
        Mapping.loads(both)
    assert Mapping.loads(init_mapping(header_, catalog)).spec.defaults.separator == ";"


def test_an_update_refuses_the_starters_unresolved_todos() -> None:
    """An update mapping (init-mapping writes them now) with a `# TODO` line is refused
    before anything is read, as an import mapping is; it ran as it stood."""
    text = 'version = 1\n[update]\nid_column = "id"\n[deal]\n# TODO: check\nvalue = "v"\n'
    with pytest.raises(MappingError, match="unresolved TODO on line 5"):
        UpdateMapping.loads(text)
    UpdateMapping.loads(text.replace("# TODO: check\n", ""))


def _export(path: Path, delimiter: str, rows: int, decimal: str = ".",
            quoting: int = csv.QUOTE_MINIMAL) -> None:
    """A Pipedrive-shaped deal export: commas, semicolons, quotes and line breaks inside
    quoted cells; amounts with the locale's decimal mark."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f, delimiter=delimiter, quoting=quoting)
        writer.writerow(EXPORT)
        for n in range(1, rows + 1):
            amount = f"{1000 + n}.50".replace(".", decimal)
            writer.writerow([n, f"Deal {n}, phase {n % 3}", amount, "EUR",
                             ["Acme, Inc.", "Initech; Ltd", 'Umbrella "Corp"'][n % 3],
                             f"Person {n}", f"p{n}@example.com", "Ann Lee", "Qualified",
                             "Hot, Cold", amount, "EUR", "CRM, Email", "line 1, a\nline 2; b"])


@pytest.mark.parametrize(("delimiter", "decimal", "quoting", "rows"), [
    (",", ".", csv.QUOTE_MINIMAL, 1), (",", ".", csv.QUOTE_MINIMAL, 40),
    (",", ".", csv.QUOTE_ALL, 3), (";", ",", csv.QUOTE_MINIMAL, 1),
    (";", ",", csv.QUOTE_MINIMAL, 40), (";", ",", csv.QUOTE_ALL, 3)])
def test_pipedrive_exports_are_read_with_their_delimiter(
        tmp_path: Path, delimiter: str, decimal: str, quoting: int, rows: int) -> None:
    """x20r2 F7: a `,` export with commas, semicolons and line breaks in quoted cells and a
    `;` export of a decimal-comma locale are read with their own delimiter, every cell in
    place (a guard: the delimiter was already right in these)."""
    path = tmp_path / "deals.csv"
    _export(path, delimiter, rows, decimal, quoting)
    assert header(path) == EXPORT
    read = list(read_manifest(path))
    assert len(read) == rows and all(r.error is None for r in read)
    assert read[-1].values["Deal - Value"] == f"{1000 + rows}.50".replace(".", decimal)
    assert read[0].values["Deal - Background"] == "line 1, a\nline 2; b"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=5,
                                       seed=3)) as sb:
        yield sb


def test_init_mapping_of_an_export_then_plan_update(sandbox: Sandbox, tmp_path: Path) -> None:
    """The CLI: init-mapping on a `;` export says to run `plan update`, and that plan
    reads the drafted file (the sandbox's deals 1-3, by id)."""
    manifest = tmp_path / "deals.csv"
    _export(manifest, ";", 3, ",")
    drafted = tmp_path / "mapping.toml"
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    res = CliRunner().invoke(app, ["init-mapping", str(manifest), "-o", str(drafted),
                                   "--url", sandbox.url, *FAST], env=env)
    assert res.exit_code == 0, res.output
    assert "pdbulk plan update" in res.output
    text = drafted.read_text()
    assert '[update]\nid_column = "Deal - ID"' in text and 'decimal = ","' in text
    assert 'separator = ","' in text
    res = CliRunner().invoke(app, ["plan", "update", str(manifest), "--mapping", str(drafted),
                                   "--url", sandbox.url, *FAST], env=env)
    assert "unresolved TODO" not in res.output and "Traceback" not in res.output
    assert "rows: 3" in res.output, res.output
