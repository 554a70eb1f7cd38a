"""Shared helpers (no tests) for the update, move-stage, merge and undo tests.

``load_job`` / ``run_job`` do in-process what the commands do: the load phase on
a ``bulk.engine.Engine`` against the sandbox, the items and before-images into
a new job store, then the run through ``Engine.run``. ``ThreadedSandbox`` runs a
sandbox on its own event loop in a thread, so a test can call the CLI (which
runs its own loop, and installs signal handlers, in the main thread).
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from bulk.engine import Engine, EngineConfig
from bulk.runner import RunResult
from bulk.sandbox import Sandbox
from bulk.store import JobStore
from jobs import kind_for
from jobs.updating import Prepared
from tests.import_support import engine_config
from tests.sandbox_helpers import ThreadedSandbox, threaded_sandbox

Build = Callable[[Engine], Awaitable[Prepared]]


@contextlib.contextmanager
def at_terminal() -> Iterator[None]:
    """In-process commands (CliRunner) whose prompt is answered as a person at a terminal
    answers it: CliRunner's stdin is a pipe, which the prompt does not read (x35r1: a job
    that writes runs unattended only with --yes)."""
    with mock.patch("pdbulk.options._is_terminal", return_value=True):
        yield


@contextlib.contextmanager
def terminal_stdin(answer: str | None = None) -> Iterator[int]:
    """A pseudo-terminal's end to give a `pdbulk` process as its stdin (``stdin=fd``):
    its prompt is asked at a terminal; ``answer`` is typed into it first (None: nothing,
    the prompt waits)."""
    import pty

    main, side = pty.openpty()
    try:
        if answer is not None:
            os.write(main, answer.encode())
        yield side
    finally:
        os.close(side)
        os.close(main)


def requests(sb: Sandbox) -> dict[str, int]:
    """Requests the sandbox answered, by operation (its own counter)."""
    return dict(sb.stats()["requests_by_operation"])


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {op: n - before.get(op, 0) for op, n in after.items() if n - before.get(op, 0)}


async def load_job(sb: Sandbox, root: Path, kind: str, build: Build, *, job_id: str | None = None,
                   **cfg: Any) -> tuple[JobStore, Prepared]:
    """The load phase of a job, as the command does it: a new store with items and images."""
    config = engine_config(sb, root, **cfg)
    job_id = job_id or f"{kind}-job"
    store = JobStore.create(root / job_id, job_id=job_id, kind=kind,
                            config={"engine": config.to_json()})
    async with Engine.open(config, sb.token, store=store) as s:
        prep = await build(s)
    prep.save(store)
    return store, prep


async def run_job(sb: Sandbox, store: JobStore, *, kind: Any = None) -> RunResult:
    """The run, as `pdbulk` does it after the plan (and as `resume` does: ``kind`` the one
    its ``before_resume`` ran on)."""
    config = EngineConfig.from_json(store.config["engine"])
    kind = kind if kind is not None else kind_for(store)
    async with Engine.open(config, sb.token, store=store) as engine:
        result = await engine.run(kind)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)  # type: ignore[attr-defined]
    return result


async def run_priced(sb: Sandbox, store: JobStore, plan: Prepared
                     ) -> tuple[dict[str, int], Counter[str]]:
    """``store``'s run (``run_job``): the requests the sandbox answered during it, by
    operation, and what its plan priced — the plan's calls and the runner's re-check
    before each batch (``jobs.api.recheck_calls`` at the job's workers and burst)."""
    from jobs.api import recheck_calls

    config = EngineConfig.from_json(store.config["engine"])
    priced = Counter(plan.calls) + Counter(recheck_calls(
        store, kind_for(store), config.max_workers, burst=config.limits().burst))
    before = requests(sb)
    await run_job(sb, store)
    return delta(before, requests(sb)), priced


def deal(sb: Sandbox, deal_id: int) -> dict[str, Any]:
    """A deal as the sandbox holds it (admin view: no tokens, deleted ones too)."""
    return dict(sb.state.deals.rows[deal_id])


def cli_args(sb: Sandbox, job_dir: Path) -> list[str]:
    """The options that point a pdbulk command at a (time-scaled) sandbox."""
    return ["--url", sb.url, "--job-dir", str(job_dir), "--plan", sb.config.plan]


__all__ = ["ThreadedSandbox", "cli_args", "deal", "delta", "load_job", "requests", "run_job",
           "threaded_sandbox"]
