"""The library's resume (``jobs.resume_job``, x20r3 F1): an import cancelled mid-run by the
service embedding it is finished from code, each row settled once and no deal doubled; an
import cancelled while loading (nothing sent) is loaded again by the library's resume and
by ``pdbulk resume`` alike; the refusals are typed."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bulk.errors import NotResumable
from bulk.sandbox import Faults, Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.import_support import engine_config, sandbox_deals

ROWS = 30
MAPPING = """
version = 1
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
"""


class _CutAt:
    """A transport that reschedules the ``asyncio.timeout`` around the import to fire now
    once ``when(request)`` says so: the task is cancelled there, as a service's shutdown
    timeout would cancel it."""

    def __init__(self, when: Any) -> None:
        from bulk.transport import AiohttpTransport

        self.inner, self.when = AiohttpTransport(), when
        self.timeout: asyncio.Timeout | None = None
        self.creates = 0

    async def send(self, request: Any) -> Any:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v2/deals"):
            self.creates += 1
        if self.timeout is not None and self.when(self, request):
            self.timeout.reschedule(asyncio.get_running_loop().time())
            await asyncio.sleep(0)  # the cancellation lands here, or on a call in flight
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _CutOnAnswer(_CutAt):
    """``_CutAt`` whose cut comes with the answer of the ``nth`` deal create: that row's
    own task is cancelled as the answer is handed back (the cancel lands at its next
    await, after the deal was made and its answer read, before its outcome is recorded),
    and the import with it. ``cut``: that deal's title."""

    def __init__(self, nth: int) -> None:
        super().__init__(lambda t, request: False)
        self.nth, self.cut = nth, None

    async def send(self, request: Any) -> Any:
        if not (request.method == "POST"
                and request.url.split("?")[0].endswith("/api/v2/deals")):
            return await self.inner.send(request)
        self.creates += 1
        ordinal = self.creates
        response = await self.inner.send(request)
        if ordinal == self.nth and self.timeout is not None:
            self.cut = json.loads(request.body or b"{}").get("title")
            self.timeout.reschedule(asyncio.get_running_loop().time())
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
        return response


def _files(tmp: Path) -> tuple[Path, Path]:
    manifest, mapping = tmp / "in.csv", tmp / "m.toml"
    manifest.write_text("id,title,contact,email\n" + "".join(
        f"k{i},Deal {i},P {i},p{i}@example.com\n" for i in range(ROWS)), encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    return manifest, mapping


async def _cancelled_import(sb: Sandbox, tmp: Path, transport: _CutAt,
                            timed_out: bool = True) -> JobStore:
    """An import started as a library call, cancelled by ``asyncio.timeout`` where
    ``transport`` says; its store (open). ``timed_out`` False: the cancel may also end
    the call without a ``TimeoutError`` (a row's own task cancelled first)."""
    from jobs import ImportJob, ImportSettings, Mapping, import_job

    manifest, mapping = _files(tmp)
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                              create_key_field=True)
    cfg = engine_config(sb, tmp / "jobs", max_workers=8)
    store = JobStore.create(tmp / "jobs" / "a", job_id="a", kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    with pytest.raises(TimeoutError) if timed_out else contextlib.suppress(TimeoutError):
        async with asyncio.timeout(None) as timeout:
            transport.timeout = timeout
            await import_job(store, ImportJob(store, settings), Mapping.load(mapping), cfg,
                             sb.token, say=lambda line: None, transport=transport)
    return store


def _outcomes(job: Path) -> Counter[str]:
    """Each row's outcomes in the result files (succeeded.csv, failed.csv)."""
    seen: Counter[str] = Counter()
    for name in ("succeeded.csv", "failed.csv"):
        if (job / name).exists():
            with (job / name).open(encoding="utf-8", newline="") as f:
                seen.update(r["key"] for r in csv.DictReader(f))
    return seen


@pytest.mark.anyio
async def test_an_import_cancelled_mid_run_is_resumed_from_code(tmp_path: Path) -> None:
    """Cancelled after its 5th deal create (others in flight), the import is finished by
    ``resume_job``: every row has one outcome, every deal exists once."""
    from jobs import resume_job

    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5,
                                   faults=Faults(latency_ms=20))) as sb:
        cut = _CutAt(lambda t, request: t.creates == 5)
        store = await _cancelled_import(sb, tmp_path, cut)
        counts = store.counts()
        assert store.loaded and counts[ItemState.DONE] < ROWS, counts
        assert counts[ItemState.PENDING] + counts[ItemState.SENDING] > 0, counts
        finished = await resume_job(store, sb.token)
        store.close()
        assert finished.status == "finished", finished
        assert finished.counts == {"done": ROWS}, finished.counts
        titles = Counter(d["title"] for d in sandbox_deals(sb))
        assert titles == Counter(f"Deal {i}" for i in range(ROWS))
        assert len(sb.state.persons.rows) == ROWS
    outcomes = _outcomes(tmp_path / "jobs" / "a")
    assert outcomes == Counter(f"k{i}" for i in range(ROWS))
    assert any("succeeded.csv" in line for line in finished.lines), finished.lines


