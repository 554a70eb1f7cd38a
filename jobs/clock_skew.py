"""How far this machine's clock and Pipedrive's ``add_time`` / ``update_time`` may disagree:
the margins every job kind that finds records by when they were added takes off its
times (the import's reconcile, the update's scan by source key, undo's checks), and the
one conversion of a server time to ours (``to_local``) by the job's measured lead (how
far Pipedrive's clock is ahead of this machine's: ``jobs.provable_writes.job_lead``,
kept in the job's store under ``META_LEAD`` so a resume or undo converts by the lead
measured when the writes were made). Every comparison of a server time with one of ours
goes through ``to_local`` (``earlier``, ``later``, ``server_since``); with no lead known
it converts nothing and today's margins stand (x52r8 F1-F3: a clock 30 s ahead doubled
14 of 80 creates, one 150-200 s behind left the job's own creates and writes "not
provably this job's"). Below every kind: it imports nothing.

The lead is a property of a MOMENT, not of a job (x53r4 F1-F3: the clock set right
between a stop and the resume, as the note below asks, or stepped by ntpd mid-run, and the
job's one least-ever lead, 150-200 s off, disowned 46 of its own writes in 7 of 7 runs):
``Leads`` holds the job's leads by segment of its answered writes (a run, split where the
lead steps by more than ``STEP`` s), so a write is judged by the lead in force when it
was sent (``Leads.at``), and the summary says the latest (``Leads.now``) and any change
once (``changes_note``). Where no lead of a write's own run is known (an older job's store
kept no run starts; a run none of whose writes was answered) it is judged by every lead it
may have had (``Leads.earlier`` / ``Leads.later``: None when they disagree): the row is then
named in doubt, never silently another's nor silently the job's. A ``since`` bound of a
read takes the least lead (``Leads.least``): a wider read is never wrong."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence
from typing import NamedTuple

# Clock skew allowed between this machine's send times and Pipedrive's add_time, in
# seconds (after the lead's conversion: the lead is an upper bound, off by the fastest
# write's time from its handing out to its apply, and the times are whole seconds).
RECONCILE_MARGIN = 120.0
# Clock skew allowed between this machine's clock and Pipedrive's add_time when judging
# that a record came after this run's create had failed (its 5xx or lost answer), in
# seconds: small — misjudged, this run's own create is recorded as found, never deleted
# by undo. Safe with the lead: a time converted by it is never later than the event.
ANSWERED_MARGIN = 5.0
# The job's measured lead (seconds, Pipedrive's clock ahead of ours; negative: behind),
# a JSON number in the job store's meta.
META_LEAD = "server_lead"
# The job's segments of leads (``Leads.kept``): a JSON list of [first, last, lead, run]
# (Unix seconds on our clock, seconds, the run's index), in the job store's meta.
META_LEADS = "server_leads"
# (The runs' starts, which split them: ``bulk.leaving.META_RUNS``.)
# A change of the lead of more than this (seconds) between consecutive measurements is a
# change of a clock (a measurement is an upper bound, off by a write's answer time).
STEP = 5.0
# How many answered writes in a row must read the lead higher by more than ``STEP`` for
# a step up (one slow answer reads it higher alone; a step down needs one: a bound is never
# below the lead).
CONFIRM = 3
# A lead this large (seconds, either way) is said once in the run's output, naming this
# machine's clock.
LOUD_LEAD = 30.0


def to_local(server_at: float, lead: float | None) -> float:
    """``server_at`` (Unix seconds on Pipedrive's clock: an ``add_time``, an
    ``update_time``) on this machine's clock, by ``lead`` (seconds Pipedrive's clock is
    ahead of ours, the job's measured bound; None: unknown, nothing converted)."""
    return server_at - (lead or 0.0)


def earlier(server_at: float, local_at: float, lead: float | None,
            margin: float = RECONCILE_MARGIN) -> bool:
    """Whether ``server_at`` (Pipedrive's clock) is before ``local_at`` (ours) by more than
    ``margin`` seconds, once converted (``to_local``)."""
    return to_local(server_at, lead) < local_at - margin


def later(server_at: float, local_at: float, lead: float | None,
          margin: float = ANSWERED_MARGIN) -> bool:
    """Whether ``server_at`` (Pipedrive's clock) is after ``local_at`` (ours) by more than
    ``margin`` seconds, once converted (``to_local``)."""
    return to_local(server_at, lead) > local_at + margin


def server_since(local_at: float, lead: float | None,
                 margin: float = RECONCILE_MARGIN) -> float:
    """A ``since`` bound on Pipedrive's clock (Unix seconds) for a read of what was added
    or changed from ``local_at`` (ours) on, ``margin`` seconds earlier (a wider read is
    never wrong): the inverse of ``to_local``."""
    return local_at + (lead or 0.0) - margin


