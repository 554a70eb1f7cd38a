"""What ``pdbulk resume`` (or ``retry``) does with a job, decided without doing it: the one
answer the resume refuses by (``jobs.resuming.refuse``) and ``pdbulk status`` / ``jobs`` say
(``verdict``), so the two cannot disagree (x44r10 F3: status of an import killed while
loading, its manifest edited since, said "`pdbulk resume` loads it again" while resume
refused it, the file's SHA-256 no longer the one the job kept; F4: status of a job killed
at its confirmation prompt said nothing of its resume being refused).

The reasons, in the order the resume meets them:

- the job is cancelled or failed: final, start a new job;
- an undo ran on it (``jobs.undo.refuse_after_undo``): its rows would land over that undo;
- it asked before sending and no yes was recorded (``jobs.confirming.never_confirmed``: its
  process ended at its prompt, or between its load and its question): the resume, which
  asks nothing, refuses it and marks it cancelled; start it again;
- its load was cut short (``jobs.reloading.unloaded``): an import, or an update,
  move-stage, merge or undo that kept its options and was not to ask, is loaded again —
  unless an input file changed since it was started (its size + SHA-256 or the import's
  own check, ``jobs.import_load.changed_inputs``) or is gone: refused, put the file back;
  a job that was to ask, a dedupe job, or one an earlier pdbulk started are refused
  (``jobs.reloading.refusal``'s words);
- a loaded job whose input files changed since its load (``jobs.resume_inputs``): an import
  whose mapping changed a setting that decides which record a row is is refused by the
  resume's own check (exit 1), one changed otherwise has its rows still to send mapped
  again; an update, move-stage or merge sends its rows as prepared at its load.

Reads the job's store and the input files' digests; never changes the job, never prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bulk.store import JobStore

from .confirming import META_ASKING, never_confirmed
from .import_checks import stored_settings
from .import_load import CHANGED_INPUT_FIX, changed_inputs
from .person_key_version import newer_keys
from .prepared import sent_while_loading
from .reload_recipe import RELOAD, asks, changed_files, gone_files, readable
from .reloading import reloads, unloaded
from .resume_account_now import new_job_advice, stopped_by_refusals
from .resume_inputs import import_mapping_words, prepared_note
from .undo.targets import refuse_after_undo

NEVER_CONFIRMED = "never confirmed at its prompt; nothing was sent"  # the cancelled message


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """What the resume of a job does. ``refusal``: the one line it refuses with (None: it
    runs); ``cancels``: the refusal marks the job cancelled with this status message;
    ``words``: what ``status`` / ``jobs`` say of it (None: nothing beyond the job's own
    status line); ``cut``: its load was cut short (``unloaded``), ``reloads``: and the
    resume loads it again (refused only when an input file changed or is gone: the load
    again raises that refusal as ``InputError``, before any read); ``blocked``: the resume
    refuses it on its own check once it runs, no ``refusal`` here (its import's mapping
    changed a setting that decides which record a row is: ``jobs.resume_inputs``)."""

    refusal: str | None = None
    cancels: str | None = None
    words: str | None = None
    cut: bool = False
    reloads: bool = False
    blocked: bool = False


def verdict(store: JobStore, command: str = "resume") -> Verdict:
    """What ``command`` ("resume" or "retry") does with ``store`` (any kind, any status),
    without doing it. A job at work (its process alive) is the caller's to tell apart."""
    if store.status in ("cancelled", "failed"):
        verb = "resumed" if command == "resume" else "retried"
        said = f" ({store.status_message or 'nothing was sent'})" if command == "resume" else ""
        return Verdict(f"job {store.job_id} is {store.status}{said}; it cannot be {verb}: "
                       "start a new job")
    if (why := refuse_after_undo(store, command)) is not None:
        return Verdict(why, words=f"`pdbulk {command}` refuses it: {why}")
    if (why := newer_keys(store)) is not None:  # planned by a newer pdbulk
        return Verdict(why, words=f"`pdbulk {command}` refuses it: {why}")
    if never_confirmed(store):
        where = ("killed at its confirmation prompt" if store.meta_get(META_ASKING) is not None
                 else "killed before it asked to send")
        return Verdict(
            f"job {store.job_id} was never confirmed at its prompt (nothing was sent): it is "
            "cancelled and cannot be resumed; start a new job", cancels=NEVER_CONFIRMED,
            words=f"{where} (nothing was sent): `pdbulk {command}` refuses it (a resume asks "
                  "nothing) and marks it cancelled; start it again (the same command asks "
                  "again; with --yes it sends without asking)")
    if unloaded(store):
        return dataclasses.replace(_cut(store), cut=True)
    if command != "resume":
        return Verdict()
    parts = [_after_refusals(store)] if stopped_by_refusals(store) else []
    mapped = import_mapping_words(store)  # the mapping edited since the load (x46r2 F1)
    if mapped is not None:
        parts.append(mapped[0])
    if (note := prepared_note(store)) is not None:  # bodies prepared at the load (F2)
        parts.append(note)
    return Verdict(words="; ".join(parts) or None, blocked=mapped is not None and mapped[1])


