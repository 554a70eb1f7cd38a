"""The resume of an update, move-stage, merge or undo whose load was cut short (a kill -9,
a power cut: the job is "planned" or "loading", not marked loaded): its load again.

A load sends reads only (the deals, the catalog, the source job's before-images), so
nothing of it can be doubled: the resume drops what the cut load stored (its items and
before-images; ``JobStore.discard_load``), builds the job's ``Work`` again from the
arguments it was started with (``RELOAD``, kept in the job's config by ``jobs.api``'s
``update_deals`` / ``move_deals`` / ``merge_deals`` / ``undo_job``) and runs its load on
the resume's engine. The dead load's reads stay in the job's spend ledger (each charged
before it left: ``bulk.ledger``); the resume's plan counts the new load's (x44r3 F4: the
resume refused "was interrupted while it was being loaded; nothing was sent: start it
again" and marked the job failed, while an import in the same place was loaded again).

Not reloaded, refused in one line (``NotResumable``: the words are
``jobs.resume_verdict``'s, which ``pdbulk status`` says too) and left as it is (not marked
failed: its ledger keeps what its load spent):

- a job that was to ask before sending (started without ``--yes``; or one that kept no
  word of it: ``jobs.reload_recipe.asks``) and never asked: a resume asks nothing, and a
  job never confirmed is never sent (x23r4 F2; x44r6 F1: one killed while "planned" was
  run unasked); it is marked cancelled, as a job killed at its prompt is
  (``jobs.confirming``);
- a dedupe apply / run: its load holds the state folder and reads the decisions and the
  merge record as they are when it runs; the next ``dedupe apply`` / ``run`` removes a job
  killed before any merge and merges its groups (``jobs.dedupe.interrupted``);
- a job started by a pdbulk that kept no ``RELOAD`` (before this module);
- a job one of whose input files (manifest, mapping, pairs) changed since it was started
  (``jobs.reload_recipe.changed_files``: ``InputError`` from ``load_again`` naming it; x44r6
  F3): its rows would not be the ones it was started with.

An import is loaded again by ``jobs.importing.load_again``. This module never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bulk.engine import Engine
from bulk.errors import InputError
from bulk.store import JobStore

from .api import load, merge_deals, move_deals, undo_job, update_deals
from .kinds import kind_for
from .prepared import sent_while_loading
from .reload_recipe import RELOAD, asks, changed_files
from .selection import DealQuery


def unloaded(store: JobStore) -> bool:
    """A job whose load was cut short: not marked loaded, "planned" or "loading"."""
    return not store.loaded and store.status in ("planned", "loading")


def reloads(store: JobStore) -> bool:
    """An update, move-stage, merge or undo cut short while loading that a resume loads
    again (``load_again``): it kept its ``RELOAD`` and was not to ask first (``asks``:
    a job that kept no word of it is taken as one that asks)."""
    return (unloaded(store) and store.kind != "import"
            and isinstance(store.config.get(RELOAD), Mapping)
            and not asks(store.config))


def _work(kind: str, args: Mapping[str, Any]) -> Any:
    """The ``Work`` of ``kind`` built again from its stored arguments (``recipe``)."""
    kw = dict(args)
    build: dict[str, Callable[..., Any]] = {
        "update": update_deals, "move-stage": move_deals, "merge": merge_deals,
        "undo": undo_job}
    if kind == "move-stage" and isinstance(kw.get("select"), Mapping):
        kw["select"] = DealQuery(**kw["select"])
    return build[kind](**kw)


async def load_again(eng: Engine, store: JobStore, *, say: Callable[[str], None]
                     ) -> tuple[Any, Callable[[], None] | None]:
    """Load ``store`` (``reloads``) again on ``eng``: its items and before-images as a new
    start would store them (the account as it is now), marked loaded. Returns the job
    kind to run and what to call once its run ends (the ``Work``'s ``release``: an undo's
    source job, held while the undo runs). Raises InputError (a file gone or no longer
    usable, a source job undone since; the job stays resumable once fixed; an input file
    changed since the job was started: ``changed_files``, refused before any read) and
    the account's errors of the reads."""
    if changed := changed_files(store.config):
        raise InputError(" and ".join(repr(p) for p in changed) + f" changed since job "
                         f"{store.job_id} was started: its rows would not be the ones it was "
                         f"started with, so it is not loaded again (nothing of it was sent); "
                         f"put the file back as it was to resume it, or start a new job")
    say(f"job {store.job_id} was interrupted while it was being loaded "
        f"({sent_while_loading(store)}): loading it again")
    args = store.config[RELOAD]
    try:
        work = _work(store.kind, args)
    except InputError as exc:
        raise InputError(f"job {store.job_id} could not be loaded again: {exc} (nothing of "
                         "it was sent: fix that and resume it again)") from None
    try:
        store.discard_load()
        if store.status == "planned":
            store.set_status("loading")
        prep, _ = await load(eng, work, store, asks=False, prompts=False)
        if prep.refusal is not None:
            raise InputError(f"job {store.job_id} could not be loaded again: {prep.refusal} "
                             "(nothing of it was sent)")
        if work.on_run is not None:
            work.on_run(store)
        return kind_for(store), work.release
    except BaseException:
        if work.release is not None:
            work.release()
        raise



__all__ = ["load_again", "reloads", "unloaded"]
