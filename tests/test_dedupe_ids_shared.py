"""groups.csv's deal ids are read by the one id reader of update, move-stage and merge
(``jobs.selection.parse_id``): a spreadsheet's decimal zeros (``1.0``, ``16.00``) are the
id, as merge takes them (x43r4 F5: `dedupe apply` refused a survivor written ``1.0``);
digits of other scripts, signs and exponents are refused with their row and column, never
a traceback (``²`` stopped the apply with ``ValueError``; ``٤٦`` was read as 46). The plan's
own grouped thousands (x21r2 F2, ``1.234`` = 1234) are still read there: apply checks
every id against the plan's pairs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from jobs.dedupe.planfiles import read_groups
from jobs.merging import read_pairs
from jobs.selection import parse_id

HEADER = "group_id,decision,band,score,survivor_id,merged_ids\n"


def test_decimal_zeros_are_the_id_as_merge_reads_them(tmp_path: Path) -> None:
    (tmp_path / "groups.csv").write_text(
        HEADER + "g-1,merge,review,0.8,1.0,2.0\n"
        "g-16,,duplicate,0.9,16.00,17.0;18.00\n", encoding="utf-8")
    one, two = read_groups(tmp_path)
    assert (one.survivor_id, one.merged_ids) == (1, (2,))
    assert (two.survivor_id, two.merged_ids) == (16, (17, 18))
    assert [parse_id(x) for x in ("1.0", "16.00", "17.0")] == [1, 16, 17]


# (full-width digits are ids since x46r3 F5, as merge reads them)
@pytest.mark.parametrize("cell", ["\u00b2", "\u0664\u0666", "+45", "1e3", "0", "1.5"])
def test_what_merge_refuses_is_refused_with_row_and_column(tmp_path: Path, cell: str) -> None:
    (tmp_path / "groups.csv").write_text(HEADER + f"g-1,,duplicate,0.9,1,\"{cell}\"\n",
                                         encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_groups(tmp_path)
    assert caught.value.row == 2 and caught.value.column == "merged_ids", caught.value
    assert "not a deal id" in str(caught.value)
    with pytest.raises(InputError):
        parse_id(cell)


def test_merge_reads_the_same_cells_alike(tmp_path: Path) -> None:
    """The same `1.0` / `16.00` in a merge file are the same ids."""
    (tmp_path / "pairs.csv").write_text("merge_id,survivor_id\n2.0,1.0\n17.0,16.00\n",
                                        encoding="utf-8")
    rows = list(read_pairs(tmp_path / "pairs.csv"))
    assert [(r.merge_id, r.survivor_id) for r in rows] == [(2, 1), (17, 16)], rows
