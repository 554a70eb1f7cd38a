"""The one line a job that does not fit its budget says, the same for every kind: in its
plan (a note, and ``Plan.stop``) and again right before its first write (x23r3: import,
update, merge, undo and dedupe apply started, spent and stopped half-way with no word
before). Pure arithmetic over the operation table; ``jobs.planning.estimate`` calls it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

from bulk.errors import CAP_SETTING, STOP_EXIT
from bulk.operations import get_operation
from bulk.wording import counted


class Stops(Protocol):
    """What carries a budget stop line: a plan (``jobs.planning.Plan``, which this module
    never imports: planning builds on it)."""

    @property
    def stop(self) -> str | None:
        """The line ``budget_stop`` said for it; None when the job fits its budget."""


def budget_stop(calls: Mapping[str, int], *, left: int, days: int,
                max_tokens: int | None = None, resume_reread: int = 0,
                budget_source: str | None = None, gating: Mapping[str, int] | None = None,
                batches: int = 1, share: tuple[int, int, bool] | None = None,
                workers: int = 1, trailing: Mapping[str, int] | None = None) -> str | None:
    """The one line every kind's plan, and its run right before its first write, says
    when the job does not fit its budget (x23r3: import, update, merge, undo and dedupe
    apply started, spent and stopped half-way with no word before): what stops it (the
    run's ``--max-tokens`` cap, or today's budget, ``left`` tokens: ``days`` days in all),
    about where (the writes done by then, the reads counted first) and what to do. None
    when ``calls`` ({operation id: calls}) fit both. Whichever limit comes first is the
    line's; the other, when it is short too, is named after it. ``gating``: the part of
    ``calls`` the runner reads right before each of its ``batches`` batches of writes (its
    re-check, ``bulk.runner.recheck_batch``): where it stops is counted in the order the
    run spends (``_where_it_stops``). ``share``: (what the job may use a day, the daily
    budget, whether today's spend is known) in tokens when ``--budget-share`` or the reserve
    keeps part of the day for others: ``left`` is then what is left of that share, and the
    line names the share and the account's own figure beside it (x30r1 L4: "984 are left
    today (by the server's headers)" while the server had 54,984 left). ``workers``: the
    run's most workers, whose items' own reads go out before the first write
    (``first_write_cap``). ``trailing``: the part of ``calls`` the run makes after its last
    write (an import's end-of-run check for doubles), never before a write."""
    tokens = sum(get_operation(op).token_cost * n for op, n in calls.items())
    capped = max_tokens is not None and tokens > max_tokens
    if not capped and days <= 1:
        return None
    cap_first = max_tokens is not None and capped and (days <= 1 or max_tokens <= left)
    if cap_first and max_tokens is not None:
        where = _where_it_stops(calls, max_tokens, gating or {}, batches, trailing)
        if FIRST_WRITE not in where and (reads := _reads_under(calls, max_tokens, gating or {},
                                                                batches, trailing)):
            # how much of the cap goes to reads (f41b 3: a retry's cap of 150 went to the
            # re-reads of its creates in doubt, and no line had said how much would)
            where += f" ({counted(reads, 'token')} of the cap go to reads)"
        runs = runs_under_cap(tokens, max_tokens, resume_reread)
        line = (f"needs {counted(tokens, 'token')} but {CAP_SETTING} is {max_tokens:,}: the run "
                f"stops checkpointed {STOP_EXIT} {where}, when it has spent that; ")
        if FIRST_WRITE in where:  # a resume at this cap stops the same way (x46r8 F2)
            least = first_write_cap(calls, gating or {}, batches, workers, trailing)
            line += (f"pass {CAP_SETTING} of at least {least:,} to reach its first write "
                     f"({tokens:,} or more to do it in one run); a resume at "
                     f"{max_tokens:,} stops the same way")
        else:
            line += (f"pass a larger {CAP_SETTING} ({tokens:,} or more) to do it in one run, or "
                     "`pdbulk resume` it, each resume running up to the cap again: "
                     + (f"at least {runs} runs (each resume first checks what its rows name "
                        "against the account and re-reads what is left, "
                        + (f"about {counted(resume_reread, 'token')} of its cap)"
                           if resume_reread else "which takes its own share of the cap)")
                        if runs is not None else
                        f"a resume's re-read alone ({counted(resume_reread, 'token')}) takes "
                        f"the whole cap: it would never finish; give a larger {CAP_SETTING}"))
        if days > 1:
            line += f"; today's budget ({left:,} left) is short too: about {days} days"
        return line
    where = _where_it_stops(calls, left, gating or {}, batches, trailing)
    line = (f"needs {counted(tokens, 'token')} but {left:,} are left today"
            + (_share_words(left, share, budget_source) if share is not None
               else f" ({budget_source})" if budget_source else "")
            + f": {_STOPS}{where}, when the budget is spent; {_PASS_WAIT}; "
            + _days_words(days, where))
    if capped:
        line += f"; {CAP_SETTING} {max_tokens:,} stops it too (a larger one, or resumes)"
    return line


_STOPS = "the job stops checkpointed "
# where a plan that cannot reach its first write says it stops (``_where_it_stops``)
FIRST_WRITE = "before its first write"
_PASS_WAIT = ("pass --wait-for-reset to wait for the daily reset and go on, or resume it "
              "after the reset")
_WAITS = "the run waits for the daily reset "
_WAITING = "--wait-for-reset: it goes on after the reset"


def _days_words(days: int, where: str) -> str:
    """``about N days`` (today's included); where today's budget reaches no write
    (``FIRST_WRITE``), the days after the reset named too (x48r4 F3: "about 2 days" of a
    job refused today read as two days of work, where one day after the reset does it)."""
    if FIRST_WRITE in where and days > 1:
        return (f"about {days} days, today's included: no write today, about "
                f"{counted(days - 1, 'day')} after the reset")
    return f"about {days} days"


def _share_words(left: int, share: tuple[int, int, bool], source: str | None) -> str:
    """`` of this job's share (...)``: the share, the daily budget and, once today's spend is
    known, the account's tokens left (the daily budget less the day's spend: ``left`` plus the
    part kept for others). Once the share is spent the day's spend past it is not known
    here: the part kept for others is named as such, never as what the account has left
    (x44r7 F3: "the account has at most 100 left" where the server said 200 of 200 used)."""
    usable, daily, known = share
    if not known:
        account = ""
    elif left:
        account = f"; the account has {left + daily - usable:,} left"
    else:
        account = (f"; the share is spent: the other {daily - usable:,} a day are kept for "
                   "others, whatever of them the account has left")
    return (f" of this job's share ({usable:,} a day of the daily budget {daily:,}: "
            f"--budget-share or the reserve keeps the rest{account}"
            + (f", {source})" if source else ")"))


def first_write_line(plan: Stops | None, *, waits: bool = False) -> str | None:
    """The line a run prints right before its first write when ``plan`` (its plan, as
    shown before) does not fit the budget: ``Plan.stop`` (the same words for every kind,
    x23r3); None when it fits. The run goes on as asked: it stops checkpointed there, or
    with ``waits`` (the run's ``--wait-for-reset``) waits for the reset there and goes on,
    and the line says that, not "pass --wait-for-reset" (x32r3 4)."""
    if plan is None or plan.stop is None:
        return None
    line = plan.stop
    if waits and _PASS_WAIT in line:
        line = line.replace(_STOPS, _WAITS, 1).replace(_PASS_WAIT, _WAITING, 1)
    return f"budget: {line}"


def _where_it_stops(calls: Mapping[str, int], limit: int, gating: Mapping[str, int],
                    batches: int, trailing: Mapping[str, int] | None = None) -> str:
    """About where a job of ``calls`` stops at ``limit`` tokens, counted in the order the
    runner spends (x25r1 F2: 140 tokens left said "after about 6 of its 250 writes" and
    the run did 18: every re-check read was counted before the first write): first the
    load's reads (and a prompt's re-read), then batch by batch the batch's re-check
    (``gating``, spread over ``batches``) and its writes, each write with the reads of its
    one record made right before it (a merge's pair); ``trailing`` (after the last write)
    never before a write."""
    return _stops_at(calls, limit, gating, batches, trailing)[0]


def _reads_under(calls: Mapping[str, int], limit: int, gating: Mapping[str, int],
                 batches: int, trailing: Mapping[str, int] | None = None) -> int:
    """Of ``limit`` tokens, those a job of ``calls`` spends on reads before it stops there
    (``_where_it_stops``' model): the tokens not spent on its writes, in tokens."""
    return _stops_at(calls, limit, gating, batches, trailing)[1]


def _stops_at(calls: Mapping[str, int], limit: int, gating: Mapping[str, int],
              batches: int, trailing: Mapping[str, int] | None = None) -> tuple[str, int]:
    """``_where_it_stops``' words and the tokens of ``limit`` spent on reads by then."""
    writes = sum(n for op, n in calls.items() if get_operation(op).is_write)
    if not writes:
        return "before its reads are done", limit
    write_tokens = sum(_tokens(op, n) for op, n in calls.items() if get_operation(op).is_write)
    paired = sum(_tokens(op, n) for op, n in calls.items() if _one_record_read(op))
    checks = sum(_tokens(op, min(n, calls.get(op, 0))) for op, n in gating.items())
    batches = max(1, batches) if checks else 1
    up_front = sum(_tokens(op, n) for op, n in calls.items()) - write_tokens - paired - checks \
        - trailing_tokens(calls, trailing)
    each = write_tokens + paired  # a write with its own reads, over ``writes`` of them
    room, done = limit - up_front, 0
    for b in range(batches):  # integer shares: batch b's check, then its writes
        room -= checks * (b + 1) // batches - checks * b // batches
        share = writes * (b + 1) // batches - writes * b // batches
        fit = min(share, max(0, room) * writes // each)
        done, room = done + fit, room - fit * each // writes
        if fit < share:
            break
    if not done:
        first = up_front + checks // batches
        return f"{FIRST_WRITE} (the reads before it take {counted(first, 'token')})", min(first, limit)
    done = min(done, writes)
    return (f"after about {done:,} of its {writes:,} writes",
            max(0, min(limit, limit - done * write_tokens // writes)))


def first_write_cap(calls: Mapping[str, int], gating: Mapping[str, int] | None = None,
                    batches: int = 1, workers: int = 1,
                    trailing: Mapping[str, int] | None = None) -> int | None:
    """The smallest ``--max-tokens`` with which a job of ``calls`` surely reaches its first
    write, in tokens: the reads before it (the load's, the first batch's re-check), the
    reads of their own record the first ``workers`` items make at once before any of them
    writes, and one write (a merge of 6 pairs at 6 workers: 30 of reads, 12 getDeal, 40:
    82; x46r8 F2 said "more than 31" and "resume it ... at least 9 runs" at caps that
    never reach it); ``trailing`` (after the last write) not among them. None: the job
    makes no write."""
    writes = sum(n for op, n in calls.items() if get_operation(op).is_write)
    if not writes:
        return None
    gating = gating or {}
    write_tokens = sum(_tokens(op, n) for op, n in calls.items() if get_operation(op).is_write)
    paired = sum(_tokens(op, n) for op, n in calls.items() if _one_record_read(op))
    checks = sum(_tokens(op, min(n, calls.get(op, 0))) for op, n in gating.items())
    batches = max(1, batches) if checks else 1
    up_front = sum(_tokens(op, n) for op, n in calls.items()) - write_tokens - paired - checks \
        - trailing_tokens(calls, trailing)
    at_once = min(max(1, workers), writes)
    return (up_front + checks // batches + math.ceil(paired * at_once / writes)
            + math.ceil(write_tokens / writes))


def _tokens(op: str, n: int) -> int:
    return get_operation(op).token_cost * n


def trailing_tokens(calls: Mapping[str, int], trailing: Mapping[str, int] | None) -> int:
    """The tokens of ``trailing`` (the calls after the last write, a part of ``calls``:
    each operation at most as many as ``calls`` has)."""
    return sum(_tokens(op, min(n, calls.get(op, 0))) for op, n in (trailing or {}).items())


def _one_record_read(op: str) -> bool:
    """A read of one record by its id (``GET /deals/{id}``): a job's load pulls lists, so
    such a read is the runner's, right before the write of the item it reads for."""
    operation = get_operation(op)
    return not operation.is_write and operation.path.endswith("}")


def runs_under_cap(tokens: int, max_tokens: int, resume_reread: int = 0) -> int | None:
    """How many runs (the first and its resumes) a job of ``tokens`` needs under
    ``--max-tokens max_tokens`` when each resume first spends ``resume_reread`` tokens
    re-reading (x21r2 F6: 2,945 tokens at a cap of 1,000 and a 50-token re-read said "at
    least 3 runs" and took 4); None when a resume's re-read takes the whole cap."""
    if tokens <= max_tokens:
        return 1
    per_resume = max_tokens - resume_reread
    if per_resume <= 0:
        return None
    return 1 + math.ceil((tokens - max_tokens) / per_resume)


__all__ = ["Stops", "budget_stop", "first_write_cap", "first_write_line", "runs_under_cap",
           "trailing_tokens"]
