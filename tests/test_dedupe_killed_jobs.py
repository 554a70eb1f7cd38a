"""What the next `dedupe run` says of a dedupe job killed (kill -9) on an earlier night:
one killed before any merge was sent is removed and named (x23r2 4); one killed with
merges sent says they may have been applied (x23r2 5)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.engine import new_job_id
from bulk.sandbox import SandboxConfig
from bulk.store import JobStore, NewItem
from jobs.dedupe.interrupted import unfinished_jobs
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import cli_args, threaded_sandbox


def _killed_while_planning(root: Path) -> Path:
    """A dedupe job as `dedupe run` leaves it when killed -9 while planning: created
    ("planned", no items), its lock gone with its process."""
    job_id = new_job_id("dedupe")
    JobStore.create(root / job_id, job_id=job_id, kind="dedupe", config={}).close()
    return root / job_id


def test_a_run_killed_while_planning_is_removed_and_named_by_the_next(tmp_path: Path) -> None:
    """The killed job (0 items) was left "interrupted (was planned)" forever and the next
    runs' ``interrupted_jobs`` were []: now the next run removes it and says so, on stderr
    and in --json ``removed_jobs``; a planned job a live process holds is left alone."""
    root = tmp_path / "j"
    killed = _killed_while_planning(root)
    live_id = new_job_id("dedupe") + "-live"
    live = JobStore.create(root / live_id, job_id=live_id, kind="dedupe", config={})
    try:
        with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
            seed_account(sb)
            env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
            ran = CliRunner().invoke(app, ["dedupe", "run", "--json", *cli_args(sb, root)],
                                     env=env)
        assert ran.exit_code == 0, ran.output
        out = orjson.loads(ran.stdout)
        assert out["removed_jobs"] == [killed.name] and out["interrupted_jobs"] == []
        assert not killed.exists() and (root / live_id).is_dir()
        (line,) = [ln for ln in ran.stderr.splitlines() if killed.name in ln]
        assert "before any merge was sent" in line and "nothing was merged" in line, line
        assert sb.token not in ran.stderr
    finally:
        live.close()


def test_the_next_run_says_sent_merges_of_a_killed_run_may_have_been_applied(
        tmp_path: Path) -> None:
    """x23r2 5: killed -9 with 8 merges sent (their answers not yet written) and 12 not
    sent, the next run said "0 merges done, 20 unsettled", as if nothing was merged. It
    says 8 of them were sent and may have been applied, and --json gives ``in_doubt``."""
    root = tmp_path / "j"
    job_id = new_job_id("dedupe")
    store = JobStore.create(root / job_id, job_id=job_id, kind="dedupe", config={})
    store.add_items(NewItem(row=i, key=None, op="merge", payload={"merge_id": i})
                    for i in range(1, 21))
    store.set_status("running")
    store.mark_sending([i.id for i in store.items()][:8], now=0.0)
    store.close()  # kill -9: its lock gone, 8 left SENDING
    (found,) = unfinished_jobs(root)
    assert (found.done, found.unsettled, found.in_doubt) == (0, 20, 8)
    line = found.line(f"pdbulk resume {job_id}")
    assert line.startswith(f"job {job_id} was interrupted (0 merges done, 20 unsettled (8 were "
                           "sent and may have been applied; resume settles them)): "), line
    assert found.to_json() == {"job": job_id, "state": "interrupted", "merged": 0,
                               "unsettled": 20, "in_doubt": 8}


def test_a_run_killed_while_loading_then_resumed_is_removed_by_the_next(tmp_path: Path) -> None:
    """x30r1 L6: an apply killed -9 while loading, then `pdbulk resume`d (refused in one
    line, nothing sent; left "loading", not marked failed: x44r3 F4), is removed by the
    next apply or run as one never resumed is. A failed job with a merge done stays."""
    import pytest

    from bulk.errors import InputError
    from bulk.store import ItemState, Outcome
    from jobs.dedupe.interrupted import abandoned_jobs
    from jobs.resuming import kind_of

    root = tmp_path / "j"
    killed = _killed_while_planning(root)
    with JobStore.open(killed) as store:
        store.set_status("loading")
    with JobStore.open(killed) as store, pytest.raises(InputError, match="dedupe apply"):
        kind_of(store)  # what `pdbulk resume` does first
    with JobStore.open(killed) as store:
        assert store.status == "loading"
    merged = _killed_while_planning(root)
    with JobStore.open(merged) as store:
        store.add_items([NewItem(row=1, key="g-1", op="merge", payload={})])
        item = next(store.items())
        store.mark_sending([item.id], 0.0)
        store.record([Outcome(item.id, ItemState.DONE, {"deal_id": 1})])
        store.set_status("loading")
        store.set_status("failed", "interrupted while loading")
        assert store.counts()[ItemState.DONE] == 1
    assert abandoned_jobs(root) == [killed.name]
    assert not killed.exists() and merged.is_dir()


def test_a_run_killed_before_its_first_merge_is_removed_by_the_next(tmp_path: Path) -> None:
    """x35r2 3: killed -9 after "48 merge(s) to send", before any was sent (status running,
    every merge pending): the README says such a run's folder is removed, and the next run
    kept it as "interrupted (0 merges done, 48 unsettled) … run pdbulk resume". Removed
    now; one whose field-policy PATCH was answered, or with a merge in flight, stays."""
    from jobs.dedupe.interrupted import abandoned_jobs
    from jobs.dedupe.put_back import POLICY_RECORD

    root = tmp_path / "j"

    def killed(suffix: str) -> JobStore:
        job_id = new_job_id("dedupe") + suffix
        store = JobStore.create(root / job_id, job_id=job_id, kind="dedupe", config={})
        store.add_items(NewItem(row=i, key=f"{i}->1", op="merge",
                                payload={"merge_id": i, "survivor_id": 1})
                        for i in range(2, 50))
        store.set_status("running")
        return store

    quiet = killed("-quiet")
    quiet.close()
    patched = killed("-patched")
    patched.meta_put(f"{POLICY_RECORD}1", {"item": 1, "update_time": None})
    patched.close()
    sending = killed("-sending")
    sending.mark_sending([next(sending.items()).id], now=0.0)
    sending.close()
    assert abandoned_jobs(root) == [quiet.job_id]
    assert not quiet.directory.exists()
    assert sorted(u.job_id for u in unfinished_jobs(root)) == sorted(
        [patched.job_id, sending.job_id])


def test_a_run_that_leaves_an_older_job_interrupted_exits_3(tmp_path: Path) -> None:
    """x47r3 F6: a nightly `dedupe run` exited 0 while an earlier killed run's job stayed
    interrupted (one stderr line said so; cron's `|| mail` never fired). It exits 3 (done,
    with something to look at), --json's ``exit_code`` says 3, and its last stderr line
    names the job and `pdbulk resume` it."""
    root = tmp_path / "j"
    job_id = new_job_id("dedupe")
    store = JobStore.create(root / job_id, job_id=job_id, kind="dedupe", config={})
    store.add_items(NewItem(row=i, key=None, op="merge", payload={"merge_id": i})
                    for i in range(1, 4))
    store.set_status("running")
    store.mark_sending([i.id for i in store.items()][:1], now=0.0)
    store.close()  # kill -9: its lock gone, 1 merge in doubt
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=42)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        ran = CliRunner().invoke(app, ["dedupe", "run", "--json", *cli_args(sb, root)],
                                 env=env)
    assert ran.exit_code == 3, ran.output
    out = orjson.loads(ran.stdout)
    assert out["exit_code"] == 3 and [o["job"] for o in out["interrupted_jobs"]] == [job_id]
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith("pdbulk: exit 3:") and f"pdbulk resume {job_id}" in last, last
    assert sb.token not in ran.stderr
