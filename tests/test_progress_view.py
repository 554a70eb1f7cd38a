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
