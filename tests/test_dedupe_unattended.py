"""x21r2 F1: a pair a "review at most" rule holds (a near word, parts in another order,
two persons...) is never merged unattended, whatever the thresholds: ``--auto-apply-above``
below the duplicate band's floor is a usage error, a held pair is never in the duplicate
band (a config with duplicate_threshold <= 0.80 too), and the run's plan lines count what
the run merges."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from benchmarks.dedupe_data import generate
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.apply import ApplyOptions
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from pdbulk.cli import app
from tests.dedupe_job_support import deal, org
from tests.update_support import cli_args, threaded_sandbox
from tests.update_support import deal as sb_deal

HELD = {"near_word", "route", "pair", "renewal", "retainer", "reopened", "entity"}


def _person(sb: Sandbox, org_id: int) -> int:
    tpl = dict(sb.state.table("person").rows[1])
    (pid,) = sb.state.load("person", [{k: v for k, v in tpl.items() if k != "id"}
                                      | {"name": "Pia Pelican", "org_id": org_id}])
    return pid


def _pelican(sb: Sandbox) -> dict[str, int]:
    """The tester's repro: one org, one person, four deals of one value."""
    pelican = org(sb, "Pelican GmbH")
    pid = _person(sb, pelican)
    ids = {t: deal(sb, f"Pelican - {t}", pelican, value=1000, currency="EUR", person_id=pid,
                   add="2026-11-01T10:00:00Z")
           for t in ("Rollout Linz", "Rollout Lienz", "Phase 1", "Phase 2")}
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
    return ids


def test_auto_apply_above_below_the_duplicate_floor_is_refused(tmp_path: Path) -> None:
    """`dedupe run --auto-apply-above 0.8` merged `Rollout Lienz` into `Rollout Linz`
    (review, 0.800) while its plan lines said 0 deals to merge: now exit 2 naming the floor,
    nothing merged; `pdbulk plan dedupe` takes the option and refuses it the same way."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=61)) as sb:
        ids = _pelican(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        ran = runner.invoke(app, ["dedupe", "run", "--json", "--auto-apply-above", "0.8",
                                  "-o", str(tmp_path / "p"), *args], env=env)
        assert ran.exit_code == 2, ran.output
        out = orjson.loads(ran.stdout)
        assert "duplicate threshold 0.85" in out["error"], out
        assert not any(sb_deal(sb, i)["is_deleted"] for i in ids.values())
        cost = runner.invoke(app, ["plan", "dedupe", "--auto-apply-above", "0.8", *args],
                             env=env)
        assert cost.exit_code == 2 and "duplicate threshold 0.85" in cost.output, cost.output
        assert sb.token not in ran.output + cost.output
        # at the floor: the duplicate band only; the plan lines count what is merged
        ran = runner.invoke(app, ["dedupe", "run", "--auto-apply-above", "0.85",
                                  "-o", str(tmp_path / "p2"), *args], env=env)
        assert ran.exit_code == 0, ran.output
        assert "deals to merge away: 0" in ran.output and "tokens to merge them: 0" in ran.output
        assert not any(sb_deal(sb, i)["is_deleted"] for i in ids.values())


def test_a_low_duplicate_threshold_never_merges_a_held_pair(tmp_path: Path) -> None:
    """A config with duplicate_threshold 0.75: the near-word pair (0.800) stays in the
    review band (pairs.csv says why) and `dedupe run` merges nothing."""
    cfg = tmp_path / "dedupe.toml"
    cfg.write_text("duplicate_threshold = 0.75\n")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=62)) as sb:
        ids = _pelican(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        ran = CliRunner().invoke(app, ["dedupe", "run", "--json", "--config", str(cfg),
                                       "-o", str(tmp_path / "p"),
                                       *cli_args(sb, tmp_path / "j")], env=env)
        assert ran.exit_code == 0, ran.output
        out = orjson.loads(ran.stdout)
        assert out["merged"] == 0 and out["plan"]["duplicate_groups"] == 0, out
        assert not any(sb_deal(sb, i)["is_deleted"] for i in ids.values())
        pairs = (tmp_path / "p" / "pairs.csv").read_text()
        assert "review at most: near word" in pairs, pairs


def test_labelled_near_misses_are_never_in_the_duplicate_band() -> None:
    """The labelled generator's hard negatives that a "review at most" rule holds (near
    words, routes and pairs both ways, recurring deals, two legal entities): with a
    duplicate threshold of 0.75 none of them is in a duplicate group, and
    --auto-apply-above takes no review group."""
    data = generate(seed=11, companies=150)
    config = DedupeConfig.default()
    config = DedupeConfig(**{**{f: getattr(config, f) for f in config.__dataclass_fields__},
                             "duplicate_threshold": 0.75})
    result = find_duplicates(data.deals, config)
    duplicate_pairs = {frozenset((x, y)) for g in result.groups if g.band == "duplicate"
                       for x in g.member_ids for y in g.member_ids if x < y}
    held = [(p, kind) for p, kind in data.hard_negatives if kind in HELD]
    assert held
    merged = [(sorted(p), kind) for p, kind in held if p in duplicate_pairs]
    assert merged == []
    options = ApplyOptions(auto_apply_above=0.75)
    assert all(options.wants(g, 0.70) is not None for g in result.groups if g.band == "review")
