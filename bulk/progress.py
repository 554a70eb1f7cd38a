"""What a person sees while a job runs: a rich progress bar on a TTY, plain lines elsewhere.

It reads the same numbers the tests and benchmarks read (RunStats, the
scheduler's statistics); it never computes anything of its own.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from .clock import Clock, SystemClock
from .runner import RunStats
from .scheduler import Scheduler, SchedulerStats

if TYPE_CHECKING:
    from rich.progress import BarColumn, Progress, TaskID


def _bar(view: ProgressView) -> tuple[Progress, BarColumn]:
    """The rich progress bar of ``view`` (not started) and its bar column. rich is imported
    here, for a bar on a terminal only: a run whose output is plain lines, and every
    command that runs no job (``jobs``, ``status``, ``--help``...), never loads it (issue
    8: ``python -m pdbulk jobs`` 0.29 -> 0.27 CPU s, ~60 modules fewer)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class _Remaining(TimeRemainingColumn):
        """Rich's time remaining, or, while the run waits for the daily reset, until when
        (x23r3 1: the estimate of the calls before the wait stayed on screen, "15s" for 28
        min)."""

        def render(self, task: Task) -> Text:
            waiting = view.waiting()
            if waiting is not None:
                return Text(waiting, style="progress.remaining")
            if not view.estimable():
                return Text("-:--:--", style="progress.remaining")
            return super().render(task)

    bar = BarColumn(bar_width=_BAR_WIDTH)
    return Progress(
        TextColumn("[bold]{task.description}"), bar, MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[tokens]}"),
        TimeElapsedColumn(), _Remaining(),
        console=Console(file=view.stream), transient=False, get_time=view.clock.now,
    ), bar


# no estimate before this many seconds and items of the run (x30r2: the first one, taken
# while the run was starting, said 0:04:36 for a 58 s run)
ESTIMATE_AFTER_SECONDS = 10.0
ESTIMATE_AFTER_ITEMS = 10
_BAR_WIDTH, _BAR_MIN = 40, 10  # the bar's width, and the least it is given before the
# token and rate columns are dropped to fit the console (x30r2: at 80 columns rich cut the
# numbers instead: "10…" for 1000, "0:00:…" for the elapsed time)


def _window(fill: int, sched: SchedulerStats) -> str:
    """The account's burst window as the shared coordinator counts it, against the
    account's burst (x25r1 F4: "window 40/38" read as over the limit when nothing was).
    The count holds every process's calls and another client's (from the server's headers),
    each dated a little ahead of when the server counted it: it can pass the burst while
    the server's window never does (it refuses the call past it), so it is shown at the
    burst at most. This process's own cap, lower after 429s by the slots it keeps free,
    is said beside it, never as the window's size."""
    burst = sched.window_burst or sched.window_limit
    spare = burst - sched.window_limit
    return (f"window {min(fill, burst)}/{burst}"
            + (f" ({spare} kept free here after 429s)" if spare > 0 else ""))


