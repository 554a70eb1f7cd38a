"""An undo that sends nothing: its result files are written as every kind writes them
(x41r1 M3); a cancelled job, which sent nothing, is refused plainly (L4); an undo that
put back no deal (every row a conflict) leaves its job resumable, not "undone" (L7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from jobs.results import results_missing
from tests.import_support import engine_config
from tests.update_support import deal

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def _files(tmp_path: Path, rows: str) -> tuple[Path, Path]:
    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n" + rows, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    return manifest, mapping


@pytest.mark.anyio
async def test_an_undo_with_nothing_to_send_writes_its_result_files(tmp_path: Path) -> None:
    """An update whose one row failed (no such deal): its undo has no row; it wrote no
    result file, and `jobs` / `status` said "not written (the run ended before them)"."""
    from jobs import run_job, undo_job, update_deals

    manifest, mapping = _files(tmp_path, "990001,Nobody\n")
    async with serve(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        source = await run_job(cfg, sb.token, update_deals(manifest, mapping))
        undone = await run_job(cfg, sb.token, undo_job(source.directory))
    assert undone.status == "finished" and undone.result is None, undone
    for name in ("succeeded.csv", "failed.csv", "unprocessed.csv", "summary.json"):
        assert (undone.directory / name).is_file(), name
    with JobStore.open(undone.directory, lock=False) as store:
        assert results_missing(store) is None


def test_undo_of_a_cancelled_job_says_nothing_was_sent(tmp_path: Path) -> None:
    """A job cancelled at its prompt sent nothing: its undo is refused when built, in
    those words (before: an undo job "nothing to send" whose plan said the job "stopped
    with N row(s) still pending")."""
    from jobs import undo_job

    folder = tmp_path / "jobs" / "j1"
    with JobStore.create(folder, job_id="j1", kind="update", config={}) as store:
        store.set_status("cancelled", "declined at the prompt; nothing was sent")
    with pytest.raises(InputError, match="job j1 was cancelled before it sent anything"):
        undo_job(folder)


@pytest.mark.anyio
async def test_an_undo_that_put_nothing_back_leaves_its_job_resumable(tmp_path: Path) -> None:
    """Every row of the undo a conflict (a colleague edited the deal since): nothing was
    put back, so `resume` / `retry` of the job are not refused as "what it did was
    undone"; an undo that put a deal back still refuses them."""
    from jobs import run_job, undo_job, update_deals
    from jobs.undo.targets import refuse_after_undo

    manifest, mapping = _files(tmp_path, "1,Renamed one\n")
    async with serve(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        source = await run_job(cfg, sb.token, update_deals(manifest, mapping))
        sb.state.save("deal", {**deal(sb, 1), "title": "Theirs",
                               "update_time": "2031-01-01T00:00:00Z"})
        undone = await run_job(cfg, sb.token, undo_job(source.directory))
        assert undone.counts.get("done", 0) == 0, undone.counts
        with JobStore.open(source.directory, lock=False) as store:
            assert refuse_after_undo(store, "resume") is None
            assert refuse_after_undo(store, "retry") is None
        forced = await run_job(cfg, sb.token, undo_job(source.directory, force=True))
        assert forced.counts.get("done", 0) == 1, forced.counts
        with JobStore.open(source.directory, lock=False) as store:
            assert "was undone by" in (refuse_after_undo(store, "resume") or "")
