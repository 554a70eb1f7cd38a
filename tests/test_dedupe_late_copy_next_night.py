"""A late copy left out of its group (added days after the group's first copy, within the
copy gap of another) is compared again by the next ``--since-last`` night whatever changed,
and the run's lines say it was left out and why (f37d 1: the next night found it only when
the merge moved the survivor's ``update_time``, which Pipedrive does not promise —
FACTS.md, Merge (v1) —, or when a group of it was left unfinished; else it was in no
group, night after night). Without --since-last every night reads it whole, as before."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.job import left_out_line
from tests.dedupe_job_support import deal, org
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

DAYS = ("2026-10-01T09:00:00Z", "2026-10-02T12:00:00Z", "2026-10-04T00:00:00Z")  # 27 h, 63 h


def _seed(sb: Sandbox) -> tuple[int, int, int]:
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
    kello = org(sb, "Kello B.V.")
    a, b, late = (deal(sb, "Firewall renewal", kello, value=30200, add=t, update=t)
                  for t in DAYS)
    return a, b, late


def _groups(plan_dir: Path) -> list[tuple[str, set[int]]]:
    with (plan_dir / "groups.csv").open(encoding="utf-8") as f:
        return [(g["band"], {int(g["survivor_id"]),
                             *(int(i) for i in g["merged_ids"].split(";") if i)})
                for g in csv.DictReader(f)]


def test_the_next_night_pairs_the_late_copy_with_the_survivor(tmp_path: Path) -> None:
    """Night 1 merges the two same-week copies and leaves the late one out, saying so;
    the survivor's ``update_time`` stays as it was (Pipedrive may leave it); night 2
    (``--since-last``) still pairs the late copy with the survivor, at review."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        a, b, late = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        night = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert night.merged == 1, night.lines
        assert _groups(night.plan_dir) == [("duplicate", {a, b})]
        said = [line for line in night.lines if "left out" in line]
        assert said and str(late) in said[0] and "added days apart" in said[0], night.lines
        survivor = next(i for i in (a, b) if not sb.state.deals.rows[i]["is_deleted"])
        row = sb.state.deals.rows[survivor]
        sb.state.save("deal", {**row, "update_time": DAYS[0]})  # the merge moved nothing
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert ("review", {survivor, late}) in _groups(second.plan_dir), second.lines
        assert not any("left out" in line for line in second.lines), second.lines


def test_the_line_names_each_left_out_deal_and_its_group() -> None:
    """``left_out_line``: the deals and their groups, at most 10 named; None for none."""
    from jobs.dedupe.model import Group

    def g(i: int, out: tuple[int, ...]) -> Group:
        return Group(f"g-{i}", i, (i + 1,), "duplicate", 1.0, (), (), (), left_out=out)
    assert left_out_line([g(1, ())]) is None
    line = left_out_line([g(1, (3,)), g(10, (12, 13))])
    assert line is not None and "3 late copies" in line and "deal 3 (g-1)" in line, line
    assert "deal 13 (g-10)" in line and "next plan" in line, line
    many = left_out_line([g(i * 10, (i * 10 + 5,)) for i in range(1, 13)])
    assert many is not None and "12 late copies" in many and "and 2 more" in many, many


def test_the_cli_plan_and_run_say_the_late_copy_was_left_out(tmp_path: Path) -> None:
    """``pdbulk dedupe plan`` and ``pdbulk dedupe run`` print the line once each."""
    import os

    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.update_support import cli_args

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        _, _, late = _seed(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner, args = CliRunner(), cli_args(sb, tmp_path / "j")
        planned = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args],
                                env=env)
        assert planned.exit_code == 0, planned.output
        said = [line for line in planned.output.splitlines() if "left out" in line]
        assert len(said) == 1 and f"deal {late} (g-" in said[0], planned.output
        ran = runner.invoke(app, ["dedupe", "run", "--yes", "--since-last", *args], env=env)
        assert ran.exit_code == 0, ran.output
        said = [line for line in ran.output.splitlines() if "left out" in line]
        assert len(said) == 1 and f"deal {late} (g-" in said[0], ran.output
