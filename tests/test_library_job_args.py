"""The library's functions that take a job take it in the same forms — an open
``JobStore``, its folder, or its id under ``job_root`` — and every error type their docs
name is exported from ``bulk`` and ``jobs`` (x23r4 F4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import StoreError
from bulk.sandbox import SandboxConfig, serve
from tests.import_support import engine_config
from tests.update_support import deal

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def test_the_errors_the_docs_name_are_exported() -> None:
    """``resume_job``'s docs name JobBusy and CoordinatorMismatch: neither could be
    imported from ``bulk`` or ``jobs``."""
    import bulk
    import bulk.errors
    import jobs
    from jobs.resuming import resume_job

    named = ("NotResumable", "InputError", "StoreError", "JobBusy", "CoordinatorMismatch")
    for name in named:
        assert name in (resume_job.__doc__ or ""), name
        cls = getattr(bulk.errors, name)
        assert getattr(bulk, name) is cls and getattr(jobs, name) is cls, name
        assert name in bulk.__all__ and name in jobs.__all__, name


@pytest.mark.anyio
@pytest.mark.parametrize("form", ["folder", "id"])
async def test_undo_job_takes_a_folder_or_an_id_as_resume_job_does(
        tmp_path: Path, form: str) -> None:
    """``undo_job(Path(job))`` raised AttributeError ('PosixPath' has no 'kind'). Now a
    folder, or an id with ``job_root``, undoes the job; its store is closed after."""
    from bulk.store import JobStore
    from jobs import run_job, undo_job, update_deals

    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n1,Renamed one\n2,Renamed two\n")
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.05, deals=4, seed=7)) as sb:
        before = deal(sb, 1)["title"]
        cfg = engine_config(sb, tmp_path / "jobs")
        done = await run_job(cfg, sb.token, update_deals(manifest, mapping))
        assert deal(sb, 1)["title"] == "Renamed one"
        work = (undo_job(done.directory) if form == "folder"
                else undo_job(done.job_id, job_root=cfg.job_root))
        undone = await run_job(cfg, sb.token, work)
        assert undone.status == "finished", undone
        assert deal(sb, 1)["title"] == before
    with JobStore.open(done.directory) as store:  # not left locked by the undo
        assert store.job_id == done.job_id


@pytest.mark.anyio
async def test_resume_job_finds_an_id_under_its_job_root(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """``resume_job("<job id>")`` looked under the current folder though its docs say
    ``job_root / job_id``: an id is found under ``job_root`` (default pdbulk-jobs), and
    a job found nowhere names where it was looked for."""
    from bulk.store import JobStore
    from jobs import NotResumable, resume_job

    for root in (tmp_path / "elsewhere", tmp_path / "pdbulk-jobs"):
        JobStore.create(root / "j1", job_id="j1", kind="import", config={}).close()
        with JobStore.open(root / "j1") as s:
            s.set_status("cancelled", "declined")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotResumable, match="job j1 is cancelled"):
        await resume_job("j1", "tok-never-used", job_root=tmp_path / "elsewhere")
    with pytest.raises(NotResumable, match="job j1 is cancelled"):
        await resume_job("j1", "tok-never-used")  # pdbulk-jobs, EngineConfig's default
    with pytest.raises(StoreError, match=r"nor at .*nowhere"):
        await resume_job("j2", "tok-never-used", job_root=tmp_path / "nowhere")
