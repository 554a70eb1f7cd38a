"""A reviewer's ``decision = merge`` a night names as not taken (a deal changed since that
plan) is a night with something to look at: ``pdbulk dedupe run`` exits 3 and counts it
(``refused_decisions``) every night it is named (x51r6 F2: exit 0 and refused_decisions 0
on 6 of 6 nights, though the README's exit 3 covers a decision held because a deal
changed); and retention's line for the folder kept for it advises what takes it — the
newest plan — never its own folder's apply, which refuses it (x51r6 F4)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.dedupe import retention
from pdbulk.cli import app
from tests.sandbox_helpers import threaded_sandbox
from tests.test_dedupe_earlier_decisions import _decide, _seed
from tests.update_support import cli_args
from tests.update_support import deal as sb_deal


def test_a_merge_decision_not_taken_exits_3_every_night_it_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Night 1's merge decision, a deal of it edited since: nights 2 and 3 name it, exit 3,
    count it; the folder kept for it is said to be decided again in the newest plan."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=45)) as sb:
        ids = _seed(sb)
        args = cli_args(sb, tmp_path / "j")
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        monkeypatch.setattr(retention, "PLANS_KEPT", 1)  # the newest plan only (10 nights)
        night = ["dedupe", "run", "--since-last", "--json", *args]
        first = runner.invoke(app, night, env=env)
        assert first.exit_code == 0, first.output
        plan = Path(orjson.loads(first.stdout)["plan_dir"])
        _decide(plan, {frozenset(ids["crm"]): "merge"})
        a = ids["crm"][0]
        sb.state.save("deal", {**sb_deal(sb, a), "value": 950,
                               "update_time": sb.state.now_iso()})
        for _ in range(2):
            res = runner.invoke(app, night, env=env)
            assert res.exit_code == 3, res.output
            got = orjson.loads(res.stdout)
            assert got["exit_code"] == 3 and got["refused_decisions"] == 1, got
            assert f"deal {a} changed since that plan" in res.stderr, res.stderr
            assert "pdbulk: exit 3: 1 reviewer decision = merge not taken" in res.stderr
            assert sb.token not in res.output
            kept = [s for s in res.stderr.splitlines() if f"plan folder {plan} kept" in s]
            assert len(kept) == 1, res.stderr
            assert "dedupe apply" not in kept[0], kept
            assert "decide it again in the newest plan" in kept[0], kept
            assert f"{got['plan_dir']}/groups.csv, group g-{min(ids['crm'])}" in kept[0]
        # its own folder's apply refuses it, as the line now says
        applied = runner.invoke(app, ["dedupe", "apply", str(plan), "--yes", *args], env=env)
        assert applied.exit_code == 3, applied.output
        assert "changed since the plan" in applied.stderr, applied.stderr
