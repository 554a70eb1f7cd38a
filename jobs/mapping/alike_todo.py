"""The TODO a starter mapping (``jobs.mapping.starter.init_mapping``) writes for header
names alike but for case and spaces (``Email`` and ``email ``; ``amount`` twice once a CSV
header's spaces are trimmed), so that ``init-mapping``'s own output is never refused by
``plan import`` without warning (x45r8 F2: ``email = "Email"`` written, ``email`` listed
among the columns not mapped, then the mapping refused, exit 1). The likeness is the one
``jobs.import_checks.alike_problem`` refuses by; this module only words it, it never
decides which column is meant."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bulk.manifest_xlsx import column_letter, unlabelled

# pdbulk's own failed-rows columns (``jobs.results.failed_row``), never compared, as
# ``jobs.import_checks`` does not compare them (``key`` beside a file's ``Key``)
_REPORT_COLUMNS = frozenset({"row", "key", "reason", "status", "column", "hold"})


def alike_todos(header: Sequence[str], used: Collection[str]) -> list[str]:
    """One commented TODO line per group of ``header`` names alike but for case and
    surrounding spaces (``label_twice``'s "(column D)" label taken off), naming each column
    by its letter and spelling: with the columns the starter mapping reads (``used``) among
    them, that ``pdbulk plan import`` refuses the mapping until one is chosen or renamed;
    with none, that none of them is mapped. [] when the header has no such names."""
    groups: dict[str, list[int]] = {}
    for p, h in enumerate(header, 1):
        if h and h not in _REPORT_COLUMNS:
            groups.setdefault(unlabelled(h).strip().casefold(), []).append(p)
    out = []
    for positions in groups.values():
        if len(positions) < 2:
            continue
        shown = [f"{column_letter(p)} {unlabelled(header[p - 1])!r}" for p in positions]
        named = f"columns {', '.join(shown[:-1])} and {shown[-1]}"
        read = [repr(unlabelled(header[p - 1])) for p in positions if header[p - 1] in used]
        if read:
            out.append(f"# TODO: {named} are one name but for case and spaces, and this "
                       f"mapping reads {' and '.join(read)}: `pdbulk plan import` refuses it "
                       "until one is chosen or renamed (rename or delete the column not "
                       "meant in the file, or read each by its exact spelling here)")
        else:
            out.append(f"# TODO: {named} are one name but for case and spaces: none of them "
                       "is mapped, and `pdbulk plan import` refuses a mapping reading one of "
                       "them until one is chosen or renamed (rename or delete the column not "
                       "meant in the file, then map the other)")
    return out


__all__ = ["alike_todos"]
