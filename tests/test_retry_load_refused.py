"""A retry of a job whose failed rows were all refused at its load (x46r7 F1: an update's
'no deal with key K9' and amount '12abc'): the retry printed "2 failed items back to
pending", a plan of "calls at most: none; tokens: 0", "2 failed", exit 3 and never why.
Now one line says they were refused at the load, are not sent again, and to fix them and
start a new job of the kind; nothing is put back, read or spent; exit 3 as before."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture


def _retried(sb: Sandbox, jobs: Path, first_args: list[str]) -> tuple[object, Path]:  # noqa: F811
    first = cli(sb, jobs, *first_args, *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert spent(sb) == before
    return retried, job


def test_retry_of_an_update_refused_at_load_says_why(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Every failed row refused at the load (an amount in another currency than the deal's,
    a deal id the account has not, '12abc'): exit 3, one line naming them and a new
    update job; no "back to pending", no plan; the rows still failed, no token spent."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "u.toml", tmp_path / "u.csv"
    mapping.write_text('version = 1\n[update]\nid_column = "deal_id"\n[defaults]\n'
                       'currency = "EUR"\n[deal]\nvalue = "Amount"\n')
    some, other = list(sb.state.deals.rows)[:2]
    manifest.write_text(f"deal_id,Amount\n{some},150.00\n99999999,100.00\n{other},12abc\n")
    retried, job = _retried(sb, jobs, ["update", str(manifest), "--mapping", str(mapping)])
    out = retried.output  # type: ignore[attr-defined]
    assert retried.exit_code == 3, out  # type: ignore[attr-defined]
    assert "back to pending" not in out and "calls at most" not in out, out
    assert "3 failed row(s) were refused when the job was loaded" in out, out
    assert "not sent again" in out and "start a new update job" in out, out
    assert "Traceback" not in out
    with JobStore.open(job, lock=False) as store:
        assert len(list(store.items(ItemState.FAILED))) == 3


def test_retry_of_a_move_stage_refused_at_load_says_why(sb: Sandbox,  # noqa: F811
                                                         tmp_path: Path) -> None:
    """Move-stage alike: a deal id the account has not, refused at the load."""
    jobs, manifest = tmp_path / "jobs", tmp_path / "m.csv"
    some = next(iter(sb.state.deals.rows))
    manifest.write_text(f"deal_id\n{some}\n99999999\n")
    stage = next(iter(sb.state.stages.values()))["name"]
    retried, _ = _retried(sb, jobs, ["move-stage", "--manifest", str(manifest),
                                     "--to-stage", stage, "--yes"])
    out = retried.output  # type: ignore[attr-defined]
    assert retried.exit_code == 3, out  # type: ignore[attr-defined]
    assert "back to pending" not in out, out
    assert "1 failed row(s) were refused when the job was loaded" in out, out
    assert "start a new move-stage job" in out, out


def test_a_retry_with_rows_left_to_send_sends_them(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Every failed row refused at the load, but rows still pending (a run stopped before
    them): the retry is no refusal — it names the refused rows and sends the pending ones
    (x46r12 F3: "not retried … nothing was sent", exit 3, the 52 pending rows unnamed)."""
    import sqlite3

    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "u.toml", tmp_path / "u.csv"
    mapping.write_text('version = 1\n[update]\nid_column = "deal_id"\n[deal]\n'
                       'title = "Title"\n')
    some, other = list(sb.state.deals.rows)[:2]
    manifest.write_text(f"deal_id,Title\n{some},Renamed A\n99999999,X\n{other},Renamed B\n")
    first = cli(sb, jobs, "update", str(manifest), "--mapping", str(mapping),
                *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    with sqlite3.connect(job / "job.sqlite") as db:  # as a run stopped before it leaves it
        db.execute("UPDATE items SET state = 'pending', attempts = 0 WHERE source_row = 4")
    db.close()
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    out = retried.output
    assert "not retried" not in out, out
    assert "1 failed row(s) were refused when the job was loaded" in out, out
    with JobStore.open(job, lock=False) as store:
        assert not list(store.items(ItemState.PENDING)), out
        assert [i.row for i in store.items(ItemState.FAILED)] == [3], out


def test_the_refused_rows_are_listed_in_row_order(tmp_path: Path) -> None:
    """Rows refused at the load, added in another order than the file's (a load refuses
    rows at its account checks after those it refused at their cells): the retry's line
    names them by row, first first (x46r12 F9: "row 4 …; row 2 …; row 3 …")."""
    from bulk.store import NewItem
    from jobs.prepared import LOAD_ERROR, refused_line, retry_split

    store = JobStore.create(tmp_path / "job", job_id="job", kind="update", config={})
    store.add_items([NewItem(row, f"k{row}", "update", {LOAD_ERROR: f"bad {row}"},
                             state=ItemState.FAILED, error=f"bad {row}") for row in (5, 3, 4, 2)])
    again, kept = retry_split(store)
    assert again == [] and [i.row for i in kept] == [2, 3, 4, 5]
    assert "(row 2: bad 2; row 3: bad 3; row 4: bad 4; …)" in refused_line(store, kept)
    store.close()