def lead_note(lead: float | None) -> str | None:
    """The one line a run says when ``lead`` (seconds) is ``LOUD_LEAD`` or more either
    way, naming this machine's clock; None otherwise."""
    if lead is None or abs(lead) < LOUD_LEAD:
        return None
    way = "behind" if lead > 0 else "ahead of"
    return (f"note: this machine's clock is about {abs(lead):.0f} s {way} Pipedrive's (measured "
            "from the job's answered writes); the job converts Pipedrive's times by it — set "
            "this machine's clock (NTP) to be sure")


class Segment(NamedTuple):
    """The answered writes of one run sent from ``first`` to ``last`` (Unix seconds, our
    clock) and the lead they measured (seconds, the least of their bounds); ``run``: the
    run's index in the job's run starts (-1: before any kept, or none kept); ``sure``: False
    for the last writes of a run that read the lead higher, fewer than ``CONFIRM`` (a
    step up, or slow answers: a write sent then may have had either lead)."""

    first: float
    last: float
    lead: float
    run: int = -1
    sure: bool = True


def segments(samples: Iterable[tuple[float, float]], runs: Sequence[float] = ()
             ) -> list[Segment]:
    """The segments of ``samples`` (each ``(sent_at, bound)``: a write handed out at
    ``sent_at``, our clock, whose ``update_time`` + 1 - ``sent_at`` bounds the lead from
    above, seconds): one per run (``runs``: the runs' starts, our clock), split where the
    lead steps (down by more than ``STEP`` s at one write, up by more than that at
    ``CONFIRM`` writes in a row). Pure."""
    starts = sorted(runs)
    out: list[Segment] = []
    cur: list[float] = []  # first, last, lead of the open segment
    run = -1
    rising: list[tuple[float, float]] = []

    def close(tail: bool = False) -> None:
        if cur:
            out.append(Segment(cur[0], cur[1], cur[2], run))
        if tail and rising:
            out.append(Segment(rising[0][0], rising[-1][0], min(b for _, b in rising), run,
                               False))

    for sent, bound in sorted(samples):
        here = bisect.bisect_right(starts, sent) - 1
        if not cur or here != run:
            close(tail=True)
            cur[:], run, rising = [sent, sent, bound], here, []
            continue
        if bound < cur[2] - STEP:  # a step down: no bound is below the lead
            close()
            cur[:], rising = [sent, sent, bound], []
        elif bound > cur[2] + STEP:
            rising.append((sent, bound))
            if len(rising) >= CONFIRM:  # a step up, from the first of them
                close()
                cur[:] = [rising[0][0], sent, min(b for _, b in rising)]
                rising = []
        else:
            cur[1], cur[2] = sent, min(cur[2], bound)
            rising = []
    close(tail=True)
    return out


class Leads:
    """The job's leads by moment (``segments``); ``kept``: the one lead an older store kept
    (``META_LEAD``), used only where no segment is known. ``runs``: the runs' starts."""

    __slots__ = ("kept", "runs", "segments", "tails")

    def __init__(self, segments: Sequence[Segment] = (), runs: Sequence[float] = (),
                 kept: float | None = None) -> None:
        self.segments = sorted(s for s in segments if s.sure)
        self.tails = sorted(s for s in segments if not s.sure)
        self.runs, self.kept = sorted(runs), kept

    def __repr__(self) -> str:
        return (f"Leads({[round(s.lead, 1) for s in self.segments]}, runs={len(self.runs)}, "
                f"kept={self.kept})")

    @property
    def now(self) -> float | None:
        """The latest lead measured (seconds; the kept one when none; None: unknown)."""
        return self.segments[-1].lead if self.segments else self.kept

    @property
    def least(self) -> float | None:
        """The least lead of the job (for a ``since`` bound: a wider read is never wrong)."""
        return min([s.lead for s in self.segments]
                   + ([self.kept] if self.kept is not None else []), default=None)

    def changes(self) -> list[tuple[float, float, float]]:
        """Each change of the lead by more than ``STEP`` s: ``(at, before, after)`` (``at``:
        the first write sent with the new lead, Unix seconds on our clock)."""
        pairs = zip(self.segments, self.segments[1:], strict=False)
        return [(b.first, a.lead, b.lead) for a, b in pairs if abs(b.lead - a.lead) > STEP]

    def _run_of(self, at: float) -> int | None:
        return bisect.bisect_right(self.runs, at) - 1 if self.runs else None

    def at(self, sent: float | None) -> tuple[float, ...]:
        """The leads (seconds) that may have been in force for a write sent at ``sent``
        (Unix seconds, our clock): one when its segment (or its run's) is known, the
        leads on either side of it otherwise (distinct by more than ``STEP``); the
        least when ``sent`` is None; the kept one, or none, when no segment is known."""
        if not self.segments:
            return () if self.kept is None else (self.kept,)
        if sent is None:
            least = self.least
            return () if least is None else (least,)
        run = self._run_of(sent)
        mine = [s for s in self.segments if s.run == run]
        if run is not None and run >= 0 and mine:  # its own run's: never another run's
            before = [s for s in mine if s.first <= sent]
            if not before:
                return (mine[0].lead,)
            if sent <= before[-1].last:
                return (before[-1].lead,)
            if before[-1] is mine[-1]:  # after its run's last: a step it may not have seen
                tail = [t.lead for t in self.tails if t.run == run and t.first <= sent]
                return _distinct([before[-1].lead, *tail[-1:]])
            return _distinct([before[-1].lead, mine[len(before)].lead])
        for s in self.segments:
            if s.first <= sent <= s.last:
                return (s.lead,)
        prev = [s.lead for s in self.segments if s.last < sent][-1:]
        nxt = [s.lead for s in self.segments if s.first > sent][:1]
        return _distinct(prev + nxt)

    def earlier(self, server_at: float, local_at: float, sent: float | None,
                margin: float = RECONCILE_MARGIN) -> bool | None:
        """``earlier`` by each lead of a write sent at ``sent`` (``at``): True or False when
        they agree (False when no lead is known: nothing converted, as ``earlier``), None
        when they do not (in doubt)."""
        return _agreed([earlier(server_at, local_at, lead, margin)
                        for lead in self.at(sent) or (None,)])

    def later(self, server_at: float, local_at: float, sent: float | None,
              margin: float = ANSWERED_MARGIN) -> bool | None:
        """``later`` by each lead of a write sent at ``sent``, as ``earlier``."""
        return _agreed([later(server_at, local_at, lead, margin)
                        for lead in self.at(sent) or (None,)])

    def kept_form(self) -> list[list[float]]:
        """The segments as ``META_LEADS`` keeps them (not the ``sure`` False ones)."""
        return [[round(s.first, 3), round(s.last, 3), round(s.lead, 3), s.run]
                for s in self.segments]


