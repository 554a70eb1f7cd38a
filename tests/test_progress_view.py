"""The plain progress lines (a pipe, cron): an estimate while the run goes, what it took at
the end (v9r14: a finished resume's last line still said ``eta=12s``)."""

from __future__ import annotations

import io

from bulk.progress import ProgressView
from bulk.runner import RunStats


def _stats(done: int) -> RunStats:
    stats = RunStats()
    stats.done = done
    return stats


def test_the_last_line_says_what_the_run_took_never_an_eta() -> None:
    out = io.StringIO()
    with ProgressView(10, label="resume", already=2, stream=out, interval=0.0) as view:
        view.update(_stats(3))
        view.update(_stats(5), final=True)  # 7 of 10: the rest failed at the re-read
    first, last = out.getvalue().splitlines()
    assert "eta=" in first and "took=" not in first
    assert "took=" in last and "eta" not in last
    assert last.startswith("[resume] 7/10 done=5")


def test_rows_skipped_before_the_run_are_counted_as_skipped() -> None:
    """A re-import whose 28 rows were unchanged at load and 2 refused: the line says
    skipped=28, not only done=0 (what the summary calls them is in the outcome line)."""
    out = io.StringIO()
    with ProgressView(30, label="import", already=30, done_before=0, failed_before=2,
                      stream=out, interval=0.0) as view:
        view.update(_stats(0), final=True)
    assert out.getvalue().startswith("[import] 30/30 done=0 failed=2 skipped=28 ")
