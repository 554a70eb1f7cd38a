"""A 2xx whose body cannot be read (``Faults.bad_json_rate``: ``{"success": tr``): the call
was done and charged. A write so answered is in doubt — read back, never sent again
blindly, recorded as the job's own write when the read proves it applied (so undo puts it
back) — and its tokens are counted; a read so answered is sent again (f42j, x42r5 F1-F2)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Faults, Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.update_support import cli_args, deal, threaded_sandbox

DEALS = 8
UPDATE_MAP = '[update]\nid_column = "Deal"\n[deal]\nvalue = "Amount"\n'


def _env(sb: Sandbox) -> dict[str, str]:
    return {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}


def _job(root: Path) -> Path:
    (job,) = (p for p in root.iterdir() if p.is_dir() and (p / "job.sqlite").exists())
    return job


def _actions(job: Path) -> dict[str, int]:
    with JobStore.open(job, lock=False) as store:
        out: dict[str, int] = {}
        for item in store.items():
            what = (f"{item.state.value}:{(item.result or {}).get('action')}"
                    if item.state is ItemState.DONE else item.state.value)
            out[what] = out.get(what, 0) + 1
        return out


def _counted_as_charged(sb: Sandbox, job: Path, op: str, tokens: int) -> None:
    """The job's summary counts ``tokens`` of ``op`` and, in all, what the sandbox charged
    (its only client so far), none of it in doubt: every 2xx is charged (x42r5 F2)."""
    summary = orjson.loads((job / "summary.json").read_bytes())
    assert summary["tokens_by_operation"][op] == tokens, summary["tokens_by_operation"]
    assert summary["tokens"] == sb.stats()["tokens_spent"], summary
    assert summary["tokens_in_doubt"] == 0, summary


def _invoke(sb: Sandbox, *args: str) -> Any:
    return CliRunner().invoke(app, list(args), env=_env(sb))


def test_an_update_answered_200_unreadable_is_read_back_once_and_undone(tmp_path: Path) -> None:
    """x42r5 F1: 8 PATCHes answered 200 with a cut-off body were sent 27 times, the run
    stopped "not answering", the resume read them `unchanged` and undo restored 2 of 8.
    Now each PATCH leaves once, is read back as applied: `updated` with its before-image,
    exit 0, and undo puts all 8 back."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=DEALS, seed=7)) as sb:
        before = {i: deal(sb, i)["value"] for i in range(1, DEALS + 1)}
        manifest = tmp_path / "rows.csv"
        with open(manifest, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Deal", "Amount"])
            w.writerows([i, 1000 + i] for i in range(1, DEALS + 1))
        (tmp_path / "map.toml").write_text(UPDATE_MAP)
        jobs = tmp_path / "jobs"
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"updateDeal"})))
        done = _invoke(sb, "update", str(manifest), "--mapping", str(tmp_path / "map.toml"),
                       *cli_args(sb, jobs))
        assert sb.stats()["writes_applied"] == {"updateDeal": DEALS}, done.output
        assert done.exit_code == 0, done.output
        job = _job(jobs)
        assert _actions(job) == {"done:updated": DEALS}
        _counted_as_charged(sb, job, "updateDeal", DEALS * 5)
        assert all(deal(sb, i)["value"] == 1000 + i for i in range(1, DEALS + 1))
        sb.set_faults(Faults())
        undone = _invoke(sb, "undo", job.name, "--yes", *cli_args(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert {i: deal(sb, i)["value"] for i in range(1, DEALS + 1)} == before


def test_a_move_answered_200_unreadable_is_read_back_once_and_undone(tmp_path: Path) -> None:
    """x42r5 F1, move-stage: the server moved 12, the job said 6 moved and 5 unchanged and
    undo restored 6. Now each move is sent once, recorded `moved`, and undone."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=DEALS, seed=7)) as sb:
        stages = {i: deal(sb, i)["stage_id"] for i in range(1, DEALS + 1)}
        jobs = tmp_path / "jobs"
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"updateDeal"})))
        done = _invoke(sb, "move-stage", "--pipeline", "Sales", "--to-stage", "Contact Made",
                       "--yes", *cli_args(sb, jobs))
        moved = sb.stats()["writes_applied"].get("updateDeal", 0)
        assert done.exit_code == 0, done.output
        # each move sent once (no resend) and recorded as the job's own
        assert moved >= 2 and _actions(_job(jobs)).get("done:moved") == moved, done.output
        sb.set_faults(Faults())
        undone = _invoke(sb, "undo", _job(jobs).name, "--yes", *cli_args(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert {i: deal(sb, i)["stage_id"] for i in range(1, DEALS + 1)} == stages


def test_an_import_and_its_undo_answered_200_unreadable(tmp_path: Path) -> None:
    """Creates (POST) and undo's deletes (DELETE) answered 200 unreadable: each sent once,
    found by the read-back, recorded `created` / deleted; and their tokens are counted
    as the server charged them (x42r5 F2: the ledger said 110 where the server said
    1,110)."""
    from jobs.demo_data import write_demo_export

    export = write_demo_export(tmp_path / "in", rows=10, broken=0, unknown_stage=0)
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=7)) as sb:
        jobs = tmp_path / "jobs"
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"addDeal"})))
        done = _invoke(sb, "import", str(export.manifest), "--mapping", str(export.mapping),
                       "--create-key-field", *cli_args(sb, jobs))
        assert done.exit_code == 0, done.output
        assert sb.stats()["writes_applied"]["addDeal"] == 10, done.output
        job = _job(jobs)
        assert _actions(job) == {"done:created": 10}
        _counted_as_charged(sb, job, "addDeal", 10 * 5)
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"deleteDeal"})))
        undone = _invoke(sb, "undo", job.name, "--yes", *cli_args(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert sb.stats()["writes_applied"]["deleteDeal"] == 10, undone.output
        assert all(d["is_deleted"] for d in sb.state.deals.rows.values())


def test_max_tokens_holds_on_the_server_when_writes_answer_200_unreadable(
        tmp_path: Path) -> None:
    """x42r5 F2: `--max-tokens 400` ran to 1,130 tokens on the server, its 200-unreadable
    writes counted as never charged. Now the cap holds by the server's own count."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=DEALS, seed=7)) as sb:
        manifest = tmp_path / "rows.csv"
        with open(manifest, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Deal", "Amount"])
            w.writerows([i, 1000 + i] for i in range(1, DEALS + 1))
        (tmp_path / "map.toml").write_text(UPDATE_MAP)
        jobs = tmp_path / "jobs"
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"updateDeal"})))
        cap = 60  # the load's reads (30) and the re-check (10) leave room for 4 PATCHes
        done = _invoke(sb, "update", str(manifest), "--mapping", str(tmp_path / "map.toml"),
                       "--max-tokens", str(cap), *cli_args(sb, jobs))
        assert done.exit_code == 4, done.output
        spent = sb.stats()["tokens_spent"]
        assert spent <= cap, done.output
        summary = orjson.loads((_job(jobs) / "summary.json").read_bytes())
        assert summary["tokens"] == spent, {k: v for k, v in summary.items() if "token" in k or k == "message"}


