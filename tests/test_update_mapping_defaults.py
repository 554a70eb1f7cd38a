"""An update reads the mapping's ``[defaults]`` (sheet, encoding, header_row) by the one rule
every entry point uses (``jobs.import_checks.mapping_defaults``): the CLI, ``update_deals``
and the load itself (``prepare_update``) alike, and — as the import — its own failed-rows
file from row 1 whatever the source's header_row (f27b: ``pdbulk update failed.csv``
under a mapping with ``header_row = 3`` took that file's row 3 for its header and was
refused; ``prepare_update`` read a workbook's first sheet, not the mapping's)."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.updating import UpdateMapping, prepare_update
from pdbulk.cli import app
from tests.import_support import api_context
from tests.update_support import cli_args, threaded_sandbox

MAPPING = """version = 1
[update]
id_column = "Deal"
[defaults]
header_row = 3
%s
[deal]
title = "Title"
"""


def test_an_updates_own_failed_csv_is_read_from_row_1(tmp_path: Path) -> None:
    """The source's header is row 3 (two rows of two cells above it); the failed row
    (deal 99999) is refused again from failed.csv, read from its row 1, not refused as a
    file "with no row 3"."""
    source = tmp_path / "rows.csv"
    source.write_text("Deals export,2026\nexported by,old CRM\nDeal,Title\n1,Renamed\n"
                      "99999,Nope\n")
    (tmp_path / "map.toml").write_text(MAPPING % "")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = ["--mapping", str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "jobs")]
        done = CliRunner().invoke(app, ["update", str(source), *args], env=env)
        assert done.exit_code == 3, done.output
        assert sb.state.deals.rows[1]["title"] == "Renamed"
        (job,) = (tmp_path / "jobs").iterdir()
        again = CliRunner().invoke(app, ["plan", "update", str(job / "failed.csv"), "--json",
                                         *args], env=env)
    assert again.exit_code == 3, again.output
    (bad,) = orjson.loads(again.stdout)["failed_rows"]
    assert bad["row"] == 2 and "no deal with id '99999'" in bad["reason"], bad


@pytest.mark.anyio
async def test_the_update_load_reads_the_mappings_sheet(tmp_path: Path) -> None:
    """A workbook of last year's sheet first and the mapping's second: prepare_update, given
    no sheet, updates from the mapping's ("2026"), as update_deals and the CLI do."""
    book = openpyxl.Workbook()
    old = book.active
    assert old is not None
    old.title = "2025"
    new = book.create_sheet("2026")
    for sheet, year in ((old, 2025), (new, 2026)):
        sheet.append([f"Deals {year}", "export"])
        sheet.append(["by", "the old CRM"])
        sheet.append(["Deal", "Title"])
        sheet.append([1, f"Title {year}"])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    umap = UpdateMapping.loads(MAPPING % 'sheet = "2026"')
    async with serve(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb, \
            api_context(sb, tmp_path) as ctx:
        prep = await prepare_update(ctx, path, umap, await load_catalog(ctx))
    (item,) = prep.items
    assert item.payload["changes"] == {"title": "Title 2026"}, item.payload