class ProgressView:
    """Context manager; call ``update(stats)`` as often as you like (it rate-limits itself).

    The bar fits its console's width (80 columns without a terminal size): the token
    figures are shortened, then dropped, never the count or the times; no estimate of the
    time left (``-:--:--``, ``eta=?``) before ``estimable``."""

    def __init__(self, total: int, *, label: str = "items", already: int = 0,
                 stream: TextIO | None = None, force_plain: bool = False,
                 interval: float = 2.0, done_before: int = 0, failed_before: int = 0,
                 clock: Clock | None = None) -> None:
        """``already``: items settled before this run (done, failed, skipped);
        ``done_before`` / ``failed_before``: of those, the done and the failed ones (rows
        refused at load time included), so ``done=`` and ``failed=`` count the whole job.
        ``stream``: where the bar or the plain lines go (default ``sys.stderr``; none at all,
        ``sys.stderr`` None: nothing is shown); ``interval``: seconds between two plain
        lines; ``clock``: the run's (the engine's:
        the rate, the estimate, the time taken and the bar's elapsed / remaining columns
        are read on it; default ``SystemClock``)."""
        self.total, self.label, self.already = total, label, already
        self.done_before, self.failed_before = done_before, failed_before
        # None: no stderr (a program started with ``2>&-``, its ``sys.stderr`` None):
        # nothing is shown, the run goes on (x31r2 1: AttributeError on ``isatty``)
        self.stream: TextIO | None = stream if stream is not None else sys.stderr
        self.plain = force_plain or self.stream is None or not self.stream.isatty()
        self.interval = interval
        self.clock: Clock = clock or SystemClock()
        self.scheduler: Scheduler | None = None
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last = 0.0
        self._start = self.clock.now()
        self._settled = 0  # items settled in this run, as of the last update
        self._bar: BarColumn | None = None  # the bar's column, on a terminal only

    def __enter__(self) -> ProgressView:
        if not self.plain:
            self._progress, self._bar = _bar(self)
            self._progress.__enter__()
            self._task = self._progress.add_task(self.label, total=self.total,
                                                 completed=self.already, rate="", tokens="")
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(et, e, tb)

    def waiting(self) -> str | None:
        """While the run waits for the daily reset (``--wait-for-reset``): until when, in
        place of an estimate; else None. Read on rich's refresh too: the wait has no
        outcome that would call ``update``."""
        return self.scheduler.reset_wait_brief() if self.scheduler is not None else None

    def estimable(self) -> bool:
        """Whether the run has gone on long enough, in seconds and items, for an estimate of
        the time left (``ESTIMATE_AFTER_SECONDS``, ``ESTIMATE_AFTER_ITEMS``)."""
        return (self._settled >= ESTIMATE_AFTER_ITEMS
                and self.clock.now() - self._start >= ESTIMATE_AFTER_SECONDS)

    def _fit(self, width: int, rate: str, tokens: list[str]) -> tuple[str, str]:
        """The rate and the longest of ``tokens`` (longest first) that fit a console of
        ``width`` columns beside the label, the count and the two times, each whole, with a
        bar of at least ``_BAR_MIN``; the tokens, then the rate, are dropped when they do
        not. Sets the bar's width to the room left (at most ``_BAR_WIDTH``)."""
        elapsed = len(str(timedelta(seconds=int(self.clock.now() - self._start)))) + 1
        remaining = max(8, len(self.waiting() or ""))
        fixed = (len(self.label) + 2 * len(str(self.total)) + 1 + elapsed + remaining
                 + 6)  # one space between two of the 7 columns
        for rate_text, tokens_text in [*((rate, t) for t in tokens), ("", "")]:
            room = width - fixed - len(rate_text) - len(tokens_text)
            if room >= _BAR_MIN or not rate_text:
                if self._bar is not None:
                    self._bar.bar_width = max(1, min(_BAR_WIDTH, room))
                return rate_text, tokens_text
        raise AssertionError("unreachable: the last choice always fits")

    def update(self, stats: RunStats, *, final: bool = False) -> None:
        now = self.clock.now()
        completed = self.already + stats.done + stats.failed
        self._settled = stats.done + stats.failed
        elapsed = max(1e-9, now - self._start)
        rate = (stats.done + stats.failed) / elapsed
        sched = self.scheduler.statistics() if self.scheduler else None
        if sched is None:
            tokens = f"{sum(stats.tokens_by_operation.values())} tok"
        elif sched.admitted or sched.tokens_today:
            by = "server" if sched.daily_heard or sched.today_known else "plan"
            if sched.today_from == "last run":
                # no answer of this run said it: the figure is the last run's, maybe hours
                # old (f39n F2: "today 70 (server)" where the server had 84,255)
                by = "last run's figure, not heard in this run"
            elif sched.today_from == "given":
                by = "given at the start, not heard in this run"
            if sched.server_today is not None and sched.tokens_today > sched.server_today:
                # this process's count, above the server's figure (in flight, or never
                # charged): the line says both (f33c: "376/400 (server)" where it said 330)
                by = f"counted here; server said {sched.server_today}"
            tokens = (f"{sched.tokens_spent} tok, today {sched.tokens_today}/"
                      f"{sched.daily_limit} ({by})")
        else:  # nothing sent, nothing learned: the company's spend today is unknown
            tokens = f"{sched.tokens_spent} tok"
        # narrower, for the bar: this process's figures (without the account's, added
        # below), then without their source, then this run's alone
        mine = tokens
        shorter = [mine, mine.rsplit(" (", 1)[0], mine.split(",")[0]]
        if sched is not None and sched.shared is not None:  # account-wide, all processes
            sh = sched.shared
            tokens += f"; account: {_window(sh.window_fill, sched)}, today " + (
                f"{sh.tokens_today} tok, {sh.processes} process"
                f"{'es' if sh.processes != 1 else ''}")
        extra = f" 429s={stats.rate_limited}" if stats.rate_limited else ""
        if self._progress is not None and self._task is not None:
            rate_text, tokens_text = self._fit(self._progress.console.width,
                                               f"{rate:.1f}/s{extra}", [tokens, *shorter])
            self._progress.update(self._task, completed=completed, rate=rate_text,
                                  tokens=tokens_text)
            return
        if self.stream is not None and (final or now - self._last >= self.interval):
            self._last = now
            eta = (0.0 if completed >= self.total else (self.total - completed) / rate
                   if rate > 0 and self.estimable() else float("inf"))
            # the last line says how long the run took, never an estimate (v9r14: a
            # finished resume's last line still said eta=12s)
            waiting = None if final else self.waiting()
            when = (f"sending took={elapsed:.0f}s" if final else waiting if waiting is not None else
                    f"eta={eta:.0f}s" if eta != float("inf") else "eta=?")
            done, failed = self.done_before + stats.done, self.failed_before + stats.failed
            # the rest of those settled: skipped (unchanged, exists...), as the summary
            # counts them (a re-import of a file said "done=0" for its 28 unchanged rows)
            skipped = completed - done - failed
            print(f"[{self.label}] {completed}/{self.total} done={done} failed={failed}"
                  + (f" skipped={skipped}" if skipped > 0 else "")
                  + f" {rate:.1f}/s {tokens}{extra} {when}", file=self.stream, flush=True)


__all__ = ["ProgressView"]
