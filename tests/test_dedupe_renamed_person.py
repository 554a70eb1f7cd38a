"""A person renamed after the nightly index was built, to or from a catch-all name
(``Walk-in customer``), is judged by the name it has now on the next ``--since-last`` plan,
not by the index's: the plan reads the persons changed since the index's time
(``getPersons?updated_since=``, 10 tokens a page of 500, in its reads line) and its deals
are compared again (before: the index's name stood until a full plan — a same-day pair on
the renamed catch-all merged, the one on the renamed customer never proposed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from tests.dedupe_job_support import deal, plan

DAY = ("2026-11-03T10:00:00Z", "2026-11-03T12:00:00Z")


def _person(sb: Sandbox, name: str) -> int:
    tpl = dict(sb.state.table("person").rows[1])
    (pid,) = sb.state.load("person", [{k: v for k, v in tpl.items() if k != "id"}
                                      | {"name": name, "org_id": None}])
    return pid


def _rename(sb: Sandbox, person: int, name: str) -> None:
    row = sb.state.table("person").rows[person]
    sb.state.save("person", {**row, "name": name, "update_time": sb.state.now_iso()})


def _band(out: object, ids: set[int]) -> str | None:
    groups = {frozenset(g.member_ids): g.band for g in out.result.groups}  # type: ignore[attr-defined]
    return groups.get(frozenset(ids))


@pytest.mark.anyio
async def test_a_person_renamed_since_the_index_is_judged_by_its_name_now(
        tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=43)) as sb:
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        anna, walk_in = _person(sb, "Anna Berg"), _person(sb, "Walk-in customer")
        ids = {p: {deal(sb, "Fahrradreparatur", None, value=90, add=t, update=t, person_id=p)
                   for t in DAY} for p in (anna, walk_in)}
        first = await plan(sb, tmp_path, tmp_path / "p1", since_last=True)
        assert _band(first, ids[anna]) == "duplicate"
        assert _band(first, ids[walk_in]) == "review"
        assert first.index is not None
        first.index.save(tmp_path / "state")  # as the night's apply installs it
        _rename(sb, anna, "Walk-in customer")  # the customer's record became the catch-all
        _rename(sb, walk_in, "Carla Diaz")  # ... and the catch-all a customer
        before = dict(sb.stats()["requests_by_operation"])
        night = await plan(sb, tmp_path, tmp_path / "p2", since_last=True)
        made = sb.stats()["requests_by_operation"]
        assert made.get("getPersons", 0) - before.get("getPersons", 0) == 1, made
        assert _band(night, ids[anna]) == "review", night.result.groups
        assert _band(night, ids[walk_in]) == "duplicate", night.result.groups
        assert night.index is not None
        names = night.index.person_names()
        assert names[anna] == "Walk-in customer" and names[walk_in] == "Carla Diaz", names
