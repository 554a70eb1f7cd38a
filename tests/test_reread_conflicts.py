"""Whenever a job re-reads its deals before writing (resume, after the prompt, retry), a deal
someone else changed since the load in a field the job writes is a conflict left alone
(never overwritten silently, never given an older before-image for undo), and a
move-stage deal that no longer matches its selection is not moved."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import cli_args, deal, load_job

UPDATE_MAPPING = """[update]
id_column = "deal_id"
[defaults]
currency = "USD"
[deal]
value = "amount"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def cli(sb: Sandbox, *args: str) -> Any:
    res = CliRunner().invoke(app, [*args], env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert "Traceback" not in res.output, res.output
    return res


def someone_edits(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    """Another user changes the deal (a later update_time than any write of the test)."""
    sb.state.save("deal", {**deal(sb, deal_id), **fields, "update_time": "2031-01-01T00:00:00Z"})


def live(sb: Sandbox) -> list[int]:
    return sorted(d["id"] for d in sb.state.deals.rows.values()
                  if not d["is_deleted"] and not d["is_archived"])


def test_resumed_update_leaves_a_deal_changed_since_the_load_and_undo_keeps_it(
        sb: Sandbox, tmp_path: Path) -> None:
    """An update is loaded (deal A 299 -> 5199, deal B 100 -> 200) and dies before sending;
    another user sets A to 7777. Resume: A is a conflict (failed, nothing sent, still
    7777), B is updated. Undo of the update puts B back to 100 and leaves A at 7777 (it
    used to PATCH A to 5199, then undo restored 299: 7777 was lost)."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    someone_edits(sb, a, value=299)
    someone_edits(sb, b, value=100)
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    manifest = tmp_path / "u.csv"
    manifest.write_text(f"deal_id,amount\n{a},5199\n{b},200\n")

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, prep = await load_job(sb, jobs, "update", build, job_id="upd")
        assert prep.actions["update"] == 2, prep.actions
        store.close()
    anyio.run(load)
    someone_edits(sb, a, value=7777)
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert "1 conflicts" in resumed.output, resumed.output
    assert deal(sb, a)["value"] == 7777
    assert deal(sb, b)["value"] == 200
    with JobStore.open(jobs / "upd", lock=False) as store:
        failed = {i.key: i.error or "" for i in store.items(ItemState.FAILED)}
    assert list(failed) == [str(a)] and "conflict" in failed[str(a)], failed
    assert "7777" in failed[str(a)]

    undone = cli(sb, "undo", "upd", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert deal(sb, a)["value"] == 7777  # the other user's value survives
    assert deal(sb, b)["value"] == 100


def test_move_stage_after_the_prompt_skips_a_deal_moved_meanwhile(
        sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`move-stage --stage Qualified --to-stage "Proposal Made"`: while the question is on
    screen another user moves one selected deal to "Demo Scheduled". After "y" it is not
    moved (it no longer matches --stage Qualified; reported with the reason), the others
    are; undo of the move puts the others back to Qualified and leaves that one in Demo
    Scheduled."""
    import pdbulk.cli_ops as cli_ops

    jobs = tmp_path / "jobs"
    stages = {s["name"]: s["id"] for s in sb.state.stages.values()
              if s["pipeline_id"] == 1}
    chosen = live(sb)[:4]
    for i in chosen:
        someone_edits(sb, i, stage_id=stages["Qualified"], pipeline_id=1, status="open")
    moving = [d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"]
              and not d["is_archived"] and d["stage_id"] == stages["Qualified"]
              and d["status"] == "open"]
    moved_away = chosen[0]

    def answer_yes(question: str) -> bool:  # the question was on screen for a while
        someone_edits(sb, moved_away, stage_id=stages["Demo Scheduled"])
        return True

    monkeypatch.setattr(cli_ops, "_confirmed", answer_yes)
    ran = cli(sb, "move-stage", "--pipeline", "Sales", "--stage", "Qualified", "--status",
              "open", "--to-stage", "Proposal Made", *cli_args(sb, jobs))
    assert ran.exit_code == 3, ran.output
    assert "1 no longer selected" in ran.output, ran.output
    assert deal(sb, moved_away)["stage_id"] == stages["Demo Scheduled"]
    others = [i for i in moving if i != moved_away]
    assert others and all(deal(sb, i)["stage_id"] == stages["Proposal Made"] for i in others)
    (job,) = jobs.iterdir()
    with JobStore.open(job, lock=False) as store:
        failed = {i.key: i.error or "" for i in store.items(ItemState.FAILED)}
    assert list(failed) == [str(moved_away)], failed
    assert "no longer matches the selection" in failed[str(moved_away)]
    # by the stages' names, not "stage_id is 3 now, not 2" (f27d 2)
    assert "(stage_id is Sales \u203a Demo Scheduled now, not Sales \u203a Qualified)" \
        in failed[str(moved_away)], failed

    monkeypatch.setattr(cli_ops, "_confirmed", lambda question: True)
    undone = cli(sb, "undo", job.name, *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert deal(sb, moved_away)["stage_id"] == stages["Demo Scheduled"]
    assert all(deal(sb, i)["stage_id"] == stages["Qualified"] for i in others)


def test_a_change_that_agrees_with_the_job_is_not_a_conflict(sb: Sandbox,
                                                             tmp_path: Path) -> None:
    """Loaded: deal A value 100 -> 200 and a new title. Another user sets A's value to 200
    meanwhile (what the job sets too). Resume: not a conflict; the title is written."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    jobs = tmp_path / "jobs"
    (a,) = live(sb)[:1]
    someone_edits(sb, a, value=100)
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING + 'title = "title"\n')
    manifest = tmp_path / "u.csv"
    manifest.write_text(f"deal_id,amount,title\n{a},200,Agreed\n")

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, _ = await load_job(sb, jobs, "update", build, job_id="upd")
        store.close()
    anyio.run(load)
    someone_edits(sb, a, value=200)
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert deal(sb, a)["title"] == "Agreed" and deal(sb, a)["value"] == 200
