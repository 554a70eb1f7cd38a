"""The run of a resume (``pdbulk resume``, ``retry``, and ``undo --force`` taking over an
undo a killed process left unfinished): the lines it prints, its progress display, a
signal during it. Shared by ``cli`` and ``cli_ops`` (which ``cli`` imports: it cannot
import ``cli``). Never opens a job itself but in ``take_over``, whose lock refuses a
second process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import typer

from bulk.engine import Engine
from bulk.errors import NotResumable
from bulk.loop import run_loop
from bulk.reports import SUMMARY
from bulk.runner import RunResult
from bulk.store import JobStore

from .options import (
    EXIT_STOPPED,
    EngineOptions,
    emit_json,
    execute_async,
    fail,
    files_after_abort,
    finish,
    preflight,
    read_token,
    resume_hint,
    say_line,
)


def run_summary(store: JobStore) -> dict[str, Any]:
    """What ``--json`` prints after a resume or retry: the job's summary.json as the run
    left it (the shape its first run's ``--json`` printed), or, for a kind that writes
    none, its id, kind, status and counts by state; with ``job_dir``, its folder."""
    path = store.directory / SUMMARY
    if path.is_file():
        data: dict[str, Any] = orjson.loads(path.read_bytes())
        return {**data, "job_dir": str(store.directory), **_decisions(store)}
    return {"job": store.job_id, "kind": store.kind, "status": store.status,
            "items": {s.value: n for s, n in store.counts().items()},
            "job_dir": str(store.directory), **_decisions(store)}


def _decisions(store: JobStore) -> dict[str, Any]:
    """A dedupe job's reviewers' ``decision = merge`` not followed, as the apply's
    ``--json`` counts them (``refused_decisions``) with their groups' ids
    (``refused_decision_groups``; x49r3 F9: a resume exiting 3 said neither); nothing for
    another kind."""
    if store.kind != "dedupe":  # jobs.dedupe.apply.KIND; other jobs import nothing more
        return {}
    from jobs.dedupe.merge_job import unfollowed_groups

    groups = unfollowed_groups(store)
    return {"refused_decisions": len(groups),
            "refused_decision_groups": [g["group_id"] for g in groups]}


def settled(store: JobStore, run: Callable[[], RunResult]) -> RunResult:
    """``run()`` of a resume or retry; a signal while it re-reads before the run (or a
    second one during it) ends in one line and exit 4, the job resumable as it stands
    (x13r1 F1: exit 130 and nothing on stderr — typer's own handling of the interrupt)."""
    try:
        return run()
    except KeyboardInterrupt:
        # a second Ctrl-C mid-run (the runner's word for a run cancelled), not the re-read's
        aborted = store.status == "stopped" and store.status_message == "interrupted"
        if aborted:
            files_after_abort(store)  # the rows settled so far, row by row
        raise fail(f"{'aborted' if aborted else 'interrupted'}; job {store.job_id} is "
                   "checkpointed (anything in flight is settled when it resumes): resume with: "
                   f"{resume_hint(store.job_id, store.directory.parent)}",
                   EXIT_STOPPED) from None


async def resumed(store: JobStore, token: str, kind: Any,
                  first: Callable[[Engine], Awaitable[None]] | None,
                  max_tokens: int | None = None, share: float | None = None,
                  wait_for_reset: bool = False,
                  window_share: float | None = None) -> RunResult:
    """The run of a resume or retry (``jobs.resuming.resumed``, the library's too) with
    its lines printed and a progress display."""
    from jobs.resuming import resumed as run

    return await run(store, token, kind, first, max_tokens, say=say_line,
                     share=share, wait_for_reset=wait_for_reset,
                     window_share=window_share,
                     show_plan=say_line,
                     execute=lambda eng, k: execute_async(eng, k, label=store.kind))


def take_over(folder: Path, source_id: str, engine: EngineOptions, *, as_json: bool) -> None:
    """``pdbulk undo SOURCE --force`` of a job whose undo at ``folder`` a process that is
    gone left unfinished (``jobs.undo.undone.stuck_undo``): that undo resumed to its end,
    as ``pdbulk resume`` would (its in-doubt rows reconciled first; its own settings, its
    budget options those given here), its outcome line and exit code. Opening it takes its
    lock: a process that took it meanwhile is refused (``JobBusy``, exit 6), never joined."""
    from jobs.resuming import kind_of, refuse

    store = JobStore.open(folder)
    try:
        try:
            refuse(store, "resume")
        except NotResumable as exc:
            raise fail(str(exc)) from None
        token = read_token(engine.token_env)
        preflight(token, store)
        typer.echo(f"job {source_id} is being undone by job {store.job_id}, left unfinished "
                   f"({store.liveness()}): taking over undo job {store.job_id} (--force), "
                   "resuming it", err=True)
        share = engine.budget_share
        result = settled(store, lambda: run_loop(
            resumed, store, token, kind_of(store), None, engine.max_tokens, share,
            engine.wait_for_reset, engine.window_share if engine.window_share != 1.0 else None))
        if as_json:
            emit_json(run_summary(store))
        finish(store, result)
    finally:
        store.close()


__all__ = ["resumed", "run_summary", "settled", "take_over"]
