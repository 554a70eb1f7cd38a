"""When a deal was closed is its won_time / lost_time, never its update_time: a repeat order
added after the close is review at most, however the closed deal was edited since (x23r2 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.index import DealIndex, compact_row, from_compact_row
from jobs.dedupe.records import record_from_json, record_json, to_record
from jobs.dedupe.scoring import prepare, score_pair
from tests.dedupe_job_support import deal, org, plan

CFG = DedupeConfig.default()
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _api_deal(i: int, status: str, add_days: float, **times: datetime | None) -> dict[str, Any]:
    """A v2 deal as the list gives it: same title, org, person and value as its repeat."""
    return {"id": i, "title": "Valve inspection", "status": status, "org_id": 25,
            "person_id": 25, "value": 2700, "currency": "EUR", "pipeline_id": 1,
            "stage_id": 2, "add_time": _iso(NOW - timedelta(days=add_days)),
            "update_time": _iso(NOW), **{k: v and _iso(v) for k, v in times.items()}}


def _band(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    ra, rb = (to_record(d, stage_order={2: 2}, org_names={25: "Acme"}) for d in (a, b))
    sp = score_pair(prepare(ra, CFG), prepare(rb, CFG), CFG)
    return sp.band, sp.reasons


@pytest.mark.parametrize("status", ["won", "lost"])
def test_a_repeat_added_after_the_close_is_review_though_the_closed_deal_was_edited(
        status: str) -> None:
    """Won (lost) 10 days ago, edited today; the open repeat added 5 days ago: recurring,
    review at most (it scored 1.000 and merged when the rule read update_time)."""
    closed = NOW - timedelta(days=10)
    a = _api_deal(1, status, 12, **{f"{status}_time": closed, "close_time": closed})
    band, reasons = _band(a, _api_deal(2, "open", 5))
    assert band == "review", reasons
    assert f"recurring: deal 2 added after deal 1 was {status}" in reasons


def test_a_copy_added_before_the_close_is_still_a_duplicate() -> None:
    """The open copy was typed while the deal was still open (before its won_time): one
    deal twice, duplicate band, however late the won deal was edited."""
    a = _api_deal(1, "won", 12, won_time=NOW - timedelta(days=10))
    band, reasons = _band(a, {**_api_deal(2, "open", 12), "add_time": _iso(
        NOW - timedelta(days=12) + timedelta(minutes=5))})
    assert band == "duplicate", reasons


def test_close_time_is_read_when_won_time_is_absent_and_missing_means_review() -> None:
    """``close_time`` stands in for a missing won_time; with no close time at all a deal
    added after the closed one is review (conservative), never merged."""
    a = _api_deal(1, "won", 12, close_time=NOW - timedelta(days=10))
    assert to_record(a, stage_order={}, org_names={}).close_time == NOW - timedelta(days=10)
    assert _band(a, _api_deal(2, "open", 5))[0] == "review"
    band, reasons = _band(_api_deal(1, "won", 12), _api_deal(2, "open", 11.9))
    assert band == "review", reasons
    assert any(r.startswith("recurring: deal 2 added after deal 1, which is won with no "
                            "won_time") for r in reasons), reasons


def test_the_close_time_survives_the_index_and_the_plan_json(tmp_path: Path) -> None:
    """The nightly index row and the plan's JSON keep the close time; an index written
    before it kept close times is read whole again (its closed deals have none)."""
    r = to_record(_api_deal(1, "won", 12, won_time=NOW - timedelta(days=10)),
                  stage_order={}, org_names={})
    assert from_compact_row(compact_row(r)) == r
    assert record_from_json(orjson.loads(orjson.dumps(record_json(r)))) == r
    index = DealIndex({1: r}, _iso(NOW))
    index.save(tmp_path)
    assert DealIndex.load(tmp_path).deals[1].close_time == NOW - timedelta(days=10)
    old = [compact_row(r)[:18]]
    (tmp_path / "index-v1.json").write_bytes(orjson.dumps(old))
    assert DealIndex.load(tmp_path).updated_since is None  # a full read


@pytest.mark.anyio
@pytest.mark.parametrize("status", ["won", "lost"])
async def test_plan_holds_a_repeat_order_after_an_edited_close(tmp_path: Path,
                                                                 status: str) -> None:
    """`dedupe plan` against the sandbox: x23r2's pair is no duplicate group (review)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        acme = org(sb, "Acme Corp")
        when = {f"{status}_time": "2026-11-10T12:00:00Z", "close_time": "2026-11-10T12:00:00Z"}
        a = deal(sb, "Valve inspection", acme, value=2700, add="2026-11-08T12:00:00Z",
                 update="2026-11-20T12:00:00Z", status=status, **when)
        b = deal(sb, "Valve inspection", acme, value=2700, add="2026-11-15T12:00:00Z",
                 update="2026-11-20T12:00:00Z")
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        out = await plan(sb, tmp_path, tmp_path / "p")
        groups = {frozenset(g.member_ids): g.band for g in out.result.groups}
        assert groups == {frozenset({a, b}): "review"}, out.result.groups


@pytest.mark.parametrize("status", ["won", "lost"])
@pytest.mark.parametrize("known", [True, False])
def test_a_deal_added_in_the_second_of_the_close_is_review(status: str, known: bool) -> None:
    """x24r4 2: POST A, PATCH A won (lost), POST the same deal B in that second: on 1-s
    times the tie reads "could be after", a renewal, review at most (it scored 1.000 and
    merged); the same with no close time, where the closed deal's add_time stands in."""
    at = NOW - timedelta(days=3)
    times = {f"{status}_time": at, "close_time": at} if known else {}
    a = {**_api_deal(1, status, 3, **times), "add_time": _iso(at)}
    band, reasons = _band(a, {**_api_deal(2, "open", 3), "add_time": _iso(at)})
    assert band == "review", reasons
    assert any(r.startswith("recurring: deal 2 added") for r in reasons), reasons


def test_added_exactly_21_days_apart_is_recurring() -> None:
    """A gap of exactly 21 days on 1-s times may be more: recurring, review at most."""
    band, reasons = _band(_api_deal(1, "open", 21), _api_deal(2, "open", 0))
    assert band == "review" and "recurring: added 21 days apart" in reasons, reasons


@pytest.mark.anyio
@pytest.mark.parametrize("status", ["won", "lost"])
async def test_plan_holds_a_renewal_posted_in_the_second_its_twin_closed(
        tmp_path: Path, status: str) -> None:
    """`dedupe plan` against the sandbox: a deal added in the very second its twin was
    closed (same title, org, value) is no duplicate group."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        acme = org(sb, "Acme Corp")
        t = "2026-11-10T12:00:00Z"
        a = deal(sb, "Annual maintenance", acme, value=3600, add=t, update=t, status=status,
                 **{f"{status}_time": t, "close_time": t})
        b = deal(sb, "Annual maintenance", acme, value=3600, add=t, update=t)
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        out = await plan(sb, tmp_path, tmp_path / "p")
        groups = {frozenset(g.member_ids): g.band for g in out.result.groups}
        assert groups == {frozenset({a, b}): "review"}, out.result.groups
