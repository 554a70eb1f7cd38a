"""A manifest with no data rows (its header alone) is refused in one line before any call:
no job, no token spent, for import, plan import, update, plan update and move-stage
(x17r3 F8: a header-only upsert pulled 220 tokens of persons, organizations and deals)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.manifest import check_has_rows
from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "no-rows-token-0123456789"
MAPPING = """[import]
key_column = "key"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""
UPDATE_MAPPING = """[update]
id_column = "deal_id"
[deal]
title = "title"
"""


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth",
                                       token=TOKEN, deals=40, seed=5)) as box:
        yield box


def spent(sb: Sandbox) -> int:
    return int(sb.stats()["tokens_spent"])


@pytest.mark.parametrize("command", ["import", "plan import", "update", "plan update",
                                     "move-stage", "plan move-stage"])
def test_a_header_only_manifest_spends_nothing(sb: Sandbox, tmp_path: Path,
                                               command: str) -> None:
    """Exit 1, one line naming the file and that it has no data rows; not a token spent and
    no job folder left."""
    jobs = tmp_path / "jobs"
    engine = ["--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)]
    if command.endswith("import"):
        manifest = tmp_path / "deals.csv"
        manifest.write_text("key,title,person,email,org\r\n\r\n")  # a blank line too
        (tmp_path / "map.toml").write_text(MAPPING)
        args = [str(manifest), "--mapping", str(tmp_path / "map.toml"), "--create-key-field"]
    elif command.endswith("update"):
        manifest = tmp_path / "changes.csv"
        manifest.write_text("deal_id,title\n")
        (tmp_path / "map.toml").write_text(UPDATE_MAPPING)
        args = [str(manifest), "--mapping", str(tmp_path / "map.toml")]
    else:
        manifest = tmp_path / "ids.csv"
        manifest.write_text("deal_id\n")
        stage = next(iter(sb.state.stages.values()))["name"]
        args = ["--to-stage", stage, "--manifest", str(manifest), "--yes"]
    before = spent(sb)
    res = CliRunner().invoke(app, [*command.split(), *args, *engine],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output and TOKEN not in res.output
    said = [line for line in res.output.splitlines() if "no data rows" in line]
    assert len(said) == 1 and str(manifest.name) in said[0], res.output
    assert spent(sb) == before, res.output
    assert not jobs.exists() or not any(jobs.iterdir())


def test_check_has_rows_reads_up_to_the_first_record(tmp_path: Path) -> None:
    """A record (even a bad one) is a row; an XLSX-free check of CSV and JSONL alike."""
    path = tmp_path / "m.csv"
    path.write_text("a,b\n\n")
    with pytest.raises(InputError, match="no data rows"):
        check_has_rows(path)
    path.write_text("a,b\n1,2,3\n")  # a row of the wrong width: a row all the same
    check_has_rows(path)


def test_the_library_load_of_a_header_only_file_reads_nothing(sb: Sandbox,
                                                              tmp_path: Path) -> None:
    """``import_job`` (the library's import, without the CLI's own check): the load raises
    the same InputError before its first pull."""
    import anyio

    from tests.import_support import import_once

    manifest, mapping = tmp_path / "deals.csv", tmp_path / "map.toml"
    manifest.write_text("key,title,person,email,org\n")
    mapping.write_text(MAPPING)
    before = spent(sb)
    with pytest.raises(InputError, match="no data rows"):
        anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest, mapping,
                                      auth="oauth"))
    assert spent(sb) == before
