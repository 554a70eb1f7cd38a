"""``read_day`` reads exactly what ``datetime.strptime(text, fmt).date()`` reads: the same
date, or a ValueError with the same message (jobs.transforms.day_reader, issue 8)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.transforms.day_reader import _compiled, read_day

PATTERNS = ["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%m/%d/%y", "%d-%m-%y",
            "%d %m %Y", "%Y%m%d", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "(%d|%m)[%Y]",
            "%d/%m/%Y%%", "%b %d %Y", "%d/%m", "%d/%d/%Y", "%j/%Y"]


def _strptime(text: str, fmt: str) -> object:
    try:
        return datetime.strptime(text, fmt).date()
    except Exception as exc:  # (a directive twice: re.error, from both)
        return (type(exc).__name__, str(exc))


def _mine(text: str, fmt: str) -> object:
    try:
        return read_day(text, fmt)
    except Exception as exc:  # (a directive twice: re.error, from both)
        return (type(exc).__name__, str(exc))


_pieces = st.sampled_from(["0", "1", "2", "3", "9", "12", "13", "29", "30", "31", "02",
                           "2024", "1999", "00", "68", "69", "/", ".", "-", " ", "  ", ":",
                           "\t", "60", "59", "a", "Z", "\u0663", "(", ")", "|", "[", "]", "%"])


@settings(max_examples=3000, deadline=None)
@given(fmt=st.sampled_from(PATTERNS), text=st.lists(_pieces, max_size=9).map("".join))
def test_reads_as_strptime(fmt: str, text: str) -> None:
    """Any text, any of the patterns: the same date or the same ValueError."""
    assert _mine(text, fmt) == _strptime(text, fmt)


def test_reads_as_strptime_on_real_dates() -> None:
    """The shapes a date column holds, valid and not (a day its month lacks, a second 60,
    a 2-digit year either side of 68, leftovers, a space-padded day)."""
    texts = ["01/08/2025", "19.10.2025", "2026-10-02", "02/30/2026", "29/02/2024",
             "29/02/2023", "1/5/24", "01/05/69", "01/05/68", "31/12/2025 23:59",
             "12/31/2025 10:00:60", "12/31/2025 10:00:59", " 1/05/2024", "01/05/2024x",
             "0/05/2024", "01/05/0000", "13/13/2024", "01\t/05/2024",
             "\u0660\u0661/\u0660\u0665/\u0662\u0660\u0662\u0664"]  # (Arabic-Indic digits)
    for fmt in PATTERNS:
        for text in texts:
            assert _mine(text, fmt) == _strptime(text, fmt), (text, fmt)


def test_fast_path_taken() -> None:
    """The column patterns are read by the compiled regex; the others go to strptime."""
    assert _compiled("%d/%m/%Y") is not None and _compiled("%m/%d/%y %H:%M") is not None
    assert _compiled("%b %d %Y") is None and _compiled("%d/%d/%Y") is None
    assert _compiled("%d/%m") is None and _compiled("%Y%y%m%d") is None
