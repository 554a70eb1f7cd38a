"""What a job keeps so that a resume can load it again after its load was cut short
(``jobs.reloading``), all in the job's config, written with the job's row in the one
transaction that creates it (``JobStore.create``), before any read is sent:

- ``RELOAD``: the arguments of the ``jobs.api`` factory that made its ``Work`` (``recipe``);
- ``RELOAD_FILES``: each input file of those (manifest, mapping, pairs) as it was when the
  job was made, its size and SHA-256 (``file_digest``): a resume refuses to load again a
  file edited since (``changed_files``), as an import's does (x44r6 F3: a move-stage
  moved a deal its started job's manifest never named, a merge merged an added pair);
- ``RELOAD_ASKS``: whether the job was to ask before it sends (started without
  ``--yes``); set by ``jobs.api.new_store``. A job without it is taken as one that asks
  (``asks``), and a resume, which asks nothing, never runs it (x44r6 F1: the flag was job
  meta written only once the load had begun, so a job killed while "planned" had none and
  its resume moved 3 deals and made 2 merges nobody had said yes to).

Apart from ``jobs.reloading`` so that ``jobs.api`` can import it (no cycle). Sends nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RELOAD = "reload"  # job config: the kind's factory arguments (``recipe``)
RELOAD_FILES = "reload.files"  # job config: argument name -> {"size", "sha256"} of its file
RELOAD_ASKS = "reload.asks"  # job config: the job asks before it sends (no --yes)
_FILES = ("manifest", "mapping", "pairs", "source")  # arguments that are paths
_DIGESTED = ("manifest", "mapping", "pairs")  # of those, files read by the load (not a job)


def file_digest(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """``{"size": bytes, "sha256": hex digest}`` of the regular file at ``path``, read in
    chunks (a million-row file is not held in memory); None when it cannot be read."""
    try:
        with open(path, "rb") as f:
            if not os.path.isfile(path):
                return None
            size = os.fstat(f.fileno()).st_size
            return {"size": size, "sha256": hashlib.file_digest(f, "sha256").hexdigest()}
    except OSError:
        return None


def recipe(**args: Any) -> dict[str, Any]:
    """``{RELOAD: args, RELOAD_FILES: digests}`` for a ``Work``'s config: the factory's
    arguments, JSON-safe (paths made absolute: a resume may run from another folder; a
    ``DealQuery`` as its fields), and the digest (``file_digest``) of each input file."""
    out: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, value in args.items():
        if name in _FILES and isinstance(value, str | os.PathLike):
            value = os.path.abspath(os.fspath(value))
            if name in _DIGESTED and (digest := file_digest(value)) is not None:
                files[name] = digest
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        out[name] = value
    return {RELOAD: out, RELOAD_FILES: files}


def asks(config: Mapping[str, Any]) -> bool:
    """A job of ``config`` was to ask before sending: ``RELOAD_ASKS`` true, or missing
    (a job made before it was kept, or by a caller that did not say: never taken as
    confirmed)."""
    return config.get(RELOAD_ASKS) is not False


def changed_files(config: Mapping[str, Any]) -> list[str]:
    """The paths of the input files of ``config``'s ``RELOAD`` that are no longer the file
    the job was made with (other bytes, or another size); a file that cannot be read now is
    left to the factory, which names why."""
    args, kept = config.get(RELOAD), config.get(RELOAD_FILES)
    if not isinstance(args, Mapping) or not isinstance(kept, Mapping):
        return []
    changed = []
    for name, then in kept.items():
        path = args.get(name)
        if not isinstance(path, str):
            continue
        now = file_digest(Path(path))
        if now is not None and now != then:
            changed.append(path)
    return changed


def gone_files(config: Mapping[str, Any]) -> list[str]:
    """The paths of the input files of ``config``'s ``RELOAD`` that are no longer a file
    that can be read (deleted, moved, made unreadable): its load again would fail on
    them."""
    args, kept = config.get(RELOAD), config.get(RELOAD_FILES)
    if not isinstance(args, Mapping) or not isinstance(kept, Mapping):
        return []
    return [path for name in kept if isinstance(path := args.get(name), str)
            and not readable(path)]


def readable(path: str) -> bool:
    """Whether ``path`` is a regular file this process can open for reading (not read)."""
    try:
        with open(path, "rb") as f:
            return os.path.isfile(path) and f.readable()
    except OSError:
        return False


__all__ = ["RELOAD", "RELOAD_ASKS", "RELOAD_FILES", "asks", "changed_files", "file_digest",
           "gone_files", "readable", "recipe"]
