"""How far this machine's clock and Pipedrive's ``add_time`` / ``update_time`` may disagree:
the margins every job kind that finds records by when they were added takes off its
times (the import's reconcile, the update's scan by source key, undo's checks). Below
every kind: it imports nothing."""

from __future__ import annotations

# Clock skew allowed between this machine's send times and Pipedrive's add_time, in
# seconds.
RECONCILE_MARGIN = 120.0
# Clock skew allowed between this machine's clock and Pipedrive's add_time when judging
# that a record came after this run's create had failed (its 5xx or lost answer), in
# seconds: small — misjudged, this run's own create is recorded as found, never deleted
# by undo.
ANSWERED_MARGIN = 5.0

__all__ = ["ANSWERED_MARGIN", "RECONCILE_MARGIN"]
