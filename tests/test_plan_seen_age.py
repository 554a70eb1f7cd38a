"""A sighting (``jobs.plan_seen``) older than ``AGE`` (30 days) is dropped whenever the file
is opened — a read, a keep or a forget — not only at a later keep (x48r14: one of a job
that never ended, with no load after it, stayed in the file and was read by any caller
not passing ``since``); the drop is one DELETE on the index of the time column. The clock
is injected (``now``)."""

from __future__ import annotations

import sqlite3

from bulk.claims import state_dir
from jobs import plan_seen

SIGN = plan_seen.KEYED + "a" * 16  # as ``sealed`` keeps it
T0 = 1.7e9


def _kept() -> list[int]:
    conn = sqlite3.connect(state_dir() / plan_seen.FILE)
    try:
        return [int(d) for (d,) in conn.execute("SELECT deal FROM seen ORDER BY deal")]
    finally:
        conn.close()


def test_a_sighting_older_than_its_age_is_dropped_when_the_file_is_read() -> None:
    plan_seen.keep("http://x", [(1, {"title": SIGN})], at=T0)
    plan_seen.keep("http://x", [(2, {"title": SIGN})], at=T0 + 86_400)
    later = T0 + plan_seen.AGE + 60  # past 1's age, not 2's
    assert plan_seen.seen("http://x", [1, 2], now=later) == {2: {"title": SIGN}}
    assert _kept() == [2]


def test_a_forget_drops_the_old_sightings_of_every_deal_too() -> None:
    plan_seen.keep("http://x", [(1, {"title": SIGN}), (2, {"title": SIGN})], at=T0)
    assert plan_seen.forget("http://x", [7], now=T0 + plan_seen.AGE + 1) == 0
    assert _kept() == []


def test_within_its_age_a_sighting_stays_and_is_read() -> None:
    plan_seen.keep("http://x", [(1, {"title": SIGN})], at=T0)
    assert plan_seen.seen("http://x", [1], now=T0 + plan_seen.AGE - 1) == {1: {"title": SIGN}}
    assert _kept() == [1]


def test_the_drop_is_one_delete_on_the_time_columns_index() -> None:
    plan_seen.keep("http://x", [(1, {"title": SIGN})], at=T0)
    conn = sqlite3.connect(state_dir() / plan_seen.FILE)
    try:
        plan = conn.execute("EXPLAIN QUERY PLAN " + plan_seen.EXPIRE, (T0,)).fetchall()
    finally:
        conn.close()
    assert any("seen_at" in str(row[-1]) for row in plan), plan
