"""x39r2 F4: a person / organization the job linked that vanished with no deal of the job
left to tell how (merged into one of another name before a deal linked it, or deleted) is
said "deleted or merged away", never "deleted": 4 of 4 such organizations were merged. Only
a deal that still names it (or names none: a merge moves every deal) says "deleted"."""

from __future__ import annotations

from jobs.importing.survivors import Went


def test_a_record_gone_with_no_witness_is_not_called_deleted() -> None:
    """The row's note and a later row's, for each of: no witness, a deal telling deleted."""
    unknown = Went("org", 54, None, "no deal this job linked to it is left to tell a merge", 0)
    assert "organization 54 deleted or merged away since (" in unknown.said()
    assert unknown.later() == "organization 54 deleted or merged away since: made again, once"
    deleted = Went("org", 54, None, "deal 9, linked to it by this job, still names it", 1,
                   deleted=True)
    assert "organization 54 deleted since (" in deleted.said()
    assert deleted.later() == "organization 54 deleted since: made again, once"
