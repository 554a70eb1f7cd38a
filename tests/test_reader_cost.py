"""The CSV reader's cost per record (issue 8), counted in Python function calls: a
record on one line goes through each reading layer once (the csv module's lines, the
records, the rows, the header and extra-cell checks, the stamp), and nothing else runs a
Python call for it — a count, so the test is exact on a loaded machine too."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from bulk.manifest import read_manifest

# _Lines.__next__, records, _read_csv, _no_repeated_header (+ _may_be_header),
# _no_extra_cells, unchanged_rows
CALLS_PER_ROW = 7


def _calls(path: Path, rows: int) -> Counter[str]:
    """The Python calls (by function name) reading ``rows`` records after the first."""
    reader = read_manifest(path)
    next(reader)
    calls: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            calls[frame.f_code.co_name] += 1

    sys.setprofile(profile)
    try:
        for _ in range(rows):
            next(reader)
    finally:
        sys.setprofile(None)
        reader.close()
    return calls


def test_a_record_on_one_line_costs_one_call_a_reading_layer(tmp_path: Path) -> None:
    """A one-line record, ASCII or not, is read in 7 Python calls (was 14: its Line and its
    SourceRow built by Python __new__s, its row number by a function, two ``ok``
    properties and a UTF-8 check a call each)."""
    path = tmp_path / "m.csv"
    path.write_text("key,title,amount,owner\n"
                    + "".join(f"k{i},Deal {i}: Müller,{i}00,Tom\n" for i in range(300)),
                    encoding="utf-8")
    calls = _calls(path, 200)
    decoding = {"decode", "_buffer_decode"}  # the text layer's, once a 8 KiB chunk
    per_row = sum(n for name, n in calls.items() if name not in decoding) / 200
    assert per_row <= CALLS_PER_ROW, calls.most_common()
    rows = list(read_manifest(path))
    assert rows[5].row == rows[5].line == 7 and rows[5].error is None
    assert rows[5].values == {"key": "k5", "title": "Deal 5: Müller", "amount": "500",
                              "owner": "Tom"}
