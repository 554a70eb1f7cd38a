"""`pdbulk status` / `jobs` of a job whose load was cut short say what its resume does
(x44r6 F2: "every row is settled: nothing is left to resume" while resume loaded it again
and sent writes; F5: "tokens: 0 — " with nothing after the dash), and of a job whose run
is at work say its rows in flight as "sending", not "in doubt" (x44r7 F4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bulk.ledger import META_IN_DOUBT
from bulk.store import JobStore, NewItem
from jobs.reload_recipe import RELOAD, RELOAD_ASKS, recipe
from pdbulk.cli import app


def _cut(root: Path, kind: str, config: dict[str, Any], status: str = "loading",
         spend: bool = True) -> None:
    """A job of ``kind`` as a kill -9 in its load leaves it (its process gone)."""
    store = JobStore.create(root / "j1", job_id="j1", kind=kind, config=config)
    try:
        store.set_status(status)
        if spend:  # the load's reads, and the credit charged ahead that the kill left
            store.add_spend("2026-12-06", "getDeals", 20, 2)
            store.meta_put(META_IN_DOUBT + ":r1", {"getDeals": 10})
    finally:
        store.close()


def _said(root: Path, *command: str) -> str:
    res = CliRunner().invoke(app, [*command, "--job-dir", str(root)])
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    return res.output


def test_status_and_jobs_of_an_update_killed_while_loading_say_resume_loads_it(
        tmp_path: Path) -> None:
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,title\n1,A\n")
    _cut(tmp_path, "update", {**recipe(manifest=manifest, mapping=manifest), RELOAD_ASKS: False})
    words = "interrupted while loading (nothing was sent): `pdbulk resume` loads it again and runs it"
    status = _said(tmp_path, "status", "j1")
    assert words in status and "nothing is left to resume" not in status, status
    assert words in _said(tmp_path, "jobs")
    manifest.write_text("deal_id,title\n1,A\n2,B\n")  # edited since: its resume refuses it
    status = _said(tmp_path, "status", "j1")
    assert f"{str(manifest)!r} changed since it was started, so `pdbulk resume` refuses it" \
        in status, status


def test_status_of_a_merge_killed_while_planned_that_was_to_ask(tmp_path: Path) -> None:
    """Killed before its load began: no word of --yes kept (taken as asking), no token."""
    _cut(tmp_path, "merge", {RELOAD: {"pairs": str(tmp_path / "p.csv")}}, status="planned",
         spend=False)
    status = _said(tmp_path, "status", "j1")
    assert "before it asked to send: `pdbulk resume` refuses it" in status, status
    assert "\ntokens: 0\n" in status, status  # not "tokens: 0 — " (x44r6 F5)
    listed = _said(tmp_path, "jobs")  # not "rows 0, merges 0: ; interrupted while …"
    assert "rows 0, merges 0: interrupted while loading (nothing was sent)" in listed, listed
    with JobStore.open(tmp_path / "j1", lock=False) as store:
        assert store.status == "planned"  # status changes nothing


def test_status_of_a_live_run_says_its_rows_in_flight_sending(tmp_path: Path) -> None:
    """x44r7 F4: status of a job whose run was at work said its rows in flight "in doubt"
    and "credit charged ahead that a kill left unused … a resume takes that back"."""
    store = JobStore.create(tmp_path / "j1", job_id="j1", kind="touch", config={})
    try:  # the run at work: this process holds the job
        store.add_items([NewItem(row=i, key=str(i), op="update", payload={})
                         for i in range(1, 16)])
        store.set_status("running")
        store.mark_sending([store.pending(1)[0].id], 0.0)
        store.add_spend("2026-12-06", "updateDeal", 40, 4)
        store.meta_put(META_IN_DOUBT + ":r1", {"updateDeal": 30})
        status = _said(tmp_path, "status", "j1")
        assert "items: pending 14, sending 1; total 15" in status, status
        assert "in doubt 1" not in status and "a kill left" not in status, status
        assert "10 charged + up to 30 in doubt for now" in status, status
        assert "sending 1" in _said(tmp_path, "jobs")
    finally:
        store.close()
