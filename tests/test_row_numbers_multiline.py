"""A CSV record's row is the row a spreadsheet shows it on (the header row 1, every record
one row however many lines its quoted cells span, a blank line one), and every message on
a bad record names that row and, where they differ, its line in the file (x25r2 F4: after
a Salesforce notes cell of three lines, "row 12" was the 14th row of the sheet). Files
from a generator: quoted cells over LF, CRLF and CR line breaks, records ended by CRLF or
LF, blank lines, bad records between."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from bulk.manifest import read_manifest

BREAKS = ("\n", "\r\n", "\r")


def _file(seed: int) -> tuple[bytes, dict[str, tuple[int, int, bool]]]:
    """A CSV file, and {key: (its spreadsheet row, its first line, whether it is bad)}."""
    rng = random.Random(seed)
    out, want = ["key,title,notes,amount" + rng.choice(("\r\n", "\n"))], {}
    row, line = 2, 2
    for n in range(rng.randint(5, 60)):
        end = rng.choice(("\r\n", "\n"))
        if rng.random() < 0.1:  # a blank line: a row of its own in a spreadsheet
            out.append(end)
            row, line = row + 1, line + 1
            continue
        # a bad record spans no lines: one that does and has the wrong width is read as a
        # quoting error, its lines each a row again (docs/mapping.md, "Manifests / CSV")
        bad = rng.random() < 0.3
        spans = 0 if bad else rng.choice((0, 0, 1, 2, 4))
        notes = "".join(f"note {i}{rng.choice(BREAKS)}" for i in range(spans)) + "end"
        key = f"k{n}"
        cells = [key, f"Deal {n}", f'"{notes}"' if spans else notes, "5"]
        if bad:
            cells.pop()  # 3 cells under a header of 4
        out.append(",".join(cells) + end)
        want[key] = (row, line, bad)
        row += 1
        line += 1 + spans
    return "".join(out).encode(), want


@pytest.mark.parametrize("seed", range(40))
def test_each_record_is_its_spreadsheet_row_and_each_message_says_where(
        tmp_path: Path, seed: int) -> None:
    """Each record's row is where a spreadsheet shows it (the csv module's own record
    count agrees); a bad one's message is "row N" and, when its line differs, "(line L
    of the file)"."""
    data, want = _file(seed)
    path = tmp_path / "m.csv"
    path.write_bytes(data)
    # the oracle: a spreadsheet's rows are the csv module's records, blank ones too
    shown = {rec[0]: n for n, rec in enumerate(
        csv.reader(io.StringIO(data.decode(), newline="")), 1) if rec}
    assert {k: v[0] for k, v in want.items()} == {k: shown[k] for k in want}
    rows = list(read_manifest(path))
    assert len(rows) == len(want)
    for r in rows:
        key = r.values["key"]
        row, line, bad = want[key]
        assert (r.row, r.line, r.ok) == (row, line, not bad), (key, r)
        if bad:
            said = str(r.error)
            assert said.startswith(f"row {row}: 3 cells but the header has 4 columns"), said
            assert said.endswith(f" (line {line} of the file)") is (line != row), said
