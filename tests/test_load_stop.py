"""A stop asked (``request_stop``) or a cancel while a job loads 20,000 rows lands within
the load: ``Stopped`` (or the cancel) within a few hundred rows, nothing sent, no job left
(f24o: update by key, move-stage by manifest and merge ran their loads to the end first).
The other task asks once the load's reads have answered, so it can only run where the
load's pass over the rows yields to the loop (``jobs.load_stop.checked``)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest

from bulk.engine import Engine
from bulk.errors import Stopped
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.transport import AiohttpTransport, Request, Response
from jobs.api import Work, load, merge_deals, move_deals, new_store, run_job, update_deals
from tests.import_support import engine_config

ROWS = 20_000


class Watch:
    """The aiohttp transport, and ``read`` set once ``after`` answers came back."""

    def __init__(self, after: int) -> None:
        self.inner, self.after, self.answers = AiohttpTransport(), after, 0
        self.read = anyio.Event()
        if after == 0:
            self.read.set()

    async def send(self, request: Request) -> Response:
        response = await self.inner.send(request)
        self.answers += 1
        if self.answers >= self.after:
            self.read.set()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _update(tmp: Path, rows: int = ROWS) -> Work:
    manifest = _csv(tmp / "keys.csv", ["Key", "Amount"],
                    [[f"NOPE-{i}", f"{i},5"] for i in range(rows)])
    (tmp / "map.toml").write_text(
        'version = 1\n[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
        '[defaults]\ncurrency = "USD"\ndecimal = "auto"\n[deal]\nvalue = "Amount"\n')
    return update_deals(manifest, tmp / "map.toml")


def _move(tmp: Path, rows: int = ROWS) -> Work:
    manifest = _csv(tmp / "move.csv", ["Key"], [[f"NOPE-{i}"] for i in range(rows)])
    return move_deals("Qualified", to_pipeline="Sales", manifest=manifest, key_column="Key",
                      key_field="External ID")


def _merge(tmp: Path, rows: int = ROWS) -> Work:  # rows of no deal: the load reads nothing
    pairs = _csv(tmp / "pairs.csv", ["merge_id", "survivor_id"],
                 [[f"x{i}", "y"] for i in range(rows)])
    return merge_deals(pairs)


KINDS: dict[str, Callable[..., Work]] = {"update": _update, "move-stage": _move,
                                         "merge": _merge}


async def _reads(sb: Sandbox, tmp: Path, kind: str) -> int:
    """The calls the load of a ``kind`` job makes before its pass over the rows (all of
    them): counted on loads of 50 and 100 such rows, which must make as many (the reads do
    not grow with the rows), not on a whole second load of the 20,000 (f39e: that was
    half of this file's CPU)."""
    counts = []
    for rows in (50, 100):
        folder = tmp / f"count-{rows}"
        folder.mkdir()
        work = KINDS[kind](folder, rows)
        cfg = engine_config(sb, folder / "jobs")
        store = new_store(cfg, work)
        try:
            async with Engine.open(cfg, sb.token, store=store) as s:
                await load(s, work, store, asks=False)
                counts.append(sum(s.stats.calls_by_operation.values()))
        finally:
            store.close()
    assert counts[0] == counts[1], counts  # else the 20,000 rows' load would read more
    return counts[0]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_a_stop_asked_while_the_rows_load_ends_the_load(tmp_path: Path, kind: str) -> None:
    """``request_stop`` from another task once the load's reads answered: ``Stopped``, no
    item stored (without the check the load ran all 20,000 rows and stored them)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=5, seed=3)) as sb:
        work = KINDS[kind](tmp_path)
        watch = Watch(await _reads(sb, tmp_path, kind))
        cfg = engine_config(sb, tmp_path / "jobs")
        store = new_store(cfg, work)

        async def stop(engine: Engine) -> None:
            await watch.read.wait()
            engine.request_stop()

        outcome = "loaded"
        with anyio.fail_after(60):
            async with Engine.open(cfg, sb.token, store=store, transport=watch) as s, \
                    anyio.create_task_group() as tg:
                tg.start_soon(stop, s)
                try:
                    await load(s, work, store, asks=False)
                except Stopped as exc:
                    outcome = str(exc)
                tg.cancel_scope.cancel()
        assert outcome == "stopped while the job was loading"
        assert sum(store.counts().values()) == 0
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_a_cancel_while_the_rows_load_leaves_no_job(tmp_path: Path, kind: str) -> None:
    """A cancel of ``run_job``'s task once the load's reads answered lands in the load:
    the job's folder is removed, nothing sent (without the check, merge's load ran to its
    end and its job was kept; update's and move-stage's cancel landed only at the first
    await after their pass over the rows)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=5, seed=3)) as sb:
        work = KINDS[kind](tmp_path)
        watch = Watch(await _reads(sb, tmp_path, kind))
        cfg = engine_config(sb, tmp_path / "jobs")
        writes = sum(sb.stats()["requests_by_operation"].get(op, 0)
                     for op in ("updateDeal", "mergeDeals"))

        async def cancel(scope: anyio.CancelScope) -> None:
            await watch.read.wait()
            scope.cancel()

        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                tg.start_soon(cancel, tg.cancel_scope)
                await run_job(cfg, sb.token, work, transport=watch)
        assert list((tmp_path / "jobs").iterdir()) == []
        assert writes == sum(sb.stats()["requests_by_operation"].get(op, 0)
                             for op in ("updateDeal", "mergeDeals"))
