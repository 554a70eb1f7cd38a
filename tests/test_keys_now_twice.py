"""``jobs.deals.keys_now_twice``: pending PATCHes by source key against the deals added
since the load (table tests; the end-to-end cases are in test_update_resume / the kill
tests)."""

from __future__ import annotations

from typing import Any

from bulk.store import Item, ItemState
from jobs.deals import keys_now_twice


def _item(n: int, key: str, deal_id: int) -> Item:
    return Item(id=n, row=n + 1, key=key, op="update", payload={"deal_id": deal_id},
                state=ItemState.PENDING, attempts=0, result=None, error=None, status=None,
                sent_at=None)


def _deal(deal_id: int, **extra: Any) -> dict[str, Any]:
    return {"id": deal_id, "is_deleted": False, "status": "open", **extra}


def test_a_second_deal_with_the_key_fails_the_row_naming_both() -> None:
    (out,) = keys_now_twice([_item(1, "X0", 10)], {"X0": [_deal(10), _deal(30)]})
    assert out.state is ItemState.FAILED and "key X0 matches deals 10, 30" in (out.error or "")


def test_swapped_keys_name_the_deal_that_holds_each_key() -> None:
    """v9r9 cosmetic: deals 10 (X0) and 20 (X1), added just before the job, had their keys
    swapped while it was stopped; the rows failed with "key X0 matches deals 10, 20" —
    but deal 10 no longer carries X0. Each row now says which deal holds its key."""
    keyed = {"X0": [_deal(20)], "X1": [_deal(10)]}
    outs = keys_now_twice([_item(1, "X0", 10), _item(2, "X1", 20)], keyed)
    errors = {o.item_id: o.error or "" for o in outs}
    assert "matches deals" not in errors[1] and "matches deals" not in errors[2]
    assert "deal 10 no longer carries key X0 (it holds 'X1' now, and deal 20 holds X0" \
        in errors[1], errors
    assert "deal 20 no longer carries key X1 (it holds 'X0' now, and deal 10 holds X1" \
        in errors[2], errors


def test_nothing_when_only_the_rows_own_deal_carries_the_key() -> None:
    assert keys_now_twice([_item(1, "X0", 10)], {"X0": [_deal(10)]}) == []
    gone = _deal(30, is_deleted=True)
    assert keys_now_twice([_item(1, "X0", 10)], {"X0": [_deal(10), gone]}) == []
