"""The end-of-run contact check (``jobs.doubles.check_contact_doubles``): a person this job
made that a colleague deleted since, which another run of the same state folder then made
again, is no double (x47r6 F2: "persons 61/64 doubled", exit 3, 6 of 8 runs, 61 deleted
and 64 live: nothing to merge). The list read shows live records only (the sandbox, as
Pipedrive's default list), so one of ours made within the window and not listed is gone;
a live one listed beside a record another run added is still said. No server: the list
read is a stub."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import jobs.doubles as doubles
from bulk.store import JobStore
from jobs.contact_keys import canonical_key, person_keys


def _person(rid: int) -> dict[str, Any]:
    # dated after the load, at the call (a module-level time was minutes old by the time
    # a loaded xdist worker ran the test: before the load, so no double was said)
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    return {"id": rid, "name": "Pat Person00", "emails": [{"value": "pat00@ex.com",
                                                            "primary": True}],
            "add_time": iso, "update_time": iso, "is_deleted": False}


async def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 listed: list[dict[str, Any]]) -> Mapping[str, Any]:
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        key = canonical_key("person", person_keys(_person(61))[0])
        made_ms = int((store.created_at or 0.0) * 1000) + 5_000
        store.lookup_put_many("made-person", [(key, 61)],
                              extra=(("created-at-person", "61", made_ms),))

        async def changed_since(ctx: object, op: str, since: float,
                                **_: object) -> list[dict[str, Any]]:
            assert since <= made_ms / 1000
            return listed if op == "getPersons" else []

        monkeypatch.setattr(doubles, "changed_since", changed_since)
        return await doubles.check_contact_doubles(
            object(), store, doubles.made_by_key(store))  # type: ignore[arg-type]
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_deleted_one_of_ours_made_again_by_another_run_is_no_double(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 61 deleted: not in the list read; 64, another run's, answers its e-mail
    found = await _check(tmp_path, monkeypatch, [_person(64)])
    assert found["person"] == {}, found  # before: {"61": [64]}


@pytest.mark.anyio
async def test_a_live_one_of_ours_beside_another_run_s_is_still_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = await _check(tmp_path, monkeypatch, [_person(61), _person(64)])
    assert found["person"] == {"61": [64]}, found
