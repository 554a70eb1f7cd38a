"""One rule for a ``merge`` decision that can never be taken — a deal of it gone, a pair of
it kept separate since its plan (``jobs.dedupe.never_takeable``) — called by ``dedupe
apply`` and by the night reading an earlier night's decisions (``earlier_decisions.
blocked``) alike (f43f: each had its own copy of the reasons). Both name the same reason
for the same group: a kept pair whose deal also changed since was "changed since the plan"
to apply and "kept separate, never taken" to the night. ``pdbulk plan dedupe`` names such
decisions as never takeable, for no token more than the plan reads without them."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import orjson
from typer.testing import CliRunner

import jobs
from bulk.sandbox import SandboxConfig
from jobs.dedupe.earlier_decisions import blocked
from jobs.dedupe.held_now import held_now
from jobs.dedupe.index import remember_keep_separate
from jobs.dedupe.never_takeable import gone_reason, kept_reason, never_takeable
from pdbulk.cli import app
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox
from tests.test_dedupe_earlier_decisions import _decide, _seed
from tests.update_support import cli_args
from tests.update_support import deal as sb_deal


def test_the_night_and_a_resume_judge_by_the_one_rule() -> None:
    """``blocked`` (the night) and ``held_now`` (apply's re-check) say ``never_takeable``'s
    words: gone before kept, kept in the members' order."""
    assert never_takeable([7, 8, 9], lambda i: i == 9, {frozenset((7, 8))}) == gone_reason(9)
    assert never_takeable([7, 8], lambda i: False, {frozenset((7, 8))}) == kept_reason(7, 8)
    assert never_takeable([7, 8], lambda i: False, set()) is None
    assert blocked([7, 8], {}, {}) is not None  # a deal the plan never read: not never
    assert held_now([7, 8], {}, {}, {}, {}, [frozenset((7, 8))]) == (
        f"{kept_reason(7, 8)}; nothing sent")


def test_apply_and_the_plans_name_the_same_never_takeable_reason(tmp_path: Path) -> None:
    """Night 1's two groups decided merge; since, one deal is deleted (gone) and the other
    pair kept separate with a deal of it edited too. `dedupe apply` of night 1's folder and
    `pdbulk plan dedupe` name both alike — gone, kept separate (not "changed since the
    plan") — and the plan names them never takeable for the tokens it spends without."""
    runner = CliRunner()
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=81)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        crm, linz = sorted(ids["crm"]), sorted(ids["linz"])
        _decide(first.plan_dir, {frozenset(crm): "merge", frozenset(linz): "merge"})
        sb.state.save("deal", {**sb_deal(sb, crm[1]), "is_deleted": True,
                               "update_time": sb.state.now_iso()})
        sb.state.save("deal", {**sb_deal(sb, linz[1]), "title": "Rollout Lienz (edited)",
                               "update_time": sb.state.now_iso()})
        remember_keep_separate(state, [linz])
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        planned = runner.invoke(app, ["plan", "dedupe", "--json", *args], env=env)
        assert planned.exit_code == 0, planned.output
        _decide(first.plan_dir, {})  # no decision: the same plan's reads
        bare = runner.invoke(app, ["plan", "dedupe", "--json", *args], env=env)
        _decide(first.plan_dir, {frozenset(crm): "merge", frozenset(linz): "merge"})
        applied = runner.invoke(app, ["dedupe", "apply", str(first.plan_dir), "--yes", *args],
                                env=env)
        # two reviewer decisions = merge not followed: asked for, not done (x48r5 F3)
        assert applied.exit_code == 3, applied.output
    gone, kept = gone_reason(crm[1]), kept_reason(*linz)
    for said in (planned.stderr, applied.stderr):
        assert gone in said and kept in said, said
        assert "changed since" not in said, said
    assert planned.stderr.count("it can never be taken") == 2, planned.stderr
    tokens = [sum(v["tokens"] for v in orjson.loads(r.stdout)["plan_reads"].values())
              for r in (planned, bare)]
    assert tokens[0] == tokens[1], tokens
