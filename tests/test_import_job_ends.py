"""``import_job`` ends a job it began in the status the README's job lifecycle documents:
"failed" with the reason when its load failed (a missing manifest, a wrong token, the
account unreachable, a bad mapping), "stopped" (resumable) when its task was cancelled
after the load, before its first send; a load cut short stays "loading", loaded again by
``resume_job`` (x25r3 F4: every failure left "loading", listed interrupted forever; the
cancel after the load left "loaded")."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.errors import BulkError, InputError
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config, sandbox_deals

TOML = 'version = 1\n[import]\nkey_column = "Key"\nmode = "insert"\n[deal]\ntitle = "Name"\n'


def _files(tmp_path: Path) -> tuple[Path, Path]:
    manifest, mapping = tmp_path / "deals.csv", tmp_path / "m.toml"
    manifest.write_text("Key,Name\nk1,First\nk2,Second\n")
    mapping.write_text(TOML)
    return manifest, mapping


def _store(cfg: Any, settings: Any, job_id: str) -> JobStore:
    return JobStore.create(cfg.job_root / job_id, job_id=job_id, kind="import",
                           config={"engine": cfg.to_json(), "import": settings.to_json()})


@pytest.mark.anyio
async def test_a_failed_load_marks_the_job_failed(tmp_path: Path) -> None:
    """A missing manifest, a mapping the file lacks columns for, a bad dict mapping, a
    wrong token, an unreachable account: each job ends "failed" with its reason, and
    ``pdbulk resume`` refuses it as final (was: "loading", interrupted forever)."""
    from jobs import ImportJob, ImportSettings, import_job
    from jobs.mapping import Mapping

    manifest, mapping = _files(tmp_path)
    (tmp_path / "other.csv").write_text("Id,Title\n1,x\n")
    async with serve(SandboxConfig(time_scale=0.05, deals=0, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs", timeout=2.0)
        down = dataclasses.replace(cfg, base_url="http://127.0.0.1:19597")  # none there
        good = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)
        cases: list[tuple[str, Any, Any, Any, str, type[BaseException]]] = [
            ("missing", ImportSettings(manifest=str(tmp_path / "nope.csv"),
                                       mapping=str(mapping), mode="insert"),
             Mapping.load(mapping), cfg, sb.token, InputError),
            ("columns", ImportSettings(manifest=str(tmp_path / "other.csv"),
                                       mapping=str(mapping), mode="insert"),
             Mapping.load(mapping), cfg, sb.token, InputError),
            ("dict", good, {"version": 1, "deal": {"title": "Name"}}, cfg, sb.token,
             InputError),
            ("token", good, Mapping.load(mapping), cfg, "f" * 40, BulkError),
            ("down", good, Mapping.load(mapping), down, sb.token, BulkError),
        ]
        for job_id, settings, given, config, token, error in cases:
            with _store(config, settings, job_id) as store:
                with pytest.raises(error):
                    await import_job(store, ImportJob(store, settings), given, config,
                                     token)
                assert store.status == "failed", (job_id, store.status)
                message = store.status_message or ""
                assert "the load phase failed" in message, (job_id, message)
                assert token not in message and sb.token not in message
        assert sandbox_deals(sb) == []


@pytest.mark.anyio
async def test_cancelled_after_the_load_is_stopped_and_resumes(tmp_path: Path) -> None:
    """A task cancelled once the job is loaded, before its first send: "stopped" (was
    "loaded", listed interrupted); resume_job then imports the rows once."""
    from jobs import ImportJob, ImportSettings, import_job, resume_job
    from jobs.mapping import Mapping

    manifest, mapping = _files(tmp_path)
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)
    async with serve(SandboxConfig(time_scale=0.05, deals=0, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        with _store(cfg, settings, "cut") as store:
            with anyio.CancelScope() as scope:

                @contextmanager
                def cancel_at_run(_engine: object) -> Iterator[None]:
                    scope.cancel()  # the service shuts down right before the first send
                    yield

                await import_job(store, ImportJob(store, settings), Mapping.load(mapping),
                                 cfg, sb.token, around_run=cancel_at_run)
            assert scope.cancelled_caught
            assert store.status == "stopped", store.status
            assert "nothing sent" in (store.status_message or "")
            assert sandbox_deals(sb) == []
        finished = await resume_job(cfg.job_root / "cut", sb.token)
        assert finished.status == "finished", finished
        assert sorted(d["title"] for d in sandbox_deals(sb)) == ["First", "Second"]
