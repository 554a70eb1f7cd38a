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
provably this job's"). Below every kind: it imports nothing."""

from __future__ import annotations

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


__all__ = ["ANSWERED_MARGIN", "LOUD_LEAD", "META_LEAD", "RECONCILE_MARGIN", "earlier",
           "later", "lead_note", "server_since", "to_local"]
