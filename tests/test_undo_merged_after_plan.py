"""A person / organization merged away after the undo's plan — at its prompt, while it
runs, or between a kill and its resume — is judged at the run as the plan judges it
(f39b): Pipedrive's merge moved the deal to the survivor, which is no edit of it, so the
deal is put back or deleted as planned, not left as "changed since this undo was
planned"; an edit besides is still a conflict. The trace's reads are named apart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import orjson

from bulk.sandbox import Sandbox
from bulk.sandbox.merge import merge
from jobs.undo.job import UndoJob
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine, plan_tokens, spent
from tests.test_undo_dead_links import CONFIG, _deals, _nights
from tests.test_undo_link_merged import _night1
from tests.test_undo_merged_org import _later

Rows = dict[str, dict[str, str]]


def _results(jobs: Path) -> tuple[Rows, Rows, dict[str, Any]]:
    (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
    return ({r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")},
            {r["key"]: r for r in read_csv(undo_dir / "failed.csv")},
            orjson.loads((undo_dir / "summary.json").read_bytes()))


def _at_prompt(sb: Sandbox, jobs: Path, job: str, merges: Callable[[], None]) -> Any:
    """`undo JOB` whose prompt is answered after ``merges`` ran; the run's tokens are the
    plan's plus what it names beyond it, and the server's count."""
    def answer(question: str) -> bool:
        merges()
        return True
    before = spent(sb)
    with mock.patch("pdbulk.cli_ops._confirmed", answer):
        undone = cli(sb, jobs, "undo", job, *engine(sb, jobs))
    beyond = _results(jobs)[2]["merged_after_plan"] if undone.exit_code == 0 else None
    if beyond is not None:
        assert spent(sb) - before == plan_tokens(undone.output) + beyond["tokens"], (
            undone.output)
    return undone


def test_an_import_undo_deletes_creates_whose_person_or_org_was_merged_at_the_prompt(
        tmp_path: Path) -> None:
    """K1's person and K2's organization (the import's) merged into others while the
    undo's prompt waits: the run deletes K1 and K2 as the plan would have, each row's note
    naming the merge, not "changed since this undo was planned" (before: 2 conflicts)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        org2, org3 = was["K2"]["org_id"], was["K3"]["org_id"]

        def merges() -> None:
            with _later(sb, 2.0):
                merge(sb.state, "person", ann, {"merge_with_id": cy})
            with _later(sb, 3.0):
                merge(sb.state, "organization", org2, {"merge_with_id": org3})
        undone = _at_prompt(sb, jobs, night1, merges)
        assert undone.exit_code == 0, undone.output
        assert _deals(sb) == {}, _deals(sb)
        ok, failed, summary = _results(jobs)
        assert not failed, failed
        assert f"its person {ann} was merged into person {cy} after this undo was planned" \
            in ok["K1"]["note"], ok["K1"]
        assert f"its organization {org2} was merged into organization {org3} after this " \
            "undo was planned" in ok["K2"]["note"], ok["K2"]
        assert summary["merged_after_plan"]["rows"] == 2, summary["merged_after_plan"]
        assert "2 deal(s) whose person / organization was merged into another after this " \
            "undo was planned" in undone.output, undone.output


def test_a_restore_whose_written_person_was_merged_at_the_prompt_is_put_back_whole(
        tmp_path: Path) -> None:
    """The upsert linked K1 to a new person, merged into Cy Doe at the undo's prompt: K1 is
    put back whole (its person and its amount), not left as a conflict."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        new, cy = now["K1"]["person_id"], now["K3"]["person_id"]

        def merges() -> None:
            with _later(sb, 2.0):
                merge(sb.state, "person", new, {"merge_with_id": cy})
        undone = _at_prompt(sb, jobs, night2, merges)
        assert undone.exit_code == 0, undone.output
        after = _deals(sb)
        assert after["K1"]["person_id"] == was["K1"]["person_id"], after["K1"]
        assert after["K1"]["value"] == 100, after["K1"]
        ok, _, _ = _results(jobs)
        assert ok["K1"]["action"] == "restored", ok["K1"]
        assert f"its person {new} was merged into person {cy}" in ok["K1"]["note"], ok["K1"]


def test_a_merge_while_the_undo_runs_is_judged_by_the_batch_re_check(tmp_path: Path) -> None:
    """`undo --yes` (no re-read after a prompt): K1's person merged right before its
    batch's re-check; the re-check traces it and K1 is deleted, not a conflict."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        real = UndoJob.recheck
        done: list[bool] = []

        async def recheck(self: UndoJob, ctx: Any, items: Any) -> Any:
            if not done:
                done.append(True)
                with _later(sb, 2.0):
                    merge(sb.state, "person", ann, {"merge_with_id": cy})
            return await real(self, ctx, items)
        with mock.patch.object(UndoJob, "recheck", recheck):
            undone = cli(sb, jobs, "undo", night1, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert _deals(sb) == {}, _deals(sb)
        ok, _, _ = _results(jobs)
        assert "after this undo was planned" in ok["K1"]["note"], ok["K1"]


def test_an_edit_besides_a_merge_at_the_prompt_is_still_a_conflict(tmp_path: Path) -> None:
    """K1's person merged and its amount edited at the prompt: K1 is a conflict, left."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, cy, deal = was["K1"]["person_id"], was["K3"]["person_id"], was["K1"]["id"]

        def merges() -> None:
            with _later(sb, 2.0):
                merge(sb.state, "person", ann, {"merge_with_id": cy})
                rows = sb.state.deals.rows
                rows[deal] = {**rows[deal], "value": 999, "update_time": sb.state.now_iso()}
        undone = _at_prompt(sb, jobs, night1, merges)
        assert undone.exit_code == 3, undone.output
        assert list(_deals(sb)) == ["K1"], _deals(sb)
        _, failed, _ = _results(jobs)
        assert "changed since this undo was planned" in failed["K1"]["reason"], failed
