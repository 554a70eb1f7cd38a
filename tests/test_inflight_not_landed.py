"""A write left in flight whose written fields all still hold their before-image while a
colleague changed another of them did not apply: its conflict says so, not "the write may
have applied before that change" (x32r1 F11: 7 rows of an XLSX update with kills, title
and value as before, only a colleague's probability changed). It stays a conflict: sent
now, it would overwrite the colleague's value, as a change since the load is left alone
before any send (README, "Writes a crash left in flight")."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState
from jobs.deals import not_landed
from tests.test_inflight_conflicts import by_key, cli, edit, in_flight, live, load_update
from tests.test_inflight_conflicts import sb as sb  # the fixture

IMAGE = {"fields": {"title": "Old", "value": 100, "probability": 10}, "custom_fields": {}}
CHANGES = {"title": "New", "value": 5199, "probability": 50}


def test_not_landed_names_the_fields_still_as_before() -> None:
    colleague = {"id": 7, "title": "Old", "value": 100, "probability": 30, "custom_fields": {}}
    assert not_landed(colleague, IMAGE, CHANGES) == "title, value"
    half = {**colleague, "title": "New"}  # one field as the write wants it: cannot tell
    assert not_landed(half, IMAGE, CHANGES) == ""
    assert not_landed(colleague, None, CHANGES) == ""


def test_an_update_in_flight_whose_fields_hold_the_before_image_says_it_did_not_apply(
        sb: Sandbox, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    a = live(sb)[0]
    edit(sb, a, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 5199}, probability=50)
    in_flight(jobs, "upd")
    edit(sb, a, probability=30)  # the colleague; our PATCH never landed
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    state, why, _ = by_key(jobs, "upd")[str(a)]
    assert state is ItemState.FAILED and why.startswith("conflict:"), why
    assert "may have applied" not in why, why
    assert "the write did not apply (value still as before it)" in why, why
    assert "probability: 10 then, 30 now" in why, why
