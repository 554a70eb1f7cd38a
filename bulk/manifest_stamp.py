"""Whether a manifest changed while it was read: its size and modification time (a stamp).

A file still being written (an export appending its records, a copy under way) read
as it stands is a partial snapshot: its last rows missing, its last cell cut, and no
row says so (x17r3 F5: 5,447 of 7,000 rows imported, exit 0). Every reader stamps the
file before it opens it and checks the stamp again once it has read the last record
(``bulk.manifest.read_manifest``); a command that reads the file more than once (the
header, the decimal marks, the rows) takes one stamp before its first read and checks
it after its last (``since``), so a change between two reads is caught too.

Only a regular file is stamped: a pipe or a device has no size to compare (None, never
checked). A writer that pauses for the whole of a read cannot be told from a complete
file; that is the one case this does not catch. This module reads no file's content.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Generator, Iterable
from typing import NamedTuple, TypeVar

from .errors import InputError
from .manifest_row import PathLike

CHANGED = ("the file changed while it was read (still being written?): wait until it is "
           "complete and run again")


class Stamp(NamedTuple):
    """A regular file's size and modification time (ns), as ``os.stat`` gives them."""

    size: int
    mtime_ns: int

    def to_json(self) -> list[int]:
        return [self.size, self.mtime_ns]


def file_stamp(path: PathLike) -> Stamp | None:
    """The file's stamp now; None for a path that is not a regular file (or cannot be
    read: the reader then says why)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Stamp(st.st_size, st.st_mtime_ns)


def check_unchanged(path: PathLike, since: Stamp | None, what: str = CHANGED) -> None:
    """InputError (``what``, after the file's name) when the file's stamp is no longer
    ``since``; nothing when ``since`` is None."""
    if since is not None and file_stamp(path) != since:
        raise InputError(f"{os.fspath(path)!r}: {what}")


def absolute(path: PathLike) -> str:
    """``path`` made absolute against the current folder, as a job stores every path it
    reads later: a resume or retry run from another folder must read the same file, not
    that folder's file of the same name (x23r4 F1). Symlinks are kept, not resolved."""
    return os.path.abspath(os.fspath(path))


T = TypeVar("T")


def unchanged_rows(rows: Iterable[T], path: PathLike,
                   before: Stamp | None) -> Generator[T, None, None]:
    """``rows``, then InputError if the file's stamp is no longer ``before`` (x17r3 F5: a
    CSV still being written was imported as its first 5,447 rows of 7,000, exit 0)."""
    yield from rows
    check_unchanged(path, before)


__all__ = ["CHANGED", "Stamp", "absolute", "check_unchanged", "file_stamp", "unchanged_rows"]
