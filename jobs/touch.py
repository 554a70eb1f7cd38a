"""The smallest job kind: PATCH the same fields onto a list of deal ids.

It exists to exercise the engine end to end (tests, benchmarks). A PATCH is
idempotent, so an item left in doubt by a crash is simply sent again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bulk.calls import CallContext
from bulk.store import Item, ItemState, NewItem, Outcome


class TouchJob:
    name = "touch"

    async def execute(self, ctx: CallContext, item: Item) -> Outcome:
        deal_id = item.payload["deal_id"]
        result = await ctx.call("updateDeal", path={"id": deal_id}, json=item.payload["fields"])
        return Outcome(item.id, ItemState.DONE,
                       result={"deal_id": deal_id, "update_time": result.data.get("update_time")})

    async def reconcile(self, ctx: CallContext, items: Sequence[Item]) -> list[Outcome]:
        return [Outcome(item.id, ItemState.PENDING) for item in items]


def touch_items(deal_ids: Iterable[int], fields: dict[str, Any]) -> Iterable[NewItem]:
    for n, deal_id in enumerate(deal_ids, start=1):
        yield NewItem(row=n, key=str(deal_id), op="update",
                      payload={"deal_id": deal_id, "fields": fields})


__all__ = ["TouchJob", "touch_items"]
