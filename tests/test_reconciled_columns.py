"""A write settled by reading it back carries the same report columns as one answered in the
run (x32r1 F2's class): an undo's --force restore or delete found applied after its answer
was lost still notes the change it overwrote in succeeded.csv."""

from __future__ import annotations

from typing import Any

from bulk.store import Item, ItemState
from jobs.undo.job import _forced, _in_flight
from jobs.undo.plan import OVERWRITES

OVER = {OVERWRITES: {"by": "job B", "what": "value 2002 (job B's)"}}


def _item(op: str, payload: dict[str, Any]) -> Item:
    return Item(id=1, row=2, key="7", op=op, payload={"deal_id": 7, **OVER, **payload},
                state=ItemState.SENDING, attempts=1, result=None, error=None, status=None,
                sent_at=0.0)


def test_a_forced_undo_write_read_back_as_applied_keeps_its_note() -> None:
    """--force restore / delete in doubt, read back applied: succeeded.csv's ``note`` names
    what it overwrote, as ``execute``'s outcome does."""
    restore = _item("restore", {"changes": {"value": 1000}})
    image = {"value": 1001, "update_time": "2026-12-01T10:00:00Z"}
    now = {"id": 7, "value": 1000, "update_time": "2026-12-01T10:09:00Z", "status": "open"}
    done = _in_flight(restore, 7, now, image, force=True)
    assert done.state is ItemState.DONE and (done.result or {}).get("action") == "restored"
    assert (done.result or {}).get("note") == _forced(restore)["note"]
    delete = _item("delete", {})
    gone = _in_flight(delete, 7, None, image, force=True)
    assert gone.state is ItemState.DONE and (gone.result or {}).get("action") == "deleted"
    assert (gone.result or {}).get("note") == _forced(delete)["note"]
