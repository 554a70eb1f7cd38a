"""A plan prices the re-check of each batch at the burst the run will pace to: the
account's, as its rate headers say it, not the configured ``--plan``'s (x52r6 F8: `plan
update` of 100 rows with the default --plan on an account allowing 120 calls a window said
15 getDeals — its re-checks in batches of 40 — where the run, sized by the heard 120, read
in batches of 100 and spent 13: plan 690, server 670; x51r3 F4 / x51r12 F4 likewise)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "heard-burst-token-0123"
UPDATE_MAPPING = """[update]
id_column = "deal_id"
[deal]
title = "title"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    # an Ultimate account (120 calls a window on an API token) run with --plan growth (40)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", token=TOKEN, deals=140,
                                       seed=11)) as box:
        yield box


def _cli(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args), env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
    assert "Traceback" not in res.output, res.output
    return res.exit_code, res.stdout, res.output


def _spent(sb: Sandbox) -> int:
    return int(sb.stats()["tokens_spent"])


def test_plan_update_and_move_stage_price_the_heard_bursts_batches(sb: Sandbox,
                                                                    tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    common = ["--url", sb.url, "--plan", "growth", "--job-dir", str(jobs)]
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])[:100]
    assert len(ids) == 100
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,title\n" + "".join(
        f'{i},"{sb.state.deals.rows[i]["title"]} (checked {i})"\n' for i in ids))
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    code, out, text = _cli("plan", "update", str(manifest), "-m", str(mapping), "--json",
                           *common)
    assert code == 0, text
    plan = orjson.loads(out)
    before = _spent(sb)
    code, _, text = _cli("update", str(manifest), "-m", str(mapping), "--yes", *common)
    assert code == 0, text
    assert _spent(sb) - before == plan["tokens"], (plan["calls"], text)
    # the load's read of the 100 deals and ONE re-check of 100 (the heard burst), not three
    assert plan["calls"]["getDeals"] == 2, plan["calls"]
    select = ["--pipeline", "Sales", "--to-stage", "Contact Made"]
    code, out, text = _cli("plan", "move-stage", *select, "--json", *common)
    assert code == 0, text
    planned = orjson.loads(out)["tokens"]
    before = _spent(sb)
    code, _, text = _cli("move-stage", *select, "--yes", *common)
    assert code in (0, 3), text
    assert _spent(sb) - before == planned, text
