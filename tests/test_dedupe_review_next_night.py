"""A review group no one decided is proposed again by the next ``--since-last`` night,
although none of its deals changed, and the night says so; once a person keeps it
separate it is not (f38c: before, a review group left undecided one night was not
proposed again until one of its deals changed, or a full run)."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.index import remember_keep_separate
from tests.dedupe_job_support import deal, org
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

DAY = ("2026-10-01T09:00:00Z", "2026-10-01T09:20:00Z")


def _seed(sb: Sandbox) -> tuple[int, int]:
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
    kello = org(sb, "Kello B.V.")
    a = deal(sb, "Rollout Linz", kello, value=5000, add=DAY[0], update=DAY[0])
    b = deal(sb, "Rollout Lienz", kello, value=5000, add=DAY[1], update=DAY[1])
    return a, b


def _groups(plan_dir: Path) -> list[tuple[str, set[int]]]:
    with (plan_dir / "groups.csv").open(encoding="utf-8") as f:
        return [(g["band"], {int(g["survivor_id"]),
                             *(int(i) for i in g["merged_ids"].split(";") if i)})
                for g in csv.DictReader(f)]


def test_an_undecided_review_group_is_proposed_again_until_decided(tmp_path: Path) -> None:
    """Night 1 proposes ``Rollout Linz`` / ``Rollout Lienz`` for review; night 2, nothing
    changed, proposes it again and says so; after a keep-separate, night 3 does not."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=44)) as sb:
        a, b = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert _groups(first.plan_dir) == [("review", {a, b})], first.lines
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert _groups(second.plan_dir) == [("review", {a, b})], second.lines
        said = [line for line in second.lines if "proposed again" in line]
        assert said and said[0].startswith("1 review group proposed again"), second.lines
        remember_keep_separate(tmp_path / "j" / "dedupe-state", [(a, b)])
        third = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert _groups(third.plan_dir) == [], third.lines
