"""The plan's note on the rows the stage map's ``"*"`` placed counts, of an upsert's rows
whose key finds a deal, only those ``"*"`` places in that deal's pipeline (or the one the
row names), as ``pdbulk plan update`` counts the same rows; a row that creates its deal is
counted by the create's reading. x53r6 F3: found deals' rows that the run fails (``"*"``'s
stage in no stage of their pipeline) or closes where they are were counted as placed (4
claimed, 0 placed), read as creates."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox
from tests.test_upsert_found_run import BASE, INSERT, UPDATE, UPSERT, _cli, twins

__all__ = ["twins"]
CELLS = ["Foo", "Bogus Stage", "Won", "Lost", "Closed Won", "Late", "Qualified", "Done"]
PIPELINE_CELLS = ["", "", "", "Sales", "Renewals", "Enterprise", "SMB"]


def _starred(output: str) -> int:
    said = " ".join(output.split())
    got = re.search(r"(\d+) rows?'s? stage cells? names? no stage of their row's pipeline", said)
    return int(got.group(1)) if got else 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_star_note_counts_only_rows_star_places(twins: tuple[Sandbox, Sandbox],
                                                tmp_path: Path, seed: int) -> None:
    one, _ = twins
    rnd = random.Random(seed)
    made = _cli(one, tmp_path, "made", ["import"], BASE, INSERT, create=True)
    assert made.exit_code == 0, made.output
    found = [f"K{k},D{k},{rnd.choice(PIPELINE_CELLS)},{rnd.choice(CELLS)},," for k in range(1, 10)]
    rows = "Ref,Deal Name,Pipeline,Stage,Why,Won at\n" + "\n".join(found) + "\n"
    # "*"'s stage in one pipeline only (Sales), so a create's reading of a row of no
    # pipeline places it there: a found deal of another pipeline is not placed by it
    update = _cli(one, tmp_path, "pu", ["update"], rows, _proposal(UPDATE), plan=True)
    upsert = _cli(one, tmp_path, "pi", ["import"], rows, _proposal(UPSERT), plan=True)
    assert _starred(upsert.output) == _starred(update.output), (rows, upsert.output,
                                                                update.output)


def _proposal(mapping: str) -> str:
    out = mapping.replace('"*" = "Qualified"', '"*" = "Proposal"')
    assert out != mapping
    return out


def test_star_note_counts_creates_and_found_deals_placed(twins: tuple[Sandbox, Sandbox],
                                                         tmp_path: Path) -> None:
    """Rows that create their deal are counted by the create's reading, a found deal's
    row by its placing in its deal's pipeline: K3 (Sales) and the creates in Sales and
    Enterprise placed by "*", K7 (Renewals, no Qualified) not."""
    one, _ = twins
    made = _cli(one, tmp_path, "made", ["import"], BASE, INSERT, create=True)
    assert made.exit_code == 0, made.output
    mapping = UPSERT.replace('status = { column = "Stage", map = { "Closed Lost" = "lost" } }'
                             '\n', "")
    assert mapping != UPSERT
    rows = ("Ref,Deal Name,Pipeline,Stage,Why,Won at\nK3,D3,,Foo,,\nK7,D7,,Foo,,\n"
            "N0,New 0,Sales,Foo,,\nN1,New 1,Enterprise,Bar,,\n")
    planned = _cli(one, tmp_path, "p", ["import"], rows, mapping, plan=True)
    said = " ".join(planned.output.split())
    assert _starred(planned.output) == 3, said
    assert "'Foo' 2 rows, 'Bar' 1 row" in said, said
