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
