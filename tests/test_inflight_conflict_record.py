"""A write left in flight that a resume's reconcile settles as a conflict (someone changed
the deal after the send) is recorded as this job's write for the fields that hold no
longer their before-image, so the next update of the same file keeps the colleague's
value there (noted) — x46r10 F1: 3 of 3, the resume said "start a new job to overwrite
it" and the next `update` overwrote the colleague's titles, no note, nothing recorded.
The written fields still at their before-image are not recorded: the write did not reach
them, and the next update still writes the file's value."""

from __future__ import annotations

import time
from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_inflight_conflicts import by_key, cli, edit, live, load_update
from tests.test_inflight_conflicts import sb as sb  # the fixture
from tests.update_support import cli_args, deal


def in_flight(jobs: Path, job_id: str) -> None:
    """Hand every pending item out now, as a run does right before a kill -9 (sent now:
    after the writes an earlier job recorded)."""
    with JobStore.open(jobs / job_id) as store:
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], time.time())
        store.set_status("running")


def test_a_conflict_settled_by_resume_keeps_the_colleagues_values_at_the_next_update(
        sb: Sandbox, tmp_path: Path) -> None:
    """Three PATCHes (amount, probability 50) in flight when the run died. A: a colleague
    set both fields (may have applied); C: the colleague set the probability, the amount
    still as before (did not apply); B: untouched (not applied, sent by the resume). The
    next update of the same file keeps A's two values and C's probability, writes C's
    amount, and says so."""
    jobs = tmp_path / "jobs"
    a, b, c = live(sb)[:3]
    for deal_id in (a, b, c):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299, c: 5399}, probability=50)
    in_flight(jobs, "upd")
    edit(sb, a, value=7777, probability=30)  # the colleague, after the send
    edit(sb, c, probability=30)
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    settled = by_key(jobs, "upd")
    assert settled[str(a)][0] is ItemState.FAILED and "may have applied" in settled[str(a)][1]
    assert settled[str(c)][0] is ItemState.FAILED and "did not apply" in settled[str(c)][1]
    assert settled[str(b)][0] is ItemState.DONE
    again = cli(sb, "update", str(tmp_path / "u.csv"), "-m", str(tmp_path / "u.toml"),
                "--yes", *cli_args(sb, jobs))
    assert again.exit_code == 0, again.output
    now = {i: (deal(sb, i)["value"], deal(sb, i)["probability"]) for i in (a, b, c)}
    assert now == {a: (7777, 30), b: (5299, 50), c: (5399, 30)}, (now, again.output)
    assert "changed in Pipedrive" in again.output, again.output


def test_an_upsert_conflict_settled_by_resume_keeps_the_colleagues_value_at_the_next_import(
        sb: Sandbox, tmp_path: Path) -> None:
    """The same for an import's upsert updates: k1's PATCH in flight, a colleague set its
    amount since (conflict); k2's never applied (sent by the resume). Importing the same
    file again keeps the colleague's 7777."""
    from tests.import_support import loaded_import, read_csv
    from tests.test_inflight_conflicts import IMPORT_MAPPING

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    first = tmp_path / "a.csv"
    first.write_text("key,title,amount\nk1,One,100\nk2,Two,100\n")
    ran = cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
              *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    ids = {r["key"]: int(r["deal_id"]) for r in read_csv(made / "succeeded.csv")}
    second = tmp_path / "b.csv"
    second.write_text("key,title,amount\nk1,One,5100\nk2,Two,5200\n")
    job = loaded_import(sb, jobs, second, mapping)
    in_flight(jobs, job)
    edit(sb, ids["k1"], value=7777)  # the colleague, after the send
    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert by_key(jobs, job)["k1"][0] is ItemState.FAILED, by_key(jobs, job)
    again = cli(sb, "import", str(second), "-m", str(mapping), *cli_args(sb, jobs))
    assert again.exit_code == 0, again.output
    assert (deal(sb, ids["k1"])["value"], deal(sb, ids["k2"])["value"]) == (7777, 5200), \
        again.output