@pytest.mark.anyio
@pytest.mark.parametrize("nth", [1, 3])
async def test_a_create_answered_as_the_cancel_lands_is_this_jobs_after_resume(
        tmp_path: Path, nth: int) -> None:
    """Cancelled as the answer of its ``nth`` deal create came back (the deal made, its row
    not yet recorded), the import is resumed: that deal is recorded ``created`` by this
    job, not found as another's (`unchanged`, which its undo would leave: 2 of 30 rows
    under load before the fix), and every other row is settled once."""
    from jobs import resume_job

    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        cut = _CutOnAnswer(nth)
        store = await _cancelled_import(sb, tmp_path, cut, timed_out=False)
        left = {i.payload.get("deal", {}).get("title"): i.state for i in store.items()}
        assert left.get(cut.cut) is ItemState.SENDING, (cut.cut, store.counts())
        finished = await resume_job(store, sb.token)
        rows = {i.key: i for i in store.items()}
        store.close()
        assert finished.status == "finished", finished
        assert finished.counts == {"done": ROWS}, {
            k: (i.state.name, (i.result or {}).get("action")) for k, i in rows.items()
            if i.state is not ItemState.DONE}
        assert {(i.result or {}).get("action") for i in rows.values()} == {"created"}
        assert Counter(d["title"] for d in sandbox_deals(sb)) == Counter(
            f"Deal {i}" for i in range(ROWS))
    assert _outcomes(tmp_path / "jobs" / "a") == Counter(f"k{i}" for i in range(ROWS))


@pytest.mark.anyio
async def test_an_import_cancelled_while_loading_is_loaded_again_by_resume_job(
        tmp_path: Path) -> None:
    """Cancelled during its load (nothing sent), the job is not refused: ``resume_job``
    loads it again from its manifest and mapping and runs it; each row once."""
    from jobs import resume_job

    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        cut = _CutAt(lambda t, request: request.method == "GET"
                     and "/persons" in request.url)  # the load's index pulls
        store = await _cancelled_import(sb, tmp_path, cut)
        assert not store.loaded and not sandbox_deals(sb)
        store.close()
        finished = await resume_job(tmp_path / "jobs" / "a", sb.token)  # by its folder
        assert finished.status == "finished" and finished.counts == {"done": ROWS}
        assert Counter(d["title"] for d in sandbox_deals(sb)) == Counter(
            f"Deal {i}" for i in range(ROWS))
    assert _outcomes(tmp_path / "jobs" / "a") == Counter(f"k{i}" for i in range(ROWS))


def test_pdbulk_resume_loads_an_import_cut_short_while_loading_again(tmp_path: Path) -> None:
    """The CLI agrees with the library: ``pdbulk resume`` of an import whose load was cut
    short (as a kill -9 leaves it: "loading", part of its items stored) loads it again
    and runs it, exit 0 (it refused and marked the job failed)."""
    from bulk.store import NewItem
    from jobs import ImportSettings
    from tests.sandbox_helpers import ThreadedSandbox

    manifest, mapping = _files(tmp_path)
    with ThreadedSandbox(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                                  create_key_field=True)
        cfg = engine_config(sb, tmp_path / "jobs")
        store = JobStore.create(tmp_path / "jobs" / "k", job_id="k", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        store.set_status("loading")
        store.add_items([NewItem(row=1, key="k0", op="addDeal", payload={"title": "half"})])
        store.close()
        res = CliRunner().invoke(app, ["resume", "k", "--job-dir", str(tmp_path / "jobs")],
                                 env={"PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 0, res.output
        assert Counter(d["title"] for d in sandbox_deals(sb)) == Counter(
            f"Deal {i}" for i in range(ROWS))
        assert sb.token not in res.output
    assert _outcomes(tmp_path / "jobs" / "k") == Counter(f"k{i}" for i in range(ROWS))


@pytest.mark.anyio
async def test_resume_job_refuses_as_pdbulk_resume_does(tmp_path: Path) -> None:
    """A cancelled or failed job is refused with ``NotResumable`` (an ``InputError``), the
    message the CLI prints, and nothing is sent."""
    from jobs import resume_job

    for status in ("cancelled", "failed"):
        store = JobStore.create(tmp_path / status, job_id=status, kind="import",
                                config={})
        store.set_status(status, "declined" if status == "cancelled" else None)
        with pytest.raises(NotResumable, match=f"job {status} is {status}.*start a new job"):
            await resume_job(store, "tok-never-used")
        store.close()
        res = CliRunner().invoke(app, ["resume", status, "--job-dir", str(tmp_path)],
                                 env={"PIPEDRIVE_API_TOKEN": "tok-never-used"})
        assert res.exit_code == 1 and f"job {status} is {status}" in res.output, res.output
        assert "Traceback" not in res.output
