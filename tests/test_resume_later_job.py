"""A killed update's resume never sends its write again over a write a LATER job of the
job directory made after the kill (the class of x52r5 F1: a row in doubt whose deal a
later job put back to the before-image read as "not applied" and was sent again over the
later job's value). Rows put in flight with ``mark_sending`` (as a kill -9 leaves them)."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState
from tests.test_inflight_conflicts import by_key, cli, edit, in_flight, live, load_update, sb
from tests.update_support import cli_args, deal

__all__ = ["sb"]


def test_a_resumed_update_leaves_a_later_job_s_write_alone(
        sb: Sandbox, tmp_path: Path) -> None:
    """Update 100 -> 5199 / 5299 on A and B killed with both in flight, A's applied. A
    later update sets A back to 100. Resume: A is a conflict naming the later job, 100
    kept; B (never applied, no later write) sent: 5299."""
    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299})
    in_flight(jobs, "upd")
    edit(sb, a, when="2030-06-01T00:00:00Z", value=5199)  # applied before the kill
    manifest = tmp_path / "v.csv"
    manifest.write_text(f"deal_id,amount\n{a},100\n")
    later = cli(sb, "update", str(manifest), "-m", str(tmp_path / "u.toml"), "--yes",
                *cli_args(sb, jobs))
    assert later.exit_code == 0, later.output
    assert deal(sb, a)["value"] == 100, later.output
    job = sorted(p.name for p in jobs.iterdir() if p.name != "upd")[-1]

    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert deal(sb, a)["value"] == 100, resumed.output  # the later job's write kept
    assert deal(sb, b)["value"] == 5299, resumed.output
    assert resumed.exit_code == 3, resumed.output
    state, error, _ = by_key(jobs, "upd")[str(a)]
    assert state is ItemState.FAILED and f"job {job}" in error, error


def test_a_resumed_upsert_leaves_a_later_job_s_write_alone(
        sb: Sandbox, tmp_path: Path) -> None:
    """An upsert's update of K1 (amount 100 -> 5100) applied before a kill; a later update
    job (its file's 100 a change since the import's 50: written) sets the amount back to
    100. Resume of the import: a conflict naming that job,
    100 kept, nothing sent."""
    from tests.import_support import loaded_import, read_csv
    from tests.test_inflight_conflicts import IMPORT_MAPPING, UPDATE_MAPPING

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    first = tmp_path / "a.csv"
    first.write_text("key,title,amount\nk1,One,50\n")
    ran = cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
              *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    k1 = int(read_csv(made / "succeeded.csv")[0]["deal_id"])
    edit(sb, k1, when="2030-01-01T00:00:00Z", value=100)  # a colleague's, before the upsert
    second = tmp_path / "b.csv"
    second.write_text("key,title,amount\nk1,One,5100\n")
    job = loaded_import(sb, jobs, second, mapping)
    in_flight(jobs, job)
    edit(sb, k1, value=5100)  # applied before the kill
    umap = tmp_path / "u.toml"
    umap.write_text(UPDATE_MAPPING)
    manifest = tmp_path / "v.csv"
    manifest.write_text(f"deal_id,amount\n{k1},100\n")
    later = cli(sb, "update", str(manifest), "-m", str(umap), "--yes", *cli_args(sb, jobs))
    assert later.exit_code == 0, later.output
    assert deal(sb, k1)["value"] == 100, later.output
    other = sorted(p.name for p in jobs.iterdir() if "update" in p.name)[-1]

    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert deal(sb, k1)["value"] == 100, resumed.output  # the later job's write kept
    assert resumed.exit_code == 3, resumed.output
    state, error, _ = by_key(jobs, job)["k1"]
    assert state is ItemState.FAILED and f"job {other}" in error, error
