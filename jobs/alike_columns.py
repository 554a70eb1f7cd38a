"""Two manifest columns alike but for case and spaces, of which a command reads one.

One check for every command that reads a manifest's columns by name — import and update
(the mapping's columns), move-stage (its id / key column), merge (its survivor and merge
columns) — over CSV, XLSX and JSON alike (x45r5 F6: only CSV import / update refused
``Email`` beside ``email ``; JSON keys, move-stage's ``id`` beside ``ID `` and merge's
``merge_id`` beside ``Merge_ID`` were taken silently, one column unused). Never refuses a
column nobody reads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from bulk.errors import InputError
from bulk.manifest_row import PathSample
from bulk.manifest_xlsx import column_letter, unlabelled
from bulk.wording import about_file

# the columns pdbulk's own failed-rows files put before a row's cells (``results.failed_row``):
# ``key`` beside a file's own ``Key`` is no second spelling of it
_REPORT_COLUMNS = frozenset({"row", "key", "reason", "status", "column", "hold"})


def alike_problem(header: Sequence[str], columns: Sequence[str],
                  header_row: int | None = None, reader: str = "the mapping", *,
                  by_name: bool = False,
                  path: str | os.PathLike[str] | None = None) -> str | None:
    """Why a manifest whose ``header`` names one column twice but for case and surrounding
    spaces (``Email`` and ``email ``; a CSV header's spaces are trimmed) cannot be read by a
    mapping reading ``columns``: it reads one of them and not the other, which would go
    unused (x43r4 F7: both accepted, one silently unused; a plan note since x44 — refused
    now, as Pipedrive's own importer refuses a file with two columns of one name). Names
    the header's row (``header_row``, None: row 1) and each column's position and letter.
    None when the mapping reads each of them by its exact spelling, or none of them (a
    column nobody reads is no problem: x25r2 F7). pdbulk's own failed-rows columns
    (``key`` beside a file's ``Key``) are never compared. A JSON manifest's keys are
    compared as its leaf paths (``Email`` and ``email ``: x45r5 F6). ``by_name``: the
    reader finds its column by its name in any case and spacing (move-stage's deal id
    column, merge's survivor_id / merge_id), so no spelling of the pair is the one it
    reads: the reason names none as read (x45r11 F2: the last spelling was named so).
    ``path``: the manifest, named first as import's and update's reasons name it."""
    names = list(header)
    read = set(columns)
    keys = isinstance(header, PathSample)

    def alike(name: str) -> str:
        return unlabelled(name).strip().casefold()

    groups: dict[str, list[int]] = {}
    for p, h in enumerate(names, 1):
        if h and h not in _REPORT_COLUMNS:
            groups.setdefault(alike(h), []).append(p)
    said = []
    for positions in groups.values():
        spelt = {unlabelled(names[p - 1]) for p in positions}
        taken = [p for p in positions if names[p - 1] in read]
        if len(spelt) < 2 or not taken or len(taken) == len(positions):
            continue
        left = [repr(unlabelled(names[p - 1])) for p in positions if p not in taken]
        if keys:  # a JSON file's keys: no column letters, no header row
            shown = [repr(names[p - 1]) for p in positions]
            where = "keys", "of the records"
        else:
            shown = [f"{p} ({column_letter(p)}) {unlabelled(names[p - 1])!r}"
                     for p in positions]
            where = "columns", f"of the header (row {header_row or 1})"
        if by_name:
            read_said = (f"one {where[0][:-1]} of that name only, whatever its case: "
                         + ("the other" if len(positions) == 2 else "the others"))
        else:
            read_said = (f"{' and '.join(repr(names[p - 1]) for p in taken)} only: "
                         f"{' and '.join(left)}")
        said.append(f"{where[0]} {', '.join(shown[:-1])} and {shown[-1]} {where[1]} are one "
                    f"name but for case and spaces, and {reader} reads {read_said} would "
                    "go unused")
    if not said:
        return None
    reason = ("; ".join(said) + ". Rename or delete the column(s) not meant in the file"
              + (", or read each by its exact spelling in the mapping"
                 if reader == "the mapping" else ""))
    return reason if path is None else about_file(path, reason)


def refuse_alike(header: Sequence[str], columns: Sequence[str],
                 header_row: int | None = None, reader: str = "the mapping", *,
                 by_name: bool = False, path: str | os.PathLike[str] | None = None) -> None:
    """InputError with ``alike_problem``'s reason when it has one (nothing read yet);
    ``reader``: what reads ``columns`` (a command's name when no mapping does);
    ``by_name`` and ``path`` as ``alike_problem`` takes them."""
    if (problem := alike_problem(header, columns, header_row, reader, by_name=by_name,
                                 path=path)) is not None:
        raise InputError(problem)


__all__ = ["alike_problem", "refuse_alike"]
