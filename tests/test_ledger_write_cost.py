"""The spend ledger's write path stays cheap (issue 8): a ledger row written with the
run's in-doubt figure (``bulk.ledger``: same transaction) costs a bounded number of
Python calls — counted, not timed, so the figure holds on a loaded machine — and the
credential guard still refuses a secret-named key at any depth."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bulk.store import JobStore

ROWS = [("2026-12-05", "updateDeal", 50, 5)]


def _calls(fn: Callable[[], object]) -> int:
    """Python and C function calls made by ``fn()`` (``sys.setprofile``)."""
    n = 0

    def count(_frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    s = JobStore.create(tmp_path / "job", job_id="cost", kind="touch", config={})
    s.record([], ROWS, {"spend_in_doubt:run1": {"updateDeal": 5}})  # warm: first-use costs
    yield s
    s.close()


def test_in_doubt_figure_adds_few_calls_to_a_ledger_write(store: JobStore) -> None:
    """The figure costs ≤ 20 calls on top of the row (58 before: a regex and an ABC check
    per key and value); the whole write ≤ 60 calls (104 before)."""
    bare = _calls(lambda: store.record([], ROWS))
    with_figure = _calls(lambda: store.record([], ROWS, {"spend_in_doubt:run1":
                                                         {"updateDeal": 10}}))
    assert with_figure - bare <= 20, (bare, with_figure)
    assert with_figure <= 60, (bare, with_figure)
    assert store.meta_get("spend_in_doubt:run1") == {"updateDeal": 10}


@pytest.mark.parametrize("meta", [
    {"apiToken": "x"},
    {"spend_in_doubt:run1": {"api_token": 1}},
    {"k": [{"nested": {"Authorization": "x"}}]},
])
def test_secret_named_keys_still_refused(store: JobStore, meta: dict[str, Any]) -> None:
    """The guard's cache and its scalar short cut change nothing it refuses."""
    with pytest.raises(ValueError, match="no credentials"):
        store.record([], ROWS, meta)
    with pytest.raises(ValueError, match="no credentials"):
        store.meta_put_many(meta)


def test_outcome_batch_costs_few_calls_per_outcome(tmp_path: Path) -> None:
    """Recording a batch of 60 outcomes costs ≤ 8 calls an outcome (11.5 before: an
    ``ItemState`` made, and enum members hashed, per outcome), illegal moves still refused."""
    from bulk.store import ItemState, NewItem, Outcome

    s = JobStore.create(tmp_path / "job", job_id="cost", kind="touch", config={})
    try:
        s.add_items(NewItem(row=n, key=str(n), op="update", payload={"deal_id": n})
                    for n in range(1, 122))
        s.mark_sending(list(range(1, 122)), 0.0)
        s.record([Outcome(121, ItemState.DONE)])  # warm
        batch = [Outcome(i, ItemState.DONE, result={"deal_id": i, "update_time": "x"})
                 for i in range(1, 61)]
        per = _calls(lambda: s.record(batch)) / len(batch)
        assert per <= 8, per
        with pytest.raises(ValueError, match="illegal transition done -> pending"):
            s.record([Outcome(1, ItemState.PENDING)])
        with pytest.raises(ValueError, match="item 999 does not exist"):
            s.record([Outcome(999, ItemState.DONE)])
        with pytest.raises(ValueError, match="illegal transition sending -> pending"):
            s.failed_to_pending([61])
        assert s.counts()[ItemState.DONE] == 61
    finally:
        s.close()