def test_undo_restores_and_merges_answered_200_unreadable_are_read_back(
        tmp_path: Path) -> None:
    """Undo's restoring PATCHes and a merge's PUTs answered 200 unreadable: each sent
    once, read back as applied, recorded as done (exit 0)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=DEALS, seed=7)) as sb:
        before = {i: deal(sb, i)["value"] for i in range(1, DEALS + 1)}
        manifest = tmp_path / "rows.csv"
        with open(manifest, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Deal", "Amount"])
            w.writerows([i, 1000 + i] for i in range(1, DEALS + 1))
        (tmp_path / "map.toml").write_text(UPDATE_MAP)
        jobs = tmp_path / "jobs"
        done = _invoke(sb, "update", str(manifest), "--mapping", str(tmp_path / "map.toml"),
                       *cli_args(sb, jobs))
        assert done.exit_code == 0, done.output
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"updateDeal"})))
        applied = sb.stats()["writes_applied"]["updateDeal"]
        undone = _invoke(sb, "undo", _job(jobs).name, "--yes", *cli_args(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert sb.stats()["writes_applied"]["updateDeal"] - applied == DEALS, undone.output
        assert {i: deal(sb, i)["value"] for i in range(1, DEALS + 1)} == before

        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        pairs = tmp_path / "pairs.csv"
        pairs.write_text("merge_id,survivor_id\n2,1\n4,3\n6,5\n")
        merged = _invoke(sb, "merge", str(pairs), "--yes", *cli_args(sb, tmp_path / "m"))
        assert merged.exit_code == 0, merged.output
        assert sb.stats()["writes_applied"]["mergeDeals"] == 3, merged.output
        assert all(deal(sb, i)["is_deleted"] for i in (2, 4, 6))
        assert _actions(_job(tmp_path / "m")) == {"done:merged": 3}


@pytest.mark.anyio
@pytest.mark.parametrize("op", ["updateDeal", "mergeDeals"])
async def test_dedupe_writes_answered_200_unreadable_are_read_back_not_sent_again(
        tmp_path: Path, op: str) -> None:
    """A dedupe apply whose field-policy PATCHes (or merges) are all answered 200 with a
    cut-off body: each is sent once, every merge is made, the survivors hold the policy
    (the PATCHes were re-sent as idempotent before: x42r5 F1)."""
    from tests.test_dedupe_lost_answers import PAIRS, _planned
    from tests.update_support import delta, requests, run_job

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=36)) as sb:
        store, prep, pairs = await _planned(sb, tmp_path)
        planned = prep.calls[op]
        sb.set_faults(Faults(bad_json_rate=1.0, only_operations=frozenset({op})))
        before = requests(sb)
        result = await run_job(sb, store)
        sent = delta(before, requests(sb))
        assert sb.stats()["faults_injected"].get("bad_json", 0) >= PAIRS
        assert not result.stopped, result
        assert sent.get(op) == planned, sent
        assert not list(store.items(ItemState.PENDING))
        assert not list(store.items(ItemState.SENDING))
        for n, (a, b) in enumerate(pairs, start=1):
            survivor = a if not deal(sb, a)["is_deleted"] else b
            assert deal(sb, survivor)["value"] == 1000.0 * n + 0.01
        store.close()
