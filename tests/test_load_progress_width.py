"""The live load line fits its terminal (x40r1 F4): a line longer than the terminal wrapped,
and each rewrite (carriage return, erase to the end) went back to the wrapped second row
only, leaving a stale first row a second. Shown on a small terminal model (80 columns, a
line wraps at its last column): however many rewrites, one row is on screen."""

from __future__ import annotations

import io

import pytest

from jobs.load_progress import LoadProgress, fit, live_writer, terminal_columns

LONG = ("loading: 9,728 of about 40,000 rows read (pass 1: learning the decimal marks, persons "
        "and organizations), 0:03 elapsed")


class Screen:
    """A terminal ``columns`` wide: text wraps at the last column, ``\\r`` goes to the start of
    the cursor's row, ``ESC [K`` erases to the end of that row."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.rows: list[list[str]] = [[]]
        self.row = 0
        self.col = 0

    def write(self, text: str) -> None:
        i = 0
        while i < len(text):
            if text.startswith("\x1b[K", i):
                del self.rows[self.row][self.col:]
                i += 3
                continue
            c = text[i]
            i += 1
            if c == "\r":
                self.col = 0
                continue
            if self.col == self.columns:  # wraps to a new row
                self.row += 1
                self.col = 0
                if self.row == len(self.rows):
                    self.rows.append([])
            line = self.rows[self.row]
            line[self.col:self.col + 1] = [c]
            self.col += 1

    def shown(self) -> list[str]:
        return ["".join(r) for r in self.rows if r]


@pytest.mark.parametrize("columns", [80, 60, 40, 12])
def test_the_live_line_rewritten_leaves_one_row_on_a_narrow_terminal(columns: int) -> None:
    screen = Screen(columns)
    show = live_writer(screen.write, lambda: None, lambda: columns)
    for n in range(5):
        show(LONG.replace("9,728", f"{9728 + n * 1000:,}"))
    rows = screen.shown()
    assert len(rows) == 1, rows
    assert len(rows[0]) < columns
    assert rows[0].startswith("loading: 13,728" if columns >= 40 else "loading:")


def test_a_line_too_long_drops_the_pass_description_first_then_is_cut() -> None:
    assert fit(LONG, 200) == LONG
    assert fit(LONG, 80) == "loading: 9,728 of about 40,000 rows read (pass 1), 0:03 elapsed"
    cut = fit(LONG, 40)
    assert len(cut) == 39 and cut.endswith("\u2026") and cut.startswith("loading: 9,728 of")


def test_the_load_progress_live_line_is_fitted() -> None:
    screen = Screen(80)
    ticks = iter(float(t) for t in range(100))
    progress = LoadProgress(lambda _: None, live=live_writer(screen.write, lambda: None,
                                                             lambda: 80),
                            now=lambda: next(ticks), total=lambda: 40_000)
    seen = progress.watch("learning the decimal marks, persons and organizations")
    for rows in range(1000, 9000, 1000):
        seen(rows)
    assert len(screen.shown()) == 1, screen.shown()
    assert "(pass 1)" in screen.shown()[0]


def test_columns_without_a_terminal_fall_back() -> None:
    assert terminal_columns(io.StringIO()) >= 1
