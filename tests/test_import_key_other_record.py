"""A row whose source key an unrelated deal carries — another title, and another
organization and person — is another source's record of the same id (two systems'
numeric ids in one key field): insert fails the row saying so, not ``exists`` with the
other deal's ids; an upsert's plan names such rows before the run (x42r1 F2). A row of
the deal whose title was edited since (its organization the same) is ``exists`` still."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import import_once, sandbox_deals
from tests.sandbox_helpers import threaded_sandbox

MAPPING = """version = 1
[import]
key_column = "Id"
[deal]
title = "Name"
pipeline = { default = "Sales" }
[person]
email = "Email"
[organization]
name = "Company"
"""
FIRST = ("Id,Name,Company,Email\n101,Alpha renewal,Alpha GmbH,ann@alpha.example\n"
         "102,Beta pilot,Beta AG,bob@beta.example\n103,Gamma deal,Gamma SA,cy@gamma.example\n"
         "104,Delta,,\n")
# another CRM's ids: 101 is an unrelated deal; 102 the same deal retitled since; 103 the
# same organization, another person; 104 a deal of no contact given contacts now
SECOND = ("Id,Name,Company,Email\n101,Zoho: Omega rollout,Omega Ltd,olga@omega.example\n"
          "102,Beta pilot (phase 2),Beta AG,bob@beta.example\n"
          "103,Gamma extension,Gamma SA,dee@gamma.example\n"
          "104,Delta Corp deal,Delta Corp,eve@delta.example\n")


def _read(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {r["key"]: r for r in csv.DictReader(f)}


def test_an_unrelated_deal_of_the_key_fails_the_insert_row_and_is_named_by_upsert(
        tmp_path: Path) -> None:
    """Insert: row 101 fails naming deal and title and the fix, nothing written; 102, 103
    and 104 are ``exists``. Upsert's plan: "1 row would change the title and the organization /
    person ... (row 2)"."""
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", first, mapping))
        store.close()
        alpha = next(d for d in sandbox_deals(sb) if d["title"] == "Alpha renewal")
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", second, mapping,
                                                    job_id="import-2"))
        try:
            failed = _read(store.directory / "failed.csv")
            done = _read(store.directory / "succeeded.csv")
        finally:
            store.close()
        titles = sorted(d["title"] for d in sandbox_deals(sb))
        planned = CliRunner().invoke(app, ["plan", "import", str(second), "-m", str(mapping),
                                           "--mode", "upsert", "--url", sb.url],
                                     env={"PIPEDRIVE_API_TOKEN": sb.token})
    assert set(failed) == {"101"}, failed
    reason = failed["101"]["reason"]
    assert f"key 101 belongs to deal {alpha['id']} titled 'Alpha renewal'" in reason, reason
    assert "its title and organization and person" in reason, reason
    assert "key field of its own" in reason, reason
    assert {k: r["action"] for k, r in done.items()} == dict.fromkeys(("102", "103", "104"),
                                                                      "exists")
    assert titles == ["Alpha renewal", "Beta pilot", "Delta", "Gamma deal"]
    said = " ".join(planned.output.split())
    assert "1 row would change the title and the organization / person of the deal carrying " \
           "its key (row 2)" in said, said
