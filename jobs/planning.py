"""The plan shown before every run: calls by operation, tokens, share of today's budget, time.

Pure arithmetic over the operation table and the account's limits: nothing here
talks to the network. A job kind counts the calls it will make (after pulling
what it needs to know), ``estimate`` turns them into tokens, time and days, and
``render_plan`` prints them (``Plan.to_json`` for ``--json``).

Time: the burst window admits ``burst`` requests per ``window`` seconds (and the
search window ``search`` per window), so ``n`` calls take about
``(n - burst) / (burst / window)`` seconds once the first window is used up, and
never less than the rolling window allows (the (burst + 1)-th call a whole window
after the first), plus a round trip. Under a ``window_share`` (``--window-share``) the
burst and search figures are the job's share of them (``Limits.usable_burst``), as the run
admits. Days: a job needing more tokens than are left today stops
checkpointed when the budget is spent (or waits for the reset when asked) and
goes on the next day, for as many days as the daily budget takes.

A run's writes are also bound by this process: each one costs ``LOCAL_SECONDS_PER_WRITE``
of its CPU (building, checkpointing, claiming, parsing the answer), one at a time, while
the round trips overlap. ``closed_loop_rate`` prices both together. That figure is the
reference machine's: ``machine_pace`` times a fixed piece of such work on this machine, now,
and the import plan scales it by what it finds (a slower core, or other processes on it).
An import's run also works after its last write (the doubles check, its record, the result
files): ``END_SECONDS_PER_ROW`` a row, priced apart (``end_of_run_seconds``), and before its
first call (``RUN_START_SECONDS``); its writes then at ``IMPORT_SECONDS_PER_WRITE``.

Why ~605 lines: the estimate, its time model (the windows, the closed loop, this machine's
pace and the host's share) and the plan's rendering all read one ``Plan``; the pace
sampling and the rendering are the next to move out (not done).
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from bulk.errors import flags_only
from bulk.operations import get_operation
from bulk.plans import Limits, in_flight_target
from bulk.scheduler import SchedulerStats
from bulk.wording import counted, noun

from .budget_stop import (
    budget_stop,
    first_write_cap,
    first_write_line,
    runs_under_cap,
    trailing_tokens,
)
from .plan_reasons import ReasonTally, reason_class, reason_line

LOCAL_SECONDS_PER_WRITE = 0.0024
"""Seconds of this process's CPU per write of an import run (mapping, the job store,
claims, the spend ledger, request and answer), on the reference machine (2 cores, Python
3.11): the figure that makes the plan's time equal its run's, fitted on 9 runs of 300 rows
at 10-120 ms of latency: 2.2-2.8 ms (1.8-2.4 ms before x15, 2.9-3.7 ms before the ledger
charged calls ahead in credit, ``bulk.ledger``). The import plan stretches it by
``machine_pace`` where this machine is slower now (x15: where both cores were busy with
other processes, or in CI, runs of 300 rows took 1.5-2.4 times their plan)."""

END_SECONDS_PER_ROW = 0.0014
"""Seconds of an import run's end-of-run work per row of its file, on the reference machine:
the check for deals another run doubled (its pages' local work: their round trips are the
plan's ``gating_reads``), the run's entry in the job's history and the record of what it
wrote (``jobs.last_written``), the claims given back and the sent journal compacted, and
the result files (succeeded / failed / unprocessed.csv, summary.json). Measured (f34d,
imports of 500-2,000 rows at Ultimate OAuth, 40 ms, on a 2-core machine other processes
kept busy): 0.37-0.48 ms of this process's CPU per row then; 2,000 rows: 3.3 s of a 19.1 s
run, 17 %, which the plan did not price. Measured again (session 54, 300 and 1,000 rows of
the demo's export at 10 ms, CPU from the last write's send to the command's return):
1.35-1.45 ms a row: the end has grown with the record it keeps. Scaled by ``machine_pace``
as ``IMPORT_SECONDS_PER_WRITE`` is (``end_of_run_seconds``)."""

IMPORT_SECONDS_PER_WRITE = 0.0024
"""An import's CPU per write with its start and end priced apart (``RUN_START_SECONDS``,
``END_SECONDS_PER_ROW``): measured (session 54, the demo's export of 300 and 1,000 rows,
Ultimate OAuth, 10 ms, CPU from the first create's send to the last's) 2.95-3.8 ms a write,
then 1.95-2.4 ms once a create's claim check and sent marks went in one thread hop and its
lease stopped starting a task group of its own (f34d, at 2,000 rows: 1.77 ms). The figure
had not been measured again as the write path grew (the claim's lease confirmed, the
leaving mark, the editable digest of what was sent), and the plan of a run bound by this
CPU came out 25-35 % short of it on an idle machine, where ``machine_pace`` stays at its
floor (fresh-clone CI: 1.74 s planned, 2.57 s taken). The top of the range: a plan may be
40 % long, 25 % short (``tests/test_plan_time.py``, the check that caught it)."""

RUN_START_SECONDS = 0.25
"""Seconds of an import run's own work before its first call, on the reference machine:
the manifest's encoding and header read, the mapping compiled, the job's store and claims
opened (session 54: 0.20-0.34 s of CPU at 300-1,000 rows, the command's return to its first
request). Not in the plan's measured load, which times its pulls from their first call."""

PACE_REFERENCE_SECONDS = 0.0054
"""Wall seconds one sample of ``machine_pace``'s work (300 rows) takes on the reference
machine, idle: its slow end (one process gives 2.7-5.4 ms, another the same again: the
spread is the process's layout, not the machine, and the run does not show it)."""

@dataclass(frozen=True, repr=False)
class Plan:
    kind: str
    rows: int
    bad_rows: int
    calls: dict[str, int]  # operationId -> count
    tokens: int
    tokens_left_today: int | None  # None: unknown (no header seen yet)
    seconds: float
    days: int
    notes: list[str] = field(default_factory=list)
    daily_tokens: int = 0  # the company's daily budget the estimate used
    burst: int = 0
    window: float = 2.0
    reasons: dict[str, int] = field(default_factory=dict)  # bad rows per reason
    # reason class -> its first row's reason in full and the first rows it counts
    # (``ReasonTally``): what the text names under each count (x24r1: the class alone,
    # every value "…", said nothing of an ambiguous date)
    reason_examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed_rows: list[dict[str, Any]] = field(default_factory=list)  # the first 1,000 bad rows
    failed_csv: str | None = None  # where plan-failed.csv was written
    max_tokens: int | None = None  # --max-tokens: the run's own cap (tokens)
    usable_daily: int | None = None  # of daily_tokens, what this job may use a day (share)
    # field -> deals its updates give a new value, most first (custom fields by name;
    # the same comparison the run makes: deals.deal_changes; x20r2 F6)
    changed_fields: dict[str, int] = field(default_factory=dict)
    # a merge plan's merges (a group row holds several), and those refused: rows are rows
    # (x22r3: 11 rows, one a group of 2, were "rows: 12"); None for other kinds
    merges: int | None = None
    # where the day's figures come from (``budget_source``), said wherever they are quoted
    budget_source: str | None = None
    bad_merges: int = 0
    # of ``merges``, those a row gives again (the same pair as an earlier row: merged once,
    # as that row; x32r1 F7: counted valid, "34 valid" beside 33 sent)
    repeated_merges: int = 0
    # the one line saying the job cannot fit its budget (``budget_stop``): what stops it,
    # about where, and what to do; None when it fits. Among ``notes`` too, and printed
    # again right before the first write of a run (x23r3)
    stop: str | None = None
    # the smallest --max-tokens with which the run reaches its first write (tokens:
    # ``budget_stop.first_write_cap``); None when it makes no write
    first_write_cap: int | None = None
    # --window-share: the share of the token's windows the job uses (``burst`` is that
    # share of ``burst_allowed``, the account's requests per window)
    window_share: float = 1.0
    burst_allowed: int = 0
    # of ``seconds``, the run's work after its last write (an import's end-of-run check,
    # record and result files: ``end_of_run_seconds``); 0.0 where not priced
    end_seconds: float = 0.0
    # of ``seconds``, the sending: the calls above, from the first to the last (the writes
    # and their re-checks) — the span the run's ``sending took`` measures; the rest is the
    # load and deciding before it and ``end_seconds`` after it. ``seconds`` itself where
    # nothing before the sending was priced (w57r1 F1: an update plan's 58 s, its own
    # load in it, read against a run's "sending took 5 s")
    send_seconds: float = 0.0
    # an update by id's foreign-ids tally (``jobs.foreign_ids``): ``warns`` (the plan's
    # WARNING stands), ``count`` rows looking foreign of ``compared``, the first ``rows``
    # (manifest rows), ``groups`` (field -> rows); None for other kinds (x48r7 F4)
    foreign_ids: dict[str, Any] | None = None
    # an import's own-export tally (``jobs.own_export.OwnExport.to_json``): ``refuses``
    # (the import refuses without --copy-own-deals), ``count`` own rows of ``compared``,
    # ``calls`` its own reads; None when nothing was compared (z55r1 F5)
    own_export: dict[str, Any] | None = None

    def __repr__(self) -> str:
        # short: asyncio's repr of the finished task that returned a plan (reprlib, when
        # the loop closes) built the whole repr of its 1,000 failed rows first (~4 MB on
        # top of a 1,000,000-row plan's peak, issue 8)
        return (f"Plan(kind={self.kind!r}, rows={self.rows}, bad_rows={self.bad_rows}, "
                f"tokens={self.tokens}, seconds={self.seconds:.1f})")

    @property
    def tokens_by_operation(self) -> dict[str, int]:
        return {op: n * get_operation(op).token_cost for op, n in self.calls.items()}

    @property
    def share_of_today(self) -> float | None:
        """Tokens needed ÷ tokens left today (above 1: the job spills into another day)."""
        left = self.tokens_left_today
        if left is None:
            return None
        return math.inf if left <= 0 and self.tokens else (self.tokens / left if left else 0.0)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def to_json(self) -> dict[str, Any]:
        # one level: asdict deep-copied the 1,000 failed rows and their cells (issue 8)
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["tokens_by_operation"] = self.tokens_by_operation
        share = self.share_of_today
        data["share_of_today"] = None if share is None or math.isinf(share) else round(share, 4)
        data["seconds"] = round(self.seconds, 2)  # a short job is ~1 s: tenths would be 5 %
        # failed_rows holds the first 1,000 (memory): say so when bad_rows has more; every
        # bad row is in failed_csv
        data["failed_rows_truncated"] = len(self.failed_rows) < self.bad_rows
        return data


def estimate(kind: str, calls: Mapping[str, int], limits: Limits, *, rows: int, bad_rows: int,
             tokens_left_today: int | None, latency: float = 0.2,
             notes: Iterable[str] = (), load_seconds: float | None = None,
             workers: int = 64, decide_seconds: float = 0.0,
             daily_tokens: int | None = None, max_tokens: int | None = None,
             usable_daily: int | None = None,
             local_seconds: float = LOCAL_SECONDS_PER_WRITE,
             resume_reread: int = 0, gating_reads: int = 0,
             budget_source: str | None = None, gating: Mapping[str, int] | None = None,
             batches: int = 1, end_seconds: float = 0.0,
             trailing: Mapping[str, int] | None = None) -> Plan:
    """Tokens from the operation table, time from the burst (and search) window, days
    from today's remaining budget and the daily limit. The windows are ``limits``' share
    of them (``Limits.window_share``: ``usable_burst``, ``usable_search``), as the run
    admits; the plan's ``burst`` is that share, ``burst_allowed`` the account's.

    With ``load_seconds`` (the measured time of the job's list pulls, in seconds) the
    time is that load phase plus the write phase, which is bound by the burst window
    and by the round trip ``latency`` (seconds) times the runner's concurrency (at most
    ``workers``, see ``bulk.plans.in_flight_target``). ``decide_seconds`` (the
    measured time the plan took to map and resolve every row) is added as it is: the run
    does that same work again, between its pulls and its first write, and at 300 rows it
    is a fifth of the run (what left the estimate 15-35 % low at 10-120 ms latency).

    ``daily_tokens`` is the company's daily budget as the API last reported it (the
    scheduler's ``daily_limit``); without it, ``limits.daily_tokens`` (from --plan and
    --seats). The plan states one budget: ``tokens_left_today`` is capped by it.
    ``max_tokens``: the run's ``--max-tokens`` cap; a job that needs more says where it
    stops (x10r2: the plan said "fits in today's budget" and the run stopped at the cap).
    ``usable_daily``: what the job may spend a day (``--budget-share``, the reserve;
    ``SchedulerStats.usable_daily``), when less than the daily budget: the days count by
    it (x11r2 2: a plan said "fits" and the run stopped at the share). ``local_seconds``:
    this process's CPU per write (seconds), ``LOCAL_SECONDS_PER_WRITE`` scaled by
    ``machine_pace`` where the caller measured it. ``resume_reread``: the tokens each
    ``pdbulk resume`` spends re-reading before it writes again (the job kind's
    ``reread_calls``), counted against every resume's share of ``max_tokens``
    (``runs_under_cap``). ``gating_reads``: reads each batch of writes waits for before
    it is sent (the runner's re-check, ``bulk.runner.recheck_batch``): with
    ``load_seconds``, a round trip each on top of the writes (f22d F4: 3 re-checks of
    100 deals at 300 ms). ``gating``: those reads by operation (a part of ``calls``), made
    before each of ``batches`` batches of writes: where a job over its budget stops is
    counted in the order the run spends (``budget_stop``). ``end_seconds``: the run's
    work after its last write (``end_of_run_seconds``), added with ``load_seconds``.
    ``trailing``: the part of ``calls`` made after the last write that a spent budget skips
    (an import's end-of-run check for doubles, said "could not be made"): never counted
    before a write, and a job whose other calls fit today's budget finishes today (x51r5
    F6: a resume right after the reset, 332 tokens with 295 left, said "stops after about
    32 of its 40 writes"; it wrote all 40 and skipped the check)."""
    calls = {op: n for op, n in calls.items() if n > 0}
    allowed, share = limits.burst, limits.window_share
    if share < 1:  # the job's share of each window is what the run admits
        limits = replace(limits, burst=limits.usable_burst, search=limits.usable_search,
                         window_share=1.0)
    from bulk.coordinator import coordinator_url

    if coordinator_url() is not None:  # a shared coordinator: the run first learns its
        # company (bulk.engine, GET /v1/users/me; x16r1 F4: 2 tokens the plan left out)
        calls["getCurrentUser"] = calls.get("getCurrentUser", 0) + 1
    tokens = sum(get_operation(op).token_cost * n for op, n in calls.items())
    total = sum(calls.values())
    searches = sum(n for op, n in calls.items() if get_operation(op).search)
    rate = limits.burst / limits.window
    search_rate = limits.search / limits.window
    if load_seconds is None:
        busy = max((total - limits.burst) / rate, (searches - limits.search) / search_rate,
                   _windows(total, limits.burst, limits.window),
                   _windows(searches, limits.search, limits.window), 0.0)
        seconds = busy + (latency if total else 0.0)
        sending = seconds
    else:
        sending = (gating_reads * latency
                   + _write_seconds(calls, limits, latency, workers, local_seconds))
        seconds = load_seconds + decide_seconds + sending + end_seconds
    daily = limits.daily_tokens if daily_tokens is None else daily_tokens
    if tokens_left_today is not None:
        tokens_left_today = min(max(0, tokens_left_today), daily)
    per_day = daily if usable_daily is None else min(daily, usable_daily)
    left = per_day if tokens_left_today is None else min(tokens_left_today, per_day)
    days = 1
    after = trailing_tokens(calls, trailing)
    skipped = after and tokens - after <= left < tokens  # only the end-of-run check is short
    if tokens > left and not skipped:
        days += math.ceil((tokens - left) / max(1, per_day))
    out_notes = list(notes)
    if (doubt := in_doubt_note(kind, calls)) is not None:
        out_notes.append(doubt)
    if skipped:
        out_notes.append(
            f"needs {counted(tokens, 'token')} with its end-of-run check for doubles "
            f"({counted(after, 'token')}, after the last write) but {left:,} are left today: "
            "every write fits, and the check, if the budget is spent by then, is skipped and "
            "said (`could not be made`); the job finishes today")
    stop = budget_stop(calls, left=left, days=days, max_tokens=max_tokens,
                       resume_reread=resume_reread, budget_source=budget_source,
                       gating=gating, batches=batches,
                       share=(per_day, daily, tokens_left_today is not None)
                       if per_day < daily else None, workers=workers, trailing=trailing)
    if stop is not None:
        out_notes.append(stop)
    return Plan(kind=kind, rows=rows, bad_rows=bad_rows, calls=dict(sorted(calls.items())),
                tokens=tokens, tokens_left_today=tokens_left_today, seconds=seconds, days=days,
                notes=out_notes, daily_tokens=daily, burst=limits.burst,
                usable_daily=per_day if per_day < daily else None,
                window=limits.window, max_tokens=max_tokens, budget_source=budget_source,
                stop=stop, window_share=share, burst_allowed=allowed,
                first_write_cap=first_write_cap(calls, gating, batches, workers, trailing),
                end_seconds=end_seconds if load_seconds is not None else 0.0,
                send_seconds=sending)


def end_of_run_seconds(rows: int, pace: float = 1.0) -> float:
    """Seconds an import run of ``rows`` rows spends after its last write
    (``END_SECONDS_PER_ROW`` each), stretched by ``pace`` where this machine is slower now
    (``machine_pace``; never shrunk below the reference machine's)."""
    return max(0, rows) * END_SECONDS_PER_ROW * max(1.0, pace)


def budget_source(stats: SchedulerStats) -> str:
    """Where the day's budget a plan quotes comes from, in words: the server's headers
    once an answer carried them, else the plan preset (x23r1 F2: a resume's note said 60,000
    were left by the preset while its progress line showed the server's 210,000)."""
    if stats.server_today is not None and stats.tokens_today > stats.server_today:
        # this process's count is above the server's figure (calls in flight when it
        # answered, or never charged): what is left rests on both (f33c)
        return (f"by the server's headers and this process's calls since: the server said "
                f"{stats.server_today} used, this process counts {stats.tokens_today}")
    if stats.daily_recalled:  # (f38k 2: local mode keeps the day for the next run)
        return "by the server's headers to the last run on this account"
    if stats.daily_heard or stats.today_known:
        return "by the server's headers"
    return "by the plan's daily budget: no answer has told the account's yet"


def _each(op_id: str) -> str:
    cost = get_operation(op_id).token_cost
    return f"{op_id} ({cost} token{'' if cost == 1 else 's'} each)"  # 1 token (x41r7 F3)


def in_doubt_note(kind: str, calls: Mapping[str, int]) -> str | None:
    """What a plan of writes does not count, by name: a failed read is sent again, and a
    write whose answer was lost is in doubt and read back before anything is sent again —
    which operations, at what cost (x22r3: plan update showed no getArchivedDeals, and the
    run under faults made 3, 60 tokens). None for a plan without writes."""
    if not any(n and get_operation(op).is_write for op, n in calls.items()):
        return None
    if kind.split(" ")[0] == "import":
        reads = (f"the deals added since the rows were sent, 500 a page: {_each('getDeals')} "
                 f"and {_each('getArchivedDeals')}, and the deleted ones (getDeals); for a "
                 f"person / organization create in doubt, a page of {_each('getPersons')} "
                 f"or {_each('getOrganizations')}")
    elif calls.get("mergeDeals"):  # ``merging.MergeJob._read_pairs`` (x34r2 F6)
        reads = (f"a merge's merged-away deal by id, {_each('getDeal')}, and when it is gone "
                 "its survivor (getDeal), then, if the merge is sent again, both deals of "
                 "its pair (getDeal); more than 15 merges in doubt at once, their deals 100 "
                 f"a call: {_each('getDeals')}, {_each('getArchivedDeals')} (a deal archived "
                 "since) and the deleted ones (getDeals)")
        if kind.split(" ")[0] == "dedupe":  # ``DedupeJob._held_now`` judges a re-send (f39c)
            reads += (f"; a merge sent again is judged again on its deals' organization and "
                      f"person names, {_each('getOrganization')} / {_each('getPerson')}")
    else:
        reads = (f"their deals, 100 a call: {_each('getDeals')}, {_each('getArchivedDeals')} "
                 "(a deal archived since)")
    return ("the calls above are those the rows need; a read the server fails (5xx, a "
            "dropped connection) is sent again, and a write whose answer is lost (a timeout, "
            "a dropped connection, a 5xx) is in doubt: it is read back before anything is "
            f"sent again — {reads}; those come on top")


def _windows(calls: int, per_window: int, window: float) -> float:
    """The rolling window's floor, in seconds: ``calls`` calls at ``per_window`` per
    ``window`` seconds, the first at 0 s, the (per_window + 1)-th a whole window later
    (46 calls at 40 per 2 s: 2 s, not the 0.3 s of the rate alone)."""
    return window * ((calls - 1) // per_window) if calls > 0 and per_window > 0 else 0.0


def _write_seconds(calls: Mapping[str, int], limits: Limits, latency: float,
                   workers: int, local_seconds: float = LOCAL_SECONDS_PER_WRITE) -> float:
    """The writes and the reads of one record each (``getDeal``: a create that first
    reads the deal an earlier run's claim names), every call but the list pulls of the
    load phase: the slower of the burst window and the concurrency the runner keeps in
    flight with this process's CPU per write (``closed_loop_rate``; the pool grows once the
    first burst is answered: ``bulk.plans.in_flight_target``), plus one round trip
    per dependency level (persons / organizations before the deals that link them; a key
    field to create before anything, after pulling the fields again under its claim).
    (Those reads counted as list pulls left a re-import after an undo priced at 0.39 of
    its run: its 150 ``getDeal`` took window slots the plan gave the writes.)"""
    writes = sum(n for op, n in calls.items() if _sent_per_row(op))
    if not writes:
        return 0.0
    rate = limits.burst / limits.window
    latency = max(latency, 1e-3)
    # the runner's pool: the drip's figure until the first burst's answers are in, then at
    # least the burst (``in_flight_target``: warm)
    cold = min(writes, limits.usable_burst)
    levels = 2 if calls.get("addPerson") or calls.get("addOrganization") else 1
    if calls.get("addDealField"):  # the key field first, alone: fields pulled again, then created
        levels += 2
    flowing = cold / closed_loop_rate(in_flight_target(limits, latency, workers, warm=False),
                                      latency, local_seconds)
    if writes > cold:
        flowing += (writes - cold) / closed_loop_rate(
            in_flight_target(limits, latency, workers), latency, local_seconds)
    return max(flowing, (writes - limits.burst) / rate, 0.0) + levels * latency


def _sent_per_row(op: str) -> bool:
    """A write, or a read of one record (a path with its id): sent by the run's items, not
    by its load phase's list pulls."""
    operation = get_operation(op)
    return operation.is_write or "{" in operation.path


def closed_loop_rate(in_flight: int, latency: float, local_seconds: float) -> float:
    """Calls per second of ``in_flight`` calls kept going, each a round trip of ``latency``
    seconds (these overlap) and ``local_seconds`` of this process's CPU (these queue for
    the one core the event loop runs on): exact Mean Value Analysis of that closed network
    (Reiser and Lavenberg, 1980), ``in_flight`` steps. Between ``in_flight / (latency +
    local_seconds)`` (no queueing) and ``1 / local_seconds`` (the CPU saturated).

    Against runs of 300 rows at Ultimate on the sandbox (0, 10, 40 and 120 ms), the plan
    it gives is 19 % long to 10 % short of the run, where the round trips alone left it
    24-92 % short (the CPU, not the account, bound those runs)."""
    if local_seconds <= 0:
        return in_flight / latency
    queued = 0.0
    rate = 0.0
    for n in range(1, in_flight + 1):
        local = local_seconds * (1.0 + queued)  # its own CPU and that of those before it
        rate = n / (latency + local)
        queued = rate * local
    return rate


def _pace_work(conn: sqlite3.Connection, rows: int) -> None:
    """A write's kind of work, ``rows`` times: a deal's body built and encoded, an answer
    decoded, a row put in SQLite, a key folded. Its figures mean nothing; its time does."""
    for i in range(rows):
        body = orjson.dumps({"title": f"Deal {i}", "value": i * 10.5, "currency": "EUR",
                             "person_id": i, "org_id": i + 1, "stage_id": 3,
                             "custom": {"key": str(i) * 3}})
        answer = orjson.loads(orjson.dumps({"success": True,
                                            "data": {**orjson.loads(body), "id": i}}))
        conn.execute("INSERT OR REPLACE INTO t VALUES (?, ?)", (i, body))
        "|".join(sorted(str(v) for v in answer["data"].values())).casefold().encode()
    conn.commit()


def host_ticks() -> tuple[int, int] | None:
    """(stolen, wanted) CPU ticks of this machine since boot, from ``/proc/stat``'s first
    line (Linux): the ticks the hypervisor gave other machines while this one's CPUs
    wanted to run, and the ticks they wanted (busy: user, nice, system, irq, softirq;
    and stolen). None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return steal, user + nice + system + irq + softirq + steal


def stolen_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float:
    """The share of the CPU time this machine wanted that the host took, between two
    ``host_ticks`` readings (0.0 when unknown or none was wanted; at most 0.9): work bound
    by the CPU takes 1 / (1 - share) times as long. x15: a virtual machine whose host was
    busy ran imports of 300 rows twice as long as an hour before, its own CPU time the
    same."""
    if before is None or after is None or after[1] <= before[1]:
        return 0.0
    return max(0.0, min(0.9, (after[0] - before[0]) / (after[1] - before[1])))


def machine_pace(samples: int = 6, rows: int = 300) -> float:
    """How much slower this machine is now than the reference machine at a write's kind
    of local work (``_pace_work``): at most 1.0 there, 2.0 where a core is half as fast
    or shared with other busy processes, 0.5 where twice as fast; clamped to 0.25-10.
    One sample is noisy (0.5-1.0 between processes on one idle machine, and on a busy one
    a process may find a core free for a while): take more than one, at other moments.

    Takes about 40 ms on the reference machine (``samples`` runs of ``rows`` rows, after
    one to warm up), timed by the wall clock: what the run will wait on is this process's
    CPU and any other process that takes it. Raises nothing: a failure to measure is 1.0."""
    try:
        conn = sqlite3.connect(":memory:")
        try:
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
            _pace_work(conn, rows)
            started = time.perf_counter()
            for _ in range(samples):
                _pace_work(conn, rows)
            took = (time.perf_counter() - started) / samples
        finally:
            conn.close()
    except (sqlite3.Error, OSError):
        return 1.0
    return min(10.0, max(0.25, took / (PACE_REFERENCE_SECONDS * rows / 300)))


def _duration(seconds: float) -> str:
    if 0 < seconds < 0.5:
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _time_parts(plan: Plan) -> str:
    """What the plan's ``time:`` spans, its parts named where it priced more than the
    sending: the run's ``sending took`` is the sending alone, so the line names that part
    apart (w57r1 F1: an update plan said 58 s "(sending the calls above; reading the file
    ... come on top)", its own load in the 58 s, and the run said "sending took 5 s")."""
    before = plan.seconds - plan.send_seconds - plan.end_seconds
    if before < 0.5 and not plan.end_seconds:
        return " (sending the calls above; reading the file and writing the reports come on top)"
    def about(seconds: float) -> str:
        took = _duration(seconds)
        return took if took.startswith("under") else f"about {took}"

    parts = [f"reading the account and the file and deciding each row {about(before)}",
             f"sending the calls above {about(plan.send_seconds)} (what the run's "
             "`sending took` measures)"]
    if plan.end_seconds:
        parts.append(f"{about(plan.end_seconds)} after the last write: then the end-of-run "
                     "check and the result files")
    return f" ({', '.join(parts)})"


def _rows_line(plan: Plan, conflicts: int, files: bool = True) -> str:
    """``rows: 3 (2 valid, 1 with errors: ...)``; an undo's conflicts apart, as its run
    reports them (x26r3 4: a deal changed since was "1 with errors"): ``rows: 3 (2 valid,
    1 conflict: left alone; its reason below and in failed.csv)``. ``files`` False: the
    job is not made (a further undo with nothing to send), so there is no failed.csv to
    name: the reasons are below only."""
    good = plan.rows - plan.bad_rows
    conflicts = min(conflicts, plan.bad_rows)
    errors = plan.bad_rows - conflicts
    parts = [f"{good:,} valid"]
    where = " and in failed.csv" if files else " (no job is made, so no failed.csv)"
    if conflicts:
        parts.append(f"{counted(conflicts, 'conflict')}: left alone; "
                     f"{noun(conflicts, 'its reason', 'their reasons')} below{where}")
    if errors or not conflicts:
        parts.append(f"{errors:,} with errors: " + (
            "they go to failed.csv and are never sent" if files else "never sent"))
    return f"rows: {plan.rows:,} ({', '.join(parts)})"


def render_plan(plan: Plan, *, console: Console, rows: str | None = None,
                conflicts: int = 0, files: bool = True) -> None:
    """The plan as a person reads it: a table of calls, then tokens, time and days.
    ``rows``: the line that counts what the job works on, for a job whose input is not
    rows of a file (default: the rows line of a file-driven job). ``conflicts``: of the
    rows refused, those left alone as conflicts (an undo's deals changed since), counted
    and worded apart from the rows with errors. ``files`` False: no job is made of it
    (``Planned.idle``), so its rows' reasons are named as printed here, not in a failed.csv."""
    table = Table(title=f"plan: {plan.kind}", show_footer=True, title_justify="left")
    table.add_column("operation", footer="total")
    table.add_column("calls", justify="right", footer=f"{plan.total_calls:,}")
    table.add_column("tokens each", justify="right")
    table.add_column("tokens", justify="right", footer=f"{plan.tokens:,}")
    for op, n in plan.calls.items():
        cost = get_operation(op).token_cost
        table.add_row(op, f"{n:,}", str(cost), f"{n * cost:,}")
    console.print(table)
    if rows is None and plan.merges is not None:
        again = plan.repeated_merges
        repeats = (f"{again:,} {noun(again, 'repeats', 'repeat')} an earlier row's pair: "
                   "merged once, as that row; " if again else "")
        rows = (f"rows: {plan.rows:,}; merges: {plan.merges:,} "
                f"({plan.merges - plan.bad_merges - again:,} valid, {repeats}"
                f"{plan.bad_merges:,} with errors: they go to failed.csv and are never sent)")
    console.print(rows if rows is not None else _rows_line(plan, conflicts, files))
    share = plan.share_of_today
    if plan.tokens_left_today is None:
        budget = f"daily budget {counted(plan.daily_tokens, 'token')} (today's spend unknown)"
    else:
        pct = "∞" if share is None or math.isinf(share) else f"{share:.1%}"
        budget = (f"{pct} of the {counted(plan.tokens_left_today, 'token')} left today "
                  f"(daily budget {plan.daily_tokens:,})" if plan.usable_daily is None else
                  f"{pct} of the {counted(plan.tokens_left_today, 'token')} this job may use today "
                  f"({plan.usable_daily:,} of the daily budget {plan.daily_tokens:,}: "
                  "--budget-share or the reserve keeps the rest)")
    source = f"; {plan.budget_source}" if plan.budget_source else ""
    console.print(f"tokens: {plan.tokens:,} — {budget}{source}")
    took = _duration(plan.seconds)
    part = (f" (--window-share {plan.window_share:g} of the {plan.burst_allowed} allowed: "
            "the rest is left to other clients on the token)" if plan.window_share < 1 else "")
    console.print(f"time: {'' if took.startswith('under') else 'about '}{took} at "
                  f"{plan.burst} requests per "
                  f"{plan.window:g} s{part}" + (f"; spills into {plan.days - 1} more day(s)"
                                         if plan.days > 1 else
                                         f"; stops at --max-tokens {plan.max_tokens:,}"
                                         if plan.max_tokens is not None
                                         and plan.tokens > plan.max_tokens
                                         else "; fits in today's budget")
                  + _time_parts(plan))
    if plan.reasons:
        console.print("bad rows by reason:")
        for reason, n in plan.reasons.items():
            console.print(f"  {n:>7,}  {reason_line(reason, n, plan.reason_examples)}")
    if plan.changed_fields:
        _render_fields(plan.changed_fields, console)
    if plan.failed_csv and plan.bad_rows:  # v10r22: printed for a plan with none
        console.print(f"every bad row, with its cells: {plan.failed_csv}")
    for note in plan.notes:  # the CLI's words: a budget's flag alone (x48r9 F2)
        console.print(f"note: {flags_only(note)}")


FIELDS_SHOWN = 10  # the fields a plan names one by one; --json lists every one


def _render_fields(counts: Mapping[str, int], console: Console) -> None:
    """Deals per field the updates change, most first: the first ``FIELDS_SHOWN``, then
    how many more (x20r2 F6: a plan counted rows per action, not what they change)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    console.print("fields the updates change (deals getting a new value):")
    for name, n in ranked[:FIELDS_SHOWN]:
        console.print(f"  {n:>7,}  {name}")
    if len(ranked) > FIELDS_SHOWN:
        console.print(f"  … and {len(ranked) - FIELDS_SHOWN:,} more fields (--json lists "
                      "every one)")


__all__ = ["END_SECONDS_PER_ROW", "IMPORT_SECONDS_PER_WRITE", "Plan", "RUN_START_SECONDS",
           "ReasonTally",
           "end_of_run_seconds", "estimate", "first_write_line",
           "in_doubt_note", "reason_class",
           "reason_line", "render_plan", "runs_under_cap"]
