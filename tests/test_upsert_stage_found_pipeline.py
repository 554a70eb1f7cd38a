"""An import upsert's row of no pipeline whose stage cell is a stage of several pipelines
is read in the pipeline of the deal its key finds, as an update reads it (the lead's
f50 note: `Contact Made`, of Sales and Partnerships, was refused as ambiguous on a row
that updates a Partnerships deal); a row that creates its deal has none to ask and is
refused as before."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "upsert-stage-found-token"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
FAST = ["--plan", "ultimate", "--oauth"]
MAPPING = """\
version = 1
[import]
key_column = "Key"
key_field = "Import source key"
mode = "upsert"
[deal]
title = "Title"
{pipeline}
[deal.stage]
column = "Stage"
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=51)) as sb:
        yield sb


def _stages(sb: Sandbox) -> list[dict[str, Any]]:
    req = urllib.request.Request(sb.url + "/api/v2/stages",
                                 headers={"authorization": f"Bearer {TOKEN}"})
    with _LOCAL.open(req, timeout=10) as resp:
        return list(orjson.loads(resp.read())["data"])


def _import(sb: Sandbox, tmp: Path, name: str, text: str, pipeline: str) -> Any:
    manifest, mapping = tmp / f"{name}.csv", tmp / f"{name}.toml"
    manifest.write_text(text, encoding="utf-8")
    mapping.write_text(MAPPING.format(pipeline=pipeline), encoding="utf-8")
    env = {**ENV, "PDBULK_STATE_DIR": str(tmp / "state")}
    return CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                    "--create-key-field", "--url", sb.url, "--json",
                                    "--job-dir", str(tmp / f"jobs-{name}"), *FAST], env=env)


def test_an_upsert_row_of_no_pipeline_reads_a_shared_stage_in_its_deals(
        sandbox: Sandbox, tmp_path: Path) -> None:
    stages = _stages(sandbox)
    names: dict[str, list[dict[str, Any]]] = {}
    for s in stages:
        names.setdefault(s["name"], []).append(s)
    shared = next(n for n, found in names.items() if len(found) > 1)
    home = names[shared][-1]["pipeline_id"]
    first = next(s for s in stages if s["pipeline_id"] == home and s["name"] != shared)
    pipelines = {s["pipeline_id"] for s in stages}
    assert len(pipelines) > 1
    made = _import(sandbox, tmp_path, "a", f"Key,Title,Pipeline,Stage\nk1,A,,{first['name']}\n",
                   'pipeline = { column = "Pipeline" }')
    assert made.exit_code == 0, made.output
    deal = next(d for d in sandbox_deals(sandbox) if d["title"] == "A")
    assert deal["pipeline_id"] == home, deal
    ran = _import(sandbox, tmp_path, "b", f"Key,Title,Stage\nk1,A,{shared}\nk2,B,{shared}\n",
                  "")
    said = " ".join(ran.output.split())
    assert ran.exit_code == 3, said  # k2 creates: no deal to ask, refused as ambiguous
    failed = next((tmp_path / "jobs-b").glob("*/failed.csv")).read_text(encoding="utf-8")
    assert "k2" in failed and "ambiguous" in failed and "k1" not in failed, failed
    deal = next(d for d in sandbox_deals(sandbox) if d["title"] == "A")
    assert deal["stage_id"] == names[shared][-1]["id"], (deal, names[shared])
    assert not [d for d in sandbox_deals(sandbox) if d["title"] == "B"]