def _after_refusals(store: JobStore) -> str:
    """What ``status`` says a resume does with a job stopped by writes refused alike
    (``jobs.resume_account_now``; x45r4 F1: it said "fix the mapping, then resume", which
    the resume of an update could not follow)."""
    head = ("stopped after writes refused for one cause no row's data explains: `pdbulk "
            "resume` first checks the custom fields, options, stages and pipelines its rows "
            "to send name against the account and refuses, nothing sent, while one is gone")
    if store.kind == "import":
        return (f"{head}; with the mapping fixed (or what was deleted put back) it maps "
                "those rows again and sends them")
    if store.kind == "undo":
        return f"{head.split(' and refuses')[0]}: {new_job_advice(store.kind)}"
    return f"{head}: then {new_job_advice(store.kind)}"


def _cut(store: JobStore) -> Verdict:
    """The verdict of a job whose load was cut short (``unloaded``)."""
    head = f"interrupted while loading ({sent_while_loading(store)})"
    if store.kind == "import" or reloads(store):
        changed, gone = _inputs(store)
        if changed or gone:
            why = " and ".join(
                [f"{' and '.join(repr(p) for p in changed)} changed since it was started"]
                * bool(changed)
                + [f"{' and '.join(repr(p) for p in gone)} {'are' if len(gone) > 1 else 'is'} "
                   "gone"] * bool(gone))
            return Verdict(f"job {store.job_id} cannot be loaded again: {why} (nothing of it "
                           "was sent)",
                           words=f"{head}: {why}, so `pdbulk resume` refuses it: "
                                 + (CHANGED_INPUT_FIX if store.kind == "import" else
                                    "put the file back as it was to resume it, or start a "
                                    "new job"), reloads=True)
        return Verdict(words=f"{head}: `pdbulk resume` loads it again and runs it",
                       reloads=True)
    said = sent_while_loading(store)
    refused = f"job {store.job_id} was interrupted while it was being loaded ({said})"
    if isinstance(store.config.get(RELOAD), Mapping) and asks(store.config):
        return Verdict(
            f"{refused}, before it asked to send: a resume asks nothing, so it is cancelled; "
            "start it again",
            cancels=f"interrupted while loading, before its question was asked; {said}",
            words=f"{head}, before it asked to send: `pdbulk resume` refuses it (a resume asks "
                  "nothing) and marks it cancelled; start it again")
    if store.kind == "dedupe":
        return Verdict(
            f"{refused}; no merge was sent: the next `pdbulk dedupe apply` of its plan (or "
            "`dedupe run`) removes it and merges its groups",
            words=f"{head}: the next `pdbulk dedupe apply` of its plan (or `dedupe run`) "
                  "removes it and merges its groups")
    return Verdict(
        f"{refused}; it was started by an earlier pdbulk that kept no record of its options, "
        "so it cannot be loaded again: start it again",
        words=f"{head}: started by an earlier pdbulk that kept no record of its options, "
              "`pdbulk resume` cannot load it again; start it again")


def _inputs(store: JobStore) -> tuple[list[str], list[str]]:
    """The input files of a job cut short while loading that changed since it was started,
    and those gone (a resume refuses either: ``jobs.importing.load_again``,
    ``jobs.reloading.load_again``)."""
    if store.kind != "import":
        return changed_files(store.config), gone_files(store.config)
    try:
        settings = stored_settings(store)
    except (KeyError, TypeError, ValueError):  # a config it cannot read: its load says why
        return [], []
    return (changed_inputs(store, settings),
            [p for p in (settings.manifest, settings.mapping) if p and not readable(p)])


__all__ = ["NEVER_CONFIRMED", "Verdict", "verdict"]
