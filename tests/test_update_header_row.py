"""`pdbulk update` takes `--header-row N` (and ``update_deals(header_row=)``) as import,
move-stage and merge do; given, it overrides the mapping's ``[defaults] header_row`` as
import's does (x46r3 F6: update had no such option; a titled file needed the mapping)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from jobs.api import update_deals
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox

TITLED = "Deals to update,exported 2026-12-01\nowner: Ann,\n"  # two lines above the header
MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def test_update_reads_the_header_on_the_row_named(tmp_path: Path) -> None:
    """Header on row 3: the plan reads both rows with --header-row 3, also over a mapping
    naming row 2; without it the file names no `Deal` column."""
    rows = tmp_path / "rows.csv"
    rows.write_text(TITLED + "Deal,Title\n1,A\n2,B\n", encoding="utf-8")
    plain, other = tmp_path / "m.toml", tmp_path / "m2.toml"
    plain.write_text(MAPPING)
    other.write_text(MAPPING + "[defaults]\nheader_row = 2\n")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=11)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        common = cli_args(sb, tmp_path / "jobs")
        for mapping, extra in ((plain, ["--header-row", "3"]), (other, ["--header-row", "3"]),
                               (plain, [])):
            r = CliRunner().invoke(app, ["plan", "update", str(rows), "-m", str(mapping),
                                         *extra, "--json", *common], env=env)
            out = r.stdout + r.stderr
            if extra:
                assert r.exit_code == 0, out
                assert orjson.loads(r.stdout)["rows"] == 2, out
            else:
                assert r.exit_code != 0 and "Deal" in out, out


def test_the_library_checks_header_row(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(TITLED + "Deal,Title\n1,A\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(MAPPING)
    update_deals(rows, tmp_path / "m.toml", header_row=3)
    with pytest.raises(InputError, match="header_row"):
        update_deals(rows, tmp_path / "m.toml", header_row=0)
