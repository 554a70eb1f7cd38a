"""The plain progress lines (a pipe, cron): an estimate while the run goes, what it took at
the end (v9r14: a finished resume's last line still said ``eta=12s``)."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace

import pytest

from bulk.clock import FakeClock
from bulk.coordinator import SharedStats
from bulk.operations import get_operation
from bulk.plans import Limits
from bulk.progress import ProgressView
from bulk.runner import RunStats
from bulk.scheduler import BudgetPolicy, Scheduler, SchedulerStats


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


async def _waiting_scheduler() -> tuple[Scheduler, asyncio.Task[float]]:
    clock = FakeClock()
    s = Scheduler(Limits(burst=40, daily_tokens=5), clock=clock,
                  budget=BudgetPolicy(wait_for_reset=True))
    await s.acquire(get_operation("addDeal"))
    waiting = asyncio.create_task(s.acquire(get_operation("addDeal")))
    for _ in range(3):
        await asyncio.sleep(0)
    assert s.reset_wait is not None
    return s, waiting


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.anyio
@pytest.mark.parametrize("tty", [False, True])
async def test_while_waiting_for_the_daily_reset_no_eta_but_until_when(tty: bool) -> None:
    """x23r3 1: under --wait-for-reset the estimate of the calls before the wait stayed
    ("15s" for 28 minutes). While the scheduler waits for the daily reset, the plain line
    and the bar's remaining-time column say it waits, and until when, not an estimate."""
    s, waiting = await _waiting_scheduler()
    out = _Tty() if tty else io.StringIO()
    with ProgressView(10, label="import", stream=out, interval=0.0) as view:
        view.scheduler = s
        view.update(_stats(3))
    waiting.cancel()
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
    text = " ".join(text.split())  # (rich wraps a narrow console's cell)
    assert "waiting for the daily reset (next check 00:31 UTC)" in text, text
    assert "eta=" not in text and "-:--:--" not in text.split("3/10")[1], text


class _Shared:
    """A scheduler seen through a shared coordinator: the real one's statistics with the
    account-wide figures of ``window`` requests in the shared window."""

    def __init__(self, real: Scheduler, window: int) -> None:
        self.real, self.window = real, window

    def statistics(self) -> SchedulerStats:
        return replace(self.real.statistics(), shared=SharedStats(
            window_fill=self.window, search_fill=0, tokens_today=300, processes=2,
            paused_until=None))

    def reset_wait_brief(self) -> str | None:
        return None


@pytest.mark.anyio
@pytest.mark.parametrize("fill", [36, 40, 41])
async def test_the_account_window_is_never_shown_above_the_accounts_burst(fill: int) -> None:
    """x25r1 F4: after 429s this process keeps slots free (its cap 38 of a burst of 40);
    the shared window, counting every process and another client's calls, showed
    "window 40/38", read as over the limit. It is shown against the account's burst, at
    most that, with the slots kept free said beside it."""
    s = Scheduler(Limits(burst=40, daily_tokens=60_000), clock=FakeClock())
    op = get_operation("updateDeal")
    for _ in range(10):
        await s.acquire(op)
    s.rate_limited(op, None, None)
    s.rate_limited(op, None, None)
    assert s.statistics().window_limit < 40  # slots kept free after the 429s
    out = io.StringIO()
    with ProgressView(100, label="move-stage", stream=out, interval=0.0) as view:
        view.scheduler = _Shared(s, fill)  # type: ignore[assignment]
        view.update(_stats(10))
    line = out.getvalue()
    shown = re.search(r"account: window (\d+)/(\d+)", line)
    assert shown is not None, line
    assert (int(shown[1]), int(shown[2])) == (min(fill, 40), 40), line
    assert re.search(r"\(\d+ kept free here after 429s\)", line), line


class _Account:
    """A scheduler's statistics as a coordinated run at 38/40 of its window shows them."""

    def __init__(self) -> None:
        self.sent = 0

    def statistics(self) -> SchedulerStats:
        return SchedulerStats(
            admitted=self.sent, waiting=0, tokens_spent=10 * self.sent,
            tokens_today=12_000 + 10 * self.sent, daily_limit=60_000, window_fill=38,
            window_limit=40, search_fill=0, pauses=0, rate_limited=0, paused_until=None,
            shared=SharedStats(window_fill=38, search_fill=0, tokens_today=12_345,
                               processes=2, paused_until=None),
            window_burst=40, daily_heard=True)

    def reset_wait_brief(self) -> None:
        return None


def test_the_bar_fits_80_columns_with_its_numbers_whole(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """x30r2: at 80 columns (``script``, no terminal size) rich cut the numbers to fit
    the token column: "10…" for 1000, "0:00:…" from 10 s on. The token column is
    shortened or dropped instead; the count and both times are whole. And no estimate
    before 10 s and 10 items (the first one said 0:04:36 for a 58 s run)."""
    monkeypatch.setenv("COLUMNS", "80")
    clock, out, account = FakeClock(), _Tty(), _Account()
    seen: list[str] = []
    with ProgressView(1000, label="import", stream=out, clock=clock) as view:
        view.scheduler = account  # type: ignore[assignment]  # (its statistics alone)
        for at, sent in ((1.0, 2), (3.0, 20), (9.0, 60), (12.0, 180), (75.0, 990)):
            clock.advance(at - clock.now())
            account.sent = sent
            view.update(_stats(sent))
            assert view._progress is not None
            view._progress.refresh()
            text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())
            seen.append(text.replace("\r", "\n").strip().splitlines()[-1])
    for line in seen:
        assert len(line) <= 80 and "…" not in line, seen
    assert [line.split()[-2] for line in seen] == [
        "0:00:01", "0:00:03", "0:00:09", "0:00:12", "0:01:15"], seen
    assert f"{990:>4}/1000" in seen[-1] and "today 21900/60000" in seen[-1], seen
    assert [line.split()[-1] for line in seen[:3]] == ["-:--:--"] * 3, seen  # 9 s: none yet
    assert re.fullmatch(r"\d:\d\d:\d\d", seen[3].split()[-1]), seen


@pytest.mark.parametrize("source", ["last run", "given"])
def test_a_figure_not_heard_in_this_run_is_never_labelled_the_servers(source: str) -> None:
    """f39n F2 (x39r5): a resume that made no call said "today 70/2000000 (server)", 70
    being what a plan 20 minutes before had heard (the state folder's record of the last
    run) while the server had 84,255: such a figure says where it came from."""
    clock = FakeClock(epoch=86_400.0 * 20_000 + 3_600)
    limits = Limits(burst=40, daily_tokens=2_000_000)
    if source == "given":
        s = Scheduler(limits, clock=clock, tokens_spent_today=70)
    else:
        s = Scheduler(limits, clock=clock)
        s.recall_day(20_000, 2_000_000, 70)
    out = io.StringIO()
    with ProgressView(10, label="resume", already=10, stream=out, interval=0.0) as view:
        view.scheduler = s
        view.update(_stats(0), final=True)
    line = out.getvalue()
    assert "today 70/2000000" in line, line
    assert "(server)" not in line, line
    assert ("last run's figure" if source == "last run" else "given at the start") in line
