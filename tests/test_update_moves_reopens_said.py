"""`plan update` says how many deals an update moves to another pipeline and how many won /
lost deals it reopens (x51r4 F1, F2: 160 deals moved and 60 won deals reopened while the
plan listed only "stage_id" and "status"); a stage-only status map with no "*" reopens
none."""

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

TOKEN = "update-moves-token"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
FAST = ["--plan", "ultimate", "--oauth"]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=52)) as sb:
        yield sb


def _call(sb: Sandbox, method: str, path: str, body: Any = None) -> Any:
    req = urllib.request.Request(sb.url + path, method=method,
                                 data=None if body is None else orjson.dumps(body),
                                 headers={"authorization": f"Bearer {TOKEN}",
                                          "content-type": "application/json"})
    with _LOCAL.open(req, timeout=10) as resp:
        return orjson.loads(resp.read())["data"]


def _run(sb: Sandbox, tmp: Path, status_map: str, *, plan: bool) -> str:
    manifest, mapping = tmp / "upd.csv", tmp / "m.toml"
    mapping.write_text('version = 1\n[update]\nid_column = "Id"\n[deal]\n'
                       f'status = {{ column = "Stage"{status_map} }}\n'
                       '[deal.stage]\ncolumn = "Stage"\n', encoding="utf-8")
    args = [str(manifest), "--mapping", str(mapping), "--url", sb.url, *FAST]
    env = {**ENV, "PDBULK_STATE_DIR": str(tmp / "state")}
    res = CliRunner().invoke(app, ["plan", "update", *args] if plan else
                             ["update", *args, "--yes", "--job-dir", str(tmp / "jobs")], env=env)
    said = " ".join(res.output.split())
    assert res.exit_code == 0, said
    return said


def test_the_plan_counts_moves_and_reopens(sandbox: Sandbox, tmp_path: Path) -> None:
    pipelines = {p["id"]: p["name"] for p in _call(sandbox, "GET", "/api/v2/pipelines")}
    stages = _call(sandbox, "GET", "/api/v2/stages")
    one, other = sorted(pipelines)[:2]
    home = next(s for s in stages if s["pipeline_id"] == one)
    away = next(s for s in stages if s["pipeline_id"] == other)
    won = _call(sandbox, "POST", "/api/v2/deals",
                {"title": "W", "stage_id": home["id"], "status": "won"})
    moved = _call(sandbox, "POST", "/api/v2/deals", {"title": "M", "stage_id": away["id"]})
    (tmp_path / "upd.csv").write_text(
        f"Id,Stage\n{won['id']},{home['name']}\n"
        f"{moved['id']},{pipelines[one]} \u203a {home['name']}\n", encoding="utf-8")
    said = _run(sandbox, tmp_path, ', map = { "*" = "open" }', plan=True)
    assert "reopens 1 won / lost deal(s)" in said, said
    assert "moves 1 deal(s) to another pipeline" in said, said
    said = _run(sandbox, tmp_path, "", plan=True)  # the starter's: no "*"
    assert "reopens" not in said, said
    _run(sandbox, tmp_path, "", plan=False)
    deals = {d["title"]: d for d in sandbox_deals(sandbox)}
    assert deals["W"]["status"] == "won" and deals["W"]["stage_id"] == home["id"], deals
    assert deals["M"]["pipeline_id"] == one and deals["M"]["stage_id"] == home["id"], deals
