"""Where earlier dedupes kept their state: a note in the user's state folder, so a night run
from another working directory does not start afresh without a word.

The dedupe state directory (keep-separate decisions, merges applied, the nightly index)
defaults to ``./pdbulk-jobs/dedupe-state``, relative to the working directory; a cron line
that forgets its ``cd`` runs with an empty one, and a group a reviewer kept apart is merged
the next night (x35r2 3). Every dedupe plan, apply and run notes the state directory it used
in ``dedupe-states.json`` under ``bulk.claims.state_dir`` (``$PDBULK_STATE_DIR``), which
does not move with the working directory: ``{absolute path: ISO time last used}``.
``lost_state`` tells a command whose state directory holds nothing that another one noted
there does. The note is a hint, never the state: a note that cannot be read or written is
ignored (the state itself is where it always was, so old folders stay as they are).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bulk.claims import state_dir
from bulk.state import private_folder, write_private

from .index import INDEX_META, KEEP_SEPARATE, MAKERS, MERGES

NOTE = "dedupe-states.json"  # in the user's state folder (bulk.claims.state_dir)
KEPT = 20  # state directories noted at most, the most recently used


def holds_state(state: Path) -> bool:
    """Whether the dedupe state directory ``state`` holds keep-separate decisions, merges or
    a nightly index (a copy of the config alone is no state: a plan writes it)."""
    return any((state / name).is_file() for name in (KEEP_SEPARATE, MERGES, MAKERS, INDEX_META))


def _noted() -> dict[str, str]:
    try:
        data = orjson.loads((state_dir() / NOTE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def note_state(state: Path, now: datetime | None = None) -> None:
    """Note ``state`` (made absolute) as used now (UTC) in ``dedupe-states.json``; the
    ``KEPT`` most recently used are kept. Best effort: an OSError is ignored."""
    noted = _noted()
    noted[str(state.absolute())] = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    recent = dict(sorted(noted.items(), key=lambda kv: kv[1], reverse=True)[:KEPT])
    with contextlib.suppress(OSError):
        write_private(private_folder(state_dir()) / NOTE, orjson.dumps(recent))


def lost_state(state: Path) -> str | None:
    """When the state directory ``state`` holds nothing (``holds_state``) while another one
    noted by an earlier dedupe does: what that means and what to do, naming the most
    recently used one (``dedupe state ./pdbulk-jobs/dedupe-state holds nothing, but the
    dedupe of 2026-12-04T02:30:00+00:00 kept its state in /srv/pdbulk/...``); else None."""
    if holds_state(state):
        return None
    here = str(state.absolute())
    for path, when in sorted(_noted().items(), key=lambda kv: kv[1], reverse=True):
        if path != here and holds_state(Path(path)):
            return (f"the dedupe state {state} holds nothing, but the dedupe of {when} kept "
                    f"its state in {path}: its keep-separate decisions, the merges applied "
                    "and the nightly index would be ignored, and groups a reviewer kept "
                    "apart merged again. The state is looked for under the job directory "
                    "(default ./pdbulk-jobs, relative to the working directory): run from "
                    f"the folder that dedupe ran in (a cron line: cd there first), or pass "
                    f"--state-dir {path} (PDBULK_DEDUPE_STATE); to start afresh, pass "
                    f"--state-dir {state}")
    return None


__all__ = ["KEPT", "NOTE", "holds_state", "lost_state", "note_state"]