def kept_leads(value: object, kept: object = None) -> Leads:
    """The ``Leads`` a store's meta keeps (``value``: ``META_LEADS``' list; ``kept``:
    ``META_LEAD``, used where no segment is kept); malformed entries are skipped."""
    out = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, list) and len(entry) == 4 \
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in entry):
            out.append(Segment(float(entry[0]), float(entry[1]), float(entry[2]), int(entry[3])))
    one = float(kept) if isinstance(kept, (int, float)) and not isinstance(kept, bool) \
        else None
    return Leads(out, (), None if out else one)


def changes_kept(leads: Leads) -> list[dict[str, float]]:
    """summary.json's ``server_clock_changes``: each change of the lead (``Leads.changes``)
    as ``{"at": Unix seconds on our clock, "before": s, "after": s}``."""
    return [{"at": round(at, 3), "before": round(a, 1), "after": round(b, 1)}
            for at, a, b in leads.changes()]


def _distinct(leads: Sequence[float]) -> tuple[float, ...]:
    out: list[float] = []
    for lead in sorted(leads):
        if not out or lead - out[-1] > STEP:
            out.append(lead)
    return tuple(out)


def _agreed(verdicts: Sequence[bool]) -> bool | None:
    return verdicts[0] if all(v == verdicts[0] for v in verdicts) else None


def doubt_words(leads: Sequence[float]) -> str:
    """Why a judgement of a server time cannot be made: the clock difference changed and
    the write's own lead is not known (``leads``: those it may have had, seconds)."""
    shown = " or ".join(f"{lead:+.0f} s" for lead in leads)
    return ("in doubt: the clock difference between this machine and Pipedrive changed "
            f"during the job, and which lead was in force when this row's write was sent "
            f"({shown}) cannot be told, and they judge it differently")


def changes_note(changes: object) -> str | None:
    """The one line a run says when the job's lead changed by more than ``STEP`` s
    (``changes``: summary.json's ``server_clock_changes``; the first and the last change
    named); None otherwise (or when malformed)."""
    moves = [(float(c["at"]), float(c["before"]), float(c["after"]))
             for c in (changes if isinstance(changes, list) else [])
             if isinstance(c, dict) and all(isinstance(c.get(k), (int, float))
                                            for k in ("at", "before", "after"))]
    if not moves:
        return None
    at, before, _ = moves[0]
    after = moves[-1][2]
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    return (f"note: the clock difference between this machine and Pipedrive changed during "
            f"the job (Pipedrive {before:+.0f} s against ours before {when}, {after:+.0f} s "
            f"{'since' if len(moves) == 1 else 'at the end'}; {len(moves)} change(s)): each "
            "write is judged by the lead of its own moment")


__all__ = ["ANSWERED_MARGIN", "CONFIRM", "LOUD_LEAD", "META_LEAD", "META_LEADS",
           "RECONCILE_MARGIN", "STEP", "Leads", "Segment", "changes_kept", "changes_note",
           "doubt_words", "kept_leads",
           "earlier", "later", "lead_note", "segments", "server_since", "to_local"]
