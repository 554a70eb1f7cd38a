"""The TODO a starter mapping (``jobs.mapping.starter.init_mapping``) writes for an XLSX
column the mapping reads whose data rows have merged cells (Zoho's Account Name merged
down each account's deals): the file stores a merged range's value in its first cell
only, so the loader refuses every other row of the range (``bulk.manifest_xlsx``,
docs/mapping.md "Merged cells in data rows"). x49r5 F2: init-mapping said nothing, and
the plan then refused 97 of 157 rows. This module only words it; the ranges are
``bulk.manifest_xlsx.merged_data_cells``'."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from bulk.manifest_xlsx import MergedCells
from bulk.wording import counted


def merged_todos(merged: Mapping[str, MergedCells], used: Collection[str]) -> list[str]:
    """One commented TODO line per column of ``merged`` (column -> its merged ranges) that
    the starter mapping reads (``used``): ``# TODO: column 'Account Name' has 41 merged
    ranges over 97 rows (A3:A5, ...): ...``. [] when no read column has one (a merge in a
    column no field reads is ignored by the loader)."""
    out = []
    for column, cells in merged.items():
        if column not in used or not cells.ranges:
            continue
        shown = ", ".join(cells.refs) + (", ..." if cells.ranges > len(cells.refs) else "")
        # a range across columns leaves its other cells beside the first, not below
        # (x50r4: E25 of D25:E25 was counted among "3 rows below those first cells")
        where = ("below" if not cells.beside else "beside" if cells.beside == cells.rows
                 else "below or beside")
        out.append(f"# TODO: column {column!r} has {counted(cells.ranges, 'merged range')} "
                   f"in its data rows ({shown}): the file stores a merged value in the "
                   f"range's first cell only, so `pdbulk plan import` refuses "
                   f"{counted(cells.rows, 'row')} whose cell lies {where} those first "
                   "cells; unmerge the cells and fill each row's cell in the sheet, or map "
                   "another column")
    return out


__all__ = ["merged_todos"]
