"""Every path of a resume closes the claims it opened (x20r3 F4): cancelled at any point
of ``kind_for``, ``Engine.open``, ``before_resume``, ``engine.run``, ``after_run`` (as the
CLI's resume runs them), no claims.sqlite3{,-wal,-shm} file is left open."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest

from bulk.claims import state_dir
from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import import_once, import_stopped_before_sending

pytestmark = pytest.mark.anyio

FAST = {"time_scale": 0.02, "seed": 3}


def _open_claims_files() -> int:
    """Files of this process open on the claims file (and its -wal / -shm)."""
    base = str(state_dir() / "claims.sqlite3")
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink(f"/proc/self/fd/{fd}").startswith(base)
        except OSError:
            pass
    return n


async def _resume(directory: Path, token: str, *, cancel_after_reread: bool = False,
                  opened: list[bool] | None = None) -> None:
    """The CLI's resume sequence; ``opened`` gets whether ``before_resume`` opened the
    job's claims."""
    from jobs import kind_for

    store = JobStore.open(directory)
    try:
        kind = kind_for(store)
        cfg = EngineConfig.from_json(store.config["engine"])
        async with Engine.open(cfg, token, store=store) as eng:
            await kind.before_resume(eng.ctx, store)
            if opened is not None:
                opened.append(kind._claims is not None)
            if cancel_after_reread:  # a cancel arriving right here, before the run
                raise anyio.get_cancelled_exc_class()()
            result = await eng.run(kind)
        kind.after_run(store, result)
    finally:
        store.close()


async def test_a_resume_cancelled_anywhere_leaves_no_claims_file_open(tmp_path: Path) -> None:
    """A resume whose re-read opened the claims (a pending create's key is now on a deal),
    cancelled right after it and before the run: the claims are closed with the engine.
    Then resumes cancelled after growing delays: the open files never grow."""
    import asyncio

    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(30)))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", manifest, mapping,
                                                       mode="upsert", job_id="A")
        store.close()
        other, _, _ = await import_once(sb, tmp_path / "jobs", tmp_path / "in.csv", mapping,
                                        mode="upsert", job_id="B")  # k* now on deals
        other.close()
        before = _open_claims_files()
        opened: list[bool] = []
        with pytest.raises(asyncio.CancelledError):
            await _resume(tmp_path / "jobs" / "A", sb.token, cancel_after_reread=True,
                          opened=opened)
        assert opened == [True]  # the re-read took claims: there was something to close
        assert _open_claims_files() == before
        for delay in (0.0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4):
            with anyio.move_on_after(delay):
                await _resume(tmp_path / "jobs" / "A", sb.token)
            assert _open_claims_files() == before, delay
